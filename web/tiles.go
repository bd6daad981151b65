package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// Vector tiles and their TileJSON:
//
//	GET /tiles/{layer}.json               TileJSON 3.0.0; datetime
//	GET /tiles/{layer}/{z}/{x}/{y}.mvt    a Mapbox Vector Tile; datetime
//
// A tile's ETag is made from the URL and the store's data version, which
// the server re-reads at most every Options.VersionEvery: a request with a
// matching If-None-Match is answered 304 without asking the store for the
// tile. A tile with no features is a 200 with an empty body, which is a
// valid, empty Mapbox Vector Tile.

// DefaultVersionEvery is how often, at most, the data version behind tile
// ETags is re-read when Options.VersionEvery is zero.
const DefaultVersionEvery = 2 * time.Second

// tileMaxZoom is the maxzoom TileJSON advertises: deeper than this a
// client draws the tiles of this zoom enlarged, which at 4096 units a tile
// are still finer than a metre. The server answers to routes.MaxZoom.
const tileMaxZoom = 14

// mvtType is the media type of a Mapbox Vector Tile.
const mvtType = "application/vnd.mapbox-vector-tile"

// tileCacheControl lets browsers and shared caches keep a tile for a
// minute, then revalidate it with its ETag.
const tileCacheControl = "public, max-age=60"

// tileParams are the query parameters tiles and TileJSON accept.
var tileParams = []string{"datetime"}

// layerDescriptions say what each layer holds, for TileJSON.
var layerDescriptions = map[routes.TileLayer]string{
	routes.PlacesLayer:       "Ports, rail stations, rail terminals, depots and border crossings",
	routes.LegsLayer:         "Stages of reported shipments, one mode each, as lines",
	routes.ShipmentsLayer:    "Reported shipments, each drawn as all its legs' lines",
	routes.PositionsLayer:    "AIS position reports",
	routes.TracksLayer:       "Voyage lines derived from AIS positions",
	routes.GapsLayer:         "Silences in a vessel's AIS, from the last position before to the first after",
	routes.ObservationsLayer: "Dated sightings that are not AIS: satellite images, photos, port calls",
}

// tileAttribution credits the data in every layer, linking the map of the
// server at base.
func tileAttribution(base string) string {
	return `<a href="` + base + `/">shiptrack</a>: reported shipments; every feature's sources are in the API`
}

// tiles serves the tile endpoints from a store that draws tiles.
type tiles struct {
	s       *server
	tiler   routes.Tiler
	version *dataVersion
	// nonce makes this process's ETags its own: a version read from a store
	// another process opened may repeat one read here.
	nonce string
}

func newTiles(s *server, tiler routes.Tiler, every time.Duration) *tiles {
	if every == 0 {
		every = DefaultVersionEvery
	}
	b := make([]byte, 8)
	rand.Read(b)
	return &tiles{s: s, tiler: tiler, version: &dataVersion{tiler: tiler, every: every}, nonce: hex.EncodeToString(b)}
}

// routes mounts the tile endpoints under /tiles.
func (t *tiles) routes(r chi.Router) {
	r.Use(allowAnyOrigin, middleware.Compress(5, mvtType))
	r.Get("/{layer}.json", t.s.handle(t.tileJSON))
	r.Get("/{layer}/{z}/{x}/{y}.mvt", t.s.handle(t.tile))
}

// allowAnyOrigin lets pages on any origin use the tiles: they are public,
// read-only, and sent without credentials.
func allowAnyOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		next.ServeHTTP(w, r)
	})
}

// layer reads the {layer} path parameter.
func layer(r *http.Request) (routes.TileLayer, error) {
	l := routes.TileLayer(chi.URLParam(r, "layer"))
	if !slices.Contains(routes.TileLayers, l) {
		return "", &notFoundError{What: "tile layer", ID: string(l), Param: "layer"}
	}
	return l, nil
}

// tileCoord reads one of z, x and y: a whole number from 0 to max.
func tileCoord(r *http.Request, name string, max int, what string) (int, error) {
	v := chi.URLParam(r, name)
	n, err := strconv.Atoi(v)
	if err != nil || strings.HasPrefix(v, "+") {
		return 0, &paramError{Param: name, Detail: fmt.Sprintf("'%s' is not a whole number; want 0 to %d", v, max)}
	}
	if n < 0 || n > max {
		return 0, &paramError{Param: name, Detail: fmt.Sprintf("%d is outside 0 to %d%s", n, max, what)}
	}
	return n, nil
}

