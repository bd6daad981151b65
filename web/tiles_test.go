package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// tileWorld is the fixture with what AIS gives besides legs: positions, a
// track and two gaps, one across the antimeridian, and an observation.
func tileWorld(t *testing.T, s routes.Store) {
	t.Helper()
	load(t, s, fixture())
	ctx := context.Background()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	sog := 11.5
	heading := 87
	ps := []routes.Position{
		{MMSI: "273000001", Time: at("2023-09-08T06:00:00Z"), Lon: 130.9, Lat: 42.5, SOG: &sog, Heading: &heading},
		{MMSI: "273000001", Time: at("2023-09-08T12:00:00.25Z"), Lon: 131.6, Lat: 42.7},
		{MMSI: "273000001", Time: at("2023-07-05T00:00:00Z"), Lon: 179.9, Lat: 62.1},
	}
	n, err := s.AddPositions(ctx, func(yield func(routes.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	})
	if err != nil || n != len(ps) {
		t.Fatalf("AddPositions = %d, %v", n, err)
	}
	track := orb.LineString{{130.3, 42.24}, {130.9, 42.5}, {131.6, 42.7}, {132.33, 42.87}}
	b := &routes.Batch{
		Tracks: []routes.Track{{ID: "track-1", MMSI: "273000001", Vessel: "angara", Start: at("2023-09-08T00:00:00Z"),
			End: at("2023-09-09T00:00:00Z"), Points: 4, Geometry: orb.MultiLineString{track}, LengthKm: 180, Leg: "nk09-sea"}},
		Gaps: []routes.Gap{
			{ID: "gap-1", MMSI: "273000001", Vessel: "angara", Start: at("2023-09-08T12:00:00.25Z"), End: at("2023-09-09T00:00:00Z"),
				From: orb.Point{131.6, 42.7}, To: orb.Point{132.2, 42.85}, Dark: true, OffshoreNm: 12.25},
			{ID: "gap-2", MMSI: "273000001", Start: at("2023-07-05T00:00:00Z"), End: at("2023-07-06T00:00:00Z"),
				From: orb.Point{179.9, 62.1}, To: orb.Point{-178.5, 63}, OffshoreNm: 40},
		},
		Observations: []routes.Observation{{ID: "angara-at-dunay", Time: routes.Window{Earliest: at("2023-09-12T00:00:00Z"),
			Latest: at("2023-09-12T23:59:59.999999Z")}, Lon: 132.3375, Lat: 42.8803, Kind: routes.SatelliteImage,
			Subject: "angara", Source: "rusi-2023-10-16"}},
	}
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatalf("apply AIS: %v", err)
	}
}

// tileAt is the tile holding a point at zoom z.
func tileAt(z int, lon, lat float64) routes.Tile {
	n := float64(int(1) << z)
	r := lat * math.Pi / 180
	x := int((lon + 180) / 360 * n)
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return routes.Tile{Z: z, X: x, Y: y}
}

// tilesToCompare cover the fixture at every scale: the world, Primorsky at
// z5, both sides of the antimeridian, the harbour at Najin at z14 and z22,
// and open ocean.
var tilesToCompare = []routes.Tile{
	{Z: 0, X: 0, Y: 0},
	{Z: 2, X: 0, Y: 1}, {Z: 2, X: 3, Y: 1},
	tileAt(5, 131.5, 42.6), tileAt(8, 131.3, 42.55), tileAt(8, 179.95, 62.1), tileAt(8, -179, 62.8),
	tileAt(14, 130.30, 42.2333), tileAt(22, 130.30, 42.2333),
	{Z: 3, X: 2, Y: 3},
}

// decoded is a tile as both stores must agree on it.
func decodeTile(t *testing.T, b []byte) map[string]*mvt.Layer {
	t.Helper()
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range ls {
		out[l.Name] = l
	}
	return out
}

