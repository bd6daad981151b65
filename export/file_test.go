package export_test

import (
	"context"
	"errors"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/export"
	"github.com/shiptrack/shiptrack/internal/gistest"
	"github.com/shiptrack/shiptrack/routes"
)

// gpkgTo runs the GeoPackage export to target through WriteFile.
func gpkgTo(ctx context.Context, st routes.Store, target string, force bool) error {
	return export.WriteFile(target, force, func(tmp string) error {
		_, err := export.GeoPackage(ctx, st, tmp)
		return err
	})
}

func TestWriteFileRefuses(t *testing.T) {
	st := gpkgStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.gpkg")
	os.WriteFile(existing, []byte("keep me"), 0o644)
	notDir := filepath.Join(dir, "plain-file")
	os.WriteFile(notDir, []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "a-directory"), 0o755)

	for _, c := range []struct {
		name, target string
		want         string
	}{
		{"an existing file without --force", existing, "existing.gpkg already exists; give --force to replace it"},
		{"a directory", filepath.Join(dir, "a-directory"), "a-directory is a directory, not a file"},
		{"under a file", filepath.Join(notDir, "out.gpkg"), "not a directory"},
		{"under a missing directory", filepath.Join(dir, "missing", "out.gpkg"), "no such file or directory"},
		{"in a place no one may write", "/proc/shiptrack-out.gpkg", "cannot write /proc/shiptrack-out.gpkg"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := gpkgTo(ctx, st, c.target, false)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v; want one saying %q", err, c.want)
			}
			if strings.Contains(err.Error(), ".tmp-") {
				t.Errorf("the error names the temporary file: %v", err)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("the existing file was changed: %q", b)
	}
	if !errors.Is(gpkgTo(ctx, st, existing, false), export.ErrExists) {
		t.Error("refusing an existing file is not ErrExists")
	}
	noLeftovers(t, dir, "a-directory", "existing.gpkg", "plain-file")

	// With force, the file is replaced by a whole export.
	if err := gpkgTo(ctx, st, existing, true); err != nil {
		t.Fatal(err)
	}
	if out := gistest.ValidateGPKG(t, existing); out != "" {
		t.Errorf("the replaced file does not validate: %s", out)
	}
	noLeftovers(t, dir, "a-directory", "existing.gpkg", "plain-file")
}

// failingStore fails, or cancels the export's context, partway through the
// positions, as a database that goes away or a user's Ctrl-C would.
type failingStore struct {
	routes.Store
	after  int
	cancel context.CancelFunc // nil: fail with an error instead
}

var errGone = errors.New("connection lost")

func (f failingStore) Positions(ctx context.Context, q routes.Query) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		i := 0
		for p, err := range f.Store.Positions(ctx, q) {
			if i++; i == f.after {
				if f.cancel == nil {
					yield(routes.Position{}, errGone)
					return
				}
				f.cancel()
			}
			if !yield(p, err) {
				return
			}
		}
	}
}

// TestFailureLeavesNothing breaks exports off halfway, by a store failure
// and by an interrupt: the error says so, and neither the target nor a
// temporary file is left.
func TestFailureLeavesNothing(t *testing.T) {
	st := gpkgStore(t)
	for _, interrupt := range []bool{false, true} {
		name := map[bool]string{false: "store fails", true: "interrupted"}[interrupt]
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			bad := failingStore{Store: st, after: 50}
			want := errGone
			if interrupt {
				bad.cancel, want = cancel, context.Canceled
			}
			dir := t.TempDir()
			err := gpkgTo(ctx, bad, filepath.Join(dir, "out.gpkg"), false)
			if !errors.Is(err, want) {
				t.Errorf("GeoPackage export: %v; want %v", err, want)
			}
			noLeftovers(t, dir)

			ctx, cancel = context.WithCancel(context.Background())
			defer cancel()
			if interrupt {
				bad.cancel = cancel
			}
			_, err = export.QGISDir(ctx, bad, filepath.Join(dir, "qgis"), false, export.QGISOptions{})
			if !errors.Is(err, want) {
				t.Errorf("QGIS export: %v; want %v", err, want)
			}
			noLeftovers(t, dir)
		})
	}
}

func TestQGISDirRefuses(t *testing.T) {
	st := gpkgStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	existing := filepath.Join(dir, "project")
	os.Mkdir(existing, 0o755)
	os.WriteFile(filepath.Join(existing, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(existing, export.ProjectFile), []byte("old"), 0o644)
	aFile := filepath.Join(dir, "a-file")
	os.WriteFile(aFile, []byte("x"), 0o644)

	_, err := export.QGISDir(ctx, st, existing, false, export.QGISOptions{})
	if !errors.Is(err, export.ErrExists) || !strings.Contains(err.Error(), "directory "+existing+" already exists") {
		t.Errorf("an existing directory without force: %v", err)
	}
	noLeftovers(t, existing, "notes.txt", export.ProjectFile)
	if _, err := export.QGISDir(ctx, st, aFile, true, export.QGISOptions{}); err == nil || !strings.Contains(err.Error(), "is a file, not a directory") {
		t.Errorf("a file for the directory: %v", err)
	}
	if _, err := export.QGISDir(ctx, st, filepath.Join(aFile, "sub"), false, export.QGISOptions{}); err == nil ||
		!strings.Contains(err.Error(), "cannot write "+filepath.Join(aFile, "sub")+": not a directory") {
		t.Errorf("a directory under a file: %v", err)
	}

	// With force, the export's files are replaced and nothing else is
	// touched.
	if _, err := export.QGISDir(ctx, st, existing, true, export.QGISOptions{OGCAPI: "http://example.org/ogc"}); err != nil {
		t.Fatal(err)
	}
	noLeftovers(t, existing, "notes.txt", export.OGCProjectFile, export.GeoPackageFile, export.ProjectFile)
	if b, _ := os.ReadFile(filepath.Join(existing, "notes.txt")); string(b) != "mine" {
		t.Errorf("notes.txt changed: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(existing, export.ProjectFile)); string(b) == "old" {
		t.Error("the old project was not replaced")
	}
	noLeftovers(t, dir, "a-file", "project")
}
