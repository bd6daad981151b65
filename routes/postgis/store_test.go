package postgis

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// caseDoc is a small version of the reference case: Najin to Dunay by sea,
// then by rail to Tikhoretsk.
func caseDoc() *routes.Document {
	day := func(s string) routes.Window {
		w, err := routes.ParseWindow(s)
		if err != nil {
			panic(err)
		}
		return w
	}
	return &routes.Document{
		Places: []routes.Place{
			{ID: "najin", Name: "Najin", Kind: routes.Port, Country: "KP", UNLOCODE: "KPNJN", Aliases: []string{"Rajin", "Rason"}, Lon: 130.3, Lat: 42.2333},
			{ID: "dunay", Name: "Dunay", Kind: routes.Port, Country: "RU", Lon: 132.3375, Lat: 42.8803},
			{ID: "tikhoretsk", Name: "Tikhoretsk", Kind: routes.Depot, Country: "RU", Lon: 40.1253, Lat: 45.8547},
		},
		Vessels: []routes.Vessel{{ID: "angara", Name: "Angara", IMO: "9179842", MMSI: "273000001", Flag: "RU", Confidence: routes.Medium}},
		Sources: []routes.Source{
			{ID: "wh", Publisher: "The White House", Title: "Briefing", Published: "2023-10-13", Kind: routes.Government},
			{ID: "rusi", Publisher: "RUSI", Title: "The Orient Express", Published: "2023-10-16", Kind: routes.Research},
		},
		Shipments: []routes.Shipment{{
			ID: "nk-ru-2023-09", Title: "Munitions to Russia", Status: routes.StatusReported, Confidence: routes.Medium,
			Cargo:   routes.Cargo{Description: "containers of munitions", Quantity: 1000, Unit: "containers", Qualifier: "more than"},
			Sources: []routes.Claim{{Source: "wh", Claim: "more than 1,000 containers"}, {Source: "rusi", Claim: "Angara shuttled"}},
			Legs: []routes.Leg{
				{ID: "sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay", Vessel: "angara",
					Depart: day("2023-09-07/2023-09-10"), Arrive: day("2023-09-12"),
					// Coordinates that are not short decimals, to show they
					// come back bit for bit.
					Geometry: orb.MultiLineString{{{130.30000000000001, 42.2333}, {0.1 + 131.2, 42.1 + 0.2}, {132.3375, 42.88030000000001}}},
					Sources:  []routes.Claim{{Source: "rusi", Claim: "tracked by imagery"}}},
				{ID: "rail", Seq: 2, Mode: routes.Rail, Origin: "dunay", Destination: "tikhoretsk",
					Depart: day("2023-09-13/2023-10-01"), Arrive: day("2023-09-20/2023-10-30")},
			},
		}},
	}
}

