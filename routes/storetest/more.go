package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

func testPositions(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)
	// Half now, then everything again with exact duplicates inside the call:
	// only the second half is new.
	half := len(g.Positions) / 2
	if n, err := s.AddPositions(ctx, seq(g.Positions[:half])); err != nil || n != half {
		t.Fatalf("AddPositions(first half) = %d, %v; want %d", n, err, half)
	}
	again := append(slices.Clone(g.Positions), g.Positions[half:half+10]...)
	if n, err := s.AddPositions(ctx, seq(again)); err != nil || n != len(g.Positions)-half {
		t.Fatalf("AddPositions(all, with duplicates) = %d, %v; want %d new", n, err, len(g.Positions)-half)
	}
	o := newOracle(g.Batch, g.Positions)
	r := rand.New(rand.NewPCG(3, 5))
	for i := range 120 {
		var q routes.Query
		if r.IntN(2) == 0 {
			q.During = randomInterval(r)
		}
		switch r.IntN(4) {
		case 0:
			q.BBox = randomBBox(r)
		case 1:
			q.Near = randomNear(r)
		}
		switch r.IntN(4) {
		case 0:
			q.MMSI = o.positions[r.IntN(len(o.positions))].MMSI
		case 1:
			q.Vessel = g.Batch.Vessels[r.IntN(len(g.Batch.Vessels))].ID
		}
		if r.IntN(2) == 0 {
			q.Limit = 1 + r.IntN(50)
			q.Offset = r.IntN(30)
		}
		want, matched := o.positionsFor(q)
		var got []routes.Position
		for p, err := range s.Positions(ctx, q) {
			if err != nil {
				t.Fatalf("Positions %d%s: %v", i, describe(q), err)
			}
			got = append(got, p)
		}
		if g, w := normalize(got), normalize(want); !reflect.DeepEqual(g, w) {
			t.Fatalf("Positions %d%s mmsi=%s near=%v:\n got %d %v\nwant %d %v", i, describe(q), q.MMSI, q.Near, len(got), ids(got), len(want), ids(want))
		}
		if n, err := s.CountPositions(ctx, q); err != nil || n != matched {
			t.Fatalf("CountPositions %d%s = %d, %v; want %d", i, describe(q), n, err, matched)
		}
	}
	// A consumer that stops early must not leak or block the next query.
	for range 20 {
		for _, err := range s.Positions(ctx, routes.Query{}) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if n, err := s.CountPositions(ctx, routes.Query{}); err != nil || n != len(g.Positions) {
		t.Errorf("CountPositions after early breaks = %d, %v; want %d", n, err, len(g.Positions))
	}
}

func testDerived(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)
	o := newOracle(g.Batch, nil)
	r := rand.New(rand.NewPCG(13, 17))
	for i := range 100 {
		var q routes.Query
		if r.IntN(2) == 0 {
			q.During = randomInterval(r)
		}
		if r.IntN(3) == 0 {
			q.BBox = randomBBox(r)
		}
		switch r.IntN(4) {
		case 0:
			q.Vessel = g.Batch.Vessels[r.IntN(len(g.Batch.Vessels))].ID
		case 1:
			if len(g.Batch.Tracks) > 0 {
				q.MMSI = g.Batch.Tracks[r.IntN(len(g.Batch.Tracks))].MMSI
			}
		}
		if r.IntN(2) == 0 {
			q.Limit, q.Offset = 1+r.IntN(5), r.IntN(4)
		}
		name := fmt.Sprintf("%d%s mmsi=%s", i, describe(q), q.MMSI)
		tracks, err := s.Tracks(ctx, q)
		wantTracks, n := o.tracks(q)
		compare(t, "Tracks "+name, tracks, err, wantTracks, n)
		gaps, err := s.Gaps(ctx, q)
		wantGaps, n := o.gaps(q)
		compare(t, "Gaps "+name, gaps, err, wantGaps, n)
		if t.Failed() {
			return
		}
	}
}

