package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// The map at / is a page of the binary's own: its script, its style and,
// under vendor/, MapLibre GL JS and the Natural Earth basemap, which
// scripts/setup copies from node_modules before the build embeds them.
//
//go:embed map
var mapFiles embed.FS

// vendorFiles are the files the page cannot work without that a build
// takes from node_modules.
var vendorFiles = []string{
	"vendor/maplibre-gl.mjs", "vendor/maplibre-gl-worker.mjs", "vendor/maplibre-gl.css",
	"vendor/topojson-client.min.js", "vendor/land-50m.json", "vendor/countries-50m.json",
}

// staticTypes are the media types of the map's files; module scripts must
// be served as JavaScript.
var staticTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".md":   "text/markdown; charset=utf-8",
}

// staticFile is one of the map's files, ready to serve.
type staticFile struct {
	body  []byte
	etag  string
	ctype string
}

// mapSite serves the map page and its files.
type mapSite struct {
	files   map[string]staticFile
	missing []string
}

// newMapSite reads the map's files from fsys, whose root holds index.html.
func newMapSite(fsys fs.FS) (*mapSite, error) {
	m := &mapSite{files: map[string]staticFile{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := staticTypes[path.Ext(p)]
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		m.files[p] = staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the map's files: %w", err)
	}
	for _, f := range vendorFiles {
		if _, ok := m.files[f]; !ok {
			m.missing = append(m.missing, f)
		}
	}
	return m, nil
}

// mapRoutes mounts the page at / and its files under /map/.
func (s *server) mapRoutes(r chi.Router) {
	sub, err := fs.Sub(mapFiles, "map")
	if err != nil { // "map" is embedded above; fs.Sub fails only on a bad name
		panic(err)
	}
	site, err := newMapSite(sub)
	if err != nil { // an embed.FS is in memory: it cannot fail to read
		panic(err)
	}
	r.Group(func(r chi.Router) {
		r.Use(middleware.Compress(5, "text/html", "text/javascript", "text/css", "application/json"))
		r.Get("/", site.index)
		r.Get("/map/*", site.file)
	})
}

// index serves the page, or, in a build made without its vendored files,
// a page that says which are missing and how to get them.
func (m *mapSite) index(w http.ResponseWriter, r *http.Request) {
	if len(m.missing) > 0 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, missingPage, html.EscapeString(strings.Join(m.missing, ", ")))
		return
	}
	m.serve(w, r, "index.html")
}

const missingPage = `<!doctype html>
<meta charset="utf-8">
<title>shiptrack: the map's assets are missing</title>
<h1>The map's assets are missing from this build</h1>
<p>This binary was built without the map's vendored files (%s).
Run <code>./scripts/setup</code>, which copies MapLibre GL JS and the Natural Earth basemap
from <code>node_modules</code> into <code>web/map/vendor/</code> and rebuilds <code>./shiptrack</code>.</p>
<p>The API works without them: <a href="/api/shipments">/api/shipments</a>.</p>
`

// file serves one file under /map/.
func (m *mapSite) file(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "*")
	if _, ok := m.files[name]; !ok || name == "index.html" {
		notFound(w, r)
		return
	}
	m.serve(w, r, name)
}

// serve sends a file with its ETag; clients revalidate before every use,
// so a new build's files are picked up at once.
func (m *mapSite) serve(w http.ResponseWriter, r *http.Request, name string) {
	f := m.files[name]
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}
