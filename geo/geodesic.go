// Package geo is geometry on the WGS 84 ellipsoid for shiptrack: geodesic
// distance and length, interpolation along lines by length, antimeridian
// splitting per RFC 7946, validity, great circles drawn as lines, and the
// land mask (Natural Earth's land: OnLand, DistanceToShore, CrossesLand). It
// imports nothing else of the project.
package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// WGS 84 ellipsoid.
const (
	semiMajor  = 6378137.0
	flattening = 1 / 298.257223563
	semiMinor  = semiMajor * (1 - flattening)
)

// MeanRadius is the WGS 84 mean Earth radius in metres, used where a sphere
// is good enough.
const MeanRadius = 6371008.8

// Distance is the geodesic distance in metres between two points on the WGS 84
// ellipsoid, by Vincenty's inverse formula. For the nearly antipodal points
// where that iteration does not converge it falls back to the great circle on
// the mean sphere, which is within 0.5% there.
func Distance(a, b orb.Point) float64 {
	meters, _, ok := inverse(a, b)
	if !ok {
		return GreatCircle(a, b)
	}
	return meters
}

// inverse solves the inverse geodesic problem by Vincenty's formula: the
// distance in metres from a to b and the azimuth at a, in radians clockwise
// from north. ok is false for nearly antipodal points, where the iteration
// does not converge.
func inverse(a, b orb.Point) (meters, azimuth float64, ok bool) {
	if a == b {
		return 0, 0, true
	}
	L := radians(b[0] - a[0])
	U1 := math.Atan((1 - flattening) * math.Tan(radians(a[1])))
	U2 := math.Atan((1 - flattening) * math.Tan(radians(b[1])))
	sinU1, cosU1 := math.Sincos(U1)
	sinU2, cosU2 := math.Sincos(U2)

	lambda := L
	for range 200 {
		sinLambda, cosLambda := math.Sincos(lambda)
		sinSigma := math.Hypot(cosU2*sinLambda, cosU1*sinU2-sinU1*cosU2*cosLambda)
		if sinSigma == 0 {
			return 0, 0, true // coincident points
		}
		cosSigma := sinU1*sinU2 + cosU1*cosU2*cosLambda
		sigma := math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinLambda / sinSigma
		cos2Alpha := 1 - sinAlpha*sinAlpha
		cos2SigmaM := 0.0
		if cos2Alpha != 0 { // not an equatorial line
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		C := flattening / 16 * cos2Alpha * (4 + flattening*(4-3*cos2Alpha))
		prev := lambda
		lambda = L + (1-C)*flattening*sinAlpha*
			(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-12 {
			A, B := vincentyAB(cos2Alpha)
			meters = semiMinor * A * (sigma - deltaSigma(B, sinSigma, cosSigma, cos2SigmaM))
			azimuth = math.Atan2(cosU2*sinLambda, cosU1*sinU2-sinU1*cosU2*cosLambda)
			return meters, azimuth, true
		}
	}
	return 0, 0, false
}

// vincentyAB are the series coefficients A and B of Vincenty's formulae for
// a geodesic whose azimuth at the equator has squared cosine cos2Alpha.
func vincentyAB(cos2Alpha float64) (A, B float64) {
	uSq := cos2Alpha * (semiMajor*semiMajor - semiMinor*semiMinor) / (semiMinor * semiMinor)
	A = 1 + uSq/16384*(4096+uSq*(-768+uSq*(320-175*uSq)))
	B = uSq / 1024 * (256 + uSq*(-128+uSq*(74-47*uSq)))
	return A, B
}

// deltaSigma is the difference between the arc on the auxiliary sphere and
// the geodesic's length scaled to it, in Vincenty's formulae.
func deltaSigma(B, sinSigma, cosSigma, cos2SigmaM float64) float64 {
	return B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
		B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
}

// GreatCircle is the distance in metres between two points on the mean
// sphere (haversine).
func GreatCircle(a, b orb.Point) float64 {
	lat1, lat2 := radians(a[1]), radians(b[1])
	dLat := lat2 - lat1
	dLon := radians(b[0] - a[0])
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * MeanRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// LineLength is the geodesic length in metres of a line: the sum of the
// geodesic distances between its consecutive vertices.
func LineLength(ls orb.LineString) float64 {
	var sum float64
	for i := 1; i < len(ls); i++ {
		sum += Distance(ls[i-1], ls[i])
	}
	return sum
}

// Length is the geodesic length in metres of every part of a multi-line.
func Length(ml orb.MultiLineString) float64 {
	var sum float64
	for _, ls := range ml {
		sum += LineLength(ls)
	}
	return sum
}

func radians(d float64) float64 { return d * math.Pi / 180 }
