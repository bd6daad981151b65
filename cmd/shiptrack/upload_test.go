package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	shiptrack "github.com/shiptrack/shiptrack"
	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/internal/bodytest"
	"github.com/shiptrack/shiptrack/internal/snapshot"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
	"github.com/shiptrack/shiptrack/routes/postgis"
	"github.com/shiptrack/shiptrack/web"
)

// These tests send files and hostile bodies to the write API as served by
// the binary's wiring (web over package ingest) on both stores, holding the
// bundled case, and check the answer and that a refused body changes
// nothing.

const writeToken = "s3cret-token"

// writeStores open each store, filled with the bundled case.
var writeStores = []struct {
	name string
	open func(t *testing.T) routes.Store
}{
	{"gpkg", func(t *testing.T) routes.Store {
		s, err := gpkg.Open(t.Context(), filepath.Join(t.TempDir(), "shiptrack.gpkg"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgis", func(t *testing.T) routes.Store {
		dbURL := testDatabase(t)
		if _, err := postgis.Migrate(t.Context(), dbURL); err != nil {
			t.Fatal(err)
		}
		s, err := postgis.Open(t.Context(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// eachWriteStore runs f on a server over each store with the bundled case.
func eachWriteStore(t *testing.T, f func(t *testing.T, s routes.Store, srv *httptest.Server)) {
	for _, st := range writeStores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			t.Cleanup(func() { s.Close() })
			if _, err := ingest.Documents(t.Context(), s, ingest.FS(shiptrack.Bundled, shiptrack.BundledDir)); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(web.New(s, web.Options{Token: writeToken, Ingester: uploads{store: s}, MaxBody: 1 << 20}))
			t.Cleanup(srv.Close)
			f(t, s, srv)
		})
	}
}

// sendFile posts body to path; see bodytest.Post.
func sendFile(t *testing.T, srv *httptest.Server, path, contentType string, body io.Reader, length int64, auth string) (int, map[string]any) {
	t.Helper()
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	res, got, err := bodytest.Post(srv.URL+path, h, body, length)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("POST %s: %d, the answer is not JSON: %v", path, res.StatusCode, err)
	}
	return res.StatusCode, v
}

const goodDocument = `{"places": [{"id": "fokino", "name": "Fokino", "kind": "port", "country": "RU", "lon": 132.4, "lat": 42.97}],
  "shipments": [{"id": "x-1", "title": "X", "status": "alleged", "confidence": "low", "cargo": {"description": "crates"},
    "sources": [{"source": "white-house-2023-10-13", "claim": "c"}],
    "legs": [{"id": "x-1-sea", "seq": 1, "mode": "sea", "origin": "najin", "destination": "fokino", "depart": "2023-09-20", "arrive": "2023-09-21"}]}]}`

// TestWriteRefusedChangesNothing sends each hostile or broken body and
// checks the answer names what is wrong and the store holds what it held.
func TestWriteRefusedChangesNothing(t *testing.T) {
	polygon := `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
   "properties": {"id": "p", "name": "P", "kind": "depot", "country": "RU"}}]}`
	cases := []struct {
		name, path, contentType, body string
		auth                          string
		status                        int
		problem                       string
		field, detail                 string // of the first error listed
		line, column                  int
	}{
		{name: "no token", path: "/api/shipments", contentType: "application/json", body: goodDocument,
			status: 401, problem: "/problems/unauthorized"},
		{name: "a wrong token", path: "/api/shipments", contentType: "application/json", body: goodDocument, auth: "Bearer nope",
			status: 403, problem: "/problems/wrong-token"},
		{name: "malformed JSON", path: "/api/shipments", contentType: "application/json", body: goodDocument[:60],
			status: 400, problem: "/problems/malformed-body", field: "places[0]", detail: "cut short", line: 1, column: 61},
		{name: "a rule broken", path: "/api/shipments", contentType: "application/json",
			body:   strings.Replace(goodDocument, `"depart": "2023-09-20"`, `"depart": "2023-09-25"`, 1),
			status: 422, problem: "/problems/invalid-body", field: "shipments[0].legs[0].depart", detail: "is after arrival", line: 4, column: 101},
		{name: "an unknown place", path: "/api/shipments", contentType: "application/json",
			body:   strings.Replace(goodDocument, `"destination": "fokino"`, `"destination": "atlantis"`, 1),
			status: 422, problem: "/problems/invalid-body", field: "shipments[0].legs[0].destination", detail: `unknown place "atlantis"`, line: 4, column: 76},
		{name: "a NUL character, which PostgreSQL cannot hold", path: "/api/shipments", contentType: "application/json",
			body:   strings.Replace(goodDocument, `"name": "Fokino"`, `"name": "Fo\u0000kino"`, 1),
			status: 422, problem: "/problems/invalid-body", field: "places[0].name", detail: "holds a NUL character", line: 1, column: 30},
		{name: "a self-intersecting polygon", path: "/api/ingest", contentType: "application/geo+json", body: polygon,
			status: 422, problem: "/problems/invalid-body", field: "features[0].geometry", detail: "Self-intersection", line: 2, column: 23},
		{name: "a coordinate no number holds", path: "/api/ingest?filename=places.geojson", body: strings.Replace(goodGeoJSON, "132.4", "1e999", 1),
			status: 422, problem: "/problems/invalid-body", field: "features[0].geometry.coordinates[0]", detail: "1e999 is not a finite number", line: 2, column: 23},
		{name: "a CSV with a column missing", path: "/api/ingest", contentType: "text/csv", body: "name,kind,country,lat\nFokino,port,RU,42.97\n",
			status: 422, problem: "/problems/invalid-body", field: "lon", detail: `missing required column "lon"`, line: 1, column: 1},
		{name: "a CSV with a shifted row", path: "/api/ingest?filename=ports.csv", body: "name,kind,country,lat,lon\nFokino,port,RU,42.97,132.4\nSlavyanka,Primorsky Krai,port,RU,42.86,131.38\n",
			status: 422, problem: "/problems/invalid-body", detail: "the row has 6 values, the header 5 columns", line: 3, column: 1},
		{name: "a CSV with a bad number", path: "/api/ingest", contentType: "text/csv", body: "name,kind,country,lat,lon\nFokino,port,RU,42°58′N,132.4\n",
			status: 422, problem: "/problems/invalid-body", field: "lat", detail: "is not a number of decimal degrees", line: 2, column: 16},
		{name: "an unknown content type", path: "/api/ingest", contentType: "image/png", body: "\x89PNG",
			status: 415, problem: "/problems/unsupported-media-type"},
		{name: "content of no known format", path: "/api/ingest", body: "\x89PNG\r\n\x1a\n",
			status: 415, problem: "/problems/unsupported-media-type"},
		{name: "an unknown format", path: "/api/ingest?format=kml", body: "<kml/>",
			status: 400, problem: "/problems/invalid-parameter"},
	}
	eachWriteStore(t, func(t *testing.T, s routes.Store, srv *httptest.Server) {
		before := snapshot.Of(t, s)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				auth := c.auth
				if auth == "" && c.status != 401 {
					auth = "Bearer " + writeToken
				}
				status, p := sendFile(t, srv, c.path, c.contentType, strings.NewReader(c.body), int64(len(c.body)), auth)
				if status != c.status || p["type"] != c.problem {
					t.Fatalf("%d %v, want %d %s", status, p, c.status, c.problem)
				}
				if c.detail != "" {
					errs, _ := p["errors"].([]any)
					if len(errs) == 0 {
						t.Fatalf("no errors listed: %v", p)
					}
					e := errs[0].(map[string]any)
					field, _ := e["field"].(string)
					detail, _ := e["detail"].(string)
					line, _ := e["line"].(float64)
					column, _ := e["column"].(float64)
					if field != c.field || !strings.Contains(detail, c.detail) || int(line) != c.line || int(column) != c.column {
						t.Errorf("first error %v; want field %q at %d:%d saying %q", e, c.field, c.line, c.column, c.detail)
					}
				}
				if after := snapshot.Of(t, s); !reflect.DeepEqual(after, before) {
					t.Error("a refused body changed the store")
				}
			})
		}
		t.Run("a 2 GB body", func(t *testing.T) {
			for _, length := range []int64{2 << 30, -1} {
				b := &bodytest.Spaces{N: 2 << 30}
				status, p := sendFile(t, srv, "/api/ingest", "application/json", b, length, "Bearer "+writeToken)
				if status != 413 || p["type"] != "/problems/body-too-large" {
					t.Errorf("Content-Length %d: %d %v, want 413", length, status, p)
				}
				if b.Sent() > 64<<20 {
					t.Errorf("Content-Length %d: %d bytes were sent of the 2 GB", length, b.Sent())
				}
			}
			if after := snapshot.Of(t, s); !reflect.DeepEqual(after, before) {
				t.Error("a refused body changed the store")
			}
		})
	})
}

