package web

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"math/bits"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// Features are written by hand, straight from the records into a buffered
// writer, as the store yields them: a page of any size takes the memory of
// one feature, and no reflection or map is built per feature.

// writeJSON sends v as JSON of the given media type.
func writeJSON(w http.ResponseWriter, mediaType string, v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", mediaType)
	w.Write(b) // a failed write means the client left
	return nil
}

// marshal encodes v as one line of JSON, leaving & < > as they are: links
// carry query strings.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// writeItems writes a page of features, then matched, how many matched in
// all, and the links to the neighbouring pages, which need that number.
// Nothing is sent until the first feature has been read, so that a store
// that fails at once is answered with a problem; one that fails later ends
// the response abruptly, so that the client cannot mistake half a page for
// a whole one.
func writeItems[T any](s *server, w http.ResponseWriter, r *http.Request, schema *routes.Schema[T],
	items iter.Seq2[T, error], ir itemsRequest, matched int) error {
	if ir.html {
		return itemsHTML(w, schema, items, ir, matched, ogcPageLinks(r, ir.query, matched, true))
	}
	started := false // once a byte is sent, a failure can only abort
	fw := newFeatureWriter(schema, ir.props)
	buf := fmt.Appendf(make([]byte, 0, 48<<10), `{"type":"FeatureCollection","timeStamp":"%s","features":[`, routes.FormatTime(time.Now().Truncate(time.Second)))
	n := 0
	for x, err := range items {
		if err != nil {
			if !started {
				return fmt.Errorf("read %s: %w", schema.Name, err)
			}
			s.abort(r, "read "+schema.Name, err)
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = fw.append(buf, x)
		n++
		if len(buf) >= 32<<10 {
			if !started {
				w.Header().Set("Content-Type", geoJSON)
				started = true
			}
			w.Write(buf) // a failed write means the client left; the store notices its context
			buf = buf[:0]
		}
	}
	tail, err := marshal(struct {
		NumberMatched  int       `json:"numberMatched"`
		NumberReturned int       `json:"numberReturned"`
		Links          []ogcLink `json:"links"`
	}{matched, n, ogcPageLinks(r, ir.query, matched, false)})
	if err != nil {
		return err
	}
	if !started {
		w.Header().Set("Content-Type", geoJSON)
	}
	buf = append(buf, "],"...)
	buf = append(buf, tail[1:]...) // the members after {
	w.Write(buf)
	return nil
}

// writeItem writes the one record items yields, or a 404 when it yields
// none.
func writeItem[T any](s *server, w http.ResponseWriter, r *http.Request, schema *routes.Schema[T], html bool,
	id string, items iter.Seq2[T, error]) error {
	for x, err := range items {
		if err != nil {
			return fmt.Errorf("read %s %q: %w", schema.Name, id, err)
		}
		b := base(r) + "/collections/" + schema.Name
		links := append(selfLinks(r, "/collections/"+schema.Name+"/items/"+id, html, geoJSON),
			ogcLink{b + "?f=json", "collection", mediaJSON, "the collection"})
		if html {
			return writeHTML(w, "item", schema.Title+": "+id, struct {
				Collection *routes.Collection
				Feature    htmlFeature
				Links      []ogcLink
			}{schema.Collection, newHTMLFeature(schema, x, nil), links})
		}
		buf := newFeatureWriter(schema, nil).append(nil, x)
		lb, err := marshal(links)
		if err != nil {
			return err
		}
		buf = append(buf[:len(buf)-1], `,"links":`...)
		buf = append(append(buf, lb[:len(lb)-1]...), "}\n"...)
		w.Header().Set("Content-Type", geoJSON)
		w.Write(buf)
		return nil
	}
	return &notFoundError{What: strings.TrimSuffix(schema.Name, "s"), ID: id}
}

// featureWriter writes records as GeoJSON features with the selected
// properties; the properties' names are encoded once, not once a feature.
type featureWriter[T any] struct {
	schema *routes.Schema[T]
	// keys are `"name":` for each field written, "" for those left out.
	keys []string
}

// newFeatureWriter writes the properties props selects, all when it is
// nil.
func newFeatureWriter[T any](schema *routes.Schema[T], props []bool) featureWriter[T] {
	fw := featureWriter[T]{schema: schema, keys: make([]string, len(schema.Fields))}
	for i, f := range schema.Fields {
		if props == nil || props[i] {
			fw.keys[i] = string(appendString(nil, f.Name)) + ":"
		}
	}
	return fw
}

// append writes one record as a feature.
func (fw featureWriter[T]) append(b []byte, x T) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, fw.schema.ID(x))
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, fw.schema.Geometry(x))
	b = append(b, `,"properties":{`...)
	first := true
	for i, key := range fw.keys {
		if key == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, key...)
		b = appendValue(b, fw.schema.Value(x, i))
	}
	return append(b, "}}"...)
}

func appendValue(b []byte, v routes.Value) []byte {
	switch v.Type {
	case routes.String:
		return appendString(b, v.Str)
	case routes.Number, routes.Integer:
		return appendFloat(b, v.Num)
	case routes.Boolean:
		return strconv.AppendBool(b, v.Bool)
	case routes.DateTime:
		b = append(b, '"')
		b = appendTime(b, v.Time)
		return append(b, '"')
	}
	return append(b, "null"...)
}