// tileQuery reads a tile request: the layer, the tile, and the datetime
// filter.
func (t *tiles) tileQuery(r *http.Request) (routes.TileQuery, error) {
	l, err := layer(r)
	if err != nil {
		return routes.TileQuery{}, err
	}
	z, err := tileCoord(r, "z", routes.MaxZoom, "")
	if err != nil {
		return routes.TileQuery{}, err
	}
	last := 1<<z - 1
	at := fmt.Sprintf(", the grid at zoom %d", z)
	x, err := tileCoord(r, "x", last, at)
	if err != nil {
		return routes.TileQuery{}, err
	}
	y, err := tileCoord(r, "y", last, at)
	if err != nil {
		return routes.TileQuery{}, err
	}
	q, err := parseQuery(r.Context(), t.s.store, r.URL.RawQuery, tileParams...)
	if err != nil {
		return routes.TileQuery{}, err
	}
	return routes.TileQuery{Layer: l, Tile: routes.Tile{Z: z, X: x, Y: y}, During: q.During}, nil
}

// tile serves one vector tile, or 304 when the client's copy is current.
func (t *tiles) tile(w http.ResponseWriter, r *http.Request) error {
	q, err := t.tileQuery(r)
	if err != nil {
		return err
	}
	v, err := t.version.current(r.Context())
	if err != nil {
		return err
	}
	etag := t.etag(v, r.URL)
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", tileCacheControl)
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	b, err := t.tiler.Tile(r.Context(), q)
	if err != nil {
		h.Del("ETag")
		h.Del("Cache-Control")
		return fmt.Errorf("tile %s/%s: %w", q.Layer, q.Tile, err)
	}
	h.Set("Content-Type", mvtType)
	w.Write(b)
	return nil
}

// etag names what a tile URL answers while the data is at version v.
func (t *tiles) etag(v string, u *url.URL) string {
	sum := sha256.Sum256([]byte(t.nonce + "\x00" + v + "\x00" + u.Path + "?" + u.RawQuery))
	// Weak: the body may be sent gzipped or not, and is the same tile.
	return `W/"` + hex.EncodeToString(sum[:16]) + `"`
}

// matches reports whether an If-None-Match header names etag, compared
// weakly as RFC 9110 asks for If-None-Match.
func matches(header, etag string) bool {
	weak := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for c := range strings.SplitSeq(header, ",") {
		if strings.TrimSpace(c) == "*" || weak(c) == weak(etag) {
			return true
		}
	}
	return false
}

// dataVersion is the store's data version as last read, re-read when it
// is older than every; a negative every re-reads it on every request.
type dataVersion struct {
	tiler routes.Tiler
	every time.Duration

	mu      sync.Mutex
	value   string
	checked time.Time
}

// current returns the data version. Requests that find it stale wait for
// one re-read rather than each asking the store.
func (d *dataVersion) current(ctx context.Context) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.value != "" && d.every >= 0 && time.Since(d.checked) < d.every {
		return d.value, nil
	}
	v, err := d.tiler.DataVersion(ctx)
	if err != nil {
		return "", fmt.Errorf("read the data version: %w", err)
	}
	d.value, d.checked = v, time.Now()
	return v, nil
}

// tileJSON is a TileJSON 3.0.0 document.
type tileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []vectorLayer `json:"vector_layers"`
}

type vectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// worldBound is the extent of Web Mercator's square world.
var worldBound = orb.Bound{Min: orb.Point{-180, -85.0511287798066}, Max: orb.Point{180, 85.0511287798066}}

