package gpkg

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
)

// TestOpenRefusesOtherFiles opens files that are not a shiptrack store: each
// is refused with an error naming it, and left byte for byte as it was, with
// no journal beside it.
func TestOpenRefusesOtherFiles(t *testing.T) {
	plainSQLite := func(t *testing.T, path string) {
		db := openDB("file:" + path)
		defer db.Close()
		if _, err := db.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')`); err != nil {
			t.Fatal(err)
		}
	}
	otherGeoPackage := func(t *testing.T, path string) {
		db := openDB("file:" + path)
		defer db.Close()
		ctx := context.Background()
		if err := InitSchema(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := CreateTable(ctx, db, Table{Name: "rivers", Geometry: &GeometryColumn{Name: "geom", Type: "LINESTRING"},
			Columns: []Column{{Name: "name", Type: "TEXT"}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		write func(t *testing.T, path string)
		want  string
	}{
		{"text", func(t *testing.T, path string) {
			writeFile(t, path, []byte("id,name\nnajin,Najin\n"))
		}, "not an SQLite database"},
		{"long text", func(t *testing.T, path string) {
			writeFile(t, path, bytes.Repeat([]byte("not a database at all\n"), 100))
		}, "not an SQLite database"},
		{"sqlite", plainSQLite, "application_id"},
		{"other geopackage", otherGeoPackage, `no features table "places"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "data.gpkg")
			c.write(t, path)
			before := readFile(t, path)
			s, err := Open(context.Background(), path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open: %v; want ErrNotStore naming %s and saying %q", err, path, c.want)
			}
			if !bytes.Equal(readFile(t, path), before) {
				t.Error("Open changed the file it refused")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("Open left files beside the one it refused: %v", entries)
			}
		})
	}
}

// TestOpenUnreadable opens a path that cannot be read as a file: the store
// is unavailable, not the file refused.
func TestOpenUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "folder.gpkg")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path); !errors.Is(err, routes.ErrUnavailable) || !strings.Contains(err.Error(), path) {
		t.Errorf("Open of a directory: %v; want ErrUnavailable naming %s", err, path)
	}
}

// TestOpenEmptyFile treats an empty file, as mktemp leaves it, as a new
// store.
func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.gpkg")
	writeFile(t, path, nil)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open of an empty file: %v", err)
	}
	defer s.Close()
	apply(t, s, prepared(t, s))
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.gpkg")
	_, err := Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Open in a missing directory: %v; want an error naming %s", err, path)
	}
}

// TestReopen writes, closes, opens again and finds everything, positions
// included; applying the same batch to the reopened file changes nothing.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	b := prepared(t, s)
	apply(t, s, b)
	ps := samplePositions(t)
	if _, err := s.AddPositions(ctx, seq(ps)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("closing left the write-ahead log %s-wal behind (%v): the file alone is not the whole store", path, err)
	}
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	checkHolds(t, s2, b)
	if n, err := s2.CountPositions(ctx, routes.Query{}); err != nil || n != len(ps) {
		t.Errorf("CountPositions after reopening = %d, %v; want %d", n, err, len(ps))
	}
	if c := apply(t, s2, prepared(t, s2)); c.Total() != 0 {
		t.Errorf("applying the same batch after reopening reported %+v; want no changes", c)
	}
}

// TestSecondProcess writes through one Store and reads through another open
// on the same file, as `shiptrack ingest` does while `shiptrack serve` runs.
func TestSecondProcess(t *testing.T) {
	ctx := context.Background()
	server, path := openTemp(t)
	if p, err := server.Places(ctx, routes.Query{}); err != nil || p.Matched != 0 {
		t.Fatalf("Places = %v, %v", p, err)
	}
	ingest, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ingest.Close()
	b := prepared(t, ingest)
	apply(t, ingest, b)
	checkHolds(t, server, b)
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	apply(t, s, prepared(t, s))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"Ping":           func() error { return s.Ping(ctx) },
		"Place":          func() error { _, err := s.Place(ctx, "najin"); return err },
		"Legs":           func() error { _, err := s.Legs(ctx, routes.Query{}); return err },
		"Tracks":         func() error { _, err := s.Tracks(ctx, routes.Query{}); return err },
		"Observations":   func() error { _, err := s.Observations(ctx, routes.Query{}); return err },
		"CountPositions": func() error { _, err := s.CountPositions(ctx, routes.Query{}); return err },
		"Apply":          func() error { _, err := s.Apply(ctx, &routes.Batch{}); return err },
		"AddPositions":   func() error { _, err := s.AddPositions(ctx, seq(samplePositions(t))); return err },
		"Positions": func() error {
			for _, err := range s.Positions(ctx, routes.Query{}) {
				return err
			}
			return nil
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, routes.ErrUnavailable) {
			t.Errorf("%s on a closed store: %v; want ErrUnavailable", name, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("closing twice: %v", err)
	}
}

// TestApplyAtomic makes the database itself fail part-way through a batch,
// after places and shipments are written: nothing of the batch is left.
func TestApplyAtomic(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	apply(t, s, prepared(t, s))
	sabotage := openDB("file:" + path + "?_pragma=busy_timeout(5000)")
	defer sabotage.Close()
	if _, err := sabotage.Exec(`CREATE TRIGGER no_observations BEFORE INSERT ON observations
BEGIN SELECT RAISE(ABORT, 'observations are closed'); END`); err != nil {
		t.Fatal(err)
	}
	before := dump(t, sabotage)

	b := prepared(t, s)
	b.Places = append(b.Places, routes.Place{ID: "fokino", Name: "Fokino", Kind: routes.Port, Country: "RU", Lon: 132.4, Lat: 42.97})
	b.Shipments[0].Title = "must not be written"
	b.Observations[0].ID = "a-new-observation"
	_, err := s.Apply(ctx, b)
	if err == nil || !strings.Contains(err.Error(), "observations are closed") || !strings.Contains(err.Error(), "a-new-observation") {
		t.Fatalf("Apply: %v; want the trigger's error naming the observation", err)
	}
	if after := dump(t, sabotage); !reflect.DeepEqual(before, after) {
		t.Error("a failed Apply changed the file")
	}
	if _, err := s.Place(ctx, "fokino"); !errors.Is(err, routes.ErrNotFound) {
		t.Errorf("Place(fokino) after a failed Apply: %v; want ErrNotFound", err)
	}
	if sh, err := s.Shipment(ctx, "nk-ru-2023-09"); err != nil || sh.Title == "must not be written" {
		t.Errorf("Shipment after a failed Apply: %q, %v", sh.Title, err)
	}
}

// dump reads every row of every table in the file.
func dump(t *testing.T, db *sql.DB) map[string][][]any {
	t.Helper()
	names, err := queryAll(context.Background(), db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'rtree_%'`,
		func(s scanner) (string, error) { var n string; return n, s.Scan(&n) })
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]any{}
	for _, name := range names {
		rows, err := db.Query("SELECT * FROM " + quoteIdent(name) + " ORDER BY rowid")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], vals)
		}
		rows.Close()
	}
	return out
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
