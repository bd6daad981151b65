package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/storetest"
	"github.com/shiptrack/shiptrack/web"
)

// Real GIS clients against /ogc on a real server on loopback: GDAL's OAPIF
// driver (ogrinfo, ogr2ogr) and QGIS's OAPIF provider through PyQGIS. Each
// collection served holds more features than a client's page, so the clients
// must follow next links to get them all.

// clientServer serves a generated dataset larger than one page from a fresh
// store, counting the items requests it answers.
func clientServer(t *testing.T, open func(t *testing.T) routes.Store) (*httptest.Server, *storetest.Generated, *atomic.Int64) {
	t.Helper()
	s := open(t)
	g := loadGenerated(t, s, 20230912, storetest.Sizes{Places: 40, Vessels: 8, Shipments: 150, Positions: 2500})
	h := web.New(s, web.Options{})
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/items") {
			pages.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, g, &pages
}

// need finds a client program or fails: the set-up script installs them.
func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (./scripts/setup installs it): %v", name, err)
	}
	return p
}

func run(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, need(t, name), args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

func legIDs(g *storetest.Generated) []string {
	var ids []string
	for _, s := range g.Batch.Shipments {
		for _, l := range s.Legs {
			ids = append(ids, l.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestGDAL lists every collection with ogrinfo and copies whole collections
// with ogr2ogr, which pages through them by their next links.
func TestGDAL(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv, g, pages := clientServer(t, open)
		ds := "OAPIF:" + srv.URL + "/ogc"

		out := string(run(t, nil, "ogrinfo", "-ro", ds))
		for _, c := range routes.Collections {
			if !strings.Contains(out, ": "+c.Name+" (title: "+c.Title+")") {
				t.Errorf("ogrinfo does not list %s:\n%s", c.Name, out)
			}
		}
		out = string(run(t, nil, "ogrinfo", "-ro", "-so", ds, "legs"))
		for _, want := range []string{"Geometry: Multi Line String", "start: DateTime", "end: DateTime", "seq: Integer",
			"length_km: Real", "TEMPORAL_INTERVAL_MIN="} {
			if !strings.Contains(out, want) {
				t.Errorf("ogrinfo -so legs lacks %q:\n%s", want, out)
			}
		}

		dir := t.TempDir()
		before := pages.Load()
		legs := filepath.Join(dir, "legs.geojson")
		run(t, nil, "ogr2ogr", "-f", "GeoJSON", legs, ds, "legs")
		got := geojsonIDs(t, legs)
		slices.Sort(got)
		if want := legIDs(g); !slices.Equal(got, want) {
			t.Errorf("ogr2ogr copied %d legs; the store holds %d", len(got), len(want))
		}
		if n := pages.Load() - before; n < 2 {
			t.Errorf("ogr2ogr read the legs in %d page(s); the test needs it to page", n)
		}

		positions := filepath.Join(dir, "positions.geojson")
		run(t, nil, "ogr2ogr", "-oo", "PAGE_SIZE=1000", "-f", "GeoJSON", positions, ds, "positions")
		if got := geojsonIDs(t, positions); len(got) != len(g.Positions) {
			t.Errorf("ogr2ogr copied %d positions of %d", len(got), len(g.Positions))
		}
	})
}

func geojsonIDs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct{ ID string }
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.Properties.ID)
	}
	return ids
}

// TestQGIS loads the legs in QGIS through its OAPIF provider, headless, as a
// QGIS user adding the connection would.
func TestQGIS(t *testing.T) {
	srv, g, pages := clientServer(t, openGPKG)
	out := run(t, []string{"QT_QPA_PLATFORM=offscreen", "XDG_RUNTIME_DIR=" + t.TempDir()},
		"/usr/bin/python3", filepath.Join("testdata", "qgis_load.py"), srv.URL+"/ogc", "legs")
	line := out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:]
	var layer struct {
		Valid        bool
		FeatureCount int
		Fields       map[string]string
		GeometryType int
		Fetched      int
		Distinct     int
	}
	if err := json.Unmarshal(line, &layer); err != nil {
		t.Fatalf("QGIS printed %q: %v", out, err)
	}
	want := len(legIDs(g))
	if !layer.Valid || layer.FeatureCount != want || layer.Fetched != want || layer.Distinct != want {
		t.Errorf("QGIS loaded %+v; want a valid layer of %d features", layer, want)
	}
	for name, typ := range map[string]string{"start": "DateTime", "end": "DateTime", "depart_earliest": "DateTime",
		"seq": "Integer", "length_km": "Real", "mode": "String"} {
		if layer.Fields[name] != typ {
			t.Errorf("QGIS field %s is %q; want %s (fields %v)", name, layer.Fields[name], typ, layer.Fields)
		}
	}
	const multiLineString = 5 // QgsWkbTypes.MultiLineString
	if layer.GeometryType != multiLineString {
		t.Errorf("QGIS geometry type %d; want MultiLineString (5)", layer.GeometryType)
	}
	if pages.Load() < 2 {
		t.Errorf("QGIS read the legs in %d page(s); the test needs it to page", pages.Load())
	}
}
