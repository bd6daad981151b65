package routes_test

import (
	"errors"
	"iter"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

func positions(ps []routes.Position, err error) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
		if err != nil {
			yield(routes.Position{}, err)
		}
	}
}

func TestApproaches(t *testing.T) {
	dunay := orb.Point{132.3375, 42.8803}
	at := func(h int) time.Time { return time.Date(2023, 9, 12, h, 0, 0, 0, time.UTC) }
	ps := []routes.Position{
		{MMSI: "273000002", Time: at(1), Lon: 132.30, Lat: 42.80},
		{MMSI: "273000001", Time: at(2), Lon: 132.33, Lat: 42.87},
		{MMSI: "273000002", Time: at(3), Lon: 132.3375, Lat: 42.8803}, // on the point
		{MMSI: "273000001", Time: at(4), Lon: 132.33, Lat: 42.87},     // as close as at 02:00
		{MMSI: "273000002", Time: at(5), Lon: 132.40, Lat: 42.90},
		{MMSI: "273000003", Time: at(1), Lon: 132.20, Lat: 42.70}, // first seen at the same time as ...002
	}
	got, err := routes.Approaches(positions(ps, nil), dunay)
	if err != nil {
		t.Fatal(err)
	}
	var mmsis []string
	for _, a := range got {
		mmsis = append(mmsis, a.MMSI)
	}
	if want := []string{"273000002", "273000003", "273000001"}; !reflect.DeepEqual(mmsis, want) {
		t.Errorf("order %v; want by first seen, then MMSI: %v", mmsis, want)
	}
	two, one := got[0], got[2]
	if two.Meters != 0 || !two.Closest.Time.Equal(at(3)) || two.Positions != 3 || !two.First.Equal(at(1)) || !two.Last.Equal(at(5)) {
		t.Errorf("273000002 = %+v; want closest 0 m at 03:00 over 3 positions from 01:00 to 05:00", two)
	}
	if !one.Closest.Time.Equal(at(2)) {
		t.Errorf("273000001's closest = %v; want the earlier of two equally close fixes, 02:00", one.Closest.Time)
	}
	if _, err := routes.Approaches(positions(ps, errors.New("boom")), dunay); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a failing stream gave %v; want its error", err)
	}
	if got, err := routes.Approaches(positions(nil, nil), dunay); err != nil || len(got) != 0 {
		t.Errorf("no positions gave %v, %v; want none", got, err)
	}
}

func TestVesselsByMMSI(t *testing.T) {
	refs := &routes.Refs{Vessels: map[string]routes.Vessel{
		"b-name": {ID: "b-name", MMSI: "273000001"},
		"a-name": {ID: "a-name", MMSI: "273000001"},
		"silent": {ID: "silent"},
	}}
	got := routes.VesselsByMMSI(refs)
	if len(got) != 1 || got["273000001"].ID != "a-name" {
		t.Errorf("VesselsByMMSI = %v; want the MMSI shared by two vessels to name the first by id", got)
	}
}

func TestParseLonLat(t *testing.T) {
	for _, c := range []struct {
		in     string
		want   orb.Point
		isPair bool
		err    string
	}{
		{"dunay", orb.Point{}, false, ""},
		{"132.34,42.88", orb.Point{132.34, 42.88}, true, ""},
		{" -165.4 , 64.5 ", orb.Point{-165.4, 64.5}, true, ""},
		{"181,0", orb.Point{}, true, "longitude 181"},
		{"0,-91", orb.Point{}, true, "latitude -91"},
		{"NaN,0", orb.Point{}, true, "not LON,LAT"},
		{"1,2,3", orb.Point{}, true, "not LON,LAT"},
		{"east,north", orb.Point{}, true, "not LON,LAT"},
	} {
		p, isPair, err := routes.ParseLonLat(c.in)
		if p != c.want || isPair != c.isPair || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("ParseLonLat(%q) = %v, %v, %v; want %v, %v, error containing %q", c.in, p, isPair, err, c.want, c.isPair, c.err)
		}
	}
}
