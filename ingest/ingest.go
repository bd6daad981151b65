// Package ingest reads files into a shiptrack store: shipment documents (the
// JSON form of routes.Document), GeoJSON FeatureCollections of places and
// legs, and CSV tables of places.
//
// Files and directories are named through Inputs, either inside an fs.FS
// (the bundled dataset, a test's fstest.MapFS), on the operating system, or
// as one stream (a request body). Everything named is read, checked and
// merged first; only then is one batch applied, so a bad file changes
// nothing:
//
//	sum, err := ingest.Documents(ctx, store, ingest.Paths("testdata/najin-dunay"))
//
// Errors name the file, the line and column and the field at fault; see
// FileError.
//
// AIS recordings (NMEA 0183, the Danish Maritime Authority's and NOAA's
// CSV) are streamed instead, a file at a time, into the store's positions,
// and become tracks and gaps: see AIS.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/shiptrack/shiptrack/routes"
)

// MaxFileSize is the largest file ingest reads, in bytes. A shipment
// document is kilobytes; anything near this is a mistake or an attack.
const MaxFileSize = 64 << 20

// maxErrors caps the problems reported for one ingest.
const maxErrors = 100

// Inputs names the files and directories to read. Directories are read
// recursively, their files in lexical order; files whose format is unknown
// are skipped and listed in the Summary, as are hidden files and
// directories (names starting with ".").
type Inputs struct {
	roots    []root
	err      error
	progress *Progress
}

// WithProgress returns in with p showing the progress of reading, checking
// and writing it.
func (in Inputs) WithProgress(p *Progress) Inputs {
	in.progress = p
	return in
}

// root is one named file or directory.
type root struct {
	fsys    fs.FS
	name    string // the file or directory inside fsys
	display string // how messages name it
	join    func(elem ...string) string
	key     string // prefixes a file's path in fsys to identify it, so that a file named twice is read once
	stream  io.Reader
	hint    Hint // for a stream
}

// FS names files and directories inside fsys, by fs.FS paths ("." is its
// root). Messages name files by these paths.
func FS(fsys fs.FS, paths ...string) Inputs {
	var in Inputs
	for _, p := range paths {
		in.roots = append(in.roots, root{fsys: fsys, name: path.Clean(p), display: path.Clean(p), join: path.Join, key: "fs:"})
	}
	return in
}

// Paths names files and directories on the operating system, absolute or
// relative to the working directory. Messages name files as given.
func Paths(paths ...string) Inputs {
	var in Inputs
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			in.err = errors.Join(in.err, fmt.Errorf("%s: %w", p, err))
			continue
		}
		r := root{fsys: os.DirFS(abs), name: ".", display: p, join: filepath.Join, key: abs + string(filepath.Separator)}
		if st, err := os.Stat(abs); err == nil && !st.IsDir() {
			dir := filepath.Dir(abs)
			r.fsys, r.name, r.key = os.DirFS(dir), filepath.Base(abs), dir+string(filepath.Separator)
		}
		in.roots = append(in.roots, r)
	}
	return in
}

// Summary is what an ingest read and wrote.
type Summary struct {
	Files   []string  // the files read, as named
	Skipped []Skipped // the files passed over, and why
	// Read counts the records read, per kind (Tracks and Gaps stay 0).
	Read routes.Changes
	// Written counts the records the store found new or changed.
	Written routes.Changes
	// Unrouted lists the legs a router was asked to draw and could not:
	// they were given schematic lines.
	Unrouted []Unrouted
}

// Unrouted is a leg left schematic, and why.
type Unrouted struct {
	Leg    string
	Reason string
}

// Skipped is a file ingest passed over.
type Skipped struct {
	File   string
	Reason string
}

// String writes the summary on one line, for the command line.
func (s Summary) String() string {
	r, w := s.Read, s.Written
	msg := fmt.Sprintf("read %d files: %d places, %d vessels, %d sources, %d shipments, %d legs, %d observations; %d records new or changed",
		len(s.Files), r.Places, r.Vessels, r.Sources, r.Shipments, r.Legs, r.Observations, w.Total())
	if len(s.Skipped) > 0 {
		msg += fmt.Sprintf("; %d files skipped", len(s.Skipped))
	}
	return msg
}

