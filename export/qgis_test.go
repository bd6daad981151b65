package export_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/export"
	"github.com/shiptrack/shiptrack/internal/gistest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
)

// outDir is where a test's renders are kept for a person to look at: out/
// at the top of the repository, which git ignores.
func outDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "out", "qgis", t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// modeColors are the colours the renders look for along the legs.
var modeColors = map[string]string{"sea": export.SeaColor, "rail": export.RailColor}

// The views the renders look at: around the Najin–Dunay sea legs, and the
// project's own, which holds the rail leg to Tikhoretsk.
const (
	seaView     = "129,41.2,133.5,43.9"
	projectView = "project"
)

// TestQGISProject opens the exported project in QGIS, from a directory it
// was moved to, and checks what a QGIS user gets: every layer loads with
// every feature, styled, with the temporal controller on start and end; the
// map at 10 September 2023 shows the sea leg and not yet the rail leg, the
// map at 1 August 2023 shows neither, the map at 20 September the rail leg.
func TestQGISProject(t *testing.T) {
	st := gpkgStore(t)
	made := filepath.Join(t.TempDir(), "made")
	sum, err := export.QGISDir(context.Background(), st, made, false, export.QGISOptions{OGCAPI: "http://127.0.0.1:8080/ogc"})
	if err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(t.TempDir(), "moved elsewhere")
	if err := os.Rename(made, moved); err != nil {
		t.Fatal(err)
	}
	rep := gistest.Check(t, filepath.Join(moved, export.ProjectFile), outDir(t), modeColors,
		gistest.View{Name: "sea-2023-09-10", Date: "2023-09-10", View: seaView},
		gistest.View{Name: "sea-2023-08-01", Date: "2023-08-01", View: seaView},
		gistest.View{Name: "all-2023-09-10", Date: "2023-09-10", View: projectView},
		gistest.View{Name: "all-2023-09-20", Date: "2023-09-20", View: projectView},
	)
	checkReport(t, rep, st, sum, "/moved elsewhere/")
	checkRenders(t, rep)
	checkOGCProject(t, filepath.Join(moved, export.OGCProjectFile), "http://127.0.0.1:8080/ogc")
}

// checkReport checks a report against the store and the export's summary;
// the GeoPackage lies in a directory whose path ends in dir.
func checkReport(t *testing.T, rep gistest.Report, st routes.Store, sum export.Summary, dir string) {
	t.Helper()
	counts := storeCounts(t, st)
	if rep.CRS != "EPSG:4326" || rep.AbsolutePaths {
		t.Errorf("CRS %s, absolute paths %v; want EPSG:4326 and relative paths", rep.CRS, rep.AbsolutePaths)
	}
	seen := map[string]bool{}
	for _, l := range rep.Layers {
		seen[l.Name] = true
		layer, ok := export.LayerNamed(l.Name)
		switch {
		case !ok:
			t.Errorf("the project has a layer %q the export does not", l.Name)
			continue
		case !l.Valid:
			t.Errorf("layer %s is not valid in QGIS: %s", l.Name, l.Source)
			continue
		case l.Count != counts[l.Name]:
			t.Errorf("layer %s: QGIS counts %d features; the store has %d", l.Name, l.Count, counts[l.Name])
		}
		if l.Provider != "ogr" || !strings.HasSuffix(l.Source, dir+export.GeoPackageFile+"|layername="+l.Name) {
			t.Errorf("layer %s: %s %s; want the GeoPackage beside the project", l.Name, l.Provider, l.Source)
		}
		tp := l.Temporal
		if layer.Temporal != tp.Active || (tp.Active && (!tp.StartAndEndFields || tp.Start != "start" || tp.End != "end")) {
			t.Errorf("layer %s: temporal %+v; want active on start and end: %v", l.Name, tp, layer.Temporal)
		}
		if layer.Temporal && (l.Fields["start"] != "QDateTime" || l.Fields["end"] != "QDateTime") {
			t.Errorf("layer %s: start and end are %s and %s, not QDateTime", l.Name, l.Fields["start"], l.Fields["end"])
		}
		if layer.Geometry != "" && l.Style.Type == "" {
			t.Errorf("layer %s has no renderer", l.Name)
		}
	}
	for _, l := range export.Layers {
		if !seen[l.Name] {
			t.Errorf("the project lacks layer %s", l.Name)
		}
	}
	if want := []string{"places", "observations", "positions", "gaps", "tracks", "legs", "shipments"}; !slices.Equal(rep.Tree[:len(want)], want) {
		t.Errorf("drawing order %v; want %v first", rep.Tree, want)
	}
	if len(rep.Relations) != 5 {
		t.Errorf("relations %v; want the claims, sources and shipments related", rep.Relations)
	}

	// The time range and the controller on the data's span, animated.
	iso := func(tm time.Time) string { return tm.UTC().Format("2006-01-02T15:04:05Z") }
	if rep.TimeRange != [2]string{iso(sum.Start), iso(sum.End)} || sum.Start.IsZero() {
		t.Errorf("project time range %v; the data spans %v to %v", rep.TimeRange, sum.Start, sum.End)
	}
	if rep.NavigationMode == nil || *rep.NavigationMode != 1 || !strings.HasPrefix(rep.ControllerRange[0], iso(sum.Start)[:19]) {
		t.Errorf("temporal controller: mode %v, range %v; want animated (1) over the data", rep.NavigationMode, rep.ControllerRange)
	}
	// The view holds all the data.
	b := sum.Bound
	if e := rep.Extent; e[0] > b.Min[0] || e[1] > b.Min[1] || e[2] < b.Max[0] || e[3] < b.Max[1] || e[2]-e[0] > 2*(b.Max[0]-b.Min[0]) {
		t.Errorf("project view %v; the data lies in %v", rep.Extent, b)
	}
	checkStyles(t, rep)
}

