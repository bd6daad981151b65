package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

// nmeaReader reads AIS position reports from NMEA 0183 VDM and VDO
// sentences (IEC 61162-1), one per line, in the forms receivers and loggers
// write them:
//
//	!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C
//	\s:2573345,c:1693526400*0B\!AIVDM,1,1,,B,...,0*hh     (IEC 62320 tag block)
//	1693526400 !AIVDM,...                                 (Unix time first)
//	2023-09-01T00:00:00Z,!AIVDM,...                       (ISO 8601 time first)
//	!AIVDM,...,0*hh,...,1693526400                        (USCG NAIS: time last)
//
// Messages split over several sentences are assembled by their fragment
// count, number, sequential id and channel. A position's time is the
// receive time: the tag block's c: field, else the time before the
// sentence, else a Unix time after it; a message with none is skipped, as
// AIS itself carries only the second of the minute. Sentences that cannot be
// used are counted by reason in stats, never fatal: AIS feeds are dirty.
type nmeaReader struct {
	br    *bufio.Reader
	stats *aisStats
	vals  valueSlab
	mmsis mmsiCache
	line  int
	frags map[fragKey]*fragment
	buf   payload
	// lastPrefix and lastPrefixTime cache the last leading time read, as
	// consecutive lines usually share it.
	lastPrefix     []byte
	lastPrefixTime time.Time
	err            error
	atEOF          bool
}

// fragKey identifies the sentences of one multi-sentence message.
type fragKey struct {
	seq     byte // the sequential message id, '0' to '9', or 0 if empty
	channel byte
}

// fragment is a message being assembled.
type fragment struct {
	total, next int
	armoured    []byte
	t           time.Time
	line        int
}

// Reasons a sentence or a message is skipped.
const (
	skipNotAIS        = "not an AIVDM/AIVDO sentence"
	skipTruncated     = "truncated sentence"
	skipChecksum      = "bad checksum"
	skipTagChecksum   = "bad tag block checksum"
	skipTagBlock      = "malformed tag block"
	skipFragment      = "fragment out of order or without its first part"
	skipIncomplete    = "multi-sentence message missing a part"
	skipBadFields     = "malformed sentence fields"
	skipBadPayload    = "payload has characters outside the AIS armour"
	skipShort         = "message too short for its type"
	skipOtherType     = "message type other than position or static data"
	skipNoTime        = "no receive time"
	skipBadTime       = "unreadable receive time"
	skipTimeRange     = "receive time before 1980 or after 2100"
	skipNoPosition    = "position not available (lat 91 or lon 181)"
	skipOutOfRange    = "coordinates out of range"
	skipMMSI          = "MMSI is not 9 digits"
	skipLineTooLong   = "line longer than 64 KiB"
	maxLine           = 64 << 10
	maxFragmentBuffer = 16 // messages in assembly at once; more is garbage
)

func newNMEAReader(r io.Reader, stats *aisStats) *nmeaReader {
	return &nmeaReader{br: bufio.NewReaderSize(r, maxLine), stats: stats, frags: map[fragKey]*fragment{}}
}

// next returns the next position report, or false at the end of the input
// or on a read error (see err).
func (r *nmeaReader) next() (routes.Position, bool) {
	for !r.atEOF {
		line, ok := r.readLine()
		if !ok {
			continue
		}
		if p, ok := r.parseLine(line); ok {
			return p, true
		}
	}
	return routes.Position{}, false
}

func (r *nmeaReader) readErr() error { return r.err }

// readLine returns the next line without its end, or false for a line that
// was skipped or the end of the input.
func (r *nmeaReader) readLine() ([]byte, bool) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.line++
		r.stats.skip(skipLineTooLong, r.line)
		for err == bufio.ErrBufferFull {
			_, err = r.br.ReadSlice('\n')
		}
		if err == io.EOF {
			r.finish()
		} else if err != nil {
			r.fail(err)
		}
		return nil, false
	}
	if err != nil {
		if err != io.EOF {
			r.fail(err)
			return nil, false
		}
		if len(line) == 0 {
			r.finish()
			return nil, false
		}
		// A last line without a newline; the next call ends the input.
	}
	r.line++
	r.stats.lines++
	return bytes.TrimSpace(line), true
}

