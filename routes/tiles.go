package routes

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math"
)

// Vector tiles: what a store draws into a Mapbox Vector Tile, so that every
// store draws the same features with the same properties.
//
// A tile holds one layer, named for the layer. Every feature carries its
// slug as the property "id" and, as its MVT feature id, TileFeatureID of
// that slug. Temporal features carry "start" and "end" as RFC 3339 strings
// (FormatTime) and "start_unix" and "end_unix" as whole seconds since
// 1970 (rounded down), which map styles can compare. Optional values that
// are unset are left out rather than written empty. TileFields lists each
// layer's properties.
//
// Geometry is in tile coordinates: Web Mercator, TileExtent units across
// the tile, snapped to whole units, with repeated points dropped, clipped
// TileBuffer units outside the tile. Lines are drawn as stored, split at
// the antimeridian, so a line that crosses it appears in the tiles at both
// edges of the world. A gap is drawn as the straight segment from where the
// silence began to where it ended, split the same way.
//
// A feature is in a tile when it meets the query in TileQuery — the same
// filters, with the same meaning, as Store's lists — and something of it is
// left after clipping.

// TileExtent is the width of a tile in tile coordinates.
const TileExtent = 4096

// TileBuffer is how far, in tile coordinates, geometry reaches outside the
// tile, so that lines and symbols at its edge join their neighbours'.
const TileBuffer = 64

// MaxZoom is the deepest zoom level served.
const MaxZoom = 22

// maxLat is the latitude where Web Mercator's square world ends.
const maxLat = 85.0511287798066

// TileLayer names a vector tile layer.
type TileLayer string

// The tile layers.
const (
	PlacesLayer       TileLayer = "places"
	LegsLayer         TileLayer = "legs"
	ShipmentsLayer    TileLayer = "shipments"
	PositionsLayer    TileLayer = "positions"
	TracksLayer       TileLayer = "tracks"
	GapsLayer         TileLayer = "gaps"
	ObservationsLayer TileLayer = "observations"
)

// TileLayers lists every layer, in the order maps stack them, bottom first.
var TileLayers = []TileLayer{ShipmentsLayer, LegsLayer, TracksLayer, GapsLayer, PositionsLayer, ObservationsLayer, PlacesLayer}

// temporal are the fields every temporal layer carries.
var temporal = map[string]string{
	"start":      "String: start of the active period, RFC 3339 UTC",
	"end":        "String: end of the active period, RFC 3339 UTC",
	"start_unix": "Number: start, whole seconds since 1970-01-01T00:00:00Z",
	"end_unix":   "Number: end, whole seconds since 1970-01-01T00:00:00Z",
}

// TileFields are the properties of each layer's features and what they
// hold, as TileJSON's vector_layers list them.
var TileFields = map[TileLayer]map[string]string{
	PlacesLayer: {
		"id":       "String: the place's slug",
		"name":     "String",
		"kind":     "String: port, rail_station, rail_terminal, depot or border_crossing",
		"country":  "String: ISO 3166-1 alpha-2",
		"unlocode": "String, when known",
	},
	LegsLayer: withTime(map[string]string{
		"id":            "String: the leg's slug",
		"shipment":      "String: the shipment's slug",
		"seq":           "Number: the leg's place in its shipment, from 1",
		"mode":          "String: sea, rail, road or air",
		"origin":        "String: a place's slug",
		"destination":   "String: a place's slug",
		"vessel":        "String: a vessel's slug, when known",
		"carrier":       "String, when known",
		"geometry_kind": "String: observed, reported, modeled or schematic",
		"confidence":    "String: low, medium or high, when given",
	}),
	ShipmentsLayer: withTime(map[string]string{
		"id":         "String: the shipment's slug",
		"title":      "String",
		"status":     "String: reported, alleged, confirmed or disputed",
		"confidence": "String: low, medium or high",
	}),
	PositionsLayer: withTime(map[string]string{
		"id":         "String: mmsi@time",
		"mmsi":       "String",
		"time":       "String: RFC 3339 UTC",
		"sog":        "Number: speed over ground, knots, when reported",
		"cog":        "Number: course over ground, degrees, when reported",
		"heading":    "Number: true heading, degrees, when reported",
		"nav_status": "Number: AIS navigational status, when reported",
	}),
	TracksLayer: withTime(map[string]string{
		"id":     "String: the track's id",
		"mmsi":   "String",
		"vessel": "String: a vessel's slug, when known",
		"leg":    "String: the leg the track was matched to, if any",
		"points": "Number: positions in the track",
	}),
	GapsLayer: withTime(map[string]string{
		"id":          "String: the gap's id",
		"mmsi":        "String",
		"vessel":      "String: a vessel's slug, when known",
		"dark":        "Boolean: long enough and far enough offshore to count as the transponder switched off",
		"offshore_nm": "Number: distance from shore where the silence began, nautical miles",
	}),
	ObservationsLayer: withTime(map[string]string{
		"id":      "String: the observation's slug",
		"kind":    "String: satellite_image, photo or port_call",
		"subject": "String: the slug of the vessel, place or shipment seen",
		"source":  "String: a source's slug",
	}),
}

