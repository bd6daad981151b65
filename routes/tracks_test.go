package routes

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// voyageBuilder writes one vessel's positions as a test scenario.
type voyageBuilder struct {
	t  time.Time
	at orb.Point
	ps []Position
}

func newVoyage(at orb.Point) *voyageBuilder {
	return &voyageBuilder{t: time.Date(2023, 9, 10, 0, 0, 0, 0, time.UTC), at: at}
}

func knots(v float64) *float64 { return &v }

// moor reports every 30 minutes at the current place, stopped, for d.
func (b *voyageBuilder) moor(d time.Duration) *voyageBuilder {
	end := b.t.Add(d)
	for ; b.t.Before(end); b.t = b.t.Add(30 * time.Minute) {
		b.ps = append(b.ps, Position{MMSI: "273999001", Time: b.t, Lon: b.at[0], Lat: b.at[1], SOG: knots(0)})
	}
	return b
}

// sail reports every 10 minutes on the way to, and short of, to at v knots.
func (b *voyageBuilder) sail(to orb.Point, v float64) *voyageBuilder {
	dist := geo.Distance(b.at, to) / 1852
	steps := int(math.Ceil(dist / (v / 6)))
	from := b.at
	dlon := to[0] - from[0]
	if dlon > 180 { // the short way round, across the antimeridian
		dlon -= 360
	} else if dlon < -180 {
		dlon += 360
	}
	for s := range steps {
		f := float64(s) / float64(steps)
		lon := from[0] + f*dlon
		if lon > 180 {
			lon -= 360
		} else if lon < -180 {
			lon += 360
		}
		b.at = orb.Point{lon, from[1] + f*(to[1]-from[1])}
		b.ps = append(b.ps, Position{MMSI: "273999001", Time: b.t, Lon: b.at[0], Lat: b.at[1], SOG: knots(v)})
		b.t = b.t.Add(10 * time.Minute)
	}
	b.at = to
	return b
}

// silent jumps ahead in time and place with no report.
func (b *voyageBuilder) silent(d time.Duration, to orb.Point) *voyageBuilder {
	b.t = b.t.Add(d)
	b.at = to
	return b
}

func (b *voyageBuilder) seq() func(yield func(Position, error) bool) {
	return func(yield func(Position, error) bool) {
		for _, p := range b.ps {
			if !yield(p, nil) {
				return
			}
		}
	}
}

var (
	najinPort = Place{ID: "najin", Name: "Najin", Kind: Port, Country: "KP", Lon: 130.3, Lat: 42.2333}
	dunayPort = Place{ID: "dunay", Name: "Dunay", Kind: Port, Country: "RU", Lon: 132.3375, Lat: 42.8803}
	ports     = []Place{najinPort, dunayPort}
	atSea     = orb.Point{131.5, 41.3}
)

// shoreAt is a fake land mask: everywhere is nm nautical miles from shore.
func shoreAt(nm float64) ShoreDistance {
	return func(orb.Point) float64 { return nm * NauticalMile * 1000 }
}