const goodGeoJSON = `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [132.4, 42.97]}, "properties": {"name": "Fokino", "kind": "port", "country": "RU"}},
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [131.38, 42.86]}, "properties": {"name": "Slavyanka", "kind": "port", "country": "RU", "unlocode": "RUSLV"}}
]}`

// TestWriteAccepted writes each format over HTTP, then the same again.
func TestWriteAccepted(t *testing.T) {
	eachWriteStore(t, func(t *testing.T, s routes.Store, srv *httptest.Server) {
		for _, c := range []struct {
			name, path, contentType, body string
			written                       map[string]float64
		}{
			{"a shipment document", "/api/shipments", "application/json", goodDocument, map[string]float64{"places": 1, "shipments": 1, "legs": 1}},
			{"GeoJSON places", "/api/ingest", "application/geo+json", goodGeoJSON, map[string]float64{"places": 1}},
			{"a CSV of places, told by its name", "/api/ingest?filename=ports.csv", "", "name,kind,country,lat,lon\nZarubino,port,RU,42.64,131.08\n", map[string]float64{"places": 1}},
			{"a shipment document, told by its content", "/api/ingest", "", strings.Replace(goodDocument, "crates", "boxes", 1), map[string]float64{"shipments": 1}},
		} {
			t.Run(c.name, func(t *testing.T) {
				auth := "Bearer " + writeToken
				status, sum := sendFile(t, srv, c.path, c.contentType, strings.NewReader(c.body), int64(len(c.body)), auth)
				if status != 201 {
					t.Fatalf("%d %v, want 201", status, sum)
				}
				written, _ := sum["written"].(map[string]any)
				for kind, n := range written {
					if n.(float64) != c.written[kind] {
						t.Errorf("wrote %v, want %v", written, c.written)
						break
					}
				}
				status, sum = sendFile(t, srv, c.path, c.contentType, strings.NewReader(c.body), int64(len(c.body)), auth)
				if status != 200 {
					t.Errorf("the same again: %d %v, want 200, nothing written", status, sum)
				}
			})
		}
		ctx := context.Background()
		if p, err := s.Place(ctx, "slavyanka"); err != nil || p.UNLOCODE != "RUSLV" {
			t.Errorf("slavyanka is %+v, %v", p, err)
		}
		if sh, err := s.Shipment(ctx, "x-1"); err != nil || sh.Cargo.Description != "boxes" || len(sh.Legs) != 1 {
			t.Errorf("x-1 is %+v, %v", sh, err)
		}
	})
}
