package ingest_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	shiptrack "github.com/shiptrack/shiptrack"
	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

// base is a small valid shipment document; the bad documents below are
// made from it by one edit each.
const base = `{
  "places": [
    {"id": "a", "name": "A", "kind": "port", "country": "KP", "lon": 130.3, "lat": 42.2},
    {"id": "b", "name": "B", "kind": "port", "country": "RU", "lon": 132.3, "lat": 42.9}
  ],
  "sources": [{"id": "s", "publisher": "P", "title": "T", "published": "2023-10-13", "kind": "media"}],
  "shipments": [{
    "id": "x", "title": "X", "cargo": {"description": "c"}, "status": "reported", "confidence": "low",
    "sources": [{"source": "s", "claim": "c"}],
    "legs": [
      {"id": "x-1", "seq": 1, "mode": "sea", "origin": "a", "destination": "b",
       "depart": "2023-09-07", "arrive": "2023-09-12"}
    ]
  }]
}
`

// edit returns base with old replaced by new, failing if old is not there.
func edit(t testing.TB, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base has no %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

// want is an expected error: in file, at the first occurrence of needle in
// that file's text ("" for none: the file as a whole; "<end>" for the end of
// the file), naming field, with msg in its message.
type want struct {
	file, needle, field, msg string
}

// badCase is a set of files one of which is bad.
type badCase struct {
	name  string
	files map[string]string
	want  []want
}

func badCases(t testing.TB) []badCase {
	one := func(text string) map[string]string { return map[string]string{"bad.json": text} }
	second := `{
  "shipments": [
    {"id": "y", "title": "Y", "cargo": {"description": "c"}, "status": "alleged", "confidence": "low",
     "sources": [{"source": "s", "claim": "c"}],
     "legs": [{"id": "y-1", "seq": 1, "mode": "sea", "origin": "b", "destination": "a",
               "depart": "2023-10-01", "arrive": "2023-10-03"}]},
    {"id": "z", "title": "Z", "cargo": {"description": "c"}, "status": "alleged", "confidence": "low",
     "sources": [{"source": "s", "claim": "c"}],
     "legs": [{"id": "z-1", "seq": 1, "mode": "sea", "origin": "a", "destination": "b",
               "depart": "2023-10-09", "arrive": "2023-10-03"}]}
  ]
}`
	return []badCase{
		{"missing field", one(edit(t, `"depart": "2023-09-07", `, "")),
			[]want{{"bad.json", `{"id": "x-1"`, "shipments[0].legs[0].depart", "is required"}}},
		{"latitude 95", one(edit(t, `"lat": 42.9`, `"lat": 95`)),
			[]want{{"bad.json", `"lat": 95`, "places[1].lat", "latitude 95 is outside [-90, 90]"}}},
		{"departure after arrival", one(edit(t, `"depart": "2023-09-07"`, `"depart": "2023-09-20"`)),
			[]want{{"bad.json", `"depart"`, "shipments[0].legs[0].depart", "departure (earliest 2023-09-20T00:00:00Z) is after arrival"}}},
		{"unknown place", one(edit(t, `"destination": "b"`, `"destination": "nowhere"`)),
			[]want{{"bad.json", `"destination"`, "shipments[0].legs[0].destination", `unknown place "nowhere"`}}},
		{"broken JSON", one(edit(t, `"lat": 42.2},`, `"lat": 42.2}`)),
			[]want{{"bad.json", `{"id": "b"`, "places", "invalid JSON: invalid character '{' after array element"}}},
		{"unknown field", one(edit(t, `"mode": "sea",`, `"mode": "sea", "vesel": "v",`)),
			[]want{{"bad.json", `"vesel"`, "shipments[0].legs[0]", `unknown field "vesel"`}}},
		{"field in the wrong case", one(edit(t, `"origin": "a"`, `"Origin": "a"`)),
			[]want{{"bad.json", `"Origin"`, "shipments[0].legs[0]", `unknown field "Origin" (did you mean "origin"?)`}}},
		{"field twice", one(edit(t, `"title": "X",`, `"title": "X", "title": "Y",`)),
			[]want{{"bad.json", `"title": "Y"`, "shipments[0].title", "appears twice"}}},
		{"truncated file", one(base[:strings.Index(base, `"legs"`)+10]),
			[]want{{"bad.json", "<end>", "shipments[0].legs", "the document is cut short"}}},
		{"empty file", one(""),
			[]want{{"bad.json", "", "", "the file is empty"}}},
		{"blank file", one(" \n\t\n"),
			[]want{{"bad.json", "", "", "the file is empty"}}},
		{"not an object", one(`[` + base + `]`),
			[]want{{"bad.json", "[", "", "want a shipment document: a JSON object"}}},
		{"trailing data", one(base + "{}\n"),
			[]want{{"bad.json", "{}\n", "", "unexpected data after the document"}}},
		{"a string for a number", one(edit(t, `"seq": 1`, `"seq": "1"`)),
			[]want{{"bad.json", `"seq"`, "shipments[0].legs[0].seq", "want an integer, got string"}}},
		{"a number out of range", one(edit(t, `"lon": 130.3`, `"lon": 1e400`)),
			[]want{{"bad.json", `"lon"`, "places[0].lon", "1e400 does not fit"}}},
		{"a date that is no date", one(edit(t, `"arrive": "2023-09-12"`, `"arrive": "2023-09-31"`)),
			[]want{{"bad.json", `"arrive"`, "shipments[0].legs[0].arrive", `"2023-09-31" is neither a date`}}},
		{"a window with one bound", one(edit(t, `"arrive": "2023-09-12"`, `"arrive": {"earliest": "2023-09-12"}`)),
			[]want{{"bad.json", `"arrive"`, "shipments[0].legs[0].arrive", "needs both earliest and latest"}}},
		{"a point for a line", one(edit(t, `"seq": 1,`, `"seq": 1, "geometry": {"type": "Point", "coordinates": [130.3, 42.2]},`)),
			[]want{{"bad.json", `"geometry"`, "shipments[0].legs[0].geometry", `want a LineString or MultiLineString`}}},
		{"nested too deep", one(edit(t, `"kind": "port", "country": "KP"`, `"kind": "port", "aliases": [`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`], "country": "KP"`)),
			[]want{{"bad.json", strings.Repeat("[", 40) + "]", "places[0].aliases[0]", "values nest more than 64 deep"}}},
		{"nested as deep as allowed", one(edit(t, `"kind": "port", "country": "KP"`, `"kind": "port", "aliases": [`+strings.Repeat("[", 60)+strings.Repeat("]", 60)+`], "country": "KP"`)),
			[]want{{"bad.json", strings.Repeat("[", 60) + "]", "places[0].aliases[0]", "want a string, got array"}}},
		{"several rules broken", one(strings.Replace(edit(t, `"lat": 42.9`, `"lat": -91`), `"kind": "port", "country": "RU"`, `"kind": "harbour", "country": "RU"`, 1)),
			[]want{
				{"bad.json", `"kind": "harbour"`, "places[1].kind", `"harbour" is not one of`},
				{"bad.json", `"lat": -91`, "places[1].lat", "latitude -91 is outside"},
			}},
		{"a rule broken in the second file", map[string]string{"a.json": base, "b.json": second},
			[]want{{"b.json", `"depart": "2023-10-09"`, "shipments[1].legs[0].depart", "is after arrival"}}},
		{"a place defined differently in two files", map[string]string{"a.json": base, "b.json": `{
  "places": [
    {"id": "b", "name": "Bee", "kind": "port", "country": "RU", "lon": 132.3, "lat": 42.9}
  ]
}`},
			[]want{{"b.json", `"id": "b"`, "places[0].id", `"b" differs from its definition at a.json:4`}}},
		{"two bad files", map[string]string{"a.json": "{", "b.json": `{"places": 1}`},
			[]want{
				{"a.json", "<end>", "", "cut short"},
				{"b.json", `"places"`, "places", "want an array, got number"},
			}},
	}
}

// position finds the line and column (in characters) of the first needle
// in text, the way an editor counts them.
func position(t testing.TB, text, needle string) (int, int) {
	t.Helper()
	off := len(text)
	if needle != "<end>" {
		off = strings.Index(text, needle)
		if off < 0 {
			t.Fatalf("no %q in the file", needle)
		}
	}
	line, col := 1, 1
	for _, r := range text[:off] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// checkErrors checks that err is exactly the errors wanted.
func checkErrors(t *testing.T, err error, files map[string]string, wants []want) {
	t.Helper()
	var got ingest.Errors
	if !errors.As(err, &got) {
		t.Fatalf("error %v (%T) is not ingest.Errors", err, err)
	}
	if len(got) != len(wants) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(wants), err)
	}
	for i, w := range wants {
		g := got[i]
		wl, wc := 0, 0
		if w.needle != "" {
			wl, wc = position(t, files[w.file], w.needle)
		}
		if g.File != w.file || g.Line != wl || g.Column != wc || g.Field != w.field || !strings.Contains(g.Msg, w.msg) {
			t.Errorf("error %d is\n\t%s\nwant at %s:%d:%d, field %q, saying %q", i, g, w.file, wl, wc, w.field, w.msg)
		}
	}
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, text := range files {
		m[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return m
}

func TestBadDocuments(t *testing.T) { readBad(t, badCases(t)) }

// readBad reads the files of each case, wanting its errors and no batch.
func readBad(t *testing.T, cases []badCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			batch, _, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(c.files), "."))
			if batch != nil {
				t.Errorf("a batch came back with the error")
			}
			checkErrors(t, err, c.files, c.want)
		})
	}
}