func TestTilesSameFromBothStores(t *testing.T) {
	if len(backends()) < 2 {
		t.Skip("SHIPTRACK_SKIP_POSTGIS=1: there is one store to compare")
	}
	var srvs []*httptest.Server
	for _, b := range backends() {
		s := b.open(t)
		tileWorld(t, s)
		srvs = append(srvs, serve(t, s, web.Options{}))
	}
	seen := map[routes.TileLayer]int{}
	for _, layer := range routes.TileLayers {
		for _, tile := range tilesToCompare {
			for _, dt := range []string{"", "?datetime=2023-09-08", "?datetime=2023-07-01/2023-07-05T00:00:00Z"} {
				path := fmt.Sprintf("/tiles/%s/%s.mvt%s", layer, tile, dt)
				var got [2]map[string]*mvt.Layer
				for i, srv := range srvs {
					res := get(t, srv, path)
					if res.status != http.StatusOK {
						t.Fatalf("%s from %s = %d %s", path, backends()[i].name, res.status, res.body)
					}
					got[i] = decodeTile(t, res.body)
				}
				gp, pg := got[0][string(layer)], got[1][string(layer)]
				if (gp == nil) != (pg == nil) {
					t.Errorf("%s: gpkg has the layer: %v, postgis: %v", path, gp != nil, pg != nil)
					continue
				}
				if len(got[0]) > 1 || len(got[1]) > 1 {
					t.Errorf("%s: a tile holds one layer; got %d and %d", path, len(got[0]), len(got[1]))
				}
				if gp == nil {
					continue
				}
				seen[layer] += len(gp.Features)
				compareLayers(t, path, gp, pg)
			}
		}
	}
	for _, l := range routes.TileLayers {
		if seen[l] == 0 {
			t.Errorf("no tile compared holds a feature of layer %s: the comparison proves nothing for it", l)
		}
	}
}

// compareLayers wants the same features in the same order with the same
// ids and properties, and geometry within a unit and a half: the stores
// clip and round at slightly different moments.
func compareLayers(t *testing.T, path string, a, b *mvt.Layer) {
	t.Helper()
	if a.Extent != b.Extent {
		t.Errorf("%s: extent %d and %d", path, a.Extent, b.Extent)
	}
	ids := func(l *mvt.Layer) []any {
		var out []any
		for _, f := range l.Features {
			out = append(out, f.Properties["id"])
		}
		return out
	}
	if !slices.Equal(ids(a), ids(b)) {
		t.Errorf("%s: features\ngpkg    %v\npostgis %v", path, ids(a), ids(b))
		return
	}
	for i := range a.Features {
		fa, fb := a.Features[i], b.Features[i]
		id, _ := fa.Properties["id"].(string)
		if want := routes.TileFeatureID(id); featureID(fa.ID) != want || featureID(fb.ID) != want {
			t.Errorf("%s %s: feature ids %v and %v, want %d", path, id, fa.ID, fb.ID, want)
		}
		if pa, pb := normal(fa.Properties), normal(fb.Properties); !propsEqual(pa, pb) {
			t.Errorf("%s %s: properties\ngpkg    %v\npostgis %v", path, id, pa, pb)
		}
		if fa.Geometry.GeoJSONType() != fb.Geometry.GeoJSONType() {
			t.Errorf("%s %s: geometry %s and %s", path, id, fa.Geometry.GeoJSONType(), fb.Geometry.GeoJSONType())
			continue
		}
		if d := hausdorff(fa.Geometry, fb.Geometry); d > 1.5 {
			t.Errorf("%s %s: geometries %.1f units apart\ngpkg    %v\npostgis %v", path, id, d, fa.Geometry, fb.Geometry)
		}
	}
}

// featureID is a decoded MVT feature id, which the decoder gives as a
// float64.
func featureID(id any) uint64 {
	if f, ok := id.(float64); ok {
		return uint64(f)
	}
	return 0
}

// normal writes every number as a float64: an integer may be encoded as
// a signed or an unsigned MVT value.
func normal(p geojson.Properties) map[string]any {
	out := map[string]any{}
	for k, v := range p {
		switch x := v.(type) {
		case int64:
			v = float64(x)
		case uint64:
			v = float64(x)
		case float32:
			v = float64(x)
		}
		out[k] = v
	}
	return out
}

func propsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}

// hausdorff is the furthest any vertex of one geometry lies from the other.
func hausdorff(a, b orb.Geometry) float64 {
	return math.Max(directed(a, b), directed(b, a))
}

func directed(a, b orb.Geometry) float64 {
	segs := segments(b)
	worst := 0.0
	for _, p := range vertices(a) {
		best := math.Inf(1)
		for _, s := range segs {
			best = math.Min(best, segDist(p, s[0], s[1]))
		}
		worst = math.Max(worst, best)
	}
	return worst
}

func vertices(g orb.Geometry) []orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Point{g}
	case orb.LineString:
		return g
	case orb.MultiLineString:
		var out []orb.Point
		for _, l := range g {
			out = append(out, l...)
		}
		return out
	}
	panic(fmt.Sprintf("%T", g))
}

func segments(g orb.Geometry) [][2]orb.Point {
	var lines []orb.LineString
	switch g := g.(type) {
	case orb.Point:
		return [][2]orb.Point{{g, g}}
	case orb.LineString:
		lines = []orb.LineString{g}
	case orb.MultiLineString:
		lines = g
	}
	var out [][2]orb.Point
	for _, l := range lines {
		for i := 1; i < len(l); i++ {
			out = append(out, [2]orb.Point{l[i-1], l[i]})
		}
	}
	return out
}

func segDist(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
	}
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}

// tileOf fetches a tile and decodes its one layer's features by id.
func tileOf(t *testing.T, srv *httptest.Server, path string) map[string]*geojson.Feature {
	t.Helper()
	res := get(t, srv, path)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	out := map[string]*geojson.Feature{}
	for _, l := range decodeTile(t, res.body) {
		for _, f := range l.Features {
			out[f.Properties["id"].(string)] = f
		}
	}
	return out
}

func TestTilesHoldWhatAMapStylesOn(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		s := open(t)
		tileWorld(t, s)
		srv := serve(t, s, web.Options{})
		primorsky := tileAt(5, 131.5, 42.6)

		legs := tileOf(t, srv, "/tiles/legs/"+primorsky.String()+".mvt")
		sea, ok := legs["nk09-sea"]
		if !ok {
			t.Fatalf("the Najin–Dunay sea leg is not in tile %s: %v", primorsky, keys(legs))
		}
		want := map[string]any{"id": "nk09-sea", "shipment": "nk-ru-2023-09", "mode": "sea", "geometry_kind": "schematic",
			"origin": "najin", "destination": "dunay", "vessel": "angara", "confidence": "medium",
			"start": "2023-09-07T00:00:00Z", "end": "2023-09-12T23:59:59.999999Z",
			"start_unix": float64(1694044800), "end_unix": float64(1694563199), "seq": float64(1)}
		if got := normal(sea.Properties); !propsEqual(got, want) {
			t.Errorf("sea leg properties\n got %v\nwant %v", got, want)
		}
		if _, ok := sea.Properties["carrier"]; ok {
			t.Error("an unset carrier is written; it should be left out")
		}
		if _, ok := legs["maia-sea"]; !ok {
			t.Errorf("maia-sea is not in tile %s", primorsky)
		}

		// The datetime filter has the API's meaning.
		during := tileOf(t, srv, "/tiles/legs/"+primorsky.String()+".mvt?datetime=2023-09-13")
		if got := slices.Sorted(func(yield func(string) bool) {
			for k := range during {
				if !yield(k) {
					return
				}
			}
		}); !slices.Equal(got, []string{"nk09-rail"}) {
			t.Errorf("legs under way on 13 September 2023: %v, want [nk09-rail]", got)
		}

		// The line across the antimeridian is drawn at both edges of the world.
		west, east := tileOf(t, srv, "/tiles/legs/2/0/1.mvt"), tileOf(t, srv, "/tiles/legs/2/3/1.mvt")
		if west["bering-sea"] == nil || east["bering-sea"] == nil {
			t.Errorf("bering-sea at the west edge: %v, at the east edge: %v", west["bering-sea"] != nil, east["bering-sea"] != nil)
		}
		gapsWest, gapsEast := tileOf(t, srv, "/tiles/gaps/2/0/1.mvt"), tileOf(t, srv, "/tiles/gaps/2/3/1.mvt")
		if gapsWest["gap-2"] == nil || gapsEast["gap-2"] == nil {
			t.Errorf("a gap across the antimeridian is split: west %v, east %v", gapsWest["gap-2"] != nil, gapsEast["gap-2"] != nil)
		}
		for _, f := range gapsEast {
			for _, p := range vertices(f.Geometry) {
				if p[0] < -routes.TileBuffer || p[0] > routes.TileExtent+routes.TileBuffer {
					t.Errorf("gap %v has a vertex outside the tile's buffer: %v", f.Properties["id"], p)
				}
			}
		}

		places := tileOf(t, srv, "/tiles/places/"+primorsky.String()+".mvt")
		if p := places["najin"]; p == nil || p.Properties["kind"] != "port" || p.Properties["name"] != "Najin" || p.Properties["unlocode"] != "KPNJN" {
			t.Errorf("najin in the places tile: %v", p)
		}
		pos := tileOf(t, srv, "/tiles/positions/"+primorsky.String()+".mvt")
		if p := pos["273000001@2023-09-08T12:00:00.25Z"]; p == nil || p.Properties["start"] != "2023-09-08T12:00:00.25Z" {
			t.Errorf("the position with a fraction of a second: %v (have %v)", p, keys(pos))
		}
		if p := pos["273000001@2023-09-08T06:00:00Z"]; p == nil || normal(p.Properties)["sog"] != 11.5 || normal(p.Properties)["heading"] != float64(87) {
			t.Errorf("the position with speed and heading: %v", p)
		}

		// A tile of open ocean is empty, and that is a valid answer.
		res := get(t, srv, "/tiles/legs/3/2/3.mvt")
		if res.status != http.StatusOK || len(res.body) != 0 {
			t.Errorf("an empty tile = %d with %d bytes, want 200 with none", res.status, len(res.body))
		}
	})
}

