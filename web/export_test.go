package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/export"
	"github.com/shiptrack/shiptrack/internal/gistest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// TestExportDownloads fetches every download over loopback from both
// stores: the right type and file name, caching headers, and the content
// of the store.
func TestExportDownloads(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		st := open(t)
		load(t, st, fixture())
		srv := serve(t, st, web.Options{})

		res := get(t, srv, "/export/shiptrack.gpkg")
		checkDownload(t, res, "application/geopackage+sqlite3", "shiptrack.gpkg")
		if !bytes.HasPrefix(res.body, []byte("SQLite format 3\x00")) {
			t.Fatalf("the GeoPackage is not SQLite: %.40q", res.body)
		}
		path := filepath.Join(t.TempDir(), "download.gpkg")
		os.WriteFile(path, res.body, 0o644)
		if out := gistest.ValidateGPKG(t, path); out != "" {
			t.Errorf("validate_gpkg.py on the download:\n%s", out)
		}

		legs := get(t, srv, "/export/legs.geojson")
		checkDownload(t, legs, "application/geo+json", "legs.geojson")
		var fc collection
		if err := json.Unmarshal(legs.body, &fc); err != nil {
			t.Fatalf("legs.geojson: %v", err)
		}
		api := getCollection(t, srv, "/api/legs?limit=1000")
		if got, want := sorted(fc.ids()), sorted(api.ids()); !slices.Equal(got, want) {
			t.Errorf("legs.geojson has %v; /api/legs has %v", got, want)
		}
		if f := fc.Features[0]; f.Properties["start"] == nil || f.Properties["geometry_kind"] == nil || f.Geometry["type"] != "MultiLineString" {
			t.Errorf("a leg in the download: %v %v", f.Geometry["type"], f.Properties)
		}

		places := get(t, srv, "/export/places.csv")
		checkDownload(t, places, "text/csv; charset=utf-8", "places.csv")
		recs, err := csv.NewReader(bytes.NewReader(places.body)).ReadAll()
		if err != nil || len(recs) != len(fixture().Places)+1 || recs[0][0] != "id" || recs[0][len(recs[0])-1] != "wkt" {
			t.Errorf("places.csv: %d records (%v), header %v", len(recs), err, recs[0])
		}
	})
}

