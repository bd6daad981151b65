package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shiptrack/shiptrack/routes"
)

// A CSV of places is a table as analysts keep one: a header row naming the
// columns, in any order and in common spellings, then a place per row.
// Columns are told apart by their header with case, spaces, punctuation and
// a parenthesised note ignored, so "UN/LOCODE", "unlocode" and "Latitude
// (WGS 84)" are all understood. The delimiter is a comma, a semicolon or a
// tab, whichever the header uses most; with a semicolon or a tab a number may
// have a decimal comma. Values are trimmed; kinds are matched without regard
// to case, spaces or hyphens ("Rail station" is rail_station); country codes
// and UN/LOCODEs are upper-cased and the space in "KP NJN" dropped. A row
// without an id takes the slug of its name. Blank rows are passed over.

// placeColumn is a column of a CSV of places.
type placeColumn struct {
	field    string   // the Place field, as routes.Prepare names it
	names    []string // header spellings, normalized by columnKey
	required bool
}

var placeColumns = []placeColumn{
	{"id", []string{"id", "slug", "placeid"}, false},
	{"name", []string{"name", "placename"}, true},
	{"kind", []string{"kind", "type", "placekind", "placetype"}, true},
	{"country", []string{"country", "countrycode", "iso2", "cc"}, true},
	{"unlocode", []string{"unlocode", "locode"}, false},
	{"lat", []string{"lat", "latitude", "y"}, true},
	{"lon", []string{"lon", "lng", "long", "longitude", "x"}, true},
	{"aliases", []string{"aliases", "alias", "alternatenames", "altnames", "othernames"}, false},
	{"note", []string{"note", "notes", "comment", "comments", "remarks"}, false},
}

// parenthesised matches a note in a header such as "Latitude (WGS 84)".
var parenthesised = regexp.MustCompile(`\([^)]*\)`)

// columnKey reduces a header to the letters and digits that name it.
func columnKey(h string) string {
	h = parenthesised.ReplaceAllString(strings.ToLower(h), "")
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, h)
}

// columnFor finds the column a header names.
func columnFor(header string) (placeColumn, bool) {
	k := columnKey(header)
	for _, c := range placeColumns {
		if slices.Contains(c.names, k) {
			return c, true
		}
	}
	return placeColumn{}, false
}

