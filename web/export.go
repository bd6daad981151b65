package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shiptrack/shiptrack/export"
)

// The downloads:
//
//	GET /export/shiptrack.gpkg       every layer in one GeoPackage
//	GET /export/qgis.zip             the GeoPackage, a QGIS project on it, and
//	                                 a QGIS project on this server's /ogc
//	GET /export/{layer}.geojson      one layer, streamed as it is read
//	GET /export/{layer}.csv          one layer, the geometry as WKT
//
// Every download carries a weak ETag, the fingerprint of the store's
// contents (export.Fingerprint), so that a cache or a client holding a copy
// is answered 304 without the export being made again; Cache-Control lets a
// CDN keep it for exportMaxAge. Downloads take no parameters and have no
// time bound but the client's patience: a large GeoPackage takes as long as
// it takes.

// exportMaxAge is how long a cache may serve a download without asking.
const exportMaxAge = 60 * time.Second

// exportRoutes mounts the downloads under /export.
func (s *server) exportRoutes(r chi.Router) {
	r.Get("/shiptrack.gpkg", s.download(s.exportGeoPackage))
	r.Get("/qgis.zip", s.download(s.exportQGIS))
	r.Get("/{file}", s.download(s.exportLayer))
}

// download serves a download; a failure before the body is answered as a
// problem without the download's headers, so that no cache keeps it.
func (s *server) download(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if err != nil {
			for _, k := range []string{"ETag", "Cache-Control", "Content-Disposition", "Content-Type"} {
				w.Header().Del(k)
			}
		}
		return err
	})
}

// exportHeaders checks that the request has no parameters, sets the
// caching headers and the file name, and reports whether the client's copy
// is current, in which case a 304 has been sent. salt sets apart downloads
// whose content depends on more than the store.
func (s *server) exportHeaders(w http.ResponseWriter, r *http.Request, name, contentType, salt string) (done bool, err error) {
	if _, err := parseQuery(r.Context(), s.store, r.URL.RawQuery); err != nil {
		return false, err
	}
	fp, err := export.Fingerprint(r.Context(), s.store)
	if err != nil {
		return false, fmt.Errorf("fingerprint the store: %w", err)
	}
	sum := sha256.Sum256([]byte(fp + "\x00" + salt))
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(exportMaxAge.Seconds())))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return true, nil
	}
	h.Set("Content-Type", contentType)
	if r.Method == http.MethodHead {
		return true, nil // the headers say all a HEAD asks; the file is not made
	}
	return false, nil
}

// exportGeoPackage builds the GeoPackage in a temporary file, then serves
// it; SQLite cannot write to a network stream. Ranges are served, so an
// interrupted download of a large file resumes.
func (s *server) exportGeoPackage(w http.ResponseWriter, r *http.Request) error {
	if done, err := s.exportHeaders(w, r, export.GeoPackageFile, "application/geopackage+sqlite3", ""); done || err != nil {
		return err
	}
	path, _, cleanup, err := s.buildGeoPackage(r.Context())
	if err != nil {
		return err
	}
	defer cleanup()
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("serve the GeoPackage: %w", err)
	}
	defer f.Close()
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}

// buildGeoPackage writes the export to a file in a new temporary directory
// that cleanup removes.
func (s *server) buildGeoPackage(ctx context.Context) (path string, sum export.Summary, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "shiptrack-export-*")
	if err != nil {
		return "", sum, nil, fmt.Errorf("make a place for the export: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, export.GeoPackageFile)
	if sum, err = export.GeoPackage(ctx, s.store, path); err != nil {
		cleanup()
		return "", sum, nil, err
	}
	return path, sum, cleanup, nil
}

// exportQGIS serves the zip of the QGIS export. The second project points
// at this server's OGC API, at the address the client used to reach it.
func (s *server) exportQGIS(w http.ResponseWriter, r *http.Request) error {
	ogc := baseURL(r) + "/ogc"
	if done, err := s.exportHeaders(w, r, "shiptrack-qgis.zip", "application/zip", ogc); done || err != nil {
		return err
	}
	path, sum, cleanup, err := s.buildGeoPackage(r.Context())
	if err != nil {
		return err
	}
	defer cleanup()
	return s.stream(w, r, func(w io.Writer) error {
		return export.QGISZip(w, path, sum, export.QGISOptions{OGCAPI: ogc})
	})
}

// exportLayer serves one layer as GeoJSON or CSV, written as it is read.
func (s *server) exportLayer(w http.ResponseWriter, r *http.Request) error {
	file := chi.URLParam(r, "file")
	name, format, _ := strings.Cut(file, ".")
	l, ok := export.LayerNamed(name)
	write, known := export.Formats[format]
	if !ok || !known {
		return &notFoundError{What: "download", ID: file}
	}
	contentType := map[string]string{"geojson": geoJSON, "csv": "text/csv; charset=utf-8"}[format]
	if done, err := s.exportHeaders(w, r, file, contentType, ""); done || err != nil {
		return err
	}
	return s.stream(w, r, func(w io.Writer) error { return write(r.Context(), s.store, l, w) })
}

// stream writes a response body as it is made, flushing every buffer-full
// to the client. A failure before anything was sent is answered as a
// problem; after, the response is cut off, so that the client sees a broken
// download rather than a short file that looks whole.
func (s *server) stream(w http.ResponseWriter, r *http.Request, write func(io.Writer) error) error {
	// The writers buffer; every buffer-full they hand on goes out.
	sw := &sentWriter{w: w}
	err := write(sw)
	if err == nil || !sw.sent {
		return err
	}
	s.abort(r, "write the download", err)
	return nil // not reached: abort panics
}

// sentWriter passes writes to a response, flushing each, and remembers
// whether any byte went out.
type sentWriter struct {
	w    http.ResponseWriter
	sent bool
}

func (s *sentWriter) Write(p []byte) (int, error) {
	s.sent = true
	n, err := s.w.Write(p)
	if f, ok := s.w.(http.Flusher); ok && err == nil {
		f.Flush()
	}
	return n, err
}
