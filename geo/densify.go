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
	d := GreatCircle(a, b)
	n := max(int(math.Ceil(d/step)), 1)
	out := make(orb.LineString, 0, n+1)
	out = append(out, a)
	if n > 1 {
		va, vb := unit(a), unit(b)
		omega := d / MeanRadius
		sinOmega := math.Sin(omega)
		for i := 1; i < n; i++ {
			t := float64(i) / float64(n)
			var v [3]float64
			if sinOmega < 1e-12 {
				// Antipodal: slerp has no direction; go through the pole.
				v = unit(orb.Point{a[0], a[1] + t*180})
			} else {
				s, u := math.Sin((1-t)*omega)/sinOmega, math.Sin(t*omega)/sinOmega
				for k := range v {
					v[k] = s*va[k] + u*vb[k]
				}
			}
			out = append(out, fromUnit(v))
		}
	}
	return append(out, b)
}

// unit is p as a unit vector from the Earth's centre.
func unit(p orb.Point) [3]float64 {
	lon, lat := radians(p[0]), radians(p[1])
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

func fromUnit(v [3]float64) orb.Point {
	return orb.Point{math.Atan2(v[1], v[0]) * 180 / math.Pi, math.Atan2(v[2], math.Hypot(v[0], v[1])) * 180 / math.Pi}
}
