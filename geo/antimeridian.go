package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// SplitAntimeridian cuts a line wherever a segment crosses the antimeridian,
// as RFC 7946 section 3.1.9 asks. A segment crosses when its longitudes differ
// by more than 180°: it is taken to go the short way round. Each crossing ends
// one part at ±180 and starts the next at ∓180, at the latitude where the
// segment, drawn straight in unwrapped longitude, meets the meridian.
func SplitAntimeridian(ls orb.LineString) orb.MultiLineString {
	if len(ls) == 0 {
		return nil
	}
	var out orb.MultiLineString
	part := orb.LineString{ls[0]}
	for i := 1; i < len(ls); i++ {
		a, b := ls[i-1], ls[i]
		d := b[0] - a[0]
		if math.Abs(d) <= 180 {
			part = append(part, b)
			continue
		}
		// Unwrap b's longitude next to a's, then find the crossing.
		edge := 180.0
		bx := b[0] + 360
		if d > 0 { // eastward jump in wrapped terms means going west
			edge = -180
			bx = b[0] - 360
		}
		t := (edge - a[0]) / (bx - a[0])
		lat := a[1] + t*(b[1]-a[1])
		if a[0] != edge {
			part = append(part, orb.Point{edge, lat})
		}
		if len(part) >= 2 {
			out = append(out, part)
		}
		part = orb.LineString{}
		if b[0] != -edge {
			part = append(part, orb.Point{-edge, lat})
		}
		part = append(part, b)
	}
	if len(part) >= 2 {
		out = append(out, part)
	}
	return out
}

// Join is the inverse of SplitAntimeridian for reading: it concatenates the
// parts of a multi-line in order, dropping the duplicate vertices that a split
// adds on the antimeridian, so that the result can be walked as one line.
// Longitudes stay in [-180, 180].
func Join(ml orb.MultiLineString) orb.LineString {
	var out orb.LineString
	for _, part := range ml {
		for _, p := range part {
			if n := len(out); n > 0 && onAntimeridian(out[n-1]) && onAntimeridian(p) && out[n-1][1] == p[1] {
				continue
			}
			out = append(out, p)
		}
	}
	return out
}

func onAntimeridian(p orb.Point) bool { return p[0] == 180 || p[0] == -180 }