func (r *nmeaReader) fail(err error) {
	r.err = fmt.Errorf("line %d: %w", r.line+1, err)
	r.atEOF = true
}

// finish ends the input: messages still in assembly are missing a part.
func (r *nmeaReader) finish() {
	r.atEOF = true
	for k, f := range r.frags {
		r.stats.skip(skipIncomplete, f.line)
		delete(r.frags, k)
	}
}

// parseLine reads one line and returns the position it completes, if any.
func (r *nmeaReader) parseLine(line []byte) (routes.Position, bool) {
	if len(line) == 0 {
		return routes.Position{}, false
	}
	start := bytes.IndexAny(line, "!\\")
	if start < 0 {
		r.stats.skip(skipNotAIS, r.line)
		return routes.Position{}, false
	}
	prefix := line[:start]
	rest := line[start:]
	var t time.Time
	// Tag blocks: \key:value,...*hh\ before the sentence.
	for len(rest) > 0 && rest[0] == '\\' {
		end := bytes.IndexByte(rest[1:], '\\')
		if end < 0 {
			r.stats.skip(skipTagBlock, r.line)
			return routes.Position{}, false
		}
		tt, reason := parseTagBlock(rest[1 : 1+end])
		if reason != "" {
			r.stats.skip(reason, r.line)
			return routes.Position{}, false
		}
		if t.IsZero() {
			t = tt
		}
		rest = rest[end+2:]
	}
	if len(rest) == 0 || rest[0] != '!' {
		r.stats.skip(skipNotAIS, r.line)
		return routes.Position{}, false
	}
	if t.IsZero() && len(prefix) > 0 {
		pt, ok := r.prefixTime(prefix)
		if !ok {
			r.stats.skip(skipBadTime, r.line)
			return routes.Position{}, false
		}
		t = pt
	}
	s, reason := splitSentence(rest)
	if reason != "" {
		r.stats.skip(reason, r.line)
		return routes.Position{}, false
	}
	if t.IsZero() && s.trailingTime != 0 {
		t = time.Unix(s.trailingTime, 0).UTC()
	}
	return r.assemble(s, t)
}

// sentence is the fields of one VDM or VDO sentence.
type sentence struct {
	total, num   int
	seq, channel byte
	armoured     []byte
	fill         int
	trailingTime int64 // a Unix time after the checksum, or 0
}

// splitSentence checks a sentence's checksum and splits its fields. reason
// says why it cannot be used.
func splitSentence(b []byte) (sentence, string) {
	var s sentence
	star := bytes.IndexByte(b, '*')
	if star < 0 || star+3 > len(b) {
		return s, skipTruncated
	}
	want, ok := hexByte(b[star+1], b[star+2])
	if !ok {
		return s, skipTruncated
	}
	var sum byte
	for _, c := range b[1:star] {
		sum ^= c
	}
	if sum != want {
		return s, skipChecksum
	}
	if tail := b[star+3:]; len(tail) > 0 {
		if tail[0] != ',' && tail[0] != ' ' && tail[0] != '\t' {
			return s, skipBadFields
		}
		if i := bytes.LastIndexAny(tail, ", \t"); i >= 0 && len(tail)-i-1 == 10 {
			if v, err := strconv.ParseInt(string(tail[i+1:]), 10, 64); err == nil {
				s.trailingTime = v
			}
		}
	}
	var f [7][]byte
	body := b[1:star]
	for i := range 6 {
		c := bytes.IndexByte(body, ',')
		if c < 0 {
			return s, skipTruncated
		}
		f[i], body = body[:c], body[c+1:]
	}
	if bytes.IndexByte(body, ',') >= 0 {
		return s, skipBadFields
	}
	f[6] = body
	if len(f[0]) != 5 || !(bytes.HasSuffix(f[0], []byte("VDM")) || bytes.HasSuffix(f[0], []byte("VDO"))) {
		return s, skipNotAIS
	}
	if len(f[1]) != 1 || len(f[2]) != 1 || len(f[3]) > 1 || len(f[4]) > 1 || len(f[6]) != 1 {
		return s, skipBadFields
	}
	s.total, s.num = int(f[1][0]-'0'), int(f[2][0]-'0')
	s.fill = int(f[6][0] - '0')
	if s.total < 1 || s.total > 9 || s.num < 1 || s.num > s.total || s.fill < 0 || s.fill > 5 {
		return s, skipBadFields
	}
	if len(f[3]) == 1 {
		if f[3][0] < '0' || f[3][0] > '9' {
			return s, skipBadFields
		}
		s.seq = f[3][0]
	}
	if len(f[4]) == 1 {
		s.channel = f[4][0]
	}
	s.armoured = f[5]
	return s, ""
}