func withTime(m map[string]string) map[string]string {
	for k, v := range temporal {
		m[k] = v
	}
	return m
}

// Tile is a tile in the XYZ scheme: zoom Z, column X from the west, row Y
// from the north.
type Tile struct {
	Z, X, Y int
}

// Validate checks that the tile exists: zoom 0 to MaxZoom, column and row
// within the 2^Z by 2^Z grid.
func (t Tile) Validate() error {
	if t.Z < 0 || t.Z > MaxZoom {
		return fmt.Errorf("zoom %d is outside 0 to %d", t.Z, MaxZoom)
	}
	n := 1 << t.Z
	if t.X < 0 || t.X >= n {
		return fmt.Errorf("column %d is outside 0 to %d at zoom %d", t.X, n-1, t.Z)
	}
	if t.Y < 0 || t.Y >= n {
		return fmt.Errorf("row %d is outside 0 to %d at zoom %d", t.Y, n-1, t.Z)
	}
	return nil
}

// String writes z/x/y.
func (t Tile) String() string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// BBox is the box in longitude and latitude that the tile and its buffer
// cover, cut to the world: features that meet it are the tile's candidates.
func (t Tile) BBox() BBox {
	n := float64(int(1) << t.Z)
	buf := float64(TileBuffer) / TileExtent
	lon := func(x float64) float64 { return math.Max(-180, math.Min(180, x/n*360-180)) }
	lat := func(y float64) float64 {
		v := math.Atan(math.Sinh(math.Pi*(1-2*y/n))) * 180 / math.Pi
		return math.Max(-maxLat, math.Min(maxLat, v))
	}
	return BBox{
		West:  lon(float64(t.X) - buf),
		East:  lon(float64(t.X+1) + buf),
		North: lat(float64(t.Y) - buf),
		South: lat(float64(t.Y+1) + buf),
	}
}

// TileFeatureID is the MVT feature id of the record with this slug: the
// first 52 bits of the MD5 of the slug, so that it is the same from every
// store, fits a JavaScript number exactly, and PostgreSQL computes it as
// ('x' || left(md5(id), 13))::bit(52)::bigint.
func TileFeatureID(id string) uint64 {
	h := md5.Sum([]byte(id))
	return binary.BigEndian.Uint64(h[:8]) >> 12
}

// TileQuery is what a tile shows.
type TileQuery struct {
	Layer TileLayer
	Tile  Tile
	// During keeps features whose active period meets it, as Query.During
	// does; places have no period and are always kept.
	During Interval
}

// Tiler draws vector tiles. Both stores implement it, with the same
// features and properties in every tile.
type Tiler interface {
	// Tile returns the tile encoded as a Mapbox Vector Tile, uncompressed;
	// an empty slice when no feature is in it.
	Tile(ctx context.Context, q TileQuery) ([]byte, error)
	// DataVersion names the state of the data. It changes whenever a write
	// commits, in this process or another, so that a cache keyed on it never
	// serves a tile older than the data. It is cheap to ask.
	DataVersion(ctx context.Context) (string, error)
}