// Documents reads every file in, validates the whole against
// the model's rules and what store (which must not be nil) holds, and applies
// it to store in one transaction. On any error nothing is written; problems
// with the files are reported as Errors.
func Documents(ctx context.Context, store routes.Store, in Inputs) (Summary, error) {
	return DocumentsWith(ctx, store, in, routes.PrepareOptions{})
}

// DocumentsWith is Documents with options for routes.PrepareWith: with
// routers, legs given without a line are modeled. Legs a router could not
// draw are listed in the Summary.
func DocumentsWith(ctx context.Context, store routes.Store, in Inputs, opts routes.PrepareOptions) (Summary, error) {
	batch, sum, err := ReadWith(ctx, store, in, opts)
	if err != nil {
		return sum, err
	}
	in.progress.phase(fmt.Sprintf("writing %s records", thousands(int64(sum.Read.Total()))))
	sum.Written, err = store.Apply(ctx, batch)
	if err != nil {
		return sum, fmt.Errorf("write to the store: %w", err)
	}
	return sum, nil
}

// Read reads and validates every file in, against known (which may be nil)
// for the records they refer to, and returns the batch ready for
// Store.Apply. It writes nothing.
func Read(ctx context.Context, known routes.Lookup, in Inputs) (*routes.Batch, Summary, error) {
	return ReadWith(ctx, known, in, routes.PrepareOptions{})
}

// ReadWith is Read with options for routes.PrepareWith.
func ReadWith(ctx context.Context, known routes.Lookup, in Inputs, opts routes.PrepareOptions) (*routes.Batch, Summary, error) {
	var sum Summary
	told := opts.Unrouted
	opts.Unrouted = func(leg string, err error) {
		sum.Unrouted = append(sum.Unrouted, Unrouted{Leg: leg, Reason: err.Error()})
		if told != nil {
			told(leg, err)
		}
	}
	if in.err != nil {
		return nil, sum, in.err
	}
	files, skipped, err := list(ctx, in)
	sum.Skipped = skipped
	if err != nil {
		return nil, sum, err
	}
	var m merged
	var errs Errors
	for _, fi := range files {
		if err := ctx.Err(); err != nil {
			return nil, sum, err
		}
		if leaveToAIS(fi) {
			continue
		}
		in.progress.Label("reading " + fi.display)
		data, ferr, err := readFile(fi)
		if err != nil {
			return nil, sum, err
		}
		if ferr != nil {
			errs = append(errs, *ferr)
			continue
		}
		fm, ferr := choose(fi, data)
		if ferr == nil && fm.read == nil {
			ferr = &FileError{File: fi.display, Msg: fmt.Sprintf("an AIS file (%s), whose positions ingest reads apart from documents", fm.name)}
		}
		if ferr != nil {
			errs = append(errs, *ferr)
			continue
		}
		f, perrs := fm.read(fi.display, data)
		if len(perrs) > 0 {
			errs = append(errs, perrs...)
			continue
		}
		errs = append(errs, m.add(f)...)
		sum.Files = append(sum.Files, fi.display)
		in.progress.Add(f.records().count())
		if len(errs) >= maxErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, sum, errs[:min(len(errs), maxErrors)]
	}
	d := &m.doc
	sum.Read = routes.Changes{Places: len(d.Places), Vessels: len(d.Vessels), Sources: len(d.Sources),
		Shipments: len(d.Shipments), Legs: len(m.loose), Observations: len(d.Observations)}
	for _, s := range d.Shipments {
		sum.Read.Legs += len(s.Legs)
	}
	if errs, err := m.attach(ctx, known); err != nil || len(errs) > 0 {
		if err != nil {
			return nil, sum, err
		}
		return nil, sum, errs[:min(len(errs), maxErrors)]
	}
	in.progress.phase(fmt.Sprintf("checking %s records", thousands(int64(sum.Read.Total()))))
	if v := nulText(d); len(v) > 0 {
		return nil, sum, m.place(v)
	}
	batch, err := routes.PrepareWith(ctx, known, d, opts)
	if err != nil {
		if v, ok := routes.AsValidation(err); ok {
			return nil, sum, m.place(v)
		}
		return nil, sum, fmt.Errorf("check against the store: %w", err)
	}
	if err := keepObserved(ctx, known, batch); err != nil {
		return nil, sum, fmt.Errorf("check against the store: %w", err)
	}
	return batch, sum, nil
}

