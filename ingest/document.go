package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/routes"
)

// A shipment document is read in two passes. The first walks the JSON token
// by token and finds syntax errors, unknown and repeated keys and trailing
// data. The second decodes it. Only when something is wrong is the file
// walked again to record where each known field lies (an index costs several
// times the file's size in memory): a decoding error is then pinned on the
// innermost value that does not decode, and a rule routes.Prepare finds
// broken on the line of its field.

// maxDepth bounds how deeply values may nest, the document itself being at
// depth 1. The deepest legitimate value, a point of a leg's MultiLineString,
// sits at depth 9; the bound keeps a hostile file of ten million "[" from
// exhausting memory.
const maxDepth = 64

// maxFileErrors caps the errors reported for one file.
const maxFileErrors = 50

// shape is what the document format allows at one place in a file.
type shape struct {
	// fields are the keys an object may hold; nil when the value is not an
	// object whose keys are checked.
	fields map[string]*shape
	// elem is the shape of an array's elements; nil when the value is not an
	// array whose elements are checked.
	elem *shape
	// typ is the Go type the value decodes into.
	typ reflect.Type
	// whole marks a value that decodes only whole, such as a window with
	// both its bounds: a failure inside it is reported on the value itself.
	whole bool
	// open marks an object that may hold members beyond fields, as GeoJSON
	// allows foreign members: they are recorded, not walked or checked.
	open bool
}

// documentShape is the shape of routes.Document, derived from its JSON tags
// so that a field added to the model is accepted without a change here.
var documentShape = shapeOf(reflect.TypeFor[routes.Document]())

// Types that decode through their own UnmarshalJSON, and what they accept.
var (
	legType    = reflect.TypeFor[routes.Leg]()
	windowType = reflect.TypeFor[routes.Window]()
	// geometryShape is a leg's GeoJSON line. Its coordinates are not walked:
	// they are numbers in arrays, checked when decoded.
	geometryShape = &shape{
		fields: map[string]*shape{"type": {}, "coordinates": {}, "bbox": {}},
		typ:    reflect.TypeFor[*geojson.Geometry](),
		whole:  true,
	}
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

func shapeOf(t reflect.Type) *shape {
	s := &shape{typ: t}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	custom := reflect.PointerTo(t).Implements(unmarshaler)
	switch {
	case t == windowType:
		// A window is a string or {"earliest", "latest"}.
		s.fields = map[string]*shape{"earliest": {}, "latest": {}}
		s.whole = true
	case custom && t != legType:
		// Decoded by its own rules (time.Time and the like): not walked.
	case t.Kind() == reflect.Struct:
		s.fields = map[string]*shape{}
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s.fields[name] = shapeOf(f.Type)
		}
		if t == legType {
			s.fields["geometry"] = geometryShape
		}
	case t.Kind() == reflect.Slice:
		s.elem = shapeOf(t.Elem())
	}
	return s
}

// node is one value in an indexed file; values the format does not look
// into (a line's coordinates) are one node each. Offsets fit in int32
// because files are at most MaxFileSize.
type node struct {
	key    string // the member name, or "" for an array element
	shape  *shape
	parent int32 // index of the enclosing node; -1 for the document
	index  int32 // the position in the enclosing array, or -1
	pos    int32 // offset of the member's key, or of the element
	start  int32 // offset of the value
	end    int32 // offset just past the value
}

// docFile is one JSON file as read: its bytes, its decoded content and where
// its fields lie. A shipment document decodes into doc; other JSON formats
// (GeoJSON) walk the file with their own root shape and decode it elsewhere.
type docFile struct {
	name  string
	data  []byte
	root  *shape // the shape of the whole file
	what  string // what the file should be, for messages: "a shipment document: ..."
	doc   routes.Document
	nodes []node       // built by index when first needed
	kids  map[step]int // built by locate: (parent, key or index) → node
}

// step is one step down a path: a member key, or an array index.
type step struct {
	parent int
	key    string
	index  int
}

