package gpkg

import (
	"math"
	"math/big"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// The spatial predicates of a Query, evaluated in Go. They must agree with
// PostGIS, where the same questions are ST_Intersects on the planar lon/lat
// geometry and ST_DWithin on the geography, so the box test is exact: a
// point on the box's edge is in it, and a line that only touches the box
// intersects it. Floating point decides those cases only where its answer is
// certain; otherwise the orientation is computed in exact rational
// arithmetic, as robust geometry libraries (GEOS among them) do.

// rects is a query box as planar rectangles: one, or two when it crosses the
// antimeridian.
func rects(b *routes.BBox) []orb.Bound {
	if b == nil {
		return nil
	}
	return b.Bounds()
}

// pointIn reports whether p lies in any of the rectangles, edges included.
func pointIn(p orb.Point, rs []orb.Bound) bool {
	for _, r := range rs {
		if p[0] >= r.Min[0] && p[0] <= r.Max[0] && p[1] >= r.Min[1] && p[1] <= r.Max[1] {
			return true
		}
	}
	return false
}

// linesIn reports whether any part of ml, whose extent is bound, meets any
// of the rectangles.
func linesIn(ml orb.MultiLineString, bound orb.Bound, rs []orb.Bound) bool {
	for _, r := range rs {
		if !bound.Intersects(r) {
			continue
		}
		for _, ls := range ml {
			if len(ls) == 1 && pointIn(ls[0], []orb.Bound{r}) {
				return true
			}
			for i := 1; i < len(ls); i++ {
				if segmentMeets(ls[i-1], ls[i], r) {
					return true
				}
			}
		}
	}
	return false
}

// segmentMeets reports whether the closed segment ab meets the closed
// rectangle r. Both are convex, so they meet unless an axis separates them:
// x, y, or the segment's normal. The normal separates them when every corner
// lies strictly on one side of the line through a and b.
func segmentMeets(a, b orb.Point, r orb.Bound) bool {
	if math.Max(a[0], b[0]) < r.Min[0] || math.Min(a[0], b[0]) > r.Max[0] ||
		math.Max(a[1], b[1]) < r.Min[1] || math.Min(a[1], b[1]) > r.Max[1] {
		return false
	}
	side := 0
	for _, c := range [4]orb.Point{r.Min, {r.Max[0], r.Min[1]}, r.Max, {r.Min[0], r.Max[1]}} {
		o := orientation(a, b, c)
		if o == 0 || (side != 0 && o != side) {
			return true
		}
		side = o
	}
	return false
}

// ccwErrBound bounds the rounding error of the determinant in orientation
// (Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust
// Geometric Predicates", 1997).
const ccwErrBound = (3 + 16*epsilon) * epsilon

const epsilon = 0x1p-53

// orientation is the sign of the turn a → b → c: +1 counter-clockwise, -1
// clockwise, 0 collinear, exactly.
func orientation(a, b, c orb.Point) int {
	// The conversions keep the compiler from fusing multiply and add, which
	// would change the rounding the error bound assumes.
	left := float64((a[0] - c[0]) * (b[1] - c[1]))
	right := float64((a[1] - c[1]) * (b[0] - c[0]))
	det := left - right
	var sum float64
	switch {
	case left > 0 && right > 0:
		sum = left + right
	case left < 0 && right < 0:
		sum = -left - right
	default: // the terms have opposite signs or one is zero: no cancellation
		return sign(det)
	}
	if math.Abs(det) >= ccwErrBound*sum {
		return sign(det)
	}
	return exactOrientation(a, b, c)
}

func exactOrientation(a, b, c orb.Point) int {
	r := func(x float64) *big.Rat { return new(big.Rat).SetFloat64(x) }
	sub := func(x, y float64) *big.Rat { return new(big.Rat).Sub(r(x), r(y)) }
	left := new(big.Rat).Mul(sub(a[0], c[0]), sub(b[1], c[1]))
	right := new(big.Rat).Mul(sub(a[1], c[1]), sub(b[0], c[0]))
	return left.Cmp(right)
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// near reports whether p lies within the query's circle, measured
// geodesically on WGS 84 as PostGIS's geography does.
func near(p orb.Point, n *routes.Near) bool {
	return geo.Distance(p, n.Point) <= n.Meters
}

// Bounds of a geodesic circle, for prefiltering with the R-tree. They need
// only contain the circle; the exact test follows. A degree of latitude is
// at least 110,574 m on WGS 84, and along a parallel no shorter than on a
// sphere a little smaller than the ellipsoid's polar radius; the margins
// absorb the difference between geodetic and geocentric latitude.
const (
	minDegreeMeters = 110_000.0
	innerRadius     = 6_300_000.0
	marginDegrees   = 0.05
)

// nearRects returns rectangles that contain every point within n, or nil
// when the circle reaches a pole or so far that no rectangle helps.
func nearRects(n *routes.Near) []orb.Bound {
	dLat := n.Meters/minDegreeMeters + marginDegrees
	south, north := n.Point[1]-dLat, n.Point[1]+dLat
	angle := n.Meters / innerRadius
	maxLat := math.Max(math.Abs(south), math.Abs(north))
	if maxLat >= 89 || angle >= math.Pi/2 {
		return nil
	}
	s := math.Sin(angle) / math.Cos(maxLat*math.Pi/180)
	if s >= 1 {
		return nil
	}
	dLon := math.Asin(s)*180/math.Pi*1.05 + marginDegrees
	if dLon >= 180 {
		return nil
	}
	west, east := n.Point[0]-dLon, n.Point[0]+dLon
	switch {
	case west < -180:
		return []orb.Bound{
			{Min: orb.Point{west + 360, south}, Max: orb.Point{180, north}},
			{Min: orb.Point{-180, south}, Max: orb.Point{east, north}},
		}
	case east > 180:
		return []orb.Bound{
			{Min: orb.Point{west, south}, Max: orb.Point{180, north}},
			{Min: orb.Point{-180, south}, Max: orb.Point{east - 360, north}},
		}
	}
	return []orb.Bound{{Min: orb.Point{west, south}, Max: orb.Point{east, north}}}
}
