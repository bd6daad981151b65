package ingest

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/shiptrack/shiptrack/routes"
)

// AIS files are read as streams, never whole: a national archive holds
// millions of lines a day. Each file's positions go to the store in one
// call of AddPositions, so a file is written all or not at all. Lines that
// cannot be used are skipped and counted by reason, because real feeds are
// dirty; a file from which nothing at all can be read, or that is not AIS,
// is an error.

// AISOptions tunes an AIS ingest.
type AISOptions struct {
	// Progress, if not nil, is told of every line read.
	Progress *Progress
	// Shore measures how far from shore a silence begins; nil means from
	// Natural Earth's coastline (geo.DistanceToShore), and 0 on its land.
	Shore routes.ShoreDistance
	// SkipTracks leaves tracks and gaps as they are, for a bulk load of
	// many files of the same vessels that derives them once at the end
	// with Tracks.
	SkipTracks bool
}

// AISSummary is what an AIS ingest read and wrote.
type AISSummary struct {
	Files []AISFile
	// Vessels lists what the static reports (types 5, 19 and 24, and the
	// identity columns of CSV files) did to the store's vessels.
	Vessels []VesselNote
	// Written counts the tracks, gaps and legs, and vessels given an MMSI,
	// that were new or changed.
	Written routes.Changes
}

// AISFile is what was read from one AIS file and written from it.
type AISFile struct {
	Name   string
	Format string
	// Lines counts the lines read, Positions the position reports taken
	// from them and Static the static reports.
	Lines     int
	Positions int
	Static    int
	// Added counts the positions the store did not hold yet.
	Added   int
	Skipped []SkipCount
}

// SkipCount is how many lines or messages were passed over for one reason,
// and the first line where it happened.
type SkipCount struct {
	Reason    string
	Count     int
	FirstLine int
}

// VesselNote is one thing an AIS ingest learnt about a stored vessel.
type VesselNote struct {
	Vessel string // the vessel id
	MMSI   string // the MMSI whose static report named the vessel's IMO
	IMO    string
	// Set is true when the vessel had no MMSI and was given this one;
	// false when it has another, which was left unchanged.
	Set bool
}

// String writes the summary for the command line: one line per file, then
// the totals.
func (s AISSummary) String() string {
	var b strings.Builder
	for _, f := range s.Files {
		fmt.Fprintf(&b, "%s (%s): %s lines, %s positions read, %s new, %s static reports",
			f.Name, f.Format, thousands(int64(f.Lines)), thousands(int64(f.Positions)), thousands(int64(f.Added)), thousands(int64(f.Static)))
		skipped := 0
		for _, sk := range f.Skipped {
			skipped += sk.Count
		}
		if skipped > 0 {
			fmt.Fprintf(&b, "; %s skipped:", thousands(int64(skipped)))
			for _, sk := range f.Skipped {
				fmt.Fprintf(&b, "\n  %s × %s (first at line %d)", thousands(int64(sk.Count)), sk.Reason, sk.FirstLine)
			}
		}
		b.WriteByte('\n')
	}
	for _, v := range s.Vessels {
		if v.Set {
			fmt.Fprintf(&b, "vessel %s (IMO %s) given MMSI %s from its static reports\n", v.Vessel, v.IMO, v.MMSI)
		} else {
			fmt.Fprintf(&b, "vessel %s (IMO %s) is reported by MMSI %s but stored with another; left unchanged\n", v.Vessel, v.IMO, v.MMSI)
		}
	}
	w := s.Written
	fmt.Fprintf(&b, "%d tracks, %d gaps, %d legs and %d vessels new or changed", w.Tracks, w.Gaps, w.Legs, w.Vessels)
	return b.String()
}

