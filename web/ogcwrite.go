package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
	"math"
	"net/http"
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

// writeItems writes a page of features, then how many matched in all and
// the links to the neighbouring pages, which need that number. Nothing is
// sent until the first feature has been read, so that a store that fails at
// once is answered with a problem; one that fails later ends the response
// abruptly, so that the client cannot mistake half a page for a whole one.
func writeItems[T any](s *server, w http.ResponseWriter, r *http.Request, schema *routes.Schema[T],
	items iter.Seq2[T, error], ir itemsRequest, matched func() (int, error)) error {
	if ir.html {
		n, err := matched()
		if err != nil {
			return err
		}
		return itemsHTML(w, schema, items, ir, n, ogcPageLinks(r, ir.query, n, true))
	}
	var bw *bufio.Writer
	buf := fmt.Appendf(nil, `{"type":"FeatureCollection","timeStamp":"%s","features":[`, routes.FormatTime(time.Now().Truncate(time.Second)))
	n := 0
	abort := func(err error) {
		// The response has begun: log, and end it broken. A client that
		// went away is no failure of the server's.
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slog.LevelDebug
		}
		s.log.Log(r.Context(), level, "items failed mid-page", slog.String("path", r.URL.Path), slog.Any("error", err))
		panic(http.ErrAbortHandler)
	}
	for x, err := range items {
		if err != nil {
			if bw == nil {
				return fmt.Errorf("read %s: %w", schema.Name, err)
			}
			abort(err)
		}
		if bw == nil {
			w.Header().Set("Content-Type", geoJSON)
			bw = bufio.NewWriterSize(w, 32<<10)
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = appendFeature(buf, schema, x, ir.props)
		n++
		if len(buf) > 16<<10 {
			bw.Write(buf)
			buf = buf[:0]
		}
	}
	total, err := matched()
	if err != nil {
		if bw == nil {
			return err
		}
		abort(err)
	}
	tail, err := marshal(struct {
		NumberMatched  int       `json:"numberMatched"`
		NumberReturned int       `json:"numberReturned"`
		Links          []ogcLink `json:"links"`
	}{total, n, ogcPageLinks(r, ir.query, total, false)})
	if err != nil {
		return err
	}
	if bw == nil {
		w.Header().Set("Content-Type", geoJSON)
		bw = bufio.NewWriterSize(w, 32<<10)
	}
	buf = append(buf, "],"...)
	buf = append(buf, tail[1:]...) // the members after {
	bw.Write(buf)
	bw.Flush()
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
			return s.writeHTML(w, "item", schema.Title+": "+id, struct {
				Collection *routes.Collection
				Feature    htmlFeature
				Links      []ogcLink
			}{schema.Collection, newHTMLFeature(schema, x, nil), links})
		}
		buf := appendFeature(nil, schema, x, nil)
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

// appendFeature writes one record as a GeoJSON feature with the selected
// properties (all when props is nil).
func appendFeature[T any](b []byte, schema *routes.Schema[T], x T, props []bool) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, schema.ID(x))
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, schema.Geometry(x))
	b = append(b, `,"properties":{`...)
	first := true
	for i, f := range schema.Fields {
		if props != nil && !props[i] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, f.Name)
		b = append(b, ':')
		b = appendValue(b, schema.Value(x, i))
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
		b = v.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	return append(b, "null"...)
}

// appendFloat writes a number as encoding/json does: the shortest text that
// reads back as the same double.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// e-07 → e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	if m := math.Round(f * 1e6); f != 0 && m/1e6 == f && math.Abs(m) < 1<<53 {
		return appendMicros(b, int64(m))
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// appendMicros writes m millionths in decimal, without trailing zeros. For a
// double that is the nearest to such a decimal — coordinates and readings
// kept to six places, the usual case — that decimal is the shortest text
// that reads back as the double, so this writes what strconv would, only
// faster.
func appendMicros(b []byte, m int64) []byte {
	if m < 0 {
		b = append(b, '-')
		m = -m
	}
	b = strconv.AppendInt(b, m/1e6, 10)
	frac := m % 1e6
	if frac == 0 {
		return b
	}
	var digits [7]byte
	n := len(digits)
	for i := 0; i < 6; i++ {
		n--
		digits[n] = byte('0' + frac%10)
		frac /= 10
	}
	end := len(digits)
	for digits[end-1] == '0' {
		end--
	}
	b = append(b, '.')
	return append(b, digits[n:end]...)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
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