// assemble adds a sentence to the message it belongs to and decodes the
// message once it is whole.
func (r *nmeaReader) assemble(s sentence, t time.Time) (routes.Position, bool) {
	if s.total == 1 {
		return r.decode(s.armoured, s.fill, t, r.line)
	}
	k := fragKey{s.seq, s.channel}
	f := r.frags[k]
	if s.num == 1 {
		if f != nil {
			r.stats.skip(skipIncomplete, f.line)
		} else if len(r.frags) >= maxFragmentBuffer {
			// Too many messages begun and never finished: drop them all.
			for k, old := range r.frags {
				r.stats.skip(skipIncomplete, old.line)
				delete(r.frags, k)
			}
		}
		if f == nil {
			f = &fragment{}
			r.frags[k] = f
		}
		*f = fragment{total: s.total, next: 2, armoured: append(f.armoured[:0], s.armoured...), t: t, line: r.line}
		return routes.Position{}, false
	}
	if f == nil || f.total != s.total || f.next != s.num {
		r.stats.skip(skipFragment, r.line)
		if f != nil {
			r.stats.skip(skipIncomplete, f.line)
			delete(r.frags, k)
		}
		return routes.Position{}, false
	}
	f.armoured = append(f.armoured, s.armoured...)
	if f.t.IsZero() {
		f.t = t
	}
	if s.num < s.total {
		f.next++
		return routes.Position{}, false
	}
	delete(r.frags, k)
	return r.decode(f.armoured, s.fill, f.t, f.line)
}

// decode decodes a whole message received at t, first seen on line, and
// returns its position if it has one worth keeping; static data goes to
// stats.
func (r *nmeaReader) decode(armoured []byte, fill int, t time.Time, line int) (routes.Position, bool) {
	var ok bool
	r.buf, ok = unarmour(r.buf[:0], armoured)
	if !ok {
		r.stats.skip(skipBadPayload, line)
		return routes.Position{}, false
	}
	bits := r.buf.bitLen(fill)
	m, known, ok := decodeAIS(r.buf, bits)
	switch {
	case !known:
		r.stats.skip(skipOtherType, line)
		return routes.Position{}, false
	case !ok:
		r.stats.skip(skipShort, line)
		return routes.Position{}, false
	case m.mmsi == 0 || m.mmsi > 999_999_999:
		r.stats.skip(skipMMSI, line)
		return routes.Position{}, false
	}
	mmsi := r.mmsis.get(m.mmsi)
	if m.static {
		r.stats.addStatic(staticReport{MMSI: mmsi, IMO: m.imo, Name: m.name, CallSign: m.callSign, ShipType: m.shipType})
	}
	if !m.isPosition() {
		return routes.Position{}, false
	}
	switch {
	case !m.hasPos:
		r.stats.skip(skipNoPosition, line)
		return routes.Position{}, false
	case m.lat < -90 || m.lat > 90 || m.lon < -180 || m.lon > 180:
		r.stats.skip(skipOutOfRange, line)
		return routes.Position{}, false
	case t.IsZero():
		r.stats.skip(skipNoTime, line)
		return routes.Position{}, false
	case !plausible(t):
		r.stats.skip(skipTimeRange, line)
		return routes.Position{}, false
	}
	p := routes.Position{MMSI: mmsi, Time: t, Lon: m.lon, Lat: m.lat}
	if m.hasSOG {
		p.SOG = r.vals.float(m.sog)
	}
	if m.hasCOG {
		p.COG = r.vals.float(m.cog)
	}
	if m.hasHeading {
		p.Heading = r.vals.int(m.heading)
	}
	if m.hasStatus {
		p.NavStatus = r.vals.int(m.status)
	}
	r.stats.positions++
	return p, true
}