// AIS reads every AIS file in in (other files are left to Documents), adds
// their positions to store one file at a time, gives stored vessels the
// MMSIs their static reports reveal, and derives again the tracks and gaps
// of every MMSI the files mention (see Tracks). A file that fails writes
// nothing and stops the ingest; the files before it stay written, with
// their tracks, and the summary lists them.
func AIS(ctx context.Context, store routes.Store, in Inputs, opt AISOptions) (AISSummary, error) {
	var sum AISSummary
	if in.err != nil {
		return sum, in.err
	}
	files, _, err := list(ctx, in)
	if err != nil {
		return sum, err
	}
	seen := &aisStats{}
	var failed error
	for _, fi := range files {
		if len(aisOnly(fi.formats)) == 0 {
			continue
		}
		h, err := head(fi)
		if err != nil {
			failed = fmt.Errorf("%s: %w", fi.display, err)
			break
		}
		fm, ok := sniffAIS(fi.formats, h)
		if !ok && len(aisOnly(fi.formats)) < len(fi.formats) {
			continue // a document: see Documents
		}
		if !ok {
			failed = fmt.Errorf("%s: %w", fi.display, unknownFormat(notAIS(fi.formats)))
			break
		}
		f, err := fi.fsys.Open(fi.name)
		if err != nil {
			failed = fmt.Errorf("%s: %w", fi.display, unwrapPath(err))
			break
		}
		fs, stats, err := readAIS(ctx, store, fi.display, fm, f, opt)
		f.Close()
		if err != nil {
			failed = err
			break
		}
		sum.Files = append(sum.Files, fs)
		seen.merge(stats)
	}
	if len(sum.Files) > 0 && ctx.Err() == nil {
		err = derive(ctx, store, seen, opt, &sum)
	}
	return sum, errors.Join(failed, err)
}

// derive does what follows reading: static data is recorded, vessels get
// their MMSIs, then the MMSIs read get their tracks.
func derive(ctx context.Context, store routes.Store, seen *aisStats, opt AISOptions, sum *AISSummary) error {
	static := staticRecords(seen.static)
	if ss, ok := store.(routes.StaticStore); ok && len(seen.static) > 0 {
		if _, err := ss.AddStatic(ctx, static); err != nil {
			return fmt.Errorf("record static data: %w", err)
		}
	}
	notes, vch, err := attachStatic(ctx, store, static)
	if err != nil {
		return err
	}
	sum.Vessels = notes
	if !opt.SkipTracks {
		sum.Written, err = Tracks(ctx, store, seen.mmsiList(), opt)
	}
	sum.Written.Vessels += vch
	return err
}

// AISReader adds the positions in one AIS file, read from r, to store and
// derives again the tracks of the MMSIs it mentions, as AIS does for files.
// name is how messages name the file; its extension and r's content tell
// the format.
func AISReader(ctx context.Context, store routes.Store, name string, r io.Reader, opt AISOptions) (AISSummary, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return AISSummary{}, fmt.Errorf("%s: %w", name, err)
	}
	candidates, _ := detect(name)
	f, ok := sniffAIS(candidates, head)
	if !ok {
		if f, ok = sniffAIS(formats, head); !ok {
			return AISSummary{}, fmt.Errorf("%s: %w", name, unknownFormat(notAIS(aisOnly(formats))))
		}
	}
	fs, stats, err := readAIS(ctx, store, name, f, br, opt)
	if err != nil {
		return AISSummary{}, err
	}
	sum := AISSummary{Files: []AISFile{fs}}
	err = derive(ctx, store, stats, opt, &sum)
	return sum, err
}

// readAIS streams one file's positions into the store.
func readAIS(ctx context.Context, store routes.Store, name string, f format, r io.Reader, opt AISOptions) (AISFile, *aisStats, error) {
	stats := &aisStats{}
	rd := f.positions(r, stats)
	opt.Progress.Reset(name)
	var readErr error
	reported := 0
	positions := func(yield func(routes.Position, error) bool) {
		for {
			p, ok := rd.next()
			if stats.lines-reported >= 4096 || !ok {
				opt.Progress.Add(stats.lines - reported)
				reported = stats.lines
				if err := ctx.Err(); err != nil {
					yield(routes.Position{}, err)
					return
				}
			}
			if !ok {
				// The store now writes what it was sent, which can take
				// as long as the reading did.
				opt.Progress.Reset(fmt.Sprintf("%s: writing %s positions", name, thousands(int64(stats.positions))))
				break
			}
			stats.addMMSI(p.MMSI)
			if !yield(p, nil) {
				return
			}
		}
		if err := rd.readErr(); err != nil {
			readErr = err
			yield(routes.Position{}, err)
			return
		}
		if err := stats.useless(); err != nil {
			readErr = err
			yield(routes.Position{}, err)
		}
	}
	added, err := store.AddPositions(ctx, positions)
	fs := AISFile{Name: name, Format: f.name, Lines: stats.lines, Positions: stats.positions,
		Static: stats.statics, Added: added, Skipped: stats.skipList()}
	var bad malformed
	if errors.As(readErr, &bad) {
		return fs, nil, Errors{{File: name, Line: bad.line, Kind: Malformed, Msg: bad.msg + "; nothing from this file was written"}}
	}
	if readErr != nil {
		return fs, nil, fmt.Errorf("%s: %w; nothing from this file was written", name, readErr)
	}
	if err != nil {
		return fs, nil, fmt.Errorf("%s: %w", name, err)
	}
	return fs, stats, nil
}