// checkStyles checks what a reader of the map tells apart: sea from rail,
// modeled and schematic (dashed) from observed (solid), ports from depots,
// and that ports and depots are labelled.
func checkStyles(t *testing.T, rep gistest.Report) {
	t.Helper()
	for _, l := range rep.Layers {
		switch l.Name {
		case "legs":
			colour := map[string]string{}
			dashed := map[string]bool{}
			for _, r := range l.Style.Rules {
				mode, kind, _ := strings.Cut(r.Label, ", ")
				colour[mode] = r.Symbol.Props["line_color"]
				dashed[kind] = r.Symbol.Props["use_custom_dash"] == "1" || r.Symbol.Props["line_style"] != "solid"
			}
			if l.Style.Type != "RuleRenderer" || colour["sea"] == "" || colour["sea"] == colour["rail"] {
				t.Errorf("legs: %s with sea %q and rail %q; want a rule per mode, sea and rail distinct", l.Style.Type, colour["sea"], colour["rail"])
			}
			if !strings.HasPrefix(colour["sea"], export.SeaColor+",") || !strings.HasPrefix(colour["rail"], export.RailColor+",") {
				t.Errorf("legs: sea %s, rail %s", colour["sea"], colour["rail"])
			}
			if !dashed["modeled"] || !dashed["schematic"] || dashed["observed"] {
				t.Errorf("legs: dashed %v; want modeled and schematic dashed, observed solid", dashed)
			}
		case "places":
			shape := map[string]string{}
			for _, c := range l.Style.Categories {
				shape[c.Value] = c.Symbol.Props["name"] + " " + c.Symbol.Props["color"]
			}
			if l.Style.Type != "categorizedSymbol" || l.Style.Field != "kind" || shape["port"] == "" || shape["port"] == shape["depot"] {
				t.Errorf("places: %s on %q, %v; want categories by kind, ports and depots distinct", l.Style.Type, l.Style.Field, shape)
			}
			labelled := ""
			for _, lb := range l.Labels {
				if lb.Field == "name" {
					labelled += lb.Filter
				}
			}
			if !strings.Contains(labelled, "'port'") || !strings.Contains(labelled, "'depot'") {
				t.Errorf("places: labels %v; want ports and depots labelled with their names", l.Labels)
			}
		}
	}
}

// checkRenders checks the maps QGIS drew through the temporal controller.
func checkRenders(t *testing.T, rep gistest.Report) {
	t.Helper()
	seen := func(name, mode string) (bool, string) {
		r, ok := rep.Find(name)
		if !ok {
			t.Fatalf("no render %s", name)
		}
		h := r.Hits[mode]
		if h.Samples == 0 {
			t.Fatalf("%s: no point of a %s leg lies in the view", name, mode)
		}
		// A dashed line is coloured along a good part of its length.
		return h.Matched*10 >= h.Samples, fmt.Sprintf("%d of %d points along the %s legs in its colour (%s)", h.Matched, h.Samples, mode, r.PNG)
	}
	for _, c := range []struct {
		render, mode string
		shown        bool
	}{
		{"sea-2023-09-10", "sea", true},
		{"sea-2023-08-01", "sea", false},
		{"all-2023-09-10", "rail", false},
		{"all-2023-09-20", "rail", true},
	} {
		if shown, detail := seen(c.render, c.mode); shown != c.shown {
			t.Errorf("%s: the %s leg shown %v, want %v: %s", c.render, c.mode, shown, c.shown, detail)
		}
	}
	for _, r := range rep.Renders {
		if h := r.Hits["sea"]; r.Date == "2023-08-01" && h.Matched != 0 {
			t.Errorf("%s: %d sea-coloured points before any sea leg", r.PNG, h.Matched)
		}
	}
}