func keys[V any](m map[string]V) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
}

// countingStore counts the calls a tile request makes to the store that
// draws it.
type countingStore struct {
	routes.Store
	tiler          routes.Tiler
	tiles, version atomic.Int64
}

func (c *countingStore) Tile(ctx context.Context, q routes.TileQuery) ([]byte, error) {
	c.tiles.Add(1)
	return c.tiler.Tile(ctx, q)
}

func (c *countingStore) DataVersion(ctx context.Context) (string, error) {
	c.version.Add(1)
	return c.tiler.DataVersion(ctx)
}

func TestTileRevalidationSkipsTheStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		s := open(t)
		load(t, s, fixture())
		counted := &countingStore{Store: s, tiler: s.(routes.Tiler)}
		srv := serve(t, counted, web.Options{VersionEvery: time.Hour})
		path := "/tiles/legs/" + tileAt(5, 131.5, 42.6).String() + ".mvt"

		first := get(t, srv, path)
		etag := first.header.Get("ETag")
		if first.status != http.StatusOK || etag == "" || first.header.Get("Cache-Control") == "" {
			t.Fatalf("first request = %d, ETag %q, Cache-Control %q", first.status, etag, first.header.Get("Cache-Control"))
		}
		if n := counted.tiles.Load(); n != 1 {
			t.Fatalf("the first request drew %d tiles, want 1", n)
		}
		tiles, versions := counted.tiles.Load(), counted.version.Load()
		for range 20 {
			res := conditionalGet(t, srv, path, etag)
			if res.status != http.StatusNotModified || len(res.body) != 0 || res.header.Get("ETag") != etag {
				t.Fatalf("If-None-Match: %s = %d, ETag %q, %d bytes", etag, res.status, res.header.Get("ETag"), len(res.body))
			}
		}
		if counted.tiles.Load() != tiles || counted.version.Load() != versions {
			t.Errorf("20 revalidations asked the store for %d tiles and %d versions, want none",
				counted.tiles.Load()-tiles, counted.version.Load()-versions)
		}
		if res := conditionalGet(t, srv, path, `W/"something-else"`); res.status != http.StatusOK || counted.tiles.Load() != tiles+1 {
			t.Errorf("a stale ETag = %d after %d tiles drawn, want 200 and a tile drawn", res.status, counted.tiles.Load()-tiles)
		}
		other := get(t, srv, path+"?datetime=2023-09-13")
		if other.header.Get("ETag") == etag {
			t.Error("another datetime has the same ETag")
		}
	})
}

func TestTileETagFollowsWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		s := open(t)
		load(t, s, fixture())
		// A negative VersionEvery re-reads the version for every tile, as a
		// server does once DefaultVersionEvery has passed.
		srv := serve(t, s, web.Options{VersionEvery: -1})
		path := "/tiles/places/" + tileAt(5, 131.5, 42.6).String() + ".mvt"
		// PostgreSQL's version moves with writes anywhere on the server, and
		// other tests write there too: only a change of ETag is certain.
		before := get(t, srv, path)
		if _, ok := tileOf(t, srv, path)["posyet"]; ok {
			t.Fatal("the place is in the tile before it is written")
		}
		// Another writer adds a place, straight to the store.
		doc := &routes.Document{Places: []routes.Place{{ID: "posyet", Name: "Posyet", Kind: routes.Port, Country: "RU", Lon: 130.8, Lat: 42.65}}}
		load(t, s, doc)
		after := conditionalGet(t, srv, path, before.header.Get("ETag"))
		if after.status != http.StatusOK || after.header.Get("ETag") == before.header.Get("ETag") {
			t.Fatalf("after a write: %d with ETag %q (before %q), want 200 and a new ETag", after.status, after.header.Get("ETag"), before.header.Get("ETag"))
		}
		if _, ok := tileOf(t, srv, path)["posyet"]; !ok {
			t.Error("the new place is not in the tile")
		}
	})
}

func conditionalGet(t *testing.T, srv *httptest.Server, path, etag string) response {
	t.Helper()
	return request(t, srv, http.MethodGet, path, http.Header{"If-None-Match": {etag}})
}

func TestTileBadInput(t *testing.T) {
	s := openGPKG(t)
	load(t, s, fixture())
	srv := serve(t, s, web.Options{})
	for _, tc := range []struct {
		path   string
		status int
		param  string
	}{
		{"/tiles/legs/23/0/0.mvt", 400, "z"},
		{"/tiles/legs/-1/0/0.mvt", 400, "z"},
		{"/tiles/legs/99999999999999999999/0/0.mvt", 400, "z"},
		{"/tiles/legs/a/0/0.mvt", 400, "z"},
		{"/tiles/legs/1.5/0/0.mvt", 400, "z"},
		{"/tiles/legs/+1/0/0.mvt", 400, "z"},
		{"/tiles/legs/1/2/0.mvt", 400, "x"},
		{"/tiles/legs/1/-1/0.mvt", 400, "x"},
		{"/tiles/legs/0/0x0/0.mvt", 400, "x"},
		{"/tiles/legs/1/0/2.mvt", 400, "y"},
		{"/tiles/legs/22/4194304/0.mvt", 400, "x"},
		{"/tiles/legs/22/0/4194304.mvt", 400, "y"},
		{"/tiles/legs/1/0/y.mvt", 400, "y"},
		{"/tiles/legs/1/0/%00.mvt", 400, "y"},
		{"/tiles/ships/0/0/0.mvt", 404, "layer"},
		{"/tiles/ships.json", 404, "layer"},
		{"/tiles/%E2%80%AE/0/0/0.mvt", 404, "layer"},
		{"/tiles/legs/0/0/0.mvt?datetime=yesterday", 400, "datetime"},
		{"/tiles/legs/0/0/0.mvt?datetime=2023-10-01/2023-09-01", 400, "datetime"},
		{"/tiles/legs/0/0/0.mvt?datetime=2023-09-01&datetime=2023-09-02", 400, "datetime"},
		{"/tiles/legs/0/0/0.mvt?bbox=1,2,3,4", 400, "bbox"},
		{"/tiles/legs.json?datetime=2023-13-01", 400, "datetime"},
		{"/tiles/legs.json?limit=5", 400, "limit"},
		{"/tiles/legs/0/0/0.png", 404, ""},
		{"/tiles/legs/0/0.mvt", 404, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := get(t, srv, tc.path)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want application/problem+json", ct)
			}
			var p struct {
				Status    int    `json:"status"`
				Detail    string `json:"detail"`
				Parameter string `json:"parameter"`
			}
			if err := json.Unmarshal(res.body, &p); err != nil || p.Status != tc.status || p.Parameter != tc.param || p.Detail == "" {
				t.Errorf("problem %s (%v), want status %d naming %q", res.body, err, tc.status, tc.param)
			}
		})
	}
}