func TestErrorText(t *testing.T) {
	text := edit(t, `"depart": "2023-09-07"`, `"depart": "2023-09-20"`)
	_, _, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(map[string]string{"testdata/x.json": text}), "testdata/x.json"))
	const want = `testdata/x.json:12:8: shipments[0].legs[0].depart: departure (earliest 2023-09-20T00:00:00Z) is after arrival (latest 2023-09-12T23:59:59.999999Z)`
	if err == nil || err.Error() != want {
		t.Errorf("error is\n\t%v\nwant\n\t%s", err, want)
	}
}

func TestGoodDocuments(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		read  routes.Changes
	}{
		{"one file", map[string]string{"x.json": base},
			routes.Changes{Places: 2, Sources: 1, Shipments: 1, Legs: 1}},
		{"with a byte-order mark and CRLF line ends", map[string]string{"x.json": "\ufeff" + strings.ReplaceAll(base, "\n", "\r\n")},
			routes.Changes{Places: 2, Sources: 1, Shipments: 1, Legs: 1}},
		{"references between files", map[string]string{"places.json": base[:strings.Index(base, `"sources"`)-4] + "\n}",
			"rest.json": "{" + base[strings.Index(base, `"sources"`)-3:]},
			routes.Changes{Places: 2, Sources: 1, Shipments: 1, Legs: 1}},
		{"the same place in two files, identically", map[string]string{"a.json": base,
			"b.json": `{"places": [{"id": "a", "name": "A", "kind": "port", "country": "KP", "lon": 130.3, "lat": 42.2}]}`},
			routes.Changes{Places: 2, Sources: 1, Shipments: 1, Legs: 1}},
		{"a leg with its own line", map[string]string{"x.json": edit(t, `"seq": 1,`,
			`"seq": 1, "geometry": {"type": "LineString", "coordinates": [[130.3, 42.2], [131.5, 42.4], [132.3, 42.9]]},`)},
			routes.Changes{Places: 2, Sources: 1, Shipments: 1, Legs: 1}},
		{"a window as an object", map[string]string{"x.json": edit(t, `"arrive": "2023-09-12"`,
			`"arrive": {"earliest": "2023-09-12", "latest": "2023-09-14T06:00:00+09:00"}`)},
			routes.Changes{Places: 2, Sources: 1, Shipments: 1, Legs: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			batch, sum, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(c.files), "."))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != c.read {
				t.Errorf("read %+v, want %+v", sum.Read, c.read)
			}
			if len(batch.Shipments) != 1 || len(batch.Shipments[0].Legs) != 1 || batch.Shipments[0].Legs[0].LengthKm < 150 {
				t.Errorf("batch %+v lacks its leg and line", batch.Shipments)
			}
		})
	}
}