// csvDelimiter is the delimiter the first line of data uses most.
func csvDelimiter(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

// isPlacesCSV reports whether data's header names a place's name or its
// coordinates, and no MMSI (which AIS tables have).
func isPlacesCSV(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma, r.FieldsPerRecord = csvDelimiter(data), -1
	header, err := r.Read()
	if err != nil {
		return false
	}
	has := map[string]bool{}
	for _, h := range header {
		if c, ok := columnFor(h); ok {
			has[c.field] = true
		}
		if columnKey(h) == "mmsi" {
			return false
		}
	}
	return has["name"] || has["lat"] && has["lon"]
}

// csvFile is a CSV of places as read.
type csvFile struct {
	name    string
	data    []byte
	comma   rune
	headers []string       // as written
	column  map[string]int // Place field → column index
	rows    []int64        // the offset at which each place's row starts
	lines   []int          // the offset at which each line starts, indexed when first needed
	derived []bool         // whether each place's id was made from its name
	places  []routes.Place
}

func parsePlacesCSV(name string, data []byte) (parsed, Errors) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	f := &csvFile{name: name, data: data, comma: csvDelimiter(data), column: map[string]int{}}
	if err := f.checkText(); err != nil {
		return nil, Errors{*err}
	}
	r := f.reader(0)
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, Errors{{File: name, Kind: Malformed, Msg: "the file is empty: want a header row naming the columns " + columnList()}}
	}
	if err != nil {
		return nil, Errors{f.csvError(err)}
	}
	header = slices.Clone(header) // the reader reuses its slice
	f.headers = header
	var errs Errors
	fail := func(e FileError) {
		if len(errs) < maxFileErrors {
			errs = append(errs, e)
		}
	}
	headerLine, _ := r.FieldPos(0)
	unnamed := []int{}
	for i, h := range header {
		if len(errs) >= maxFileErrors {
			return nil, errs
		}
		line, col := r.FieldPos(i)
		if strings.TrimSpace(h) == "" {
			unnamed = append(unnamed, i)
			continue
		}
		c, ok := columnFor(h)
		switch {
		case !ok:
			fail(f.at(line, col, h, fmt.Sprintf("unknown column %q; the columns are %s", h, columnList())))
		case f.has(c.field):
			fail(f.at(line, col, h, fmt.Sprintf("column %q repeats column %q", h, header[f.column[c.field]])))
		default:
			f.column[c.field] = i
		}
	}
	for _, c := range placeColumns {
		if c.required && !f.has(c.field) {
			e := f.at(headerLine, 1, c.field, fmt.Sprintf("missing required column %q (or %s); the header has %s",
				c.field, strings.Join(c.names[1:], ", "), strings.Join(header, ", ")))
			fail(e)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for len(errs) < maxFileErrors {
		start := r.InputOffset()
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(f.csvError(err))
			break
		}
		if blank(rec) {
			continue
		}
		if len(rec) != len(header) {
			// Where the values shifted cannot be told; the row can.
			l, c := r.FieldPos(0)
			fail(f.at(l, c, "", fmt.Sprintf("the row has %d values, the header %d columns: a value holding a %q must be quoted, and no value may be left out",
				len(rec), len(header), string(f.comma))))
			continue
		}
		for _, i := range unnamed {
			if v := strings.TrimSpace(rec[i]); v != "" {
				l, c := r.FieldPos(i)
				fail(f.at(l, c, "", fmt.Sprintf("value %q is in a column with no header", v)))
			}
		}
		pl, derived, perrs := f.place(rec, func(i int, msg string) FileError {
			l, c := r.FieldPos(i)
			return f.at(l, c, f.headers[i], msg)
		})
		for _, e := range perrs {
			fail(e)
		}
		f.places = append(f.places, pl)
		f.rows = append(f.rows, start)
		f.derived = append(f.derived, derived)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

// checkText refuses what is not UTF-8 text: a store could not hold it.
func (f *csvFile) checkText() *FileError {
	bad := -1
	if !utf8.Valid(f.data) {
		for off := 0; off < len(f.data); {
			r, n := utf8.DecodeRune(f.data[off:])
			if r == utf8.RuneError && n == 1 {
				bad = off
				break
			}
			off += n
		}
	} else {
		bad = bytes.IndexByte(f.data, 0)
	}
	if bad < 0 {
		return nil
	}
	line, col := position(f.data, bad)
	msg := "not UTF-8 text: save the table as CSV UTF-8"
	if f.data[bad] == 0 {
		msg = "a NUL byte: not text"
	}
	return &FileError{File: f.name, Line: line, Column: col, Kind: Malformed, Msg: msg}
}

func (f *csvFile) reader(off int64) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(f.data[off:]))
	// Leading spaces go, but not leading tabs when tabs delimit: they would
	// swallow empty values.
	r.Comma, r.FieldsPerRecord, r.TrimLeadingSpace, r.ReuseRecord = f.comma, -1, f.comma != '\t', true
	return r
}

