package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// near reports whether two points are within tol metres of each other.
func near(a, b orb.Point, tol float64) bool { return Distance(a, b) <= tol }

func TestDirect(t *testing.T) {
	// Geoscience Australia's worked example of Vincenty's direct formula:
	// from Flinders Peak, 54972.271 m at 306°52'05.37" reaches Buninyong.
	flinders := orb.Point{dms(144, 25, 29.52440), dms(-37, 57, 3.72030)}
	buninyong := orb.Point{dms(143, 55, 35.38390), dms(-37, 39, 10.15610)}
	got := direct(flinders, radians(dms(306, 52, 5.37)), 54972.271)
	if !near(got, buninyong, 0.001) {
		t.Errorf("direct from Flinders Peak = %v; want Buninyong %v (off by %.4f m)", got, buninyong, Distance(got, buninyong))
	}
	// The inverse's azimuth, fed to the direct problem with the inverse's
	// distance, must land on the far point again.
	for _, c := range []struct {
		name string
		a, b orb.Point
	}{
		{"Najin to Dunay", orb.Point{130.30, 42.2333}, orb.Point{132.3375, 42.8803}},
		{"Dunay to Tikhoretsk", orb.Point{132.3375, 42.8803}, orb.Point{40.1253, 45.8547}},
		{"due south", orb.Point{10, 60}, orb.Point{10, -60}},
		{"along the equator", orb.Point{-20, 0}, orb.Point{40, 0}},
		{"across the antimeridian", orb.Point{175, 50}, orb.Point{-170, 55}},
		{"near the pole", orb.Point{0, 89}, orb.Point{120, 88}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, az, ok := inverse(c.a, c.b)
			if !ok {
				t.Fatal("inverse did not converge")
			}
			if got := direct(c.a, az, s); !near(got, c.b, 0.001) {
				t.Errorf("direct(a, azimuth, distance) = %v; want %v (off by %.4f m)", got, c.b, Distance(got, c.b))
			}
		})
	}
}

func TestInterpolate(t *testing.T) {
	equator := orb.MultiLineString{{{0, 0}, {1, 0}, {3, 0}}}
	dateLine := SplitAntimeridian(orb.LineString{{170, 0}, {-170, 0}}) // 20° on the equator, split at 180
	for _, c := range []struct {
		name string
		line orb.MultiLineString
		f    float64
		want orb.Point
	}{
		{"start", equator, 0, orb.Point{0, 0}},
		{"end", equator, 1, orb.Point{3, 0}},
		{"on a vertex", equator, 1.0 / 3, orb.Point{1, 0}},
		{"inside the second segment", equator, 0.5, orb.Point{1.5, 0}},
		{"below 0 is the start", equator, -0.5, orb.Point{0, 0}},
		{"above 1 is the end", equator, 7, orb.Point{3, 0}},
		{"NaN is the start", equator, math.NaN(), orb.Point{0, 0}},
		{"before the antimeridian", dateLine, 0.25, orb.Point{175, 0}},
		{"on the antimeridian", dateLine, 0.5, orb.Point{180, 0}},
		{"past the antimeridian", dateLine, 0.75, orb.Point{-175, 0}},
		{"a one-point line", orb.MultiLineString{{{5, 5}}}, 0.5, orb.Point{5, 5}},
		{"an empty line", nil, 0.5, orb.Point{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Interpolate(c.line, c.f)
			// Longitudes compare round the circle: 180 and -180 are one meridian.
			if math.Abs(math.Remainder(got[0]-c.want[0], 360)) > 1e-9 || math.Abs(got[1]-c.want[1]) > 1e-9 {
				t.Errorf("Interpolate(%v, %v) = %v; want %v", c.line, c.f, got, c.want)
			}
		})
	}
}

