package routes

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ComputedFeature is a router's answer as a GeoJSON feature: the line (a
// LineString, or a MultiLineString when the antimeridian splits it), its
// length in km and nautical miles, how far each end was moved to reach the
// network, and the passages it goes through. from and to are the ends as
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
		"avoid":         nonNil(avoid),
	}
	return f
}

// ParseLonLat reads a point written "lon,lat" in decimal degrees, such as
// "130.30,42.2333", and checks that it lies in range.
func ParseLonLat(s string) (orb.Point, error) {
	lon, lat, ok := strings.Cut(s, ",")
	x, err1 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return orb.Point{}, fmt.Errorf("%q is not lon,lat in decimal degrees", s)
	case math.IsNaN(x) || x < -180 || x > 180:
		return orb.Point{}, fmt.Errorf("longitude %v is outside [-180, 180]", x)
	case math.IsNaN(y) || y < -90 || y > 90:
		return orb.Point{}, fmt.Errorf("latitude %v is outside [-90, 90]", y)
	}
	return orb.Point{x, y}, nil
}