// parseTagBlock checks a tag block (without its backslashes) and returns
// its c: time, zero if it has none.
func parseTagBlock(b []byte) (time.Time, string) {
	star := bytes.LastIndexByte(b, '*')
	if star < 0 || star+3 != len(b) {
		return time.Time{}, skipTagBlock
	}
	want, ok := hexByte(b[star+1], b[star+2])
	if !ok {
		return time.Time{}, skipTagBlock
	}
	var sum byte
	for _, c := range b[:star] {
		sum ^= c
	}
	if sum != want {
		return time.Time{}, skipTagChecksum
	}
	var t time.Time
	for f := range bytes.SplitSeq(b[:star], []byte{','}) {
		if len(f) < 2 || f[1] != ':' {
			return time.Time{}, skipTagBlock
		}
		if f[0] != 'c' {
			continue
		}
		v, err := strconv.ParseInt(string(f[2:]), 10, 64)
		if err != nil || v < 0 {
			return time.Time{}, skipBadTime
		}
		// Some receivers write milliseconds.
		if v > 1e11 {
			t = time.UnixMilli(v).UTC()
		} else {
			t = time.Unix(v, 0).UTC()
		}
	}
	return t, ""
}

// prefixTime reads the receive time a logger wrote before the sentence: a
// Unix time in seconds or milliseconds, possibly with a fraction, or an ISO
// 8601 time, possibly in brackets, followed by a space, comma, semicolon or
// tab.
func (r *nmeaReader) prefixTime(prefix []byte) (time.Time, bool) {
	if bytes.Equal(prefix, r.lastPrefix) && !r.lastPrefixTime.IsZero() {
		return r.lastPrefixTime, true
	}
	t, ok := parseReceiveTime(prefix)
	if ok {
		r.lastPrefix = append(r.lastPrefix[:0], prefix...)
		r.lastPrefixTime = t
	}
	return t, ok
}

// receiveLayouts are the ISO 8601 forms of a leading receive time; a time
// without a zone is UTC.
var receiveLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

func parseReceiveTime(prefix []byte) (time.Time, bool) {
	s := bytes.TrimRight(prefix, " \t,;:|")
	s = bytes.TrimSpace(s)
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = bytes.TrimSpace(s[1 : len(s)-1])
	}
	if len(s) == 0 {
		return time.Time{}, false
	}
	if s[0] >= '0' && s[0] <= '9' && bytes.IndexByte(s, '-') < 0 {
		whole, frac, _ := bytes.Cut(s, []byte{'.'})
		v, err := strconv.ParseInt(string(whole), 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		var t time.Time
		switch len(whole) {
		case 10:
			t = time.Unix(v, 0)
		case 13:
			t = time.UnixMilli(v)
		default:
			return time.Time{}, false
		}
		if len(frac) > 0 {
			f, err := strconv.ParseFloat("0."+string(frac), 64)
			if err != nil {
				return time.Time{}, false
			}
			t = t.Add(time.Duration(f * float64(time.Second)))
		}
		return t.UTC(), true
	}
	str := string(s)
	for _, layout := range receiveLayouts {
		if t, err := time.Parse(layout, str); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := hexDigit(hi)
	l, ok2 := hexDigit(lo)
	return h<<4 | l, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// sniffNMEA reports whether head, the start of a file, holds an AIS VDM or
// VDO sentence.
func sniffNMEA(head []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(head[i:], '!')
		if j < 0 {
			return false
		}
		i += j + 1
		if len(head)-i >= 6 && head[i+5] == ',' && (bytes.HasPrefix(head[i+2:], []byte("VDM")) || bytes.HasPrefix(head[i+2:], []byte("VDO"))) {
			return true
		}
	}
}

// plausible reports whether t can be a receive time: AIS began in the
// 1990s, and a clock at the Unix epoch or in the far future is broken.
func plausible(t time.Time) bool { return t.Year() >= 1980 && t.Year() <= 2100 }