// TestInterpolateByLength checks the defining property on a bent line off
// the equator, where degrees and metres do not agree: the point at f has f
// of the line's geodesic length before it.
func TestInterpolateByLength(t *testing.T) {
	line := orb.MultiLineString{{{130.30, 42.2333}, {131.2, 42.4}, {132.3375, 42.8803}, {131.9, 43.8}, {128.5, 50.9}}}
	total := Length(line)
	for _, f := range []float64{0.01, 0.2, 0.37, 0.5, 0.81, 0.999} {
		p := Interpolate(line, f)
		before := Substring(line, 0, f)
		after := Substring(line, f, 1)
		if d := Length(before) - f*total; math.Abs(d) > 1e-6*total {
			t.Errorf("f=%v: %.3f m of line before the point; want %.3f", f, Length(before), f*total)
		}
		if d := Length(before) + Length(after) - total; math.Abs(d) > 1e-6*total {
			t.Errorf("f=%v: the two parts measure %.3f m; the line %.3f m", f, Length(before)+Length(after), total)
		}
		if end := before[len(before)-1]; end[len(end)-1] != p {
			t.Errorf("f=%v: the part before ends at %v, not at the point %v", f, end[len(end)-1], p)
		}
		if after[0][0] != p {
			t.Errorf("f=%v: the part after starts at %v, not at the point %v", f, after[0][0], p)
		}
	}
}

func TestSubstring(t *testing.T) {
	equator := orb.MultiLineString{{{0, 0}, {1, 0}, {3, 0}}}
	// 170°E to 160°W on the equator, split at the antimeridian: 30° long.
	dateLine := SplitAntimeridian(orb.LineString{{170, 0}, {-170, 0}, {-160, 0}})
	for _, c := range []struct {
		name   string
		line   orb.MultiLineString
		f0, f1 float64
		want   orb.MultiLineString
	}{
		{"whole", equator, 0, 1, equator},
		{"inside one segment", equator, 0.5, 0.6, orb.MultiLineString{{{1.5, 0}, {1.8, 0}}}},
		{"across a vertex", equator, 0.25, 0.5, orb.MultiLineString{{{0.75, 0}, {1, 0}, {1.5, 0}}}},
		{"from a vertex", equator, 1.0 / 3, 1, orb.MultiLineString{{{1, 0}, {3, 0}}}},
		{"clamped", equator, -1, 2, equator},
		{"collapsed", equator, 0.5, 0.5, nil},
		{"reversed", equator, 0.6, 0.5, nil},
		{"across the antimeridian", dateLine, 0.5 / 3, 1.5 / 3,
			orb.MultiLineString{{{175, 0}, {180, 0}}, {{-180, 0}, {-175, 0}}}},
		{"east of the antimeridian only", dateLine, 0.5, 1, orb.MultiLineString{{{-175, 0}, {-170, 0}, {-160, 0}}}},
		{"starting on the antimeridian", dateLine, 1.0 / 3, 0.5, orb.MultiLineString{{{-180, 0}, {-175, 0}}}},
		{"an empty line", nil, 0, 1, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Substring(c.line, c.f0, c.f1)
			if !equalWithin(got, c.want, 1e-9) {
				t.Errorf("Substring(%v, %v, %v) = %v; want %v", c.line, c.f0, c.f1, got, c.want)
			}
		})
	}
}

// equalWithin compares multi-lines vertex by vertex, to a tolerance in
// degrees.
func equalWithin(a, b orb.MultiLineString, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Abs(a[i][j][0]-b[i][j][0]) > tol || math.Abs(a[i][j][1]-b[i][j][1]) > tol {
				return false
			}
		}
	}
	return true
}

// TestAlongAntipodal checks the fallback for a segment whose ends are
// nearly antipodal, where Vincenty's inverse does not converge: the point
// must still lie the asked distance from the start.
func TestAlongAntipodal(t *testing.T) {
	a, b := orb.Point{0, 0}, orb.Point{179.7, 0.5}
	if _, _, ok := inverse(a, b); ok {
		t.Skip("inverse converged; the fallback is not exercised")
	}
	p := along(a, b, 5_000_000)
	if d := Distance(a, p); math.Abs(d-5_000_000) > 1 {
		t.Errorf("the point is %.1f m from the start; want 5,000,000", d)
	}
}
