package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/export"
	"github.com/shiptrack/shiptrack/internal/gistest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is meant):\n%s", name, firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\ngot:  " + la[i] + "\nwant: " + lb[i]
		}
	}
	return "lengths differ"
}

// TestTextGolden pins the wire formats of the GeoJSON and CSV downloads on
// the bundled case's legs and places.
func TestTextGolden(t *testing.T) {
	st := gpkgStore(t)
	for _, c := range []struct{ layer, format string }{
		{"legs", "geojson"}, {"places", "csv"}, {"leg_claims", "csv"}, {"gaps", "geojson"},
	} {
		t.Run(c.layer+"."+c.format, func(t *testing.T) {
			l, _ := export.LayerNamed(c.layer)
			var b bytes.Buffer
			if err := export.Formats[c.format](context.Background(), st, l, &b); err != nil {
				t.Fatal(err)
			}
			golden(t, c.layer+"."+c.format, b.Bytes())
		})
	}
}

// TestTextAsGDALReadsIt hands every layer, in both text formats, to
// ogrinfo: it must find every row, the CSV's wkt column as the geometry,
// and the GeoJSON's start and end as times.
func TestTextAsGDALReadsIt(t *testing.T) {
	ogrinfo := gistest.Tool(t, "ogrinfo")
	st := gpkgStore(t)
	want := storeCounts(t, st)
	dir := t.TempDir()
	for _, l := range export.Layers {
		for format, write := range export.Formats {
			path := filepath.Join(dir, l.Name+"."+format)
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := write(context.Background(), st, l, f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			// GDAL's CSV driver takes a column named wkt as the geometry.
			args := []string{"-ro", "-so", "-al", path}
			if format == "csv" {
				args = []string{"-ro", "-so", "-al", "-oo", "AUTODETECT_TYPE=YES", path}
			}
			out, err := exec.Command(ogrinfo, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo %s: %v\n%s", path, err, out)
			}
			m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(out))
			if m == nil || m[1] != strconv.Itoa(want[l.Name]) {
				t.Errorf("%s.%s: ogrinfo counts %v; the store has %d\n%s", l.Name, format, m, want[l.Name], out)
			}
			// GDAL reads geometries from either format; a CSV declares no
			// type, a GeoJSON layer has the one type of its features.
			geometry := regexp.MustCompile(`(?m)^Geometry: (.+)$`).FindStringSubmatch(string(out))
			hasExtent := strings.Contains(string(out), "\nExtent: (")
			wantType := map[string]string{"POINT": "Point", "LINESTRING": "Line String", "MULTILINESTRING": "Multi Line String"}[l.Geometry]
			switch {
			case l.Geometry == "" && hasExtent:
				t.Errorf("%s.%s: a table without geometry has an extent:\n%s", l.Name, format, out)
			case l.Geometry != "" && !hasExtent:
				t.Errorf("%s.%s: ogrinfo reads no geometries:\n%s", l.Name, format, out)
			case l.Geometry != "" && format == "geojson" && (geometry == nil || geometry[1] != wantType):
				t.Errorf("%s.%s: geometry type %v; want %s", l.Name, format, geometry, wantType)
			}
			if l.Temporal && !strings.Contains(string(out), "start: DateTime") {
				t.Errorf("%s.%s: start is not read as a DateTime:\n%s", l.Name, format, out)
			}
		}
	}
}

// TestGeoJSONIsRFC7946 parses a layer back: a FeatureCollection whose
// features have ids, geometries and the layer's fields as properties.
func TestGeoJSONIsRFC7946(t *testing.T) {
	st := gpkgStore(t)
	l, _ := export.LayerNamed("positions")
	var b bytes.Buffer
	if err := export.GeoJSON(context.Background(), st, l, &b); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type       string
			ID         string
			Geometry   struct{ Type string }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(b.Bytes(), &fc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != storeCounts(t, st)["positions"] {
		t.Fatalf("type %q with %d features", fc.Type, len(fc.Features))
	}
	f := fc.Features[0]
	if f.ID != mmsi+"@2023-09-08T00:00:00Z" || f.Geometry.Type != "Point" || f.Properties["start"] != "2023-09-08T00:00:00Z" ||
		f.Properties["sog"] != 11.5 || f.Properties["heading"] != 74.0 {
		t.Errorf("first position = %+v", f)
	}
	if fc.Features[1].Properties["heading"] != nil {
		t.Errorf("a position without heading has %v", fc.Features[1].Properties["heading"])
	}
}

// TestCSVRoundTrips reads a CSV download back: a header, then one record a
// row, every record as wide as the header, quotes and commas in notes kept.
func TestCSVRoundTrips(t *testing.T) {
	st := gpkgStore(t)
	l, _ := export.LayerNamed("legs")
	var b bytes.Buffer
	if err := export.CSV(context.Background(), st, l, &b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != storeCounts(t, st)["legs"]+1 || recs[0][len(recs[0])-1] != "wkt" {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	for _, r := range recs[1:] {
		if !strings.HasPrefix(r[len(r)-1], "MULTILINESTRING((") {
			t.Errorf("%s: wkt %.40q", r[0], r[len(r)-1])
		}
	}
}