// parseDocument reads one shipment document. Problems are returned as
// FileErrors naming the line, column and field.
func parseDocument(name string, data []byte) (parsed, Errors) {
	f := &docFile{name: name, root: documentShape,
		what: "a shipment document: a JSON object with places, vessels, sources, shipments or observations"}
	if errs := f.parse(data, &f.doc); len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

// parse checks data against f.root and decodes it into v.
func (f *docFile) parse(data []byte, v any) Errors {
	f.data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte-order mark some editors write
	if len(bytes.TrimSpace(f.data)) == 0 {
		return Errors{{File: f.name, Msg: "the file is empty: want " + f.what, Kind: Malformed}}
	}
	if errs := f.walk(false); len(errs) > 0 {
		return f.walk(true)
	}
	dec := json.NewDecoder(bytes.NewReader(f.data))
	if !f.root.open {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		f.index()
		return f.blame(0, err)
	}
	return nil
}

// records is the shipment document as read.
func (f *docFile) records() *records { return &records{Document: f.doc} }

// problem places a message about the field at path.
func (f *docFile) problem(path, msg string) FileError {
	return f.errorAt(f.locate(path), path, msg)
}

// index records where each known field lies, once.
func (f *docFile) index() {
	if f.nodes == nil {
		f.walk(true)
	}
}

// walker is a pass over a file. Without record it stops at the first
// problem, with a placeholder error; with record it indexes the file and
// explains every problem.
type walker struct {
	f      *docFile
	dec    *json.Decoder
	record bool
	errs   Errors
}

// errProblem stops a walk that does not record at its first problem.
var errProblem = errors.New("a problem to explain")

// syntaxError is a file that is not JSON, at offset off.
type syntaxError struct {
	off  int
	node int // the innermost value being read
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

func (f *docFile) walk(record bool) Errors {
	w := &walker{f: f, dec: json.NewDecoder(bytes.NewReader(f.data)), record: record}
	if record {
		f.nodes = make([]node, 0, 64)
	}
	w.dec.UseNumber()
	start := len(f.data) - len(bytes.TrimLeft(f.data, " \t\r\n"))
	if f.data[start] != '{' {
		return Errors{f.errorAt(start, "", "want "+f.what)}
	}
	if err := w.value(f.root, -1, "", -1, start, 1); err != nil {
		if !record {
			return Errors{{File: f.name, Msg: err.Error()}}
		}
		var se *syntaxError
		if !errors.As(err, &se) {
			se = &syntaxError{off: len(f.data), node: -1, msg: err.Error()}
		}
		e := f.errorAt(se.off, f.path(se.node), se.msg)
		e.Kind = Malformed
		return append(w.errs, e)
	}
	if end := w.skipSpace(int(w.dec.InputOffset())); end < len(f.data) {
		e := f.errorAt(end, "", "unexpected data after the document: a file holds one JSON object")
		e.Kind = Malformed
		w.errs = append(w.errs, e)
	}
	return w.errs
}

// skipSpace returns the offset of the first byte at or after off that is
// not JSON whitespace or a separator the decoder has not consumed yet.
func (w *walker) skipSpace(off int) int {
	for off < len(w.f.data) {
		switch w.f.data[off] {
		case ' ', '\t', '\n', '\r', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// token reads the next token, turning the decoder's errors into positioned
// syntax errors.
func (w *walker) token(node int) (json.Token, error) {
	tok, err := w.dec.Token()
	if err == nil {
		return tok, nil
	}
	cutShort := &syntaxError{off: len(w.f.data), node: node, msg: "unexpected end of file: the document is cut short"}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// The decoder's offsets for errors inside a literal are unreliable;
		// validating the whole file again gives the offending byte.
		off, msg := int(se.Offset), se.Error()
		var raw json.RawMessage
		if verr := json.Unmarshal(w.f.data, &raw); errors.As(verr, &se) {
			off, msg = int(se.Offset)-1, se.Error()
		}
		if strings.Contains(msg, "unexpected end of JSON input") {
			return nil, cutShort
		}
		return nil, &syntaxError{off: off, node: node, msg: "invalid JSON: " + strings.TrimPrefix(msg, "json: ")}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return nil, cutShort
	}
	return nil, &syntaxError{off: int(w.dec.InputOffset()), node: node, msg: "invalid JSON: " + err.Error()}
}

// value reads one value whose shape is s (nil when unknown), recording it
// when the walk records.
func (w *walker) value(s *shape, parent int, key string, index, pos, depth int) error {
	start := w.skipSpace(int(w.dec.InputOffset()))
	tok, err := w.token(parent)
	if err != nil {
		return err
	}
	n := -1
	if w.record {
		n = len(w.f.nodes)
		w.f.nodes = append(w.f.nodes, node{parent: int32(parent), key: key, index: int32(index), pos: int32(pos), start: int32(start), shape: s})
	}
	switch tok {
	case json.Delim('{'):
		if s == nil || s.fields == nil {
			err = w.skip(n, depth)
			break
		}
		err = w.object(s, n, depth)
	case json.Delim('['):
		if s == nil || s.elem == nil {
			err = w.skip(n, depth)
			break
		}
		for i := 0; err == nil && w.dec.More(); i++ {
			err = w.value(s.elem, n, "", i, w.skipSpace(int(w.dec.InputOffset())), depth+1)
		}
		if err == nil {
			_, err = w.token(n)
		}
	}
	if w.record {
		w.f.nodes[n].end = int32(w.dec.InputOffset())
	}
	return err
}

// object reads the members of an object whose keys are known, after its "{".
func (w *walker) object(s *shape, n, depth int) error {
	var seen []string // objects have a handful of keys: a map costs more
	for w.dec.More() {
		pos := w.skipSpace(int(w.dec.InputOffset()))
		tok, err := w.token(n)
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		child, known := s.fields[key]
		// An open object takes foreign members, but not one that differs
		// from a known member only in case: the decoder would take it for
		// that member.
		if !known && s.open {
			_, variant := caseOf(key, s)
			known = !variant
		}
		repeated := slices.Contains(seen, key)
		if (!known || repeated) && !w.record {
			return errProblem
		}
		switch {
		case !known:
			w.fail(pos, w.f.path(n), unknownField(key, s))
		case repeated:
			w.fail(pos, joinPath(w.f.path(n), key), "appears twice in the same object")
		}
		seen = append(seen, key)
		if err := w.value(child, n, key, -1, pos, depth+1); err != nil {
			return err
		}
	}
	_, err := w.token(n)
	return err
}

// skip reads the rest of a value that is not walked, after its opening
// delimiter, without recursion.
func (w *walker) skip(n, depth int) error {
	for open := 1; open > 0; {
		tok, err := w.token(n)
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			open++
			if depth+open-1 > maxDepth {
				return &syntaxError{off: int(w.dec.InputOffset()) - 1, node: n, msg: fmt.Sprintf("values nest more than %d deep", maxDepth)}
			}
		case json.Delim('}'), json.Delim(']'):
			open--
		}
	}
	return nil
}

func (w *walker) fail(off int, field, msg string) {
	if len(w.errs) < maxFileErrors {
		w.errs = append(w.errs, w.f.errorAt(off, field, msg))
	}
}

// unknownField explains a key the format does not have, suggesting the one
// meant when only its case differs (the standard decoder would have taken
// it silently).
func unknownField(key string, s *shape) string {
	if name, ok := caseOf(key, s); ok {
		return fmt.Sprintf("unknown field %q (did you mean %q?)", key, name)
	}
	return fmt.Sprintf("unknown field %q", key)
}

// caseOf finds the field of s that key names in another case.
func caseOf(key string, s *shape) (string, bool) {
	for name := range s.fields {
		if strings.EqualFold(name, key) {
			return name, true
		}
	}
	return "", false
}

// blame pins a decoding error on the innermost values under node n that fail
// to decode on their own, and explains each.
func (f *docFile) blame(n int, err error) Errors {
	nd := f.nodes[n]
	var errs Errors
	s := nd.shape
	switch {
	case s == nil || s.whole:
	case s.fields != nil:
		for _, c := range f.children(n) {
			if f.nodes[c].shape == nil {
				continue // a foreign member of an open object: nothing to decode
			}
			wrapped := fmt.Appendf(nil, "{%s:%s}", strconv.Quote(f.nodes[c].key), f.raw(c))
			if cerr := decodeStrict(wrapped, s.typ); cerr != nil {
				errs = append(errs, f.blame(c, cerr)...)
			}
		}
	case s.elem != nil:
		for _, c := range f.children(n) {
			if cerr := decodeStrict(f.raw(c), s.elem.typ); cerr != nil {
				errs = append(errs, f.blame(c, cerr)...)
			}
		}
	}
	if len(errs) == 0 {
		errs = Errors{f.errorAt(int(nd.pos), f.path(n), explain(err, nd.key))}
	}
	return errs[:min(len(errs), maxFileErrors)]
}

func decodeStrict(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(reflect.New(t).Interface())
}

// explain turns a decoding error into a sentence about the value at fault.
func explain(err error, key string) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if num, ok := strings.CutPrefix(te.Value, "number "); ok {
			return fmt.Sprintf("%s does not fit: want %s in range", num, kindName(te.Type))
		}
		return fmt.Sprintf("want %s, got %s", kindName(te.Type), te.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if key != "" {
		// A leg reports its geometry's faults as "geometry: ..."; the
		// field already names it.
		msg = strings.TrimPrefix(msg, key+": ")
	}
	return msg
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	if t == windowType {
		return "a date, a time, a range or {earliest, latest}"
	}
	return "an object"
}

// raw is the text of node n's value.
func (f *docFile) raw(n int) []byte { return f.data[f.nodes[n].start:f.nodes[n].end] }

// children lists the nodes directly under n, in file order.
func (f *docFile) children(n int) []int {
	var out []int
	for i := n + 1; i < len(f.nodes); i++ {
		if int(f.nodes[i].parent) == n {
			out = append(out, i)
		}
		if f.nodes[i].start >= f.nodes[n].end {
			break
		}
	}
	return out
}

// path names node n as a JSON path from the document root.
func (f *docFile) path(n int) string {
	if n <= 0 {
		return ""
	}
	nd := f.nodes[n]
	if nd.key == "" {
		return f.path(int(nd.parent)) + "[" + strconv.Itoa(int(nd.index)) + "]"
	}
	return joinPath(f.path(int(nd.parent)), nd.key)
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// locate finds the offset of the field a path such as
// "shipments[0].legs[1].depart" names or, when the file lacks it (a required
// field left out), of the innermost value on the way to it.
func (f *docFile) locate(path string) int { return int(f.nodes[f.find(path)].pos) }

// find is the node locate reports on.
func (f *docFile) find(path string) int {
	f.index()
	if f.kids == nil {
		f.kids = make(map[step]int, len(f.nodes))
		for i, nd := range f.nodes[1:] {
			f.kids[step{int(nd.parent), nd.key, int(nd.index)}] = i + 1
		}
	}
	at := 0
	for _, st := range parsePath(path) {
		st.parent = at
		next, ok := f.kids[st]
		if !ok {
			break
		}
		at = next
	}
	return at
}

// parsePath splits a path into its steps; their parents are left unset.
func parsePath(path string) []step {
	var steps []step
	for part := range strings.SplitSeq(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			steps = append(steps, step{key: key, index: -1})
		}
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if err != nil {
				break
			}
			steps = append(steps, step{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return steps
}

// errorAt makes a FileError at byte offset off.
func (f *docFile) errorAt(off int, field, msg string) FileError {
	line, col := position(f.data, off)
	return FileError{File: f.name, Line: line, Column: col, Field: field, Msg: msg}
}
