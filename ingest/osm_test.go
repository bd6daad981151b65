package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

const osmFixture = "../testdata/osm/primorye-rail.osm.pbf"

func TestOSMRailReadsTheRailways(t *testing.T) {
	ways, st, err := ingest.OSMRail(context.Background(), osmFixture)
	if err != nil {
		t.Fatal(err)
	}
	want := []routes.RailWay{
		{ID: 100, Nodes: []int64{1, 2, 3, 4, 5}, Line: orb.LineString{{131.952, 43.797}, {131.96, 43.76}, {131.945, 43.72}, {131.935, 43.68}, {131.927, 43.646}}},
		{ID: 101, Nodes: []int64{5, 6, 7, 8, 9, 10, 11, 12}, Line: orb.LineString{{131.927, 43.646}, {131.96, 43.6}, {131.99, 43.52}, {132.02, 43.44}, {132.065, 43.323}, {132.032, 43.261}, {131.96, 43.18}, {131.882, 43.111}}},
		{ID: 102, Nodes: []int64{5, 20, 21}, Line: orb.LineString{{131.927, 43.646}, {131.915, 43.6}, {131.91, 43.55}}},
		// The siding is cut where its node 999 is missing.
		{ID: 105, Nodes: []int64{12, 50}, Line: orb.LineString{{131.882, 43.111}, {131.89, 43.12}}},
		{ID: 105, Part: 1, Nodes: []int64{51, 52}, Line: orb.LineString{{131.9, 43.13}, {131.91, 43.14}}},
	}
	if len(ways) != len(want) {
		t.Fatalf("got %d ways, want %d: %v", len(ways), len(want), ways)
	}
	for i := range want {
		// PBF stores coordinates to 1e-7 degrees.
		if ways[i].ID != want[i].ID || ways[i].Part != want[i].Part || !reflect.DeepEqual(ways[i].Nodes, want[i].Nodes) ||
			!near(ways[i].Line, want[i].Line) {
			t.Errorf("way %d: got %+v, want %+v", i, ways[i], want[i])
		}
	}
	if st != (ingest.OSMStats{Ways: 4, Nodes: 17, Missing: 1}) {
		t.Errorf("stats %+v", st)
	}
}

func near(a, b orb.LineString) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i].Bound().Union(b[i].Bound()); d.Max[0]-d.Min[0] > 1e-7 || d.Max[1]-d.Min[1] > 1e-7 {
			return false
		}
	}
	return true
}

func TestOSMRailRefusesBadFiles(t *testing.T) {
	good, err := os.ReadFile(osmFixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	corrupt := append([]byte(nil), good...)
	for i := len(corrupt) / 2; i < len(corrupt); i++ {
		corrupt[i] ^= 0x5a
	}
	for _, c := range []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nowhere.osm.pbf"), "no such file"},
		{"empty", write("empty.osm.pbf", nil), "it is empty"},
		{"truncated", write("truncated.osm.pbf", good[:len(good)*2/3]), "not a readable OpenStreetMap PBF file"},
		{"corrupt", write("corrupt.osm.pbf", corrupt), "OpenStreetMap PBF"},
		{"not PBF", write("text.osm.pbf", []byte(strings.Repeat("railway=rail\n", 100))), "OpenStreetMap PBF"},
		{"XML", write("xml.osm.pbf", []byte(`<?xml version="1.0"?><osm version="0.6"></osm>`)), "OpenStreetMap PBF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ways, _, err := ingest.OSMRail(context.Background(), c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
				t.Errorf("got %d ways and error %v; want an error naming %s and saying %q", len(ways), err, c.path, c.want)
			}
		})
	}
}