func derive(t *testing.T, b *voyageBuilder, shore ShoreDistance) Derived {
	t.Helper()
	d, err := DeriveTracks("273999001", b.seq(), TrackOptions{Ports: ports, Shore: shore, Vessel: "angara"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestVoyageBetweenPortStops(t *testing.T) {
	b := newVoyage(orb.Point{130.31, 42.24}).moor(6*time.Hour).sail(atSea, 10).sail(orb.Point{132.33, 42.87}, 10).moor(6 * time.Hour)
	arrival := b.t.Add(-6 * time.Hour) // the first report at Dunay
	d := derive(t, b, nil)
	if len(d.Voyages) != 1 || len(d.Gaps) != 0 {
		t.Fatalf("%d voyages, %d gaps; want one voyage, no gap", len(d.Voyages), len(d.Gaps))
	}
	v := d.Voyages[0]
	if v.From != "najin" || v.To != "dunay" || len(v.Tracks) != 1 {
		t.Fatalf("voyage from %q to %q in %d tracks", v.From, v.To, len(v.Tracks))
	}
	tr := v.Tracks[0]
	// It leaves with the last report at Najin and arrives with the first at Dunay.
	if want := time.Date(2023, 9, 10, 5, 30, 0, 0, time.UTC); !tr.Start.Equal(want) {
		t.Errorf("track starts %v, want the last report moored at Najin, %v", tr.Start, want)
	}
	if !tr.End.Equal(arrival) {
		t.Errorf("track ends %v, want the first report at Dunay, %v", tr.End, arrival)
	}
	sailed := 0
	for _, p := range b.ps {
		if *p.SOG > 0 {
			sailed++
		}
	}
	if tr.Points != sailed+2 {
		t.Errorf("track drawn from %d positions, want %d under way and the two in port", tr.Points, sailed+2)
	}
	if tr.ID != "273999001-20230910t053000z" || tr.Vessel != "angara" || tr.MMSI != "273999001" {
		t.Errorf("track id %q vessel %q mmsi %q", tr.ID, tr.Vessel, tr.MMSI)
	}
	// The line is thinned: a straight course needs few vertices.
	if n := len(tr.Geometry[0]); n > 5 || n < 3 {
		t.Errorf("line has %d vertices; want the three corners of a two-leg course, give or take", n)
	}
	if math.Abs(tr.LengthKm-geo.Length(tr.Geometry)/1000) > 1e-9 || tr.LengthKm < 250 {
		t.Errorf("length %v km", tr.LengthKm)
	}
}

func TestGaps(t *testing.T) {
	tests := []struct {
		name    string
		silence time.Duration
		shoreNm float64
		gaps    int
		dark    bool
	}{
		{"six hours exactly is no gap", 6 * time.Hour, 100, 0, false},
		{"seven hours is a gap, not dark", 7 * time.Hour, 100, 1, false},
		{"twelve hours far out is dark", 12 * time.Hour, 60, 1, true},
		{"thirteen hours near shore is not dark", 13 * time.Hour, 40, 1, false},
		{"just inside fifty nautical miles is not dark", 13 * time.Hour, 49.9, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newVoyage(orb.Point{130.31, 42.24}).moor(6*time.Hour).sail(atSea, 10)
			// The last report before the silence is one step short of atSea.
			b.silent(tc.silence-10*time.Minute, orb.Point{131.9, 41.6}).sail(orb.Point{132.33, 42.87}, 10).moor(6 * time.Hour)
			d := derive(t, b, shoreAt(tc.shoreNm))
			if len(d.Gaps) != tc.gaps {
				t.Fatalf("%d gaps, want %d", len(d.Gaps), tc.gaps)
			}
			if len(d.Voyages) != 1 {
				t.Fatalf("%d voyages, want 1: a silence at sea does not end a voyage", len(d.Voyages))
			}
			if tc.gaps == 0 {
				if len(d.Voyages[0].Tracks) != 1 {
					t.Errorf("%d tracks, want 1", len(d.Voyages[0].Tracks))
				}
				return
			}
			g := d.Gaps[0]
			if g.Dark != tc.dark || math.Abs(g.OffshoreNm-tc.shoreNm) > 1e-9 {
				t.Errorf("dark %v offshore %v nm, want %v, %v", g.Dark, g.OffshoreNm, tc.dark, tc.shoreNm)
			}
			if g.End.Sub(g.Start) != tc.silence || g.To != (orb.Point{131.9, 41.6}) {
				t.Errorf("gap %v to %v ending at %v", g.Start, g.End, g.To)
			}
			ts := d.Voyages[0].Tracks
			if len(ts) != 2 || !ts[0].End.Equal(g.Start) || !ts[1].Start.Equal(g.End) {
				t.Errorf("the gap does not split the voyage's track in two: %d tracks", len(ts))
			}
			if g.Vessel != "angara" || g.ID != "273999001-gap-"+g.Start.Format("20060102t150405z") {
				t.Errorf("gap id %q vessel %q", g.ID, g.Vessel)
			}
		})
	}
	// Without a land mask nothing is dark.
	b := newVoyage(atSea).sail(orb.Point{131.6, 41.3}, 10).silent(24*time.Hour, orb.Point{131.9, 41.6}).sail(orb.Point{132, 41.6}, 10)
	if d := derive(t, b, nil); len(d.Gaps) != 1 || d.Gaps[0].Dark || d.Gaps[0].OffshoreNm != 0 {
		t.Errorf("without a shore distance: %+v", d.Gaps)
	}
}

func TestPortStops(t *testing.T) {
	t.Run("passing a port at speed is no stop", func(t *testing.T) {
		b := newVoyage(orb.Point{130.0, 42.0}).sail(orb.Point{130.6, 42.4}, 12).sail(atSea, 12)
		d := derive(t, b, nil)
		if len(d.Voyages) != 1 || len(d.Voyages[0].Tracks) != 1 || d.Voyages[0].From != "" || d.Voyages[0].To != "" {
			t.Errorf("voyages %+v", d.Voyages)
		}
		if d.Voyages[0].Tracks[0].Points != len(b.ps) {
			t.Errorf("track has %d of %d positions", d.Voyages[0].Tracks[0].Points, len(b.ps))
		}
	})
	t.Run("under two hours slow in port is no stop", func(t *testing.T) {
		b := newVoyage(atSea).sail(orb.Point{130.31, 42.24}, 10).moor(90*time.Minute).sail(atSea, 10)
		if d := derive(t, b, nil); len(d.Voyages) != 1 {
			t.Errorf("%d voyages, want 1", len(d.Voyages))
		}
	})
	t.Run("two stops make three voyages", func(t *testing.T) {
		b := newVoyage(atSea).sail(orb.Point{130.31, 42.24}, 10).moor(3*time.Hour).sail(atSea, 10).
			sail(orb.Point{132.33, 42.87}, 10).moor(3*time.Hour).sail(atSea, 10)
		d := derive(t, b, nil)
		var legs [][2]string
		for _, v := range d.Voyages {
			legs = append(legs, [2]string{v.From, v.To})
		}
		if want := [][2]string{{"", "najin"}, {"najin", "dunay"}, {"dunay", ""}}; !slices.Equal(legs, want) {
			t.Errorf("voyages %v, want %v", legs, want)
		}
	})
	t.Run("without speed, the implied speed decides", func(t *testing.T) {
		b := newVoyage(orb.Point{130.31, 42.24}).moor(3*time.Hour).sail(atSea, 10).sail(orb.Point{132.33, 42.87}, 10).moor(3 * time.Hour)
		for i := range b.ps {
			b.ps[i].SOG = nil
		}
		d := derive(t, b, nil)
		if len(d.Voyages) != 1 || d.Voyages[0].From != "najin" || d.Voyages[0].To != "dunay" {
			t.Errorf("voyages %+v", d.Voyages)
		}
	})
	t.Run("a silence while moored is a gap within the stop", func(t *testing.T) {
		b := newVoyage(orb.Point{130.31, 42.24}).moor(time.Hour).silent(20*time.Hour, orb.Point{130.31, 42.24}).moor(time.Hour).sail(atSea, 10)
		d := derive(t, b, shoreAt(0))
		if len(d.Gaps) != 1 || d.Gaps[0].Dark || len(d.Voyages) != 1 || d.Voyages[0].From != "najin" {
			t.Errorf("gaps %+v voyages %+v", d.Gaps, d.Voyages)
		}
	})
	t.Run("moored the whole time: no track", func(t *testing.T) {
		b := newVoyage(orb.Point{130.31, 42.24}).moor(24 * time.Hour)
		if d := derive(t, b, nil); len(d.Tracks()) != 0 {
			t.Errorf("tracks %+v", d.Tracks())
		}
	})
	t.Run("drifting in one place away from ports: no track", func(t *testing.T) {
		b := newVoyage(atSea).moor(24 * time.Hour)
		if d := derive(t, b, nil); len(d.Tracks()) != 0 {
			t.Errorf("tracks %+v", d.Tracks())
		}
	})
}

func TestTrackAcrossAntimeridian(t *testing.T) {
	b := newVoyage(orb.Point{179.5, 52}).sail(orb.Point{-179.5, 52.2}, 10)
	d := derive(t, b, nil)
	tr := d.Tracks()
	if len(tr) != 1 || len(tr[0].Geometry) != 2 {
		t.Fatalf("tracks %+v, want one in two parts", tr)
	}
	if tr[0].LengthKm > 100 {
		t.Errorf("length %v km: the line went the long way round", tr[0].LengthKm)
	}
}

func TestDeriveIsStable(t *testing.T) {
	b := newVoyage(orb.Point{130.31, 42.24}).moor(3*time.Hour).sail(atSea, 10).silent(14*time.Hour, orb.Point{131.9, 41.6}).sail(orb.Point{132.33, 42.87}, 10).moor(3 * time.Hour)
	one, two := derive(t, b, shoreAt(80)), derive(t, b, shoreAt(80))
	ids := func(d Derived) []string {
		var out []string
		for _, tr := range d.Tracks() {
			out = append(out, tr.ID)
		}
		for _, g := range d.Gaps {
			out = append(out, g.ID)
		}
		return out
	}
	if !slices.Equal(ids(one), ids(two)) {
		t.Errorf("ids differ: %v, %v", ids(one), ids(two))
	}
	// Earlier positions at sea move where the first track begins.
	early := newVoyage(orb.Point{129.5, 41.5}).sail(orb.Point{130.2, 42.1}, 10)
	b.ps = append(early.ps[:len(early.ps):len(early.ps)], b.ps[len(early.ps):]...)
	if got := ids(derive(t, b, shoreAt(80))); slices.Equal(got, ids(one)) {
		t.Errorf("ids did not change with new positions: %v", got)
	}
}

func TestDeriveRejectsDisorder(t *testing.T) {
	ps := []Position{
		{MMSI: "273999001", Time: time.Date(2023, 9, 10, 1, 0, 0, 0, time.UTC), Lon: 1, Lat: 1},
		{MMSI: "273999001", Time: time.Date(2023, 9, 10, 0, 0, 0, 0, time.UTC), Lon: 1, Lat: 1},
	}
	seq := func(yield func(Position, error) bool) {
		for _, p := range ps {
			yield(p, nil)
		}
	}
	if _, err := DeriveTracks("273999001", seq, TrackOptions{}); err == nil {
		t.Error("positions out of time order were accepted")
	}
	boom := errors.New("boom")
	failing := func(yield func(Position, error) bool) { yield(Position{}, boom) }
	if _, err := DeriveTracks("273999001", failing, TrackOptions{}); !errors.Is(err, boom) {
		t.Errorf("error %v, want the stream's", err)
	}
}

func TestMatchLegs(t *testing.T) {
	b := newVoyage(orb.Point{130.31, 42.24}).moor(3*time.Hour).sail(atSea, 10).silent(14*time.Hour, orb.Point{131.9, 41.6}).sail(orb.Point{132.33, 42.87}, 10).moor(3 * time.Hour)
	d := derive(t, b, nil)
	if len(d.Voyages) != 1 || len(d.Voyages[0].Tracks) != 2 {
		t.Fatalf("voyages %+v", d.Voyages)
	}
	v := d.Voyages[0]
	day := func(s string) Window {
		w, err := ParseWindow(s)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	places := map[string]Place{"najin": najinPort, "dunay": dunayPort,
		"tikhoretsk": {ID: "tikhoretsk", Lon: 40.1, Lat: 45.9}}
	leg := Leg{ID: "sea", Mode: Sea, Origin: "najin", Destination: "dunay", Depart: day("2023-09-10"), Arrive: day("2023-09-10/2023-09-12")}
	tests := []struct {
		name string
		legs []Leg
		want map[string]int
	}{
		{"match", []Leg{leg}, map[string]int{"sea": 0}},
		{"departed before the window", []Leg{func() Leg { l := leg; l.Depart = day("2023-09-11"); return l }()}, map[string]int{}},
		{"arrived after the window", []Leg{func() Leg { l := leg; l.Arrive = day("2023-09-10"); return l }()}, map[string]int{}},
		{"the other way round", []Leg{func() Leg { l := leg; l.Origin, l.Destination = "dunay", "najin"; return l }()}, map[string]int{}},
		{"rail leg", []Leg{func() Leg { l := leg; l.Mode = Rail; return l }()}, map[string]int{}},
		{"unknown place", []Leg{func() Leg { l := leg; l.Destination = "atlantis"; return l }()}, map[string]int{}},
		{"narrowest windows win", []Leg{
			func() Leg {
				l := leg
				l.ID = "wide"
				l.Depart, l.Arrive = day("2023-08-01/2023-10-01"), day("2023-08-01/2023-10-01")
				return l
			}(),
			leg,
		}, map[string]int{"sea": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MatchLegs(d.Voyages, tc.legs, places)
			if len(got) != len(tc.want) {
				t.Fatalf("matched %v, want %v", got, tc.want)
			}
			for k, i := range tc.want {
				if got[k] != i {
					t.Errorf("matched %v, want %v", got, tc.want)
				}
			}
		})
	}
	if g := v.Geometry(); len(g) != 2 {
		t.Errorf("voyage line has %d parts, want one per track", len(g))
	}
}

// BenchmarkDeriveTracks derives a long voyage's tracks with 500 ports in
// the world, reporting positions a second.
func BenchmarkDeriveTracks(b *testing.B) {
	var many []Place
	for i := range 500 {
		many = append(many, Place{ID: fmt.Sprintf("p%d", i), Kind: Port, Lon: float64(i%360) - 180, Lat: float64(i%140) - 70})
	}
	v := newVoyage(orb.Point{130.31, 42.24}).moor(6 * time.Hour)
	for range 20 {
		v.sail(atSea, 10).sail(orb.Point{132.33, 42.87}, 10).moor(3*time.Hour).sail(orb.Point{130.31, 42.24}, 10).moor(3 * time.Hour)
	}
	opt := TrackOptions{Ports: append(many, ports...), Shore: shoreAt(80)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := DeriveTracks("273999001", v.seq(), opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(v.ps))*float64(b.N)/b.Elapsed().Seconds(), "positions/s")
}

func TestBadFixes(t *testing.T) {
	b := newVoyage(atSea).sail(orb.Point{131.9, 41.6}, 10)
	n := len(b.ps)
	// One report puts the ship 300 km away for a moment.
	jump := b.ps[n/2]
	jump.Time = jump.Time.Add(time.Minute)
	jump.Lon += 3
	b.ps = slices.Insert(b.ps, n/2+1, jump)
	d := derive(t, b, nil)
	tr := d.Tracks()
	if len(tr) != 1 || tr[0].Points != n || tr[0].Geometry.Bound().Max[0] > 131.91 {
		t.Errorf("tracks %+v; want one of %d points, without the jump", tr, n)
	}
	// A ship that really is elsewhere from now on: the track follows after
	// three reports.
	b = newVoyage(atSea).sail(orb.Point{131.6, 41.3}, 10)
	b.silent(time.Hour, orb.Point{134, 41.3}).sail(orb.Point{134.2, 41.3}, 10)
	d = derive(t, b, nil)
	if tr := d.Tracks(); len(tr) != 1 || tr[0].Points != len(b.ps)-maxJumps {
		t.Errorf("tracks %+v; want one, of all but the first %d reports after the move", tr, maxJumps)
	}
}