// positionReader reads the positions of one file.
type positionReader interface {
	// next returns the next position; false at the end or on an error.
	next() (routes.Position, bool)
	// readErr is the error that ended the input early, if any.
	readErr() error
}

// aisStats is what reading one file found besides positions.
type aisStats struct {
	lines, positions, statics int
	skipped                   map[string]*SkipCount
	static                    map[string]staticReport // by MMSI
	mmsis                     map[string]struct{}
	lastMMSI                  string
}

// maxMMSIs bounds the MMSIs one ingest remembers for deriving tracks, so
// that a hostile file cannot grow memory without end; a day of worldwide
// AIS has about 300,000.
const maxMMSIs = 2_000_000

func (s *aisStats) skip(reason string, line int) {
	if s.skipped == nil {
		s.skipped = map[string]*SkipCount{}
	}
	c := s.skipped[reason]
	if c == nil {
		c = &SkipCount{Reason: reason, FirstLine: line}
		s.skipped[reason] = c
	}
	c.Count++
}

func (s *aisStats) addMMSI(m string) {
	if m == s.lastMMSI {
		return
	}
	s.lastMMSI = m
	if s.mmsis == nil {
		s.mmsis = map[string]struct{}{}
	}
	if len(s.mmsis) < maxMMSIs {
		s.mmsis[m] = struct{}{}
	}
}

// addStatic merges a static report into what is known of its MMSI: type 24
// comes in two parts, and a later report fills what an earlier one left out.
func (s *aisStats) addStatic(r staticReport) {
	s.statics++
	if s.static == nil {
		s.static = map[string]staticReport{}
	}
	old, ok := s.static[r.MMSI]
	if !ok && len(s.static) >= maxMMSIs {
		return
	}
	if r.IMO == 0 {
		r.IMO = old.IMO
	}
	r.Name = cmp.Or(r.Name, old.Name)
	r.CallSign = cmp.Or(r.CallSign, old.CallSign)
	r.ShipType = cmp.Or(r.ShipType, old.ShipType)
	r.ShipTypeText = cmp.Or(r.ShipTypeText, old.ShipTypeText)
	s.static[r.MMSI] = r
}

// merge adds what another file found to s.
func (s *aisStats) merge(o *aisStats) {
	for m := range o.mmsis {
		s.addMMSI(m)
	}
	for _, r := range o.static {
		s.addStatic(r)
	}
}

