// Package ingest reads files into a shiptrack store: for now shipment
// documents, the JSON form of routes.Document.
//
// Files and directories are named through Inputs, either inside an fs.FS
// (the bundled dataset, a test's fstest.MapFS) or on the operating system.
// Everything named is read, checked and merged first; only then is one batch
// applied, so a bad file changes nothing:
//
//	sum, err := ingest.Documents(ctx, store, ingest.Paths("testdata/najin-dunay"))
//
// Errors name the file, the line and column and the field at fault; see
// FileError.
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
	roots []root
	err   error
}

// root is one named file or directory.
type root struct {
	fsys    fs.FS
	name    string // the file or directory inside fsys
	display string // how messages name it
	join    func(elem ...string) string
	key     string // prefixes a file's path in fsys to identify it, so that a file named twice is read once
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

// Documents reads every shipment document in, validates the whole against
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
	sum.Written, err = store.Apply(ctx, batch)
	if err != nil {
		return sum, fmt.Errorf("write to the store: %w", err)
	}
	return sum, nil
}

// Read reads and validates every shipment document in, against known (which
// may be nil) for the records they refer to, and returns the batch ready for
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
		data, ferr := readFile(fi)
		if ferr != nil {
			errs = append(errs, *ferr)
			continue
		}
		f, perrs := fi.format.read(fi.display, data)
		if len(perrs) > 0 {
			errs = append(errs, perrs...)
			continue
		}
		errs = append(errs, m.add(f)...)
		sum.Files = append(sum.Files, fi.display)
		if len(errs) >= maxErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, sum, errs[:min(len(errs), maxErrors)]
	}
	d := &m.doc
	sum.Read = routes.Changes{Places: len(d.Places), Vessels: len(d.Vessels), Sources: len(d.Sources),
		Shipments: len(d.Shipments), Observations: len(d.Observations)}
	for _, s := range d.Shipments {
		sum.Read.Legs += len(s.Legs)
	}
	batch, err := routes.PrepareWith(ctx, known, d, opts)
	if err != nil {
		if v, ok := routes.AsValidation(err); ok {
			return nil, sum, m.place(v)
		}
		return nil, sum, fmt.Errorf("check against the store: %w", err)
	}
	return batch, sum, nil
}

// format is a kind of file ingest reads.
type format struct {
	name string
	exts []string // lower case, with the dot
	read func(name string, data []byte) (*docFile, Errors)
}

// formats are the kinds of file ingest reads, recognised by extension.
var formats = []format{
	{name: "shipment document", exts: []string{".json"}, read: parseDocument},
}

// detect finds the format of the file at name, or says why there is none.
func detect(name string) (format, string) {
	ext := strings.ToLower(path.Ext(name))
	for _, f := range formats {
		for _, e := range f.exts {
			if ext == e {
				return f, ""
			}
		}
	}
	known := []string{}
	for _, f := range formats {
		known = append(known, f.name+" ("+strings.Join(f.exts, ", ")+")")
	}
	return format{}, fmt.Sprintf("not a format ingest reads: %s", strings.Join(known, ", "))
}

// fileInput is one file to read.
type fileInput struct {
	fsys    fs.FS
	name    string
	display string
	format  format
}

// list expands the inputs into the files to read, in order, each once.
func list(ctx context.Context, in Inputs) ([]fileInput, []Skipped, error) {
	var files []fileInput
	var skipped []Skipped
	seen := map[string]bool{}
	for _, r := range in.roots {
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
			f, why := detect(r.name)
			if why != "" {
				return nil, skipped, fmt.Errorf("%s: %s", r.display, why)
			}
			if k := r.key + r.name; !seen[k] {
				seen[k] = true
				files = append(files, fileInput{r.fsys, r.name, r.display, f})
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
			f, why := detect(p)
			if why != "" {
				skipped = append(skipped, Skipped{display, why})
				return nil
			}
			seen[r.key+p] = true
			files = append(files, fileInput{r.fsys, p, display, f})
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
// whatever its stat claims.
func readFile(fi fileInput) ([]byte, *FileError) {
	fail := func(msg string) ([]byte, *FileError) { return nil, &FileError{File: fi.display, Msg: msg} }
	f, err := fi.fsys.Open(fi.name)
	if err != nil {
		return fail(unwrapPath(err).Error())
	}
	defer f.Close()
	tooBig := fmt.Sprintf("the file is larger than %d MiB, the most ingest reads", MaxFileSize>>20)
	if st, err := f.Stat(); err == nil && st.Size() > MaxFileSize {
		return fail(tooBig)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return fail(unwrapPath(err).Error())
	}
	if len(data) > MaxFileSize {
		return fail(tooBig)
	}
	return data, nil
}

// merged is every document read, as one, remembering where each top-level
// record came from.
type merged struct {
	doc   routes.Document
	files []*docFile
	// from maps a top-level list ("places") to, for each record in the
	// merged list, the file it came from and its index there.
	from map[string][]origin
	// ids maps a list of shared records to their ids and merged indexes.
	ids map[string]map[string]int
}

type origin struct {
	file  int
	index int
}

// add merges a file's records. A place, vessel or source that another file
// already defines identically is taken once, so that each file may carry
// what it refers to; one defined differently is an error.
func (m *merged) add(f *docFile) Errors {
	if m.from == nil {
		m.from, m.ids = map[string][]origin{}, map[string]map[string]int{}
	}
	fi := len(m.files)
	m.files = append(m.files, f)
	var errs Errors
	d := &f.doc
	m.doc.Places = addShared(m, fi, "places", d.Places, m.doc.Places, func(p routes.Place) string { return p.ID }, &errs)
	m.doc.Vessels = addShared(m, fi, "vessels", d.Vessels, m.doc.Vessels, func(v routes.Vessel) string { return v.ID }, &errs)
	m.doc.Sources = addShared(m, fi, "sources", d.Sources, m.doc.Sources, func(s routes.Source) string { return s.ID }, &errs)
	for i, s := range d.Shipments {
		m.doc.Shipments = append(m.doc.Shipments, s)
		m.from["shipments"] = append(m.from["shipments"], origin{fi, i})
	}
	for i, o := range d.Observations {
		m.doc.Observations = append(m.doc.Observations, o)
		m.from["observations"] = append(m.from["observations"], origin{fi, i})
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
			m.from[list] = append(m.from[list], origin{fi, i})
			continue
		}
		if !reflect.DeepEqual(into[dup], r) {
			first := m.from[list][dup]
			ff := m.files[first.file]
			line, _ := position(ff.data, ff.locate(fmt.Sprintf("%s[%d]", list, first.index)))
			f := m.files[fi]
			field := fmt.Sprintf("%s[%d].id", list, i)
			*errs = append(*errs, f.errorAt(f.locate(field), field,
				fmt.Sprintf("%q differs from its definition at %s:%d; define it once, or identically", id(r), ff.name, line)))
		}
	}
	return into
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
		f := m.files[o.file]
		field := fmt.Sprintf("%s[%d]%s", list, o.index, tail)
		errs = append(errs, f.errorAt(f.locate(field), field, fe.Msg))
	}
	return errs
}
