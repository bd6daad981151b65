package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportCommand runs `shiptrack export` as a user would, on the
// embedded default store with the bundled case.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "taken.gpkg"), []byte("keep"), 0o644)
	os.Mkdir(filepath.Join(dir, "taken-dir"), 0o755)
	for _, c := range []struct {
		args []string
		code int
		want []string // substrings of stdout (code 0) or stderr
	}{
		{[]string{"export", "gpkg", "--out", "case.gpkg"}, 0, []string{"wrote case.gpkg: 25 places", "5 legs", " sources, "}},
		{[]string{"export", "gpkg", "--out", "case.gpkg"}, 1, []string{"case.gpkg already exists; give --force to replace it"}},
		{[]string{"export", "gpkg", "--out", "case.gpkg", "--force"}, 0, []string{"wrote case.gpkg"}},
		{[]string{"export", "gpkg", "--out", "taken.gpkg"}, 1, []string{"taken.gpkg already exists"}},
		{[]string{"export", "qgis", "--out", "project", "--server", "http://127.0.0.1:8080"}, 0, []string{"wrote project", "open project/shiptrack.qgz in QGIS"}},
		{[]string{"export", "qgis", "--out", "project"}, 1, []string{"directory project already exists; give --force"}},
		{[]string{"export", "qgis", "--out", "taken-dir"}, 1, []string{"directory taken-dir already exists"}},
		{[]string{"export", "qgis", "--out", "taken.gpkg", "--force"}, 1, []string{"taken.gpkg is a file, not a directory"}},
		{[]string{"export", "geojson", "--layer", "legs", "--out", "-"}, 0, []string{`{"type":"FeatureCollection","name":"legs"`, "nk-ru-2023-09-sea"}},
		{[]string{"export", "csv", "--layer", "places", "--out", "places.csv"}, 0, []string{"wrote places.csv"}},
		{[]string{"export", "gpkg", "--out", "/proc/shiptrack.gpkg"}, 1, []string{"cannot write /proc/shiptrack.gpkg"}},
		{[]string{"export", "gpkg", "--out", "no-such-dir/x.gpkg"}, 1, []string{"cannot write no-such-dir/x.gpkg: no such file or directory"}},
		{[]string{"export", "gpkg", "--out", "shiptrack.gpkg", "--force"}, 2, []string{"is the store being exported"}},
		{[]string{"export", "gpkg"}, 2, []string{"--out is required"}},
		{[]string{"export", "shapefile", "--out", "x"}, 2, []string{`unknown export format "shapefile"`}},
		{[]string{"export", "csv", "--out", "x.csv"}, 2, []string{"export csv needs --layer: one of places,"}},
		{[]string{"export", "csv", "--layer", "boats", "--out", "x.csv"}, 2, []string{`--layer "boats": want one of`}},
		{[]string{"export", "gpkg", "--layer", "legs", "--out", "x.gpkg"}, 2, []string{"--layer is for geojson and csv"}},
		{[]string{"export", "gpkg", "--out", "-"}, 2, []string{"must be written to a file"}},
		{[]string{"export", "qgis", "--out", "p2", "--server", "127.0.0.1:8080"}, 2, []string{`--server "127.0.0.1:8080": want a URL`}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, dir, []string{"DATABASE_URL="}, c.args...)
			if code != c.code {
				t.Fatalf("exit %d; want %d\nstdout: %.500s\nstderr: %s", code, c.code, out, errOut)
			}
			text := out
			if c.code != 0 {
				text = errOut
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%.2000s", w, text)
				}
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "taken.gpkg")); string(b) != "keep" {
		t.Errorf("a refused export changed taken.gpkg: %q", b)
	}
	for _, f := range []string{"project/shiptrack.gpkg", "project/shiptrack.qgz", "project/shiptrack-ogc.qgz", "places.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was not written: %v", f, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
}

// TestExportFromPostGIS exports the same layer from PostGIS and from the
// embedded store: the files are the same.
func TestExportFromPostGIS(t *testing.T) {
	dbURL, env := postgisCase(t)
	dir := t.TempDir()
	for _, layer := range []string{"legs", "shipments", "places", "shipment_claims"} {
		fromPostGIS, errOut, code := runCLI(t, dir, env, "export", "csv", "--db", dbURL, "--layer", layer, "--out", "-")
		if code != 0 {
			t.Fatalf("export from PostGIS: %s", errOut)
		}
		embedded, errOut, code := runCLI(t, dir, env, "export", "csv", "--layer", layer, "--out", "-")
		if code != 0 {
			t.Fatalf("export from the embedded store: %s", errOut)
		}
		if fromPostGIS != embedded || len(embedded) < 100 {
			t.Errorf("%s.csv differs between PostGIS and the embedded store:\n%.300s\n%.300s", layer, fromPostGIS, embedded)
		}
	}
}