// prepareAndApply prepares doc against s and applies it.
func prepareAndApply(t *testing.T, s *Store, doc *routes.Document) (*routes.Batch, routes.Changes) {
	t.Helper()
	ctx := context.Background()
	b, err := routes.Prepare(ctx, s, doc)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	ch, err := s.Apply(ctx, b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return b, ch
}

func TestApplyCountsChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	b, ch := prepareAndApply(t, s, caseDoc())
	if want := (routes.Changes{Places: 3, Vessels: 1, Sources: 2, Shipments: 1, Legs: 2}); ch != want {
		t.Fatalf("first Apply = %+v; want %+v", ch, want)
	}
	got, err := s.Shipment(ctx, "nk-ru-2023-09")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b.Shipments[0]) {
		t.Fatalf("Shipment read back differs from what was written:\n got %+v\nwant %+v", got, b.Shipments[0])
	}

	edits := []struct {
		name string
		edit func(d *routes.Document)
		want routes.Changes
	}{
		{"nothing", func(*routes.Document) {}, routes.Changes{}},
		{"a leg's note", func(d *routes.Document) { d.Shipments[0].Legs[1].Note = "by the Trans-Siberian" },
			routes.Changes{Legs: 1}},
		{"a leg's claims", func(d *routes.Document) {
			d.Shipments[0].Legs[1].Sources = []routes.Claim{{Source: "wh", Claim: "then by train"}}
		}, routes.Changes{Legs: 1}},
		{"the order of a shipment's claims", func(d *routes.Document) { slices.Reverse(d.Shipments[0].Sources) },
			routes.Changes{Shipments: 1}},
		{"a departure, which moves the shipment's start", func(d *routes.Document) {
			d.Shipments[0].Legs[0].Depart.Earliest = d.Shipments[0].Legs[0].Depart.Earliest.Add(-24 * time.Hour)
		}, routes.Changes{Shipments: 1, Legs: 1}},
		{"the legs' order swapped", func(d *routes.Document) {
			d.Shipments[0].Legs[0].Seq, d.Shipments[0].Legs[1].Seq = 2, 1
		}, routes.Changes{Legs: 2}},
		{"a place's aliases emptied", func(d *routes.Document) { d.Places[0].Aliases = nil }, routes.Changes{Places: 1}},
		{"a vessel's former names", func(d *routes.Document) { d.Vessels[0].FormerNames = []string{"Lady Mary"} },
			routes.Changes{Vessels: 1}},
	}
	doc := caseDoc()
	for _, e := range edits {
		e.edit(doc)
		_, ch := prepareAndApply(t, s, doc)
		if ch != e.want {
			t.Errorf("editing %s: Apply = %+v; want %+v", e.name, ch, e.want)
		}
		if _, again := prepareAndApply(t, s, doc); again.Total() != 0 {
			t.Errorf("editing %s: applying the edit again = %+v; want no changes", e.name, again)
		}
	}
	legs, err := s.Legs(ctx, routes.Query{Shipment: "nk-ru-2023-09"})
	if err != nil {
		t.Fatal(err)
	}
	if len(legs.Items) != 2 || legs.Items[0].ID != "sea" || legs.Items[0].Seq != 2 || legs.Items[1].Note != "by the Trans-Siberian" {
		t.Errorf("legs after the edits = %+v", legs.Items)
	}
	p, err := s.Place(ctx, "najin")
	if err != nil || p.Aliases != nil {
		t.Errorf("Place(najin) after emptying its aliases = %+v, %v; want nil aliases", p, err)
	}
}

