package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/shiptrack/shiptrack/internal/pgtest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
	"github.com/shiptrack/shiptrack/routes/postgis"
	"github.com/shiptrack/shiptrack/web"
)

// backend is a kind of store the tests run against.
type backend struct {
	name string
	open func(t *testing.T) routes.Store
}

// backends are the stores every API test runs against: the GeoPackage
// always, PostGIS unless SHIPTRACK_SKIP_POSTGIS=1.
func backends() []backend {
	bs := []backend{{"gpkg", openGPKG}}
	if os.Getenv("SHIPTRACK_SKIP_POSTGIS") != "1" {
		bs = append(bs, backend{"postgis", openPostGIS})
	}
	return bs
}

// eachBackend runs f once per store, each on a fresh store.
func eachBackend(t *testing.T, f func(t *testing.T, open func(t *testing.T) routes.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b.open) })
	}
}

func openGPKG(t *testing.T) routes.Store {
	t.Helper()
	s, err := gpkg.Open(context.Background(), filepath.Join(t.TempDir(), "shiptrack.gpkg"))
	if err != nil {
		t.Fatalf("open GeoPackage store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// createDatabase makes a migrated PostGIS database for the test, dropped
// when it ends, and returns its URL.
func createDatabase(t *testing.T) string {
	t.Helper()
	dbURL := pgtest.Database(t, "shiptrack_web")
	if _, err := postgis.Migrate(context.Background(), dbURL); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return dbURL
}

func openPostGIS(t *testing.T) routes.Store {
	t.Helper()
	return openPostGISAt(t, createDatabase(t))
}

func openPostGISAt(t *testing.T, dbURL string) routes.Store {
	t.Helper()
	s, err := postgis.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open PostGIS store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// load prepares doc against the store and applies it.
func load(t *testing.T, s routes.Store, doc *routes.Document) *routes.Batch {
	t.Helper()
	ctx := context.Background()
	b, err := routes.Prepare(ctx, s, doc)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return b
}

// serve starts the API over s on loopback, logging to the test.
func serve(t *testing.T, s routes.Store, opts web.Options) *httptest.Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv := httptest.NewServer(web.New(s, opts))
	t.Cleanup(srv.Close)
	return srv
}

// serveFixture serves a fresh store holding the fixture.
func serveFixture(t *testing.T, open func(t *testing.T) routes.Store) *httptest.Server {
	t.Helper()
	s := open(t)
	load(t, s, fixture())
	return serve(t, s, web.Options{})
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, srv *httptest.Server, path string) response {
	t.Helper()
	return do(t, srv, http.MethodGet, path)
}

func do(t *testing.T, srv *httptest.Server, method, path string) response {
	t.Helper()
	return request(t, srv, method, path, nil)
}

// request sends a request with headers and reads the whole answer.
func request(t *testing.T, srv *httptest.Server, method, path string, h http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(req.Header, h)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{res.StatusCode, res.Header, body}
}

// collection is the part of a FeatureCollection the tests look at.
type collection struct {
	Features []struct {
		ID         string         `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	NumberMatched  *int `json:"numberMatched"`
	NumberReturned *int `json:"numberReturned"`
	Links          []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
		Type string `json:"type"`
	} `json:"links"`
}

func (c collection) ids() []string {
	ids := []string{}
	for _, f := range c.Features {
		ids = append(ids, f.ID)
	}
	return ids
}

func (c collection) link(rel string) string {
	for _, l := range c.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// getGeoJSON fetches path, wants a 200 GeoJSON answer of the given type,
// and decodes it into v.
func getGeoJSON(t *testing.T, srv *httptest.Server, path, wantType string, v any) {
	t.Helper()
	res := get(t, srv, path)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/geo+json" {
		t.Fatalf("GET %s: Content-Type %q, want application/geo+json", path, ct)
	}
	var head struct{ Type string }
	if err := json.Unmarshal(res.body, &head); err != nil || head.Type != wantType {
		t.Fatalf("GET %s: type %q (%v), want %s", path, head.Type, err, wantType)
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, res.body)
	}
}

// getCollection fetches path as a FeatureCollection.
func getCollection(t *testing.T, srv *httptest.Server, path string) collection {
	t.Helper()
	var c collection
	getGeoJSON(t, srv, path, "FeatureCollection", &c)
	return c
}

// getFeature fetches path as one Feature.
func getFeature(t *testing.T, srv *httptest.Server, path string) map[string]any {
	t.Helper()
	var f map[string]any
	getGeoJSON(t, srv, path, "Feature", &f)
	return f
}