func (f *csvFile) has(field string) bool {
	_, ok := f.column[field]
	return ok
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func columnList() string {
	var names []string
	for _, c := range placeColumns {
		n := c.field
		if c.required {
			n += " (required)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// kindSpelling turns "rail station" and "rail-station" into rail_station.
var kindSpelling = strings.NewReplacer(" ", "_", "-", "_")

// decimalNumber is a number as a table writes one: no hexadecimal, no
// infinities or NaN, which strconv.ParseFloat would take.
var decimalNumber = regexp.MustCompile(`^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$`)

// place reads one row. fail makes an error about the value in column i.
func (f *csvFile) place(rec []string, fail func(i int, msg string) FileError) (routes.Place, bool, Errors) {
	var errs Errors
	get := func(field string) string {
		if i, ok := f.column[field]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	degrees := func(field string) float64 {
		i := f.column[field]
		v := get(field)
		if !strings.Contains(v, ".") && strings.Count(v, ",") == 1 {
			v = strings.Replace(v, ",", ".", 1) // a decimal comma
		}
		x, err := strconv.ParseFloat(v, 64)
		switch {
		case v == "":
			errs = append(errs, fail(i, "is required: decimal degrees such as 42.2333"))
		case !decimalNumber.MatchString(v):
			errs = append(errs, fail(i, fmt.Sprintf("%q is not a number of decimal degrees such as 42.2333 (south and west are negative)", get(field))))
		case err != nil:
			errs = append(errs, fail(i, fmt.Sprintf("%q is out of range", get(field))))
		}
		return x
	}
	p := routes.Place{
		ID:       get("id"),
		Name:     get("name"),
		Kind:     routes.PlaceKind(kindSpelling.Replace(strings.ToLower(get("kind")))),
		Country:  strings.ToUpper(get("country")),
		UNLOCODE: strings.ToUpper(strings.ReplaceAll(get("unlocode"), " ", "")),
		Lat:      degrees("lat"),
		Lon:      degrees("lon"),
		Note:     get("note"),
	}
	seps := ";|"
	if f.comma == ';' {
		seps = "|"
	}
	for a := range strings.FieldsFuncSeq(get("aliases"), func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if a = strings.TrimSpace(a); a != "" {
			p.Aliases = append(p.Aliases, a)
		}
	}
	derived := p.ID == ""
	if derived {
		p.ID = slugify(p.Name)
	}
	return p, derived, errs
}

// at makes an error at a line and a byte column of the file; a column past
// the end of the line is its end.
func (f *csvFile) at(line, byteCol int, field, msg string) FileError {
	if f.lines == nil {
		f.lines = []int{0}
		for i, b := range f.data {
			if b == '\n' {
				f.lines = append(f.lines, i+1)
			}
		}
	}
	line = min(max(line, 1), len(f.lines))
	start, lineEnd := f.lines[line-1], len(f.data)
	if line < len(f.lines) {
		lineEnd = f.lines[line] - 1
	}
	end := min(start+max(byteCol-1, 0), lineEnd)
	return FileError{File: f.name, Line: line, Column: utf8.RuneCount(f.data[start:end]) + 1, Field: field, Msg: msg}
}

// csvError explains a row encoding/csv cannot read.
func (f *csvFile) csvError(err error) FileError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e := f.at(pe.Line, pe.Column, "", "not a well-formed CSV row: "+pe.Err.Error())
		if errors.Is(pe.Err, csv.ErrQuote) && (pe.Line != pe.StartLine || f.endOfLine(e)) {
			// Found where the file or a line ran out; the mistake is in
			// the row that opened the quote.
			e = f.at(pe.StartLine, 1, "", "not a well-formed CSV row: a quote opened in this row is never closed")
		}
		e.Kind = Malformed
		return e
	}
	return FileError{File: f.name, Kind: Malformed, Msg: err.Error()}
}

// endOfLine reports whether e is at the end of its line.
func (f *csvFile) endOfLine(e FileError) bool {
	next := f.at(e.Line, len(f.data)+1, "", "")
	return e.Column == next.Column
}

func (f *csvFile) records() *records {
	return &records{Document: routes.Document{Places: f.places}}
}

// problem places a message about a place's field ("places[3].lat") on its
// row and column.
func (f *csvFile) problem(path, msg string) FileError {
	var i int
	var tail string
	if n, _ := fmt.Sscanf(path, "places[%d]%s", &i, &tail); n < 1 || i < 0 || i >= len(f.rows) {
		return FileError{File: f.name, Field: path, Msg: msg}
	}
	field := strings.TrimPrefix(tail, ".")
	if field == "id" && f.derived[i] {
		field, msg = "name", msg+" (the id was made from the name: add an id column to tell the places apart)"
	}
	r := f.reader(f.rows[i])
	if _, err := r.Read(); err != nil {
		return FileError{File: f.name, Field: path, Msg: msg}
	}
	col, ok := f.column[field]
	if !ok {
		col = 0
	}
	// The row begins a line, where FieldPos starts counting.
	line, byteCol := r.FieldPos(col)
	first, _ := position(f.data, int(f.rows[i]))
	e := f.at(first+line-1, byteCol, "", msg)
	if ok {
		e.Field = f.headers[col]
	}
	return e
}