func (s *aisStats) mmsiList() []string {
	out := make([]string, 0, len(s.mmsis))
	for m := range s.mmsis {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// skipList is the skip counts, most frequent first.
func (s *aisStats) skipList() []SkipCount {
	var out []SkipCount
	for _, c := range s.skipped {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b SkipCount) int { return cmp.Or(b.Count-a.Count, a.FirstLine-b.FirstLine) })
	return out
}

// useless is the error for a file from which nothing could be read though
// it had lines: the most frequent reason and where it first happened.
func (s *aisStats) useless() error {
	if s.positions > 0 || s.statics > 0 || len(s.skipped) == 0 {
		return nil
	}
	top := s.skipList()[0]
	msg := fmt.Sprintf("no position could be read from %d lines; the most common problem, %d times, first at line %d: %s",
		s.lines, top.Count, top.FirstLine, top.Reason)
	if top.Reason == skipNoTime {
		msg += " (ingest needs a tag block with c: or a time before each sentence)"
	}
	return malformed{msg: msg}
}

// malformed is an AIS file that is not what its format says it is, as
// opposed to one that could not be read; line is where, or 0 for the file
// as a whole.
type malformed struct {
	line int
	msg  string
}

func (m malformed) Error() string {
	if m.line > 0 {
		return fmt.Sprintf("line %d: %s", m.line, m.msg)
	}
	return m.msg
}

// staticReport is a vessel's identity as its AIS static reports give it.
type staticReport struct {
	MMSI         string
	IMO          uint32 // 0 when not given
	Name         string
	CallSign     string
	ShipType     int    // the AIS ship and cargo type, 0 when not given
	ShipTypeText string // as the Danish CSV writes it
}

// staticRecords is the static data worth keeping, in MMSI order: an IMO
// number only when its check digit holds.
func staticRecords(static map[string]staticReport) []routes.AISStatic {
	var out []routes.AISStatic
	for _, r := range static {
		a := routes.AISStatic{MMSI: r.MMSI, IMO: r.imo(), Name: r.Name, CallSign: r.CallSign,
			ShipType: r.ShipType, ShipTypeText: r.ShipTypeText}
		if a.ShipType < 1 || a.ShipType > 255 {
			a.ShipType = 0
		}
		if a.IMO != "" || a.Name != "" || a.CallSign != "" || a.ShipType != 0 || a.ShipTypeText != "" {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b routes.AISStatic) int { return cmp.Compare(a.MMSI, b.MMSI) })
	return out
}

// imo is the report's IMO number as 7 digits, or "" when it has none or
// one whose check digit fails.
func (r staticReport) imo() string {
	if r.IMO == 0 || r.IMO > 9_999_999 {
		return ""
	}
	imo := fmt.Sprintf("%07d", r.IMO)
	if routes.CheckIMO(imo) != nil {
		return ""
	}
	return imo
}

// attachStatic gives stored vessels without an MMSI the one whose static
// data, as staticRecords gives it, carries their IMO number, and notes
// vessels stored with another.
func attachStatic(ctx context.Context, store routes.Store, static []routes.AISStatic) ([]VesselNote, int, error) {
	byIMO := map[string]string{} // IMO → MMSI
	for _, a := range static {
		// Two MMSIs claiming one IMO: the first, in MMSI order, is kept.
		if _, ok := byIMO[a.IMO]; a.IMO != "" && !ok {
			byIMO[a.IMO] = a.MMSI
		}
	}
	if len(byIMO) == 0 {
		return nil, 0, nil
	}
	vessels, err := store.Vessels(ctx, routes.Query{})
	if err != nil {
		return nil, 0, fmt.Errorf("read vessels: %w", err)
	}
	var notes []VesselNote
	var b routes.Batch
	for _, v := range vessels.Items {
		mmsi, ok := byIMO[v.IMO]
		if !ok || v.IMO == "" || v.MMSI == mmsi {
			continue
		}
		note := VesselNote{Vessel: v.ID, MMSI: mmsi, IMO: v.IMO, Set: v.MMSI == ""}
		notes = append(notes, note)
		if note.Set {
			v.MMSI = mmsi
			b.Vessels = append(b.Vessels, v)
		}
	}
	if len(b.Vessels) == 0 {
		return notes, 0, nil
	}
	ch, err := store.Apply(ctx, &b)
	if err != nil {
		return nil, 0, fmt.Errorf("give vessels their MMSIs: %w", err)
	}
	return notes, ch.Vessels, nil
}

// valueSlab hands out pointers for a position's optional fields from
// shared blocks, so that a position costs no allocation of its own.
type valueSlab struct {
	floats []float64
	ints   []int
}

const slabSize = 4096

func (s *valueSlab) float(v float64) *float64 {
	if len(s.floats) == cap(s.floats) {
		s.floats = make([]float64, 0, slabSize)
	}
	s.floats = append(s.floats, v)
	return &s.floats[len(s.floats)-1]
}

func (s *valueSlab) int(v int) *int {
	if len(s.ints) == cap(s.ints) {
		s.ints = make([]int, 0, slabSize)
	}
	s.ints = append(s.ints, v)
	return &s.ints[len(s.ints)-1]
}

// maxMMSICache bounds the MMSI strings a reader keeps for reuse.
const maxMMSICache = 100_000

// mmsiCache formats MMSIs as 9-digit strings, reusing each one's string.
type mmsiCache map[uint32]string

func (c *mmsiCache) get(m uint32) string {
	if s, ok := (*c)[m]; ok {
		return s
	}
	var buf [9]byte
	v := strconv.AppendUint(buf[:0], uint64(m), 10)
	s := strings.Repeat("0", 9-len(v)) + string(v)
	if *c == nil {
		*c = mmsiCache{}
	}
	if len(*c) < maxMMSICache {
		(*c)[m] = s
	}
	return s
}