// format is a kind of file ingest reads.
type format struct {
	id    string   // how a caller names it: the format parameter of POST /api/ingest
	name  string   // how messages name it
	exts  []string // lower case, with the dot
	media []string // media types it is sent as
	// sniff reports whether data looks like this format; nil accepts
	// anything. Among formats sharing an extension, the first whose sniff
	// accepts a file reads it.
	sniff func(data []byte) bool
	read  func(name string, data []byte) (parsed, Errors)
	// positions streams an AIS file instead, which read does not take
	// whole: see AIS. Its sniff looks at the first sniffSize bytes; expect
	// says what it looks for; own are the extensions no other kind of file
	// has, so that a file so named that is not AIS is an error.
	positions func(r io.Reader, stats *aisStats) positionReader
	expect    string
	own       []string
}

// formats are the kinds of file ingest reads, recognised by extension and
// content.
var formats = append([]format{
	{id: "document", name: "shipment document", exts: []string{".json"}, media: []string{"application/json"},
		sniff: isDocument, read: parseDocument},
	{id: "geojson", name: "GeoJSON", exts: []string{".geojson", ".json"}, media: []string{"application/geo+json", "application/json"},
		sniff: isGeoJSON, read: parseGeoJSON},
	{id: "places-csv", name: "CSV of places", exts: []string{".csv"}, media: []string{"text/csv"},
		sniff: isPlacesCSV, read: parsePlacesCSV},
}, aisFormats...)

// fileInput is one file to read.
type fileInput struct {
	fsys    fs.FS
	name    string
	display string
	formats []format // the formats it may be in
	stream  io.Reader
	// guessed marks formats that are every format there is, because
	// nothing but the content tells which.
	guessed bool
}

// list expands the inputs into the files to read, in order, each once.
func list(ctx context.Context, in Inputs) ([]fileInput, []Skipped, error) {
	var files []fileInput
	var skipped []Skipped
	seen := map[string]bool{}
	for _, r := range in.roots {
		if r.stream != nil {
			f, guessed, err := streamFormats(r.name, r.hint)
			if err != nil {
				return nil, skipped, fmt.Errorf("%s: %w", r.display, err)
			}
			files = append(files, fileInput{name: r.name, display: r.display, formats: f, stream: r.stream, guessed: guessed})
			continue
		}
		if !fs.ValidPath(r.name) {
			return nil, skipped, fmt.Errorf("%s: not a valid path (use forward slashes, no leading / or ..)", r.display)
		}
		st, err := fs.Stat(r.fsys, r.name)
		if err != nil {
			return nil, skipped, fmt.Errorf("%s: %w", r.display, unwrapPath(err))
		}
		if !st.IsDir() {
			// A file named outright must be readable: skipping it quietly
			// would hide a typo.
			f, why := fileFormats(r.fsys, r.name)
			if why != "" {
				return nil, skipped, fmt.Errorf("%s: %w", r.display, unknownFormat(why))
			}
			if k := r.key + r.name; !seen[k] {
				seen[k] = true
				files = append(files, fileInput{fsys: r.fsys, name: r.name, display: r.display, formats: f})
			}
			continue
		}
		err = fs.WalkDir(r.fsys, r.name, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(p, r.name), "/")
			if r.name == "." {
				rel = p
			}
			display := r.join(r.display, rel)
			if p != r.name && strings.HasPrefix(d.Name(), ".") {
				skipped = append(skipped, Skipped{display, "hidden"})
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || seen[r.key+p] {
				return nil
			}
			if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				skipped = append(skipped, Skipped{display, "not a regular file"})
				return nil
			}
			f, why := fileFormats(r.fsys, p)
			if why != "" {
				skipped = append(skipped, Skipped{display, why})
				return nil
			}
			seen[r.key+p] = true
			files = append(files, fileInput{fsys: r.fsys, name: p, display: display, formats: f})
			return nil
		})
		if err != nil {
			return nil, skipped, fmt.Errorf("%s: %w", r.display, unwrapPath(err))
		}
	}
	return files, skipped, nil
}