// tileJSON serves a layer's TileJSON. Its tile URL is absolute, built from
// the request as the client sent it (X-Forwarded-Proto, -Host and -Prefix
// when a proxy sets them), and carries the request's datetime on to every
// tile.
func (t *tiles) tileJSON(w http.ResponseWriter, r *http.Request) error {
	l, err := layer(r)
	if err != nil {
		return err
	}
	q, err := parseQuery(r.Context(), t.s.store, r.URL.RawQuery, tileParams...)
	if err != nil {
		return err
	}
	bound, err := t.bound(r.Context(), l, q.During)
	if err != nil {
		return err
	}
	base := baseURL(r)
	tileURL := base + "/tiles/" + string(l) + "/{z}/{x}/{y}.mvt"
	if dt := r.URL.Query().Get("datetime"); dt != "" {
		tileURL += "?" + url.Values{"datetime": {dt}}.Encode()
	}
	center := bound.Center()
	doc := tileJSON{
		TileJSON:    "3.0.0",
		Name:        "shiptrack " + string(l),
		Description: layerDescriptions[l],
		Version:     "1.0.0",
		Attribution: tileAttribution(base),
		Scheme:      "xyz",
		Tiles:       []string{tileURL},
		MinZoom:     0,
		MaxZoom:     tileMaxZoom,
		Bounds:      [4]float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]},
		Center:      [3]float64{center[0], center[1], 2},
		VectorLayers: []vectorLayer{{ID: string(l), Description: layerDescriptions[l],
			MinZoom: 0, MaxZoom: tileMaxZoom, Fields: routes.TileFields[l]}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode TileJSON: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(append(b, '\n'))
	return nil
}

// bound is the extent of what a layer holds during iv, or the whole world
// when it holds nothing or, for positions, which may be millions, always.
func (t *tiles) bound(ctx context.Context, l routes.TileLayer, iv routes.Interval) (orb.Bound, error) {
	st := t.s.store
	q := routes.Query{During: iv}
	var b orb.Bound
	var some bool
	add := func(x orb.Bound) {
		if !some {
			b, some = x, true
			return
		}
		b = b.Union(x)
	}
	var err error
	switch l {
	case routes.PlacesLayer:
		err = extend(ctx, st.Places, routes.Query{}, func(p routes.Place) { add(p.Point().Bound()) })
	case routes.LegsLayer:
		err = extend(ctx, st.Legs, q, func(x routes.Leg) { add(x.Geometry.Bound()) })
	case routes.ShipmentsLayer:
		err = extend(ctx, st.Shipments, q, func(x routes.Shipment) { add(x.Bound) })
	case routes.TracksLayer:
		err = extend(ctx, st.Tracks, q, func(x routes.Track) { add(x.Geometry.Bound()) })
	case routes.GapsLayer:
		err = extend(ctx, st.Gaps, q, func(x routes.Gap) { add(orb.MultiPoint{x.From, x.To}.Bound()) })
	case routes.ObservationsLayer:
		err = extend(ctx, st.Observations, q, func(x routes.Observation) { add(x.Point().Bound()) })
	}
	if err != nil {
		return orb.Bound{}, fmt.Errorf("extent of %s: %w", l, err)
	}
	if !some {
		return worldBound, nil
	}
	// Web Mercator draws nothing nearer the poles than worldBound.
	b.Min[1] = max(b.Min[1], worldBound.Min[1])
	b.Max[1] = min(b.Max[1], worldBound.Max[1])
	return b, nil
}

func extend[T any](ctx context.Context, list func(context.Context, routes.Query) (routes.Page[T], error), q routes.Query, add func(T)) error {
	page, err := list(ctx, q)
	if err != nil {
		return err
	}
	for _, it := range page.Items {
		add(it)
	}
	return nil
}

// Forwarded values are used only when they look like what a proxy sends, so
// that a hostile header cannot put markup or another path into a document.
var (
	hostPattern   = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)
	prefixPattern = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+$`)
)

// baseURL is the scheme, host and path prefix the client reached this
// server at.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := firstValue(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := firstValue(r.Header.Get("X-Forwarded-Host")); hostPattern.MatchString(h) {
		host = h
	}
	if !hostPattern.MatchString(host) {
		host = "localhost"
	}
	prefix := ""
	if p := strings.TrimSuffix(firstValue(r.Header.Get("X-Forwarded-Prefix")), "/"); prefixPattern.MatchString(p) {
		prefix = p
	}
	return scheme + "://" + host + prefix
}

// firstValue is the first of a comma-separated header's values: the one
// the outermost proxy set.
func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.TrimSpace(v)
}