// TestWindowOffset checks a window's bounds keep their meaning: a date is its
// whole UTC day, and a time with an offset is that instant.
func TestWindowOffset(t *testing.T) {
	text := edit(t, `"arrive": "2023-09-12"`, `"arrive": {"earliest": "2023-09-12", "latest": "2023-09-14T06:00:00+09:00"}`)
	batch, _, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(map[string]string{"x.json": text}), "x.json"))
	if err != nil {
		t.Fatal(err)
	}
	w := batch.Shipments[0].Legs[0].Arrive
	if want := time.Date(2023, 9, 13, 21, 0, 0, 0, time.UTC); !w.Latest.Equal(want) {
		t.Errorf("latest arrival %v, want %v", w.Latest, want)
	}
}

func TestBundled(t *testing.T) {
	for _, c := range []struct {
		name string
		in   ingest.Inputs
		file string
	}{
		{"embedded", ingest.FS(shiptrack.Bundled, shiptrack.BundledDir), "testdata/najin-dunay/white-house-2023-09.json"},
		{"on disk", ingest.Paths("../testdata/najin-dunay"), filepath.FromSlash("../testdata/najin-dunay/white-house-2023-09.json")},
	} {
		t.Run(c.name, func(t *testing.T) {
			batch, sum, err := ingest.Read(t.Context(), nil, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Skipped) != 0 {
				t.Errorf("skipped %v", sum.Skipped)
			}
			if !strings.Contains(strings.Join(sum.Files, " "), c.file) {
				t.Errorf("files read %v lack %s", sum.Files, c.file)
			}
			want := routes.Changes{Places: 25, Vessels: 4, Sources: 9, Shipments: 4, Legs: 5, Observations: 1}
			if sum.Read != want {
				t.Errorf("read %+v, want %+v", sum.Read, want)
			}
			checkReferenceShipment(t, batch)
		})
	}
}