// unwrapPath drops an fs.PathError's own path, which is relative to an
// fs.FS the user never named; messages name the file as the user did.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFile reads one file whole, refusing one larger than MaxFileSize
// whatever its stat claims. A file that cannot be opened is a FileError; one
// that fails while being read (a request body cut off or over its limit)
// ends the ingest with the error.
func readFile(fi fileInput) ([]byte, *FileError, error) {
	tooBig := &FileError{File: fi.display, Kind: TooLarge,
		Msg: fmt.Sprintf("the file is larger than %d MiB, the most ingest reads", MaxFileSize>>20)}
	r := fi.stream
	if r == nil {
		f, err := fi.fsys.Open(fi.name)
		if err != nil {
			return nil, &FileError{File: fi.display, Msg: unwrapPath(err).Error()}, nil
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Size() > MaxFileSize {
			return nil, tooBig, nil
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", fi.display, unwrapPath(err))
	}
	if len(data) > MaxFileSize {
		return nil, tooBig, nil
	}
	return data, nil, nil
}

// merged is every file read, as one document, remembering where each
// record came from.
type merged struct {
	doc   routes.Document
	files []parsed
	// from maps a top-level list ("places") to, for each record in the
	// merged list, the file it came from and its path there.
	from map[string][]origin
	// ids maps a list of shared records to their ids and merged indexes.
	ids map[string]map[string]int
	// loose are legs given outside their shipment, in file order.
	loose []looseLeg
	// legs maps a leg that joined a shipment from elsewhere, by the merged
	// shipment's index and its index among the legs, to where it came from.
	legs map[[2]int]origin
}

// origin is where a merged record came from: a file and the record's path
// in it. A shipment taken from the store has the path "" and, as file and
// via, the leg that brought it in.
type origin struct {
	file int
	path string
	via  string
}

// looseLeg is a leg given outside its shipment.
type looseLeg struct {
	file int
	path string
	leg  routes.Leg
}

// add merges a file's records. A place, vessel or source that another file
// already defines identically is taken once, so that each file may carry
// what it refers to; one defined differently is an error.
func (m *merged) add(f parsed) Errors {
	if m.from == nil {
		m.from, m.ids, m.legs = map[string][]origin{}, map[string]map[string]int{}, map[[2]int]origin{}
	}
	fi := len(m.files)
	m.files = append(m.files, f)
	var errs Errors
	r := f.records()
	m.doc.Places = addShared(m, fi, "places", r.Places, m.doc.Places, func(p routes.Place) string { return p.ID }, &errs)
	m.doc.Vessels = addShared(m, fi, "vessels", r.Vessels, m.doc.Vessels, func(v routes.Vessel) string { return v.ID }, &errs)
	m.doc.Sources = addShared(m, fi, "sources", r.Sources, m.doc.Sources, func(s routes.Source) string { return s.ID }, &errs)
	for i, s := range r.Shipments {
		m.doc.Shipments = append(m.doc.Shipments, s)
		m.from["shipments"] = append(m.from["shipments"], origin{file: fi, path: fmt.Sprintf("shipments[%d]", i)})
	}
	for i, o := range r.Observations {
		m.doc.Observations = append(m.doc.Observations, o)
		m.from["observations"] = append(m.from["observations"], origin{file: fi, path: fmt.Sprintf("observations[%d]", i)})
	}
	for i, l := range r.Legs {
		m.loose = append(m.loose, looseLeg{file: fi, path: fmt.Sprintf("legs[%d]", i), leg: l})
	}
	return errs
}

func addShared[T any](m *merged, fi int, list string, recs, into []T, id func(T) string, errs *Errors) []T {
	if m.ids[list] == nil {
		m.ids[list] = map[string]int{}
	}
	for i, r := range recs {
		dup, seen := m.ids[list][id(r)]
		if !seen || m.from[list][dup].file == fi {
			// Repeats within one file are left for routes.Prepare to report.
			if !seen {
				m.ids[list][id(r)] = len(into)
			}
			into = append(into, r)
			m.from[list] = append(m.from[list], origin{file: fi, path: fmt.Sprintf("%s[%d]", list, i)})
			continue
		}
		if !reflect.DeepEqual(into[dup], r) {
			first := m.from[list][dup]
			there := m.files[first.file].problem(first.path, "")
			field := fmt.Sprintf("%s[%d].id", list, i)
			*errs = append(*errs, m.files[fi].problem(field,
				fmt.Sprintf("%q differs from its definition at %s:%d; define it once, or identically", id(r), there.File, there.Line)))
		}
	}
	return into
}

// shipmentLookup finds a stored shipment with its legs. Stores implement
// it; without it, loose legs can join only shipments read in the same
// ingest.
type shipmentLookup interface {
	Shipment(ctx context.Context, id string) (routes.Shipment, error)
}

// attach puts each loose leg into the shipment it names: one read in this
// ingest or, failing that, the stored one, whose legs of the same ids it
// replaces. A shipment is written whole, so a stored one joins the batch with
// all its other legs.
func (m *merged) attach(ctx context.Context, known routes.Lookup) (Errors, error) {
	index := map[string]int{}
	for i, s := range m.doc.Shipments {
		if _, dup := index[s.ID]; !dup {
			index[s.ID] = i
		}
	}
	replaced := map[string]map[string]bool{} // stored shipment → ids of the legs given anew
	for _, ll := range m.loose {
		if replaced[ll.leg.Shipment] == nil {
			replaced[ll.leg.Shipment] = map[string]bool{}
		}
		replaced[ll.leg.Shipment][ll.leg.ID] = true
	}
	lookup, _ := known.(shipmentLookup)
	var errs Errors
	for _, ll := range m.loose {
		id := ll.leg.Shipment
		k, ok := index[id]
		if !ok && id != "" && lookup != nil {
			sh, err := lookup.Shipment(ctx, id)
			switch {
			case err == nil:
				sh.Legs = slices.DeleteFunc(sh.Legs, func(l routes.Leg) bool { return replaced[id][l.ID] })
				k, ok = len(m.doc.Shipments), true
				index[id] = k
				m.doc.Shipments = append(m.doc.Shipments, sh)
				m.from["shipments"] = append(m.from["shipments"], origin{file: ll.file, via: ll.path})
			case !errors.Is(err, routes.ErrNotFound):
				return nil, fmt.Errorf("look up shipment %q: %w", id, err)
			}
		}
		if !ok {
			msg := fmt.Sprintf("unknown shipment %q: not in this ingest or the store", id)
			if id == "" {
				msg = "is required: the id of the shipment the leg belongs to"
			}
			errs = append(errs, m.files[ll.file].problem(ll.path+".shipment", msg))
			continue
		}
		sh := &m.doc.Shipments[k]
		sh.Legs = append(sh.Legs, ll.leg)
		m.legs[[2]int{k, len(sh.Legs) - 1}] = origin{file: ll.file, path: ll.path}
	}
	return errs, nil
}

// place maps rules broken in the merged document back to the files and
// lines they come from.
func (m *merged) place(v routes.ValidationError) Errors {
	errs := make(Errors, 0, len(v))
	for _, fe := range v {
		list, rest, _ := strings.Cut(fe.Path, "[")
		num, tail, _ := strings.Cut(rest, "]")
		origins := m.from[list]
		idx, err := strconv.Atoi(num)
		if err != nil || idx < 0 || idx >= len(origins) {
			// Not a path into a record: nothing to place it by.
			errs = append(errs, FileError{Field: fe.Path, Msg: fe.Msg})
			continue
		}
		o := origins[idx]
		if list == "shipments" {
			var leg int
			if n, _ := fmt.Sscanf(tail, ".legs[%d]", &leg); n == 1 {
				if lo, ok := m.legs[[2]int{idx, leg}]; ok {
					_, legTail, _ := strings.Cut(tail, "]")
					errs = append(errs, m.files[lo.file].problem(lo.path+legTail, fe.Msg))
					continue
				}
			}
		}
		if o.path == "" {
			// A stored shipment brought in by a loose leg: point at the leg.
			e := m.files[o.file].problem(o.via, fmt.Sprintf("shipment %q as stored, %s: %s",
				m.doc.Shipments[idx].ID, strings.TrimPrefix(tail, "."), fe.Msg))
			errs = append(errs, e)
			continue
		}
		errs = append(errs, m.files[o.file].problem(o.path+tail, fe.Msg))
	}
	return errs
}

// parsed is one file as read: the records it holds and where each lies.
type parsed interface {
	records() *records
	// problem places a message about the value at path, a path into
	// records() such as "places[2].lat", in the file.
	problem(path, msg string) FileError
}

// records are what one file holds.
type records struct {
	routes.Document
	// Legs are legs given outside their shipment, as GeoJSON features are:
	// each names its shipment, found in the same ingest or in the store.
	Legs []routes.Leg
}

// count is the number of records, for progress.
func (r *records) count() int {
	n := len(r.Places) + len(r.Vessels) + len(r.Sources) + len(r.Shipments) + len(r.Observations) + len(r.Legs)
	for _, s := range r.Shipments {
		n += len(s.Legs)
	}
	return n
}
