package routes

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ComputedFeature is a router's answer as a GeoJSON feature: the line (a
// LineString, or a MultiLineString when the antimeridian splits it), its
// length in km and nautical miles, how far each end was moved to reach the
// network, the passages it goes through and the stations it passes. from and to are the ends as
// they were asked for (a place id or "lon,lat") and fromPt and toPt where
// they lie; avoid is what the route was asked to avoid.
func ComputedFeature(mode Mode, from, to string, fromPt, toPt orb.Point, avoid []string, r ComputedRoute) *geojson.Feature {
	f := geojson.NewFeature(LineGeometry(r.Line))
	f.Properties = geojson.Properties{
		"mode":          mode,
		"network":       r.Network,
		"geometry_kind": Modeled,
		"from":          from,
		"to":            to,
		"from_point":    [2]float64(fromPt),
		"to_point":      [2]float64(toPt),
		"length_km":     round3(r.LengthKm),
		"length_nm":     round3(r.LengthKm / NauticalMile),
		"from_snap_km":  round3(r.FromSnapKm),
		"to_snap_km":    round3(r.ToSnapKm),
		"passages":      nonNil(r.Passages),
		"stations":      nonNil(r.Stations),
		"avoid":         nonNil(avoid),
	}
	return f
}