// checkReferenceShipment checks the White House's shipment as REFERENCE.md
// states it.
func checkReferenceShipment(t *testing.T, b *routes.Batch) {
	t.Helper()
	var s *routes.Shipment
	for i := range b.Shipments {
		if b.Shipments[i].ID == "nk-ru-2023-09" {
			s = &b.Shipments[i]
		}
	}
	if s == nil {
		t.Fatal("no shipment nk-ru-2023-09")
	}
	if c := s.Cargo; c.Quantity != 1000 || c.Qualifier != "more than" || c.Unit != "containers" {
		t.Errorf("cargo %+v, want more than 1000 containers", c)
	}
	if len(s.Legs) != 2 {
		t.Fatalf("%d legs, want a sea and a rail leg", len(s.Legs))
	}
	sea, rail := s.Legs[0], s.Legs[1]
	if sea.Mode != routes.Sea || sea.Origin != "najin" || sea.Destination != "dunay" || sea.Vessel != "angara" {
		t.Errorf("sea leg %s %s→%s on %q", sea.Mode, sea.Origin, sea.Destination, sea.Vessel)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	if !sea.Depart.Earliest.Equal(day("2023-09-07")) || !sea.Arrive.Earliest.Equal(day("2023-09-12")) {
		t.Errorf("sea leg departs %v, arrives %v; want from 7 September, first arrival 12 September", sea.Depart, sea.Arrive)
	}
	// The great circle Najin–Dunay is 98 nm; a schematic line is that.
	if nm := sea.LengthNm(); nm < 97 || nm > 99 {
		t.Errorf("sea leg is %.1f nm, want about 98", nm)
	}
	if rail.Mode != routes.Rail || rail.Destination != "tikhoretsk" || len(rail.Via) < 10 {
		t.Errorf("rail leg %s →%s via %v", rail.Mode, rail.Destination, rail.Via)
	}
	if rail.Depart.Earliest.Before(sea.Arrive.Earliest) {
		t.Errorf("rail leg may leave (%v) before the first arrival at Dunay (%v)", rail.Depart, sea.Arrive)
	}
	// Schematic through the stations, the line is shorter than the
	// published 9,288 km Moscow–Vladivostok but of its order.
	if rail.LengthKm < 7000 || rail.LengthKm > 10000 {
		t.Errorf("rail leg is %.0f km", rail.LengthKm)
	}
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("data/a/x.json", base)
	write("data/a/notes.txt", "not a document")
	write("data/.hidden/y.json", "{broken")
	write("data/b/y.JSON", `{"places": [{"id": "c", "name": "C", "kind": "depot", "country": "RU", "lon": 40.1, "lat": 45.9}]}`)
	t.Chdir(dir)

	_, sum, err := ingest.Read(t.Context(), nil, ingest.Paths("data", "data/a/x.json", filepath.Join(dir, "data/b/y.JSON")))
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{filepath.FromSlash("data/a/x.json"), filepath.FromSlash("data/b/y.JSON")}
	if strings.Join(sum.Files, ",") != strings.Join(wantFiles, ",") {
		t.Errorf("read %q, want %q: each file once, in order", sum.Files, wantFiles)
	}
	if sum.Read.Places != 3 {
		t.Errorf("read %d places, want 3", sum.Read.Places)
	}
	skipped := map[string]string{}
	for _, s := range sum.Skipped {
		skipped[filepath.ToSlash(s.File)] = s.Reason
	}
	if !strings.Contains(skipped["data/a/notes.txt"], "not a format ingest reads") || skipped["data/.hidden"] != "hidden" || len(skipped) != 2 {
		t.Errorf("skipped %v; want notes.txt as not a format and .hidden as hidden", skipped)
	}

	for _, c := range []struct{ path, msg string }{
		{"data/nope.json", "data/nope.json: "},
		{"data/a/notes.txt", "data/a/notes.txt: not a format ingest reads"},
	} {
		_, _, err := ingest.Read(t.Context(), nil, ingest.Paths(filepath.FromSlash(c.path)))
		if err == nil || !strings.Contains(filepath.ToSlash(err.Error()), c.msg) {
			t.Errorf("Paths(%q): error %v, want one starting %q", c.path, err, c.msg)
		}
	}
}

// endless is a file of n bytes, "{" and then spaces, that claims size in
// its stat.
type endless struct {
	n, size int64
	read    int64
}

func (e *endless) Stat() (fs.FileInfo, error) { return fileInfo{e.size}, nil }
func (e *endless) Close() error               { return nil }
func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n-e.read)
	for i := range p[:k] {
		p[i] = ' '
	}
	if e.read == 0 && k > 0 {
		p[0] = '{'
	}
	e.read += k
	return int(k), nil
}

