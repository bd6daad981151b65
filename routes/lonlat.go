package routes

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ParseLonLat reads a point written "LON,LAT" in degrees. isPair is false
// when s holds no comma, so that a caller can read it as a place id instead;
// err says what is wrong with a pair that cannot be a point.
func ParseLonLat(s string) (p orb.Point, isPair bool, err error) {
	lon, lat, ok := strings.Cut(s, ",")
	if !ok {
		return orb.Point{}, false, nil
	}
	num := func(v string) (float64, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	x, okX := num(lon)
	y, okY := num(lat)
	switch {
	case !okX || !okY:
		return orb.Point{}, true, fmt.Errorf("%q is not LON,LAT: want two numbers such as 132.34,42.88", s)
	case x < -180 || x > 180:
		return orb.Point{}, true, fmt.Errorf("longitude %v is outside [-180, 180]", x)
	case y < -90 || y > 90:
		return orb.Point{}, true, fmt.Errorf("latitude %v is outside [-90, 90]", y)
	}
	return orb.Point{x, y}, true, nil
}
