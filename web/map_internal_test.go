package web

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shiptrack/shiptrack/routes/gpkg"
)

func mustSub(t *testing.T) fs.FS {
	t.Helper()
	sub, err := fs.Sub(mapFiles, "map")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestMapPageSaysWhatIsMissing(t *testing.T) {
	site, err := newMapSite(fstest.MapFS{
		"index.html":                {Data: []byte("<!doctype html><title>map</title>")},
		"vendor/maplibre-gl.css":    {Data: []byte("/* css */")},
		"vendor/maplibre-gl.mjs":    {Data: []byte("export {}")},
		"vendor/countries-50m.json": {Data: []byte("{}")},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	site.index(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "./scripts/setup") {
		t.Fatalf("GET / without the vendored files = %d:\n%s", rec.Code, body)
	}
	for _, f := range []string{"vendor/maplibre-gl-worker.mjs", "vendor/topojson-client.min.js", "vendor/land-50m.json"} {
		if !strings.Contains(body, f) {
			t.Errorf("the page does not name the missing %s:\n%s", f, body)
		}
	}
	if strings.Contains(body, "vendor/maplibre-gl.css") {
		t.Errorf("the page names a file that is there:\n%s", body)
	}
}

func TestMapFiles(t *testing.T) {
	st, err := gpkg.Open(context.Background(), filepath.Join(t.TempDir(), "shiptrack.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(New(st, Options{}))
	defer srv.Close()
	get := func(path string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	site, err := newMapSite(mustSub(t))
	if err != nil {
		t.Fatal(err)
	}
	res := get("/")
	switch {
	case len(site.missing) > 0 && res.StatusCode != http.StatusServiceUnavailable:
		t.Errorf("GET / in a build without %v = %d, want 503", site.missing, res.StatusCode)
	case len(site.missing) == 0 && (res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8"):
		t.Errorf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	js := get("/map/map.js")
	if js.StatusCode != http.StatusOK || js.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || js.Header.Get("ETag") == "" {
		t.Fatalf("GET /map/map.js = %d, %s, ETag %q", js.StatusCode, js.Header.Get("Content-Type"), js.Header.Get("ETag"))
	}
	if again := get("/map/map.js", "If-None-Match", js.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("GET /map/map.js with its ETag = %d, want 304", again.StatusCode)
	}
	for _, p := range []string{"/map/nope.js", "/map/index.html", "/map/../go.mod", "/map/"} {
		if res := get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
}
