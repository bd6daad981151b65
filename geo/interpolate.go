package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Interpolate returns the point a fraction f of the way along a line,
// measured by geodesic length: 0 is the first point, 1 the last, and 0.5 the
// point with as many metres of line before it as after. Between vertices the
// point lies on the geodesic joining them. The line is in RFC 7946 form: its
// parts are walked in order as one line (see Join), so a line split at the
// antimeridian is measured across it, and the point's longitude is in
// [-180, 180]. f is clamped to [0, 1]; NaN counts as 0. An empty line gives
// the zero Point.
func Interpolate(ml orb.MultiLineString, f float64) orb.Point {
	m := measure(ml)
	if len(m.line) == 0 {
		return orb.Point{}
	}
	p, _ := m.at(clampFraction(f) * m.total())
	return p
}

// Substring returns the part of a line between the fractions f0 and f1 of
// its geodesic length, in RFC 7946 form: split where it crosses the
// antimeridian. Its ends are Interpolate(ml, f0) and Interpolate(ml, f1);
// the vertices between are the line's own. Fractions are clamped as in
// Interpolate. When f0 ≥ f1 the part is at most a point and Substring
// returns nil: use Interpolate for the point.
func Substring(ml orb.MultiLineString, f0, f1 float64) orb.MultiLineString {
	f0, f1 = clampFraction(f0), clampFraction(f1)
	if f0 >= f1 {
		return nil
	}
	m := measure(ml)
	if len(m.line) == 0 {
		return nil
	}
	start, i := m.at(f0 * m.total())
	end, j := m.at(f1 * m.total())
	part := orb.LineString{start}
	add := func(p orb.Point) {
		if p != part[len(part)-1] {
			part = append(part, p)
		}
	}
	for k := i + 1; k <= j; k++ {
		add(m.line[k])
	}
	add(end)
	if len(part) < 2 {
		return nil // a line of zero length
	}
	return SplitAntimeridian(part)
}

// clampFraction keeps f in [0, 1], reading NaN as 0.
func clampFraction(f float64) float64 {
	if !(f > 0) { // also NaN
		return 0
	}
	return math.Min(f, 1)
}

// measured is a line walked as one, with the geodesic distance from its
// start to each vertex.
type measured struct {
	line orb.LineString
	cum  []float64 // cum[i] is the length in metres from line[0] to line[i]
}

func measure(ml orb.MultiLineString) measured {
	line := Join(ml)
	cum := make([]float64, len(line))
	for i := 1; i < len(line); i++ {
		cum[i] = cum[i-1] + Distance(line[i-1], line[i])
	}
	return measured{line, cum}
}

func (m measured) total() float64 { return m.cum[len(m.cum)-1] }

// at returns the point s metres along the line and the index of the vertex
// that begins the segment holding it.
func (m measured) at(s float64) (orb.Point, int) {
	n := len(m.line)
	if n == 1 || s <= 0 {
		return m.line[0], 0
	}
	if s >= m.total() {
		return m.line[n-1], n - 1
	}
	// The first vertex at or past s ends the segment.
	j := sort.SearchFloat64s(m.cum, s)
	i := j - 1
	if m.cum[j] == s {
		return m.line[j], j
	}
	return along(m.line[i], m.line[j], s-m.cum[i]), i
}

// along returns the point s metres from a on the geodesic from a to b.
func along(a, b orb.Point, s float64) orb.Point {
	_, azimuth, ok := inverse(a, b)
	if !ok {
		// Nearly antipodal: the geodesic is not unique; head off on the
		// great circle's bearing.
		azimuth = bearing(a, b)
	}
	return direct(a, azimuth, s)
}

// bearing is the initial bearing from a to b on the sphere, in radians
// clockwise from north.
func bearing(a, b orb.Point) float64 {
	lat1, lat2 := radians(a[1]), radians(b[1])
	dLon := radians(b[0] - a[0])
	return math.Atan2(math.Sin(dLon)*math.Cos(lat2),
		math.Cos(lat1)*math.Sin(lat2)-math.Sin(lat1)*math.Cos(lat2)*math.Cos(dLon))
}

// direct solves the direct geodesic problem by Vincenty's formula: the point
// reached from p by going meters along the geodesic that leaves p at azimuth
// (radians clockwise from north). The longitude is wrapped into [-180, 180].
func direct(p orb.Point, azimuth, meters float64) orb.Point {
	sinAz, cosAz := math.Sincos(azimuth)
	tanU1 := (1 - flattening) * math.Tan(radians(p[1]))
	cosU1 := 1 / math.Sqrt(1+tanU1*tanU1)
	sinU1 := tanU1 * cosU1
	sigma1 := math.Atan2(tanU1, cosAz)
	sinAlpha := cosU1 * sinAz
	cos2Alpha := 1 - sinAlpha*sinAlpha
	A, B := vincentyAB(cos2Alpha)

	first := meters / (semiMinor * A)
	sigma := first
	var sinSigma, cosSigma, cos2SigmaM float64
	for range 200 {
		cos2SigmaM = math.Cos(2*sigma1 + sigma)
		sinSigma, cosSigma = math.Sincos(sigma)
		prev := sigma
		sigma = first + deltaSigma(B, sinSigma, cosSigma, cos2SigmaM)
		if math.Abs(sigma-prev) < 1e-12 {
			break
		}
	}
	cos2SigmaM = math.Cos(2*sigma1 + sigma)
	sinSigma, cosSigma = math.Sincos(sigma)

	x := sinU1*sinSigma - cosU1*cosSigma*cosAz
	lat := math.Atan2(sinU1*cosSigma+cosU1*sinSigma*cosAz, (1-flattening)*math.Hypot(sinAlpha, x))
	lambda := math.Atan2(sinSigma*sinAz, cosU1*cosSigma-sinU1*sinSigma*cosAz)
	C := flattening / 16 * cos2Alpha * (4 + flattening*(4-3*cos2Alpha))
	L := lambda - (1-C)*flattening*sinAlpha*
		(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
	return orb.Point{wrapLongitude(p[0] + degrees(L)), degrees(lat)}
}

// wrapLongitude brings a longitude into [-180, 180].
func wrapLongitude(lon float64) float64 { return math.Remainder(lon, 360) }

func degrees(r float64) float64 { return r * 180 / math.Pi }
