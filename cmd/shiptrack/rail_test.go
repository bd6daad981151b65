package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// railLeg is a leg's geometry kind and, for a LineString, its line.
type railLeg struct {
	Kind string
	Line [][2]float64
}

// railLegs queries the store's rail legs as GeoJSON: each leg's geometry
// kind and line, by id.
func railLegs(t *testing.T, dir string, args ...string) map[string]railLeg {
	t.Helper()
	out, errOut, code := runCLI(t, dir, nil, append([]string{"query", "legs", "--mode", "rail", "--format", "geojson"}, args...)...)
	if code != 0 {
		t.Fatalf("query: exit %d: %s", code, errOut)
	}
	var fc struct {
		Features []struct {
			ID       string
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
			Properties struct {
				GeometryKind string `json:"geometry_kind"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &fc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	legs := map[string]railLeg{}
	for _, f := range fc.Features {
		var line [][2]float64
		if f.Geometry.Type == "LineString" {
			json.Unmarshal(f.Geometry.Coordinates, &line)
		}
		legs[f.ID] = railLeg{f.Properties.GeometryKind, line}
	}
	return legs
}

// The rail leg of the bundled case loads schematic without routing, is
// modeled by remodel, and a short leg on track from an OpenStreetMap extract
// follows that track once the extract is ingested; a second ingest changes
// nothing, and a broken extract changes nothing either.
func TestIngestOSMAndRemodel(t *testing.T) {
	dir := t.TempDir()
	root := repoRoot(t)
	run := func(want int, args ...string) (string, string) {
		t.Helper()
		out, errOut, code := runCLI(t, dir, nil, args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, want, out, errOut)
		}
		return out, errOut
	}
	run(0, "ingest", "--route=false", filepath.Join(root, "testdata/najin-dunay"))
	if l := railLegs(t, dir)["nk-ru-2023-09-rail"]; l.Kind != "schematic" {
		t.Fatalf("loaded without routing, the rail leg is %s", l.Kind)
	}
	out, _ := run(0, "remodel")
	if !strings.Contains(out, "remodeled:") {
		t.Errorf("remodel said %q", out)
	}
	modeled := railLegs(t, dir)["nk-ru-2023-09-rail"]
	if modeled.Kind != "modeled" || len(modeled.Line) < 60 {
		t.Errorf("after remodel the rail leg is %s with %d points; want modeled along the network", modeled.Kind, len(modeled.Line))
	}
	if out, _ := run(0, "remodel"); !strings.Contains(out, "remodeled: 0 legs") {
		t.Errorf("a second remodel said %q", out)
	}

	doc := `{"shipments":[{"id":"local","title":"Ussuriysk to Vladivostok","status":"alleged","confidence":"low",
	  "cargo":{"description":"containers"},"sources":[{"source":"white-house-2023-10-13","claim":"c"}],
	  "legs":[{"id":"local-rail","seq":1,"mode":"rail","origin":"ussuriysk","destination":"vladivostok","depart":"2023-09-20","arrive":"2023-09-21"}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "local.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	run(0, "ingest", "local.json")
	if l := railLegs(t, dir)["local-rail"]; l.Kind != "modeled" || len(l.Line) != 5 {
		t.Errorf("before the extract the local leg is %s through %d points; want the schematic network's 5 points", l.Kind, len(l.Line))
	}

	before, _ := run(0, "query", "legs", "--format", "csv")
	bad := filepath.Join(dir, "cut.osm.pbf")
	pbf, err := os.ReadFile(filepath.Join(root, "testdata/osm/primorye-rail.osm.pbf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, pbf[:len(pbf)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut := run(1, "ingest", "cut.osm.pbf")
	if !strings.Contains(errOut, "cut.osm.pbf") || !strings.Contains(errOut, "nothing was written") {
		t.Errorf("a truncated extract said %q", errOut)
	}
	if after, _ := run(0, "query", "legs", "--format", "csv"); after != before {
		t.Errorf("a truncated extract changed the legs")
	}

	out, _ = run(0, "ingest", filepath.Join(root, "testdata/osm/primorye-rail.osm.pbf"))
	for _, want := range []string{"4 railway=rail ways", "5 rail ways new or changed", "remodeled: 1 legs of 1 shipments"} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest of the extract said %q; want %q", out, want)
		}
	}
	legs := railLegs(t, dir)
	if l := legs["local-rail"]; l.Kind != "modeled" || len(l.Line) != 12 || l.Line[8] != [2]float64{132.065, 43.323} {
		t.Errorf("after the extract the local leg is %s through %v; want the OSM track's 12 points by Ugolnaya", l.Kind, l.Line)
	}
	if l := legs["nk-ru-2023-09-rail"]; len(l.Line) != len(modeled.Line) {
		t.Errorf("the long rail leg, beyond the extract, changed")
	}
	out, _ = run(0, "ingest", filepath.Join(root, "testdata/osm/primorye-rail.osm.pbf"))
	if !strings.Contains(out, "0 rail ways new or changed") || !strings.Contains(out, "remodeled: 0 legs") {
		t.Errorf("a second ingest of the extract said %q", out)
	}
}
