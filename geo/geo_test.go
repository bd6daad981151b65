package geo

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func dms(d, m, s float64) float64 {
	sign := 1.0
	if d < 0 {
		sign, d = -1, -d
	}
	return sign * (d + m/60 + s/3600)
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		name   string
		a, b   orb.Point
		meters float64
		tol    float64
	}{
		// Geoscience Australia's worked example of Vincenty's formulae.
		{"Flinders Peak to Buninyong",
			orb.Point{dms(144, 25, 29.52440), dms(-37, 57, 3.72030)},
			orb.Point{dms(143, 55, 35.38390), dms(-37, 39, 10.15610)}, 54972.271, 0.001},
		// One degree of longitude on the equator is a/360 of the equator.
		{"one degree on the equator", orb.Point{0, 0}, orb.Point{1, 0}, 2 * math.Pi * semiMajor / 360, 0.001},
		{"same point", orb.Point{130.3, 42.2333}, orb.Point{130.3, 42.2333}, 0, 0},
		// Najin to Dunay: REFERENCE.md gives a great circle of 98 nm.
		{"Najin to Dunay", orb.Point{130.30, 42.2333}, orb.Point{132.3375, 42.8803}, 98 * 1852, 1852},
		// Across the antimeridian the short way: 2 degrees on the equator.
		{"across the antimeridian", orb.Point{179, 0}, orb.Point{-179, 0}, 2 * 2 * math.Pi * semiMajor / 360, 0.01},
		// Nearly antipodal: Vincenty does not converge; the fallback must
		// still give about half the meridian circumference.
		{"nearly antipodal", orb.Point{0, 0}, orb.Point{179.7, 0.5}, 19_936_000, 100_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Distance(c.a, c.b); math.Abs(got-c.meters) > c.tol {
				t.Errorf("Distance = %.4f m; want %.4f ± %v", got, c.meters, c.tol)
			}
		})
	}
}

func TestSplitAntimeridian(t *testing.T) {
	for _, c := range []struct {
		name string
		in   orb.LineString
		want orb.MultiLineString
	}{
		{"no crossing", orb.LineString{{130, 42}, {132, 43}}, orb.MultiLineString{{{130, 42}, {132, 43}}}},
		{"eastward across", orb.LineString{{179, 10}, {-179, 20}},
			orb.MultiLineString{{{179, 10}, {180, 15}}, {{-180, 15}, {-179, 20}}}},
		{"westward across", orb.LineString{{-170, 0}, {170, 10}},
			orb.MultiLineString{{{-170, 0}, {-180, 5}}, {{180, 5}, {170, 10}}}},
		{"twice", orb.LineString{{170, 0}, {-170, 0}, {170, 2}},
			orb.MultiLineString{{{170, 0}, {180, 0}}, {{-180, 0}, {-170, 0}, {-180, 1}}, {{180, 1}, {170, 2}}}},
		{"starting on the antimeridian", orb.LineString{{180, 0}, {-179, 1}},
			orb.MultiLineString{{{-180, 0}, {-179, 1}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := SplitAntimeridian(c.in)
			if !orb.Equal(got, c.want) {
				t.Errorf("SplitAntimeridian(%v) = %v; want %v", c.in, got, c.want)
			}
			// The cut vertex lies on the straight line in degrees, not on the
			// geodesic, so the length may change a little; never by much.
			if d := math.Abs(Length(got) - LineLength(c.in)); d > 1e-4*LineLength(c.in) {
				t.Errorf("splitting changed the length by %v m", d)
			}
		})
	}
}

func TestJoin(t *testing.T) {
	in := orb.LineString{{170, 0}, {-170, 0}, {-160, 1}}
	got := Join(SplitAntimeridian(in))
	want := orb.LineString{{170, 0}, {180, 0}, {-170, 0}, {-160, 1}}
	if !orb.Equal(got, want) {
		t.Errorf("Join(Split) = %v; want %v", got, want)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		g    orb.Geometry
		want string // substring of the error; empty for valid
	}{
		{"a line", orb.LineString{{0, 0}, {1, 1}}, ""},
		{"a multi-line", orb.MultiLineString{{{179, 0}, {180, 1}}, {{-180, 1}, {-179, 2}}}, ""},
		{"one point line", orb.LineString{{0, 0}}, "point array"},
		{"repeated point line", orb.LineString{{0, 0}, {0, 0}}, "Too few points"},
		{"latitude 95", orb.LineString{{0, 0}, {1, 95}}, "latitude 95"},
		{"longitude 181", orb.Point{181, 0}, "longitude 181"},
		{"NaN", orb.LineString{{0, 0}, {math.NaN(), 1}}, "not a finite number"},
		{"the first bad member of a collection", orb.Collection{orb.Point{0, 0}, orb.Point{0, 95}, orb.Point{200, 0}}, "coordinate 1: latitude 95"},
		{"bow-tie polygon", orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}, "Self-intersection"},
		{"nil", nil, "missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Validate(c.g)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("Validate = %v; want valid", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("Validate = %v; want an error containing %q", err, c.want)
			}
		})
	}
}
