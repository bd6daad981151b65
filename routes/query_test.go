package routes

import (
	"strings"
	"testing"
)

func TestParseBBox(t *testing.T) {
	for _, c := range []struct {
		in   string
		want BBox
		err  string
	}{
		{in: "130,42,133.5,43.5", want: BBox{130, 42, 133.5, 43.5}},
		{in: " 170 , -10 , -170 , 10 ", want: BBox{170, -10, -170, 10}}, // crosses the antimeridian
		{in: "130,42,133.5", err: "four numbers"},
		{in: "130,42,133.5,43.5,1", err: "four numbers"},
		{in: "130,44,133.5,43.5", err: "south is above north"},
		{in: "130,42,133.5,95", err: "latitudes"},
		{in: "190,42,133.5,43", err: "longitudes"},
		{in: "a,42,133.5,43", err: "not a number"},
		{in: "NaN,42,133.5,43", err: "not a number"},
		{in: "", err: "four numbers"},
	} {
		b, err := ParseBBox(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseBBox(%q) = %v, %v; want error containing %q", c.in, b, err, c.err)
			}
			continue
		}
		if err != nil || b != c.want {
			t.Errorf("ParseBBox(%q) = %v, %v; want %v", c.in, b, err, c.want)
		}
	}
	if got := len((BBox{170, -10, -170, 10}).Bounds()); got != 2 {
		t.Errorf("a box across the antimeridian has %d rectangles; want 2", got)
	}
}

func TestParseDistance(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		err  bool
	}{
		{"20km", 20000, false}, {"5nm", 9260, false}, {"800m", 800, false},
		{"12.5 km", 12500, false}, {"300", 300, false}, {"20KM", 20000, false},
		{"-5km", 0, true}, {"far", 0, true}, {"km", 0, true}, {"Infkm", 0, true}, {"1e308km", 0, true},
	} {
		got, err := ParseDistance(c.in)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseDistance(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}