func TestApplyAtomic(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	prepareAndApply(t, s, caseDoc())
	renamed := caseDoc().Places[1]
	renamed.Name = "Must not be written"
	cases := []struct {
		name  string
		batch routes.Batch
		want  string // in the error
	}{
		{"an observation out of range last", routes.Batch{
			Places: []routes.Place{renamed, {ID: "new-place", Name: "New", Kind: routes.Port, Country: "RU", Lon: 1, Lat: 1}},
			Observations: []routes.Observation{{ID: "obs", Kind: routes.Photo, Subject: "angara", Source: "wh",
				Time: routes.Window{Earliest: time.Now(), Latest: time.Now()}, Lon: 132, Lat: 95}},
		}, `observation "obs"`},
		{"a source with a date that is not one", routes.Batch{
			Places:  []routes.Place{renamed},
			Sources: []routes.Source{{ID: "bad", Publisher: "P", Title: "T", Published: "13 October 2023", Kind: routes.Media}},
		}, `source "bad"`},
		{"a leg whose vessel is unknown", routes.Batch{
			Places: []routes.Place{renamed},
			Shipments: []routes.Shipment{func() routes.Shipment {
				sh := caseDoc().Shipments[0]
				sh.Legs = slices.Clone(sh.Legs)
				sh.Legs[0].Vessel = "no-such-vessel"
				sh.Legs[0].Geometry = orb.MultiLineString{{{130.3, 42.2333}, {132.3375, 42.8803}}}
				sh.Legs[1].Geometry = orb.MultiLineString{{{132.3375, 42.8803}, {40.1253, 45.8547}}}
				return sh
			}()},
		}, `leg "sea"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Apply(ctx, &c.batch)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Apply = %v; want an error naming %s", err, c.want)
			}
			if errors.Is(err, routes.ErrUnavailable) {
				t.Errorf("a refused record is reported as the store being unavailable: %v", err)
			}
			if p, err := s.Place(ctx, "dunay"); err != nil || p.Name != "Dunay" {
				t.Errorf("Place(dunay) after the failed batch = %q, %v; want the name unchanged", p.Name, err)
			}
			if _, err := s.Place(ctx, "new-place"); !errors.Is(err, routes.ErrNotFound) {
				t.Errorf("a place from the failed batch was stored: %v", err)
			}
		})
	}
}

// Ids and filters from users reach SQL only as bound values.
func TestHostileInput(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	prepareAndApply(t, s, caseDoc())
	hostile := []string{"najin' OR '1'='1", "x'; DROP TABLE places; --", `"; DELETE FROM legs; --`,
		"najin\x00", "\xff\xfe", strings.Repeat("é", 10000)}
	for _, h := range hostile {
		if _, err := s.Place(ctx, h); !errors.Is(err, routes.ErrNotFound) {
			t.Errorf("Place(%.20q) = %v; want not found", h, err)
		}
		if _, err := s.Shipment(ctx, h); !errors.Is(err, routes.ErrNotFound) {
			t.Errorf("Shipment(%.20q) = %v; want not found", h, err)
		}
		legs, err := s.Legs(ctx, routes.Query{Via: h})
		if err != nil || legs.Matched != 0 {
			t.Errorf("Legs(via=%.20q) = %d, %v; want none and no error", h, legs.Matched, err)
		}
		ships, err := s.Shipments(ctx, routes.Query{Vessel: h, Mode: routes.Mode(h)})
		if err != nil || ships.Matched != 0 {
			t.Errorf("Shipments(vessel, mode=%.20q) = %d, %v; want none and no error", h, ships.Matched, err)
		}
		places, err := s.Places(ctx, routes.Query{Kind: routes.PlaceKind(h)})
		if err != nil || places.Matched != 0 {
			t.Errorf("Places(kind=%.20q) = %d, %v; want none and no error", h, places.Matched, err)
		}
		if n, err := s.CountPositions(ctx, routes.Query{MMSI: h}); err != nil || n != 0 {
			t.Errorf("CountPositions(mmsi=%.20q) = %d, %v; want none and no error", h, n, err)
		}
	}
	all, err := s.Legs(ctx, routes.Query{})
	if err != nil || all.Matched != 2 {
		t.Errorf("after hostile queries Legs = %d, %v; want both legs still there", all.Matched, err)
	}
	if p, err := s.Places(ctx, routes.Query{Limit: -5, Offset: -3}); err != nil || len(p.Items) != 3 {
		t.Errorf("Places with a negative limit and offset = %d items, %v; want all 3", len(p.Items), err)
	}
}

func positionsAt(n int, mmsi string, start time.Time) []routes.Position {
	ps := make([]routes.Position, n)
	for i := range ps {
		sog := float64(i) / 10
		ps[i] = routes.Position{MMSI: mmsi, Time: start.Add(time.Duration(i) * time.Minute),
			Lon: 130 + float64(i)/1e4, Lat: 42 + float64(i)/1e4, SOG: &sog}
	}
	return ps
}

func seq(ps []routes.Position) func(func(routes.Position, error) bool) {
	return func(yield func(routes.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	}
}

func TestPositionsStream(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	start := time.Date(2023, 9, 7, 0, 0, 0, 0, time.UTC)
	n := 2*fetchSize + 17 // more than one cursor batch
	ps := append(positionsAt(n, "273000001", start), positionsAt(50, "273000002", start)...)
	if added, err := s.AddPositions(ctx, seq(ps)); err != nil || added != len(ps) {
		t.Fatalf("AddPositions = %d, %v; want %d", added, err, len(ps))
	}

	var got []routes.Position
	for p, err := range s.Positions(ctx, routes.Query{MMSI: "273000001"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if !reflect.DeepEqual(got, ps[:n]) {
		t.Fatalf("Positions streamed %d positions; want the %d written, in time order, unchanged", len(got), n)
	}

	// Both vessels report at the same minutes: ties are broken by MMSI.
	var first []string
	for p, err := range s.Positions(ctx, routes.Query{Limit: 4, Offset: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, p.MMSI+"@"+p.Time.Format("15:04"))
	}
	if want := []string{"273000001@00:01", "273000002@00:01", "273000001@00:02", "273000002@00:02"}; !slices.Equal(first, want) {
		t.Errorf("Positions limit 4 offset 2 = %v; want %v", first, want)
	}

	// A consumer that stops part way through a batch, or between batches,
	// gives its connection back.
	for _, stopAt := range []int{1, fetchSize, fetchSize + 5} {
		i := 0
		for _, err := range s.Positions(ctx, routes.Query{}) {
			if err != nil {
				t.Fatal(err)
			}
			if i++; i == stopAt {
				break
			}
		}
		if i != stopAt {
			t.Errorf("stopping at %d read %d", stopAt, i)
		}
		if busy := s.pool.Stat().AcquiredConns(); busy != 0 {
			t.Errorf("after stopping at %d, %d connections are still in use", stopAt, busy)
		}
	}
	if c, err := s.CountPositions(ctx, routes.Query{}); err != nil || c != len(ps) {
		t.Errorf("CountPositions = %d, %v; want %d", c, err, len(ps))
	}
}

func TestAddPositionsDedupe(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	at := time.Date(2023, 9, 8, 6, 0, 0, 0, time.UTC)
	one, two, three := 1.0, 2.0, 3.0
	first := []routes.Position{
		{MMSI: "273000001", Time: at, Lon: 131, Lat: 42.5, SOG: &one},
		// The same report again within the call, but different: the first wins.
		{MMSI: "273000001", Time: at, Lon: 131.5, Lat: 42.6, SOG: &two},
		// Same time, another vessel: not a duplicate.
		{MMSI: "273000002", Time: at, Lon: 131, Lat: 42.5},
		// Nanoseconds are dropped: this is the first position again.
		{MMSI: "273000001", Time: at.Add(400 * time.Nanosecond), Lon: 0, Lat: 0},
	}
	if n, err := s.AddPositions(ctx, seq(first)); err != nil || n != 2 {
		t.Fatalf("AddPositions = %d, %v; want 2 new", n, err)
	}
	second := []routes.Position{
		{MMSI: "273000001", Time: at, Lon: 10, Lat: 10, SOG: &three}, // stored already: skipped, not updated
		{MMSI: "273000001", Time: at.Add(time.Minute), Lon: 131.1, Lat: 42.5},
	}
	if n, err := s.AddPositions(ctx, seq(second)); err != nil || n != 1 {
		t.Fatalf("AddPositions of one stored and one new = %d, %v; want 1", n, err)
	}
	var got []routes.Position
	for p, err := range s.Positions(ctx, routes.Query{Vessel: "no-such-vessel"}) {
		t.Errorf("Positions of an unknown vessel yielded %v, %v", p, err)
	}
	for p, err := range s.Positions(ctx, routes.Query{MMSI: "273000001"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	want := []routes.Position{first[0], second[1]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored positions = %+v; want the first report kept and the later one added: %+v", got, want)
	}
}

func TestAddPositionsBadInput(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	at := time.Date(2023, 9, 8, 6, 0, 0, 0, time.UTC)
	good := positionsAt(3, "273000001", at)
	broken := errors.New("line 7: bad NMEA checksum")
	cases := []struct {
		name  string
		input func(func(routes.Position, error) bool)
		want  string
	}{
		{"latitude 91, AIS's not-available", seq(append(slices.Clone(good), routes.Position{MMSI: "273000001", Time: at.Add(time.Hour), Lon: 181, Lat: 91})), "position 3"},
		{"NaN longitude", seq([]routes.Position{good[0], {MMSI: "273000001", Time: at.Add(time.Hour), Lon: nanFloat(), Lat: 1}}), "lon"},
		{"no MMSI", seq([]routes.Position{good[0], {Time: at, Lon: 1, Lat: 1}}), "mmsi"},
		{"a reader error", func(yield func(routes.Position, error) bool) {
			for _, p := range good {
				if !yield(p, nil) {
					return
				}
			}
			yield(routes.Position{}, broken)
		}, "bad NMEA checksum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := s.AddPositions(ctx, c.input)
			if err == nil || !strings.Contains(err.Error(), c.want) || n != 0 {
				t.Fatalf("AddPositions = %d, %v; want an error mentioning %q", n, err, c.want)
			}
			if errors.Is(err, routes.ErrUnavailable) {
				t.Errorf("bad input reported as the store being unavailable: %v", err)
			}
			if c, err := s.CountPositions(ctx, routes.Query{}); err != nil || c != 0 {
				t.Errorf("after a refused AddPositions the store holds %d positions, %v; want none", c, err)
			}
		})
	}
	if n, err := s.AddPositions(ctx, nil); n != 0 || err != nil {
		t.Errorf("AddPositions(nil) = %d, %v; want nothing added and no error", n, err)
	}
}

func nanFloat() float64 { var z float64; return z / z }