func TestTileJSON(t *testing.T) {
	s := openGPKG(t)
	tileWorld(t, s)
	srv := serve(t, s, web.Options{})
	fetch := func(path string, header map[string]string) map[string]any {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("GET %s = %d, CORS %q", path, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
		}
		var doc map[string]any
		if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	for _, layer := range routes.TileLayers {
		doc := fetch("/tiles/"+string(layer)+".json", nil)
		tiles := doc["tiles"].([]any)
		if doc["tilejson"] != "3.0.0" || len(tiles) != 1 || tiles[0] != srv.URL+"/tiles/"+string(layer)+"/{z}/{x}/{y}.mvt" {
			t.Errorf("%s: tilejson %v, tiles %v", layer, doc["tilejson"], tiles)
		}
		if doc["minzoom"] != float64(0) || doc["maxzoom"] == nil || doc["attribution"] == "" {
			t.Errorf("%s: minzoom %v, maxzoom %v, attribution %v", layer, doc["minzoom"], doc["maxzoom"], doc["attribution"])
		}
		b := doc["bounds"].([]any)
		if len(b) != 4 || b[0].(float64) > b[2].(float64) || b[1].(float64) > b[3].(float64) || b[3].(float64) > 85.06 {
			t.Errorf("%s: bounds %v", layer, b)
		}
		vls := doc["vector_layers"].([]any)
		vl := vls[0].(map[string]any)
		if len(vls) != 1 || vl["id"] != string(layer) {
			t.Fatalf("%s: vector_layers %v", layer, vls)
		}
		fields := vl["fields"].(map[string]any)
		// Every property a tile of the layer holds is documented.
		for _, tile := range tilesToCompare {
			for _, f := range tileOf(t, srv, "/tiles/"+string(layer)+"/"+tile.String()+".mvt") {
				for k := range f.Properties {
					if _, ok := fields[k]; !ok {
						t.Errorf("%s: property %q is in tiles but not in the TileJSON fields", layer, k)
					}
				}
			}
		}
	}
	legs := fetch("/tiles/legs.json", nil)
	if b := legs["bounds"].([]any); b[0] != -180.0 || b[2] != 180.0 {
		t.Errorf("legs bounds %v: the fixture has a leg on each side of the antimeridian", b)
	}
	behind := fetch("/tiles/legs.json?datetime=2023-09-10", map[string]string{
		"X-Forwarded-Proto": "https", "X-Forwarded-Host": "maps.example.org", "X-Forwarded-Prefix": "/shiptrack/"})
	if got := behind["tiles"].([]any)[0]; got != "https://maps.example.org/shiptrack/tiles/legs/{z}/{x}/{y}.mvt?datetime=2023-09-10" {
		t.Errorf("behind a proxy, tiles %v", got)
	}
	hostile := fetch("/tiles/legs.json", map[string]string{
		"X-Forwarded-Proto": "javascript", "X-Forwarded-Host": `evil.example"><script>`, "X-Forwarded-Prefix": "//evil.example"})
	if got := hostile["tiles"].([]any)[0].(string); !strings.HasPrefix(got, srv.URL+"/tiles/") {
		t.Errorf("hostile forwarded headers made the tiles %q", got)
	}
}