type fileInfo struct{ size int64 }

func (f fileInfo) Name() string       { return "huge.json" }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return 0o444 }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }

// hugeFS holds one file, huge.json, of MaxFileSize+1 bytes.
type hugeFS struct{ statSize int64 }

func (h hugeFS) Open(name string) (fs.File, error) {
	if name != "huge.json" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &endless{n: ingest.MaxFileSize + 1, size: h.statSize}, nil
}

func TestHugeFile(t *testing.T) {
	for _, c := range []struct {
		name     string
		statSize int64
	}{
		{"its size known", ingest.MaxFileSize + 1},
		{"its size hidden", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ingest.Read(t.Context(), nil, ingest.FS(hugeFS{c.statSize}, "huge.json"))
			checkErrors(t, err, nil, []want{{"huge.json", "", "", "larger than 64 MiB"}})
		})
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := ingest.Read(ctx, nil, ingest.FS(shiptrack.Bundled, shiptrack.BundledDir))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func FuzzDocument(f *testing.F) {
	entries, err := fs.ReadDir(shiptrack.Bundled, shiptrack.BundledDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(shiptrack.Bundled, shiptrack.BundledDir+"/"+e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	seed(f, badCases(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "f.json", data)
	})
}

// seed adds texts and the files of cases to f's corpus.
func seed(f *testing.F, cases []badCase, texts ...string) {
	for _, text := range texts {
		f.Add([]byte(text))
	}
	for _, c := range cases {
		for _, text := range c.files {
			f.Add([]byte(text))
		}
	}
}

// fuzzRead reads data as the file name and checks that it is either read
// whole or refused with errors that point inside the file.
func fuzzRead(t *testing.T, name string, data []byte) {
	batch, _, err := ingest.Read(t.Context(), nil, ingest.FS(fstest.MapFS{name: {Data: data}}, name))
	if err == nil {
		if batch == nil {
			t.Fatal("no error and no batch")
		}
		return
	}
	var errs ingest.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("error %v (%T) is not ingest.Errors", err, err)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	lines := strings.Split(text, "\n")
	for _, e := range errs {
		if e.File != name || e.Msg == "" || e.Line < 0 || e.Line > len(lines) || (e.Line > 0) != (e.Column > 0) {
			t.Fatalf("error %q: want %s, a message and a line within the file's %d", e, name, len(lines))
		}
		if e.Line > 0 && e.Column > len([]rune(lines[e.Line-1]))+1 {
			t.Fatalf("error %q: column past the end of line %d", e, e.Line)
		}
	}
}