// checkDownload checks the headers every download carries.
func checkDownload(t *testing.T, res response, contentType, filename string) {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("%s: %d %s", filename, res.status, res.body)
	}
	h := res.header
	if h.Get("Content-Type") != contentType {
		t.Errorf("%s: Content-Type %q, want %q", filename, h.Get("Content-Type"), contentType)
	}
	if h.Get("Content-Disposition") != "attachment; filename="+filename {
		t.Errorf("%s: Content-Disposition %q", filename, h.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(h.Get("ETag"), `W/"`) || !strings.HasPrefix(h.Get("Cache-Control"), "public, max-age=") {
		t.Errorf("%s: ETag %q, Cache-Control %q", filename, h.Get("ETag"), h.Get("Cache-Control"))
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// TestExportCaching checks conditional requests: a client holding the
// current download gets 304, a change to the store changes the ETag, a
// HEAD answers without the file being made, a range resumes a download.
func TestExportCaching(t *testing.T) {
	st := openGPKG(t)
	load(t, st, fixture())
	srv := serve(t, st, web.Options{})
	for _, path := range []string{"/export/shiptrack.gpkg", "/export/qgis.zip", "/export/legs.csv", "/export/positions.geojson"} {
		first := get(t, srv, path)
		etag := first.header.Get("ETag")
		res := request(t, srv, http.MethodGet, path, http.Header{"If-None-Match": {etag}})
		if res.status != http.StatusNotModified || len(res.body) != 0 {
			t.Errorf("%s with If-None-Match %s: %d, %d bytes; want 304 and none", path, etag, res.status, len(res.body))
		}
		if again := get(t, srv, path); again.header.Get("ETag") != etag {
			t.Errorf("%s: ETag %s then %s for the same store", path, etag, again.header.Get("ETag"))
		}
		head := request(t, srv, http.MethodHead, path, nil)
		if head.status != http.StatusOK || head.header.Get("ETag") != etag || len(head.body) != 0 {
			t.Errorf("HEAD %s: %d, ETag %q", path, head.status, head.header.Get("ETag"))
		}
	}
	before := get(t, srv, "/export/legs.csv").header.Get("ETag")
	doc := fixture()
	doc.Shipments[0].Title = "First reported delivery, revised"
	load(t, st, doc)
	if after := get(t, srv, "/export/legs.csv").header.Get("ETag"); after == before {
		t.Errorf("the ETag %s did not change when a shipment did", after)
	}
	full := get(t, srv, "/export/shiptrack.gpkg")
	part := request(t, srv, http.MethodGet, "/export/shiptrack.gpkg", http.Header{"Range": {"bytes=100-199"}})
	if part.status != http.StatusPartialContent || !bytes.Equal(part.body, full.body[100:200]) {
		t.Errorf("a range of the GeoPackage: %d, %d bytes", part.status, len(part.body))
	}
}

func TestExportBadRequests(t *testing.T) {
	st := openGPKG(t)
	load(t, st, fixture())
	srv := serve(t, st, web.Options{})
	for _, c := range []struct {
		method, path string
		status       int
		param        string
	}{
		{"GET", "/export/boats.csv", 404, "id"},
		{"GET", "/export/legs.shp", 404, "id"},
		{"GET", "/export/legs", 404, "id"},
		{"GET", "/export/legs.csv?bbox=1,2,3,4", 400, "bbox"},
		{"GET", "/export/shiptrack.gpkg?force=1", 400, "force"},
		{"POST", "/export/qgis.zip", 405, ""},
	} {
		res := do(t, srv, c.method, c.path)
		if res.status != c.status || res.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %s; want %d problem", c.method, c.path, res.status, res.header.Get("Content-Type"), c.status)
			continue
		}
		var p struct{ Parameter string }
		json.Unmarshal(res.body, &p)
		if p.Parameter != c.param {
			t.Errorf("%s %s: parameter %q; want %q", c.method, c.path, p.Parameter, c.param)
		}
	}
}

// TestExportQGISZip downloads the QGIS export and opens its project in
// QGIS: every layer loads, with every feature of the store; the live
// project points at this server's OGC API. When this server serves OGC API
// Features, QGIS opens the live project too and finds the same layers.
func TestExportQGISZip(t *testing.T) {
	st := openGPKG(t)
	load(t, st, fixture())
	srv := serve(t, st, web.Options{})
	res := get(t, srv, "/export/qgis.zip")
	checkDownload(t, res, "application/zip", "shiptrack-qgis.zip")
	dir := t.TempDir()
	zr, err := zip.NewReader(bytes.NewReader(res.body), int64(len(res.body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f.Name)), 0o755)
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		os.WriteFile(filepath.Join(dir, f.Name), b, 0o644)
	}
	want := []string{"shiptrack/shiptrack.gpkg", "shiptrack/shiptrack.qgz", "shiptrack/shiptrack-ogc.qgz"}
	if !slices.Equal(names, want) {
		t.Fatalf("the zip holds %v; want %v", names, want)
	}

	out, _ := filepath.Abs(filepath.Join("..", "out", "qgis", t.Name()))
	rep := gistest.Check(t, filepath.Join(dir, "shiptrack", "shiptrack.qgz"), out, nil)
	counts := map[string]int{}
	for _, l := range export.Layers {
		n := 0
		for _, err := range l.Rows(context.Background(), st) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		counts[l.Name] = n
	}
	if len(rep.Layers) != len(export.Layers) {
		t.Errorf("QGIS loaded %d layers; the export has %d", len(rep.Layers), len(export.Layers))
	}
	for _, l := range rep.Layers {
		if !l.Valid || l.Count != counts[l.Name] {
			t.Errorf("layer %s: valid %v, %d features; the store has %d", l.Name, l.Valid, l.Count, counts[l.Name])
		}
	}

	live := filepath.Join(dir, "shiptrack", "shiptrack-ogc.qgz")
	var project struct {
		Layers []struct {
			Provider   string `xml:"provider"`
			Datasource string `xml:"datasource"`
		} `xml:"projectlayers>maplayer"`
	}
	if err := xml.Unmarshal(gistest.ReadQGS(t, live), &project); err != nil {
		t.Fatal(err)
	}
	for _, l := range project.Layers {
		if l.Provider != "OAPIF" || !strings.Contains(l.Datasource, "url='"+srv.URL+"/ogc'") {
			t.Errorf("a live layer is %s %s; want OAPIF on %s/ogc", l.Provider, l.Datasource, srv.URL)
		}
	}
	if get(t, srv, "/ogc/collections").status != http.StatusOK {
		t.Log("this server has no OGC API Features yet; the live project was not opened")
		return
	}
	rep = gistest.Check(t, live, out, nil)
	for _, l := range rep.Layers {
		if !l.Valid || l.Count != counts[l.Name] {
			t.Errorf("live layer %s: valid %v, %d features; the store has %d", l.Name, l.Valid, l.Count, counts[l.Name])
		}
		if layer, _ := export.LayerNamed(l.Name); layer.Temporal != l.Temporal.Active || (layer.Temporal && l.Temporal.Start != "start") {
			t.Errorf("live layer %s: temporal %+v; want active on start and end: %v", l.Name, l.Temporal, layer.Temporal)
		}
	}
}