// appendFloat writes a number as encoding/json does: the shortest text that
// reads back as the same double.
//
// Most numbers here are coordinates and readings kept to six decimals: below
// 1000 and the nearest double to some count of millionths m. The decimal
// m/1e6 then is that shortest text — doubles below 1000 lie far closer
// together than a millionth, so no decimal with fewer places is as near —
// and it is written from m's digits, without strconv's search, which would
// take most of the time a page of lines costs.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	if !(abs >= 1e-6 && abs < 1000) { // NaN too
		return appendSlowFloat(b, f)
	}
	m := math.RoundToEven(abs * 1e6)
	if m/1e6 != abs {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	whole, frac := uint32(m)/1e6, uint32(m)%1e6
	// At most a sign, three digits, the point and six digits, stored a
	// word at a time.
	b = slices.Grow(b, 12)
	out := b[len(b) : len(b)+12]
	i := 0
	if f < 0 {
		out[0] = '-'
		i = 1
	}
	lead := leading3[whole&1023]
	binary.LittleEndian.PutUint32(out[i:], lead)
	i += int(lead >> 24)
	if frac != 0 {
		// The point and six digits, first in the lowest byte; the
		// trailing zeros are the word's leading zero bytes once each '0'
		// is turned into a zero byte.
		w := '.' | uint64(digits3[frac/1000&1023])<<8 | uint64(digits3[frac%1000&1023])<<32
		binary.LittleEndian.PutUint64(out[i:], w)
		i += 8 - bits.LeadingZeros64(w^0x0030303030303000)/8
	}
	return b[:len(b)+i]
}

// appendSlowFloat writes zero, NaN and infinities (as null), and numbers
// below 1e-6 or from 1000 on, as encoding/json does.
func appendSlowFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// e-07 → e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// digits3 holds 0 to 999 as three ASCII digits with leading zeros, the
// first in the lowest byte; leading3 holds them without the leading zeros,
// and their count in the highest byte. Each has 1024 entries so that an
// index masked with 1023 needs no bounds check.
var digits3, leading3 = func() (d, l [1024]uint32) {
	for i := range 1000 {
		d[i] = uint32('0'+i/100) | uint32('0'+i/10%10)<<8 | uint32('0'+i%10)<<16
		switch {
		case i < 10:
			l[i] = d[i]>>16 | 1<<24
		case i < 100:
			l[i] = d[i]>>8 | 2<<24
		default:
			l[i] = d[i] | 3<<24
		}
	}
	return d, l
}()

// appendTime writes t as routes.FormatTime does, RFC 3339 in UTC with
// fractional seconds only when there are some. A page of legs has six times
// a feature, and the time package's general formatter took longer over
// them than over all the other properties.
func appendTime(b []byte, t time.Time) []byte {
	days, sec := t.Unix()/86400, t.Unix()%86400
	if sec < 0 {
		days, sec = days-1, sec+86400
	}
	year, month, day := civil(days)
	if year < 0 || year > 9999 {
		return t.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	b = appendPair(appendPair(b, int(year/100)), int(year%100))
	b = appendPair(append(b, '-'), month)
	b = appendPair(append(b, '-'), day)
	b = appendPair(append(b, 'T'), int(sec/3600))
	b = appendPair(append(b, ':'), int(sec/60%60))
	b = appendPair(append(b, ':'), int(sec%60))
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.', byte('0'+ns/1e8))
		b = appendPair(appendPair(appendPair(appendPair(b, ns/1e6%100), ns/1e4%100), ns/100%100), ns%100)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return append(b, 'Z')
}

// civil is the proleptic Gregorian date of a count of days since
// 1970-01-01. It counts in 400-year eras of 146,097 days whose years start
// on 1 March, so that the leap day ends a year.
func civil(days int64) (year int64, month, day int) {
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // day of the era, 0 to 146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era, 0 to 399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from 1 March, 0 to 365
	mp := (5*doy + 2) / 153                                // month from March, 0 to 11
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendPair writes n, from 0 to 99, as two digits.
func appendPair(b []byte, n int) []byte { return append(b, digitPairs[2*n], digitPairs[2*n+1]) }

// digitPairs is "00" to "99", for writing two digits at a time.
const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" + "60616263646566676869" +
	"70717273747576777879" + "80818283848586878889" + "90919293949596979899"

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a second look.
		for i+8 <= len(s) && !special(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if unescaped[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\t':
				b = append(b, '\\', 't')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// special reports whether any of the eight bytes in w is a control
// character, a quote, a backslash or not ASCII, with the usual test for a
// zero byte: (v - 0x01…) &^ v & 0x80… is not zero exactly when v has one.
func special(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	return (w-0x20*ones)&^w&highs|zero(w^'"'*ones)|zero(w^'\\'*ones)|w&highs != 0
}

// unescaped marks the bytes a JSON string holds as they are: ASCII but for
// control characters, the quote and the backslash.
var unescaped = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendGeometry writes a geometry as GeoJSON; nil is null.
func appendGeometry(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPoint(b, g)
	case orb.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = appendPoints(b, g)
	case orb.MultiLineString:
		b = append(b, `{"type":"MultiLineString","coordinates":[`...)
		for i, ls := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, ls)
		}
		b = append(b, ']')
	default:
		return append(b, "null"...)
	}
	return append(b, '}')
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = appendFloat(b, p[0])
	b = append(b, ',')
	b = appendFloat(b, p[1])
	return append(b, ']')
}

func appendPoints(b []byte, ps []orb.Point) []byte {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoint(b, p)
	}
	return append(b, ']')
}