// testCase asks the questions of the reference case of a small hand-made
// version of it: the questions an analyst asks first.
func testCase(t *testing.T, s routes.Store) {
	ctx := context.Background()
	b, err := routes.Prepare(ctx, s, caseDocument())
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	apply(t, s, b)

	tenth, _ := routes.ParseInterval("2023-09-10")
	ships, err := s.Shipments(ctx, routes.Query{During: tenth})
	if err != nil || len(ships.Items) != 1 || ships.Items[0].ID != "case-shipment" {
		t.Errorf("Shipments(datetime=2023-09-10) = %v, %v; want [case-shipment]", ids(ships.Items), err)
	}
	legs, err := s.Legs(ctx, routes.Query{Via: "tikhoretsk"})
	if err != nil || !slices.Equal(ids(legs.Items), []string{"case-rail"}) {
		t.Errorf("Legs(via=tikhoretsk) = %v, %v; want [case-rail]", ids(legs.Items), err)
	}
	sh, err := s.Shipment(ctx, "case-shipment")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(sh.Legs); !slices.Equal(got, []string{"case-sea", "case-rail"}) {
		t.Errorf("Shipment legs = %v; want the sea leg before the rail leg", got)
	}
	// Around the first arrival: the sea leg ends on 12 September, the rail
	// leg starts on the 13th.
	for _, c := range []struct {
		datetime string
		want     []string
	}{
		{"2023-09-06", nil},
		{"2023-09-07", []string{"case-sea"}},
		{"2023-09-12T23:59:59Z", []string{"case-sea"}},
		{"2023-09-13T00:00:00Z", []string{"case-rail"}},
		{"2023-09-12/2023-09-13", []string{"case-sea", "case-rail"}},
		{"../2023-09-06T23:59:59Z", nil},
		{"2023-10-31/..", nil},
		{"2023-10-30/..", []string{"case-rail"}},
	} {
		iv, err := routes.ParseInterval(c.datetime)
		if err != nil {
			t.Fatal(err)
		}
		legs, err := s.Legs(ctx, routes.Query{During: iv})
		if err != nil || !slices.Equal(ids(legs.Items), c.want) && !(len(c.want) == 0 && len(legs.Items) == 0) {
			t.Errorf("Legs(datetime=%s) = %v, %v; want %v", c.datetime, ids(legs.Items), err, c.want)
		}
	}
	primorsky := &routes.BBox{West: 130, South: 42, East: 133.5, North: 43.5}
	legs, err = s.Legs(ctx, routes.Query{BBox: primorsky, Mode: routes.Sea})
	if err != nil || !slices.Equal(ids(legs.Items), []string{"case-sea"}) {
		t.Errorf("Legs(bbox=Primorsky, mode=sea) = %v, %v; want [case-sea]", ids(legs.Items), err)
	}
}

func caseDocument() *routes.Document {
	day := func(s string) routes.Window { w, _ := routes.ParseWindow(s); return w }
	return &routes.Document{
		Places: []routes.Place{
			{ID: "najin", Name: "Najin", Kind: routes.Port, Country: "KP", UNLOCODE: "KPNJN", Aliases: []string{"Rajin", "Rason"}, Lon: 130.30, Lat: 42.2333},
			{ID: "dunay", Name: "Dunay", Kind: routes.Port, Country: "RU", Lon: 132.3375, Lat: 42.8803},
			{ID: "tikhoretsk", Name: "Tikhoretsk", Kind: routes.Depot, Country: "RU", Lon: 40.1253, Lat: 45.8547},
		},
		Vessels: []routes.Vessel{{ID: "angara", Name: "Angara", IMO: "9179842", Flag: "RU", Confidence: routes.Medium}},
		Sources: []routes.Source{{ID: "wh", Publisher: "The White House", Title: "Briefing", Published: "2023-10-13", Kind: routes.Government}},
		Shipments: []routes.Shipment{{
			ID: "case-shipment", Title: "Munitions to Russia", Status: routes.StatusReported, Confidence: routes.Medium,
			Cargo:   routes.Cargo{Description: "containers of munitions", Quantity: 1000, Unit: "containers", Qualifier: "more than"},
			Sources: []routes.Claim{{Source: "wh", Claim: "more than 1,000 containers"}},
			Legs: []routes.Leg{
				{ID: "case-rail", Seq: 2, Mode: routes.Rail, Origin: "dunay", Destination: "tikhoretsk",
					Depart: day("2023-09-13/2023-10-01"), Arrive: day("2023-09-20/2023-10-30")},
				{ID: "case-sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay", Vessel: "angara",
					Depart: day("2023-09-07/2023-09-10"), Arrive: day("2023-09-12")},
			},
		}},
	}
}

// normalize makes values comparable with reflect.DeepEqual: times in UTC,
// empty slices as nil. It walks the value by reflection so that it keeps up
// with the model without edits.
func normalize(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	out := reflect.New(rv.Type()).Elem()
	out.Set(deepNormalize(rv))
	return out.Interface()
}

var timeType = reflect.TypeFor[time.Time]()

func deepNormalize(v reflect.Value) reflect.Value {
	switch {
	case v.Type() == timeType:
		return reflect.ValueOf(v.Interface().(time.Time).UTC())
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(deepNormalize(v.Index(i)))
		}
		return out
	case v.Kind() == reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(deepNormalize(v.Field(i)))
			}
		}
		return out
	case v.Kind() == reflect.Pointer && !v.IsNil():
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(deepNormalize(v.Elem()))
		return out
	}
	return v
}