// checkOGCProject reads the live project's XML: every layer with geometry,
// on the OAPIF provider, at the server's /ogc, with its collection as the
// typename and the same temporal set-up.
func checkOGCProject(t *testing.T, path, base string) {
	t.Helper()
	qgs := gistest.ReadQGS(t, path)
	var doc struct {
		Layers []struct {
			Name       string `xml:"layername"`
			Provider   string `xml:"provider"`
			Datasource string `xml:"datasource"`
			Temporal   struct {
				Enabled string `xml:"enabled,attr"`
				Start   string `xml:"startField,attr"`
			} `xml:"temporal"`
		} `xml:"projectlayers>maplayer"`
	}
	if err := xml.Unmarshal(qgs, &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range doc.Layers {
		names = append(names, l.Name)
		if l.Provider != "OAPIF" || !strings.Contains(l.Datasource, "url='"+base+"'") ||
			!strings.Contains(l.Datasource, "typename='"+l.Name+"'") {
			t.Errorf("live layer %s: %s %s", l.Name, l.Provider, l.Datasource)
		}
		if layer, _ := export.LayerNamed(l.Name); layer.Temporal && (l.Temporal.Enabled != "1" || l.Temporal.Start != "start") {
			t.Errorf("live layer %s: temporal %+v", l.Name, l.Temporal)
		}
	}
	if want := []string{"places", "observations", "positions", "gaps", "tracks", "legs", "shipments"}; !slices.Equal(names, want) {
		t.Errorf("live layers %v; want %v", names, want)
	}
}

// TestProjectEscapes makes a project from data whose text is hostile to
// XML: the file still parses, and the text comes back as it was.
func TestProjectEscapes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	base := `http://example.org/a'b"c<d>&e/ogc`
	if _, err := export.QGISDir(context.Background(), gpkgStore(t), dir, false, export.QGISOptions{OGCAPI: base}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Layers []struct {
			Datasource string `xml:"datasource"`
		} `xml:"projectlayers>maplayer"`
		Title string `xml:"title"`
	}
	if err := xml.Unmarshal(gistest.ReadQGS(t, filepath.Join(dir, export.OGCProjectFile)), &doc); err != nil {
		t.Fatalf("the project is not XML: %v", err)
	}
	if !strings.Contains(doc.Title, base) || !strings.Contains(doc.Layers[0].Datasource, `url='http://example.org/a\'b"c<d>&e/ogc'`) {
		t.Errorf("title %q, source %q", doc.Title, doc.Layers[0].Datasource)
	}
}

// TestQGISEmptyStore exports a store with nothing in it: the project still
// opens, every layer valid and empty, framed on the world, with no time
// range to animate.
func TestQGISEmptyStore(t *testing.T) {
	st, err := gpkg.Open(context.Background(), filepath.Join(t.TempDir(), "empty.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := filepath.Join(t.TempDir(), "empty")
	sum, err := export.QGISDir(context.Background(), st, dir, false, export.QGISOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out := gistest.ValidateGPKG(t, filepath.Join(dir, export.GeoPackageFile)); out != "" {
		t.Errorf("validate_gpkg.py on an empty export:\n%s", out)
	}
	rep := gistest.Check(t, filepath.Join(dir, export.ProjectFile), outDir(t), nil)
	for _, l := range rep.Layers {
		if !l.Valid || l.Count != 0 {
			t.Errorf("layer %s: valid %v, %d features", l.Name, l.Valid, l.Count)
		}
	}
	if len(rep.Layers) != len(export.Layers) || !sum.Empty || rep.NavigationMode != nil || rep.Extent != [4]float64{-180, -90, 180, 90} {
		t.Errorf("%d layers, summary empty %v, navigation %v, view %v", len(rep.Layers), sum.Empty, rep.NavigationMode, rep.Extent)
	}
}
