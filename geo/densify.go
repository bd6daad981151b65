package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Densify is the great circle from a to b on the mean sphere as a line whose
// vertices are at most step metres apart, a and b included exactly.
// Longitudes stay in [-180, 180], so a line that crosses the antimeridian
// jumps there, as SplitAntimeridian expects. Antipodal ends have no one great
// circle; Densify then takes the one through the north pole's meridian plane.
func Densify(a, b orb.Point, step float64) orb.LineString {
	var out orb.LineString
	greatCircle(a, b, step, func(p orb.Point) bool {
		out = append(out, p)
		return true
	})
	return out
}

// greatCircle calls f with the points Densify returns, in order, until f
// returns false.
func greatCircle(a, b orb.Point, step float64, f func(orb.Point) bool) {
	if !f(a) {
		return
	}
	d := GreatCircle(a, b)
	n := max(int(math.Ceil(d/step)), 1)
	if n > 1 {
		// Turn from a towards b about the axis they share, in n equal
		// steps: v = a cos θ + w sin θ, with w the unit vector at right
		// angles to a in the plane of the great circle, and cos θ and
		// sin θ carried from step to step.
		va, vb := unit(a), unit(b)
		dot := va[0]*vb[0] + va[1]*vb[1] + va[2]*vb[2]
		w := [3]float64{vb[0] - dot*va[0], vb[1] - dot*va[1], vb[2] - dot*va[2]}
		if l := math.Sqrt(w[0]*w[0] + w[1]*w[1] + w[2]*w[2]); l > 1e-12 {
			w = [3]float64{w[0] / l, w[1] / l, w[2] / l}
		} else {
			// Antipodal (or the same point): through the north pole's
			// meridian plane.
			w = unit(orb.Point{a[0], a[1] + 90})
		}
		sd, cd := math.Sincos(d / MeanRadius / float64(n))
		s, c := sd, cd
		for range n - 1 {
			v := [3]float64{va[0]*c + w[0]*s, va[1]*c + w[1]*s, va[2]*c + w[2]*s}
			if !f(fromUnit(v)) {
				return
			}
			s, c = s*cd+c*sd, c*cd-s*sd
		}
	}
	f(b)
}

// unit is p as a unit vector from the Earth's centre.
func unit(p orb.Point) [3]float64 {
	lon, lat := radians(p[0]), radians(p[1])
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

func fromUnit(v [3]float64) orb.Point {
	return orb.Point{math.Atan2(v[1], v[0]) * 180 / math.Pi, math.Asin(max(-1, min(1, v[2]))) * 180 / math.Pi}
}
