// Package storetest is the contract every routes.Store implementation must
// pass. Each store's tests call Run with a function that opens a fresh, empty
// store; the suite checks the store's answers against a brute-force oracle,
// so that stores that pass answer every query identically.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// Run runs the contract suite. open must return a new, empty store each time
// it is called, and arrange its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) routes.Store) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("Idempotent", func(t *testing.T) { testIdempotent(t, open(t)) })
	t.Run("Replace", func(t *testing.T) { testReplace(t, open(t)) })
	t.Run("Atomic", func(t *testing.T) { testAtomic(t, open(t)) })
	t.Run("Case", func(t *testing.T) { testCase(t, open(t)) })
	t.Run("Queries", func(t *testing.T) { testQueries(t, open(t)) })
	t.Run("Positions", func(t *testing.T) { testPositions(t, open(t)) })
	t.Run("Derived", func(t *testing.T) { testDerived(t, open(t)) })
	t.Run("Canceled", func(t *testing.T) { testCanceled(t, open(t)) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("Features", func(t *testing.T) { testFeatures(t, open(t)) })
}

// sizes is large enough to need paging and hit every edge of the generator,
// small enough to run in seconds against PostGIS.
var sizes = Sizes{Places: 60, Vessels: 12, Shipments: 80, Positions: 3000}

func generated(t *testing.T) *Generated {
	t.Helper()
	g, err := Generate(20230912, sizes)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func apply(t *testing.T, s routes.Store, b *routes.Batch) routes.Changes {
	t.Helper()
	c, err := s.Apply(context.Background(), b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return c
}

func testEmpty(t *testing.T, s routes.Store) {
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	lists := map[string]func() (int, int, error){
		"places":       counted(s.Places),
		"vessels":      counted(s.Vessels),
		"sources":      counted(s.Sources),
		"shipments":    counted(s.Shipments),
		"legs":         counted(s.Legs),
		"tracks":       counted(s.Tracks),
		"gaps":         counted(s.Gaps),
		"observations": counted(s.Observations),
	}
	for name, list := range lists {
		n, matched, err := list()
		if err != nil || n != 0 || matched != 0 {
			t.Errorf("%s on an empty store: %d items, %d matched, %v; want none", name, n, matched, err)
		}
	}
	gets := map[string]func(context.Context, string) error{
		"place":    discard(s.Place),
		"vessel":   discard(s.Vessel),
		"source":   discard(s.Source),
		"shipment": discard(s.Shipment),
		"leg":      discard(s.Leg),
	}
	for name, get := range gets {
		if err := get(ctx, "no-such-id"); !errors.Is(err, routes.ErrNotFound) {
			t.Errorf("%s(no-such-id) = %v; want an error wrapping routes.ErrNotFound", name, err)
		}
	}
	if n, err := s.CountPositions(ctx, routes.Query{}); err != nil || n != 0 {
		t.Errorf("CountPositions on an empty store = %d, %v", n, err)
	}
	for p, err := range s.Positions(ctx, routes.Query{}) {
		t.Errorf("Positions on an empty store yielded %v, %v", p, err)
	}
}

func counted[T any](list func(context.Context, routes.Query) (routes.Page[T], error)) func() (int, int, error) {
	return func() (int, int, error) {
		p, err := list(context.Background(), routes.Query{})
		return len(p.Items), p.Matched, err
	}
}

func discard[T any](get func(context.Context, string) (T, error)) func(context.Context, string) error {
	return func(ctx context.Context, id string) error {
		_, err := get(ctx, id)
		return err
	}
}

func testRoundTrip(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	c := apply(t, s, g.Batch)
	want := routes.Changes{
		Places: len(g.Batch.Places), Vessels: len(g.Batch.Vessels), Sources: len(g.Batch.Sources),
		Shipments: len(g.Batch.Shipments), Legs: countLegs(g.Batch), Tracks: len(g.Batch.Tracks),
		Gaps: len(g.Batch.Gaps), Observations: len(g.Batch.Observations),
	}
	if c != want {
		t.Errorf("Apply to an empty store reported %+v; want %+v", c, want)
	}
	for _, p := range g.Batch.Places {
		got, err := s.Place(ctx, p.ID)
		check(t, "Place("+p.ID+")", got, err, p)
	}
	for _, v := range g.Batch.Vessels {
		got, err := s.Vessel(ctx, v.ID)
		check(t, "Vessel("+v.ID+")", got, err, v)
	}
	for _, src := range g.Batch.Sources {
		got, err := s.Source(ctx, src.ID)
		check(t, "Source("+src.ID+")", got, err, src)
	}
	for _, sh := range g.Batch.Shipments {
		got, err := s.Shipment(ctx, sh.ID)
		check(t, "Shipment("+sh.ID+")", got, err, sh)
		for _, l := range sh.Legs {
			got, err := s.Leg(ctx, l.ID)
			check(t, "Leg("+l.ID+")", got, err, l)
		}
	}
}

func countLegs(b *routes.Batch) int {
	n := 0
	for _, s := range b.Shipments {
		n += len(s.Legs)
	}
	return n
}

// check compares a record read from the store with the one written.
func check[T any](t *testing.T, what string, got T, err error, want T) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if g, w := normalize(got), normalize(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s differs from what was written:\n got: %+v\nwant: %+v", what, g, w)
	}
}

func testIdempotent(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)
	before := snapshot(t, s)
	if c := apply(t, s, g.Batch); c.Total() != 0 {
		t.Errorf("applying the same batch twice reported changes the second time: %+v", c)
	}
	if after := snapshot(t, s); !reflect.DeepEqual(before, after) {
		t.Error("applying the same batch twice changed what the store holds")
	}
	n, err := s.AddPositions(ctx, seq(g.Positions))
	if err != nil || n != len(g.Positions) {
		t.Fatalf("AddPositions = %d, %v; want %d", n, err, len(g.Positions))
	}
	if n, err := s.AddPositions(ctx, seq(g.Positions)); err != nil || n != 0 {
		t.Errorf("adding the same positions again = %d new, %v; want 0", n, err)
	}
}

// snapshot reads everything a store holds, for comparing before and after.
func snapshot(t *testing.T, s routes.Store) map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	add := func(name string, v any, err error) {
		if err != nil {
			t.Fatalf("snapshot %s: %v", name, err)
		}
		out[name] = normalize(v)
	}
	places, err := s.Places(ctx, routes.Query{})
	add("places", places, err)
	vessels, err := s.Vessels(ctx, routes.Query{})
	add("vessels", vessels, err)
	sources, err := s.Sources(ctx, routes.Query{})
	add("sources", sources, err)
	legs, err := s.Legs(ctx, routes.Query{})
	add("legs", legs, err)
	shipments, err := s.Shipments(ctx, routes.Query{})
	add("shipments", shipments, err)
	for _, sh := range shipments.Items {
		full, err := s.Shipment(ctx, sh.ID)
		add("shipment "+sh.ID, full, err)
	}
	tracks, err := s.Tracks(ctx, routes.Query{})
	add("tracks", tracks, err)
	gaps, err := s.Gaps(ctx, routes.Query{})
	add("gaps", gaps, err)
	obs, err := s.Observations(ctx, routes.Query{})
	add("observations", obs, err)
	n, err := s.CountPositions(ctx, routes.Query{})
	add("positions", n, err)
	return out
}

func testReplace(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)

	// Edit one shipment: a new title, its last leg dropped, a claim changed.
	var target routes.Shipment
	for _, sh := range g.Batch.Shipments {
		if len(sh.Legs) >= 2 {
			target = sh
			break
		}
	}
	if target.ID == "" {
		t.Fatal("the generated data has no shipment with two legs")
	}
	edited := target
	edited.Title = "Edited title"
	dropped := edited.Legs[len(edited.Legs)-1]
	edited.Legs = slices.Clone(edited.Legs[:len(edited.Legs)-1])
	edited.Sources = []routes.Claim{{Source: "news", Claim: "a different claim"}}
	routes.Derive(&edited)
	place := g.Batch.Places[0]
	place.Name = "Renamed"

	c := apply(t, s, &routes.Batch{Places: []routes.Place{place}, Shipments: []routes.Shipment{edited}})
	if c.Shipments != 1 || c.Places != 1 || c.Legs != 1 {
		t.Errorf("replacing a shipment (one leg dropped) and renaming a place reported %+v; want 1 shipment, 1 place, 1 leg (the removed one)", c)
	}
	got, err := s.Shipment(ctx, edited.ID)
	check(t, "edited shipment", got, err, edited)
	if _, err := s.Leg(ctx, dropped.ID); !errors.Is(err, routes.ErrNotFound) {
		t.Errorf("the leg dropped from its shipment is still stored: Leg(%s) = %v", dropped.ID, err)
	}
	gotPlace, err := s.Place(ctx, place.ID)
	check(t, "renamed place", gotPlace, err, place)
	legs, err := s.Legs(ctx, routes.Query{Shipment: edited.ID})
	if err != nil || legs.Matched != len(edited.Legs) {
		t.Errorf("Legs(shipment=%s) = %d, %v; want %d", edited.ID, legs.Matched, err, len(edited.Legs))
	}
}

func testAtomic(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)
	before := snapshot(t, s)

	// A batch whose last record breaks a foreign key, built by hand because
	// Prepare would refuse it: everything before it must be rolled back.
	sh := g.Batch.Shipments[0]
	sh.Title = "must not be written"
	bad := sh.Legs[0]
	bad.ID = "dangling-leg"
	bad.Seq = 99
	bad.Destination = "no-such-place"
	sh.Legs = append(slices.Clone(sh.Legs), bad)
	newPlace := routes.Place{ID: "must-not-exist", Name: "Nowhere", Kind: routes.Port, Country: "RU", Lon: 1, Lat: 1}
	b := &routes.Batch{Places: []routes.Place{newPlace}, Shipments: []routes.Shipment{sh}}
	if _, err := s.Apply(ctx, b); err == nil {
		t.Fatal("Apply of a leg whose destination is no stored place succeeded; want an error")
	}
	if after := snapshot(t, s); !reflect.DeepEqual(before, after) {
		t.Error("a failed Apply left part of its batch in the store")
	}
	if _, err := s.Place(ctx, newPlace.ID); !errors.Is(err, routes.ErrNotFound) {
		t.Errorf("a place from a failed batch was stored: %v", err)
	}
}

func testCanceled(t *testing.T, s routes.Store) {
	g := generated(t)
	apply(t, s, g.Batch)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Legs(ctx, routes.Query{}); err == nil {
		t.Error("Legs with a canceled context succeeded")
	}
	if _, err := s.Apply(ctx, g.Batch); err == nil {
		t.Error("Apply with a canceled context succeeded")
	}
	var err error
	for _, e := range s.Positions(ctx, routes.Query{}) {
		err = e
		break
	}
	if _, e := s.AddPositions(ctx, seq(g.Positions[:10])); e == nil && err == nil {
		t.Error("Positions and AddPositions with a canceled context both succeeded")
	}
}

func testConcurrent(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)
	want := snapshot(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				if i == 0 && j%3 == 0 { // a writer among readers
					if _, err := s.Apply(ctx, g.Batch); err != nil {
						errs <- fmt.Errorf("concurrent apply: %w", err)
					}
					continue
				}
				p, err := s.Legs(ctx, routes.Query{Limit: 20, Offset: j})
				if err != nil {
					errs <- err
				} else if p.Matched != countLegs(g.Batch) {
					errs <- fmt.Errorf("a concurrent read matched %d legs; want %d", p.Matched, countLegs(g.Batch))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := snapshot(t, s); !reflect.DeepEqual(got, want) {
		t.Error("concurrent reads and an idempotent write changed the store")
	}
}

// testQueries asks many random queries of the store and the oracle.
func testQueries(t *testing.T, s routes.Store) {
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)
	o := newOracle(g.Batch, nil)
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 300 {
		q := randomQuery(r, g)
		name := fmt.Sprintf("query %d %s", i, describe(q))

		legs, err := s.Legs(ctx, q)
		wantLegs, wantN := o.legs(q)
		compare(t, "Legs "+name, legs, err, wantLegs, wantN)

		sq := q
		sq.Shipment = ""
		ships, err := s.Shipments(ctx, sq)
		wantShips, wantN := o.shipments(sq)
		compare(t, "Shipments "+name, ships, err, wantShips, wantN)

		vq := routes.Query{During: q.During, BBox: q.BBox, Via: q.Via, Mode: q.Mode, Limit: q.Limit, Offset: q.Offset}
		vessels, err := s.Vessels(ctx, vq)
		wantVessels, wantN := o.vessels(vq)
		compare(t, "Vessels "+name, vessels, err, wantVessels, wantN)

		pq := routes.Query{BBox: q.BBox, Kind: q.Kind, Limit: q.Limit, Offset: q.Offset}
		if r.IntN(2) == 0 { // places by the legs that start or end there
			pq.During, pq.Vessel, pq.Mode, pq.Shipment = q.During, q.Vessel, q.Mode, q.Shipment
		}
		if r.IntN(4) == 0 {
			pq.Near = randomNear(r)
		}
		places, err := s.Places(ctx, pq)
		wantPlaces, wantN := o.places(pq)
		compare(t, "Places "+name+" near "+fmt.Sprint(pq.Near), places, err, wantPlaces, wantN)

		oq := routes.Query{During: q.During, BBox: q.BBox, Near: pq.Near, Limit: q.Limit, Offset: q.Offset}
		obs, err := s.Observations(ctx, oq)
		wantObs, wantN := o.observations(oq)
		compare(t, "Observations "+name, obs, err, wantObs, wantN)
		if t.Failed() {
			return // one failing query is enough to read
		}
	}
	srcs, err := s.Sources(ctx, routes.Query{Limit: 2, Offset: 1})
	wantSrcs, wantN := o.sources(routes.Query{Limit: 2, Offset: 1})
	compare(t, "Sources limit 2 offset 1", srcs, err, wantSrcs, wantN)
}

func compare[T any](t *testing.T, what string, got routes.Page[T], err error, want []T, matched int) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if got.Matched != matched {
		t.Errorf("%s: matched %d; want %d", what, got.Matched, matched)
	}
	if g, w := normalize(got.Items), normalize(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %d items %v\nwant %d items %v", what, len(got.Items), ids(got.Items), len(want), ids(want))
	}
}

// ids lists the ids of items, for failure messages.
func ids[T any](items []T) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		v := reflect.ValueOf(it)
		if f := v.FieldByName("ID"); f.IsValid() {
			out = append(out, f.String())
		} else if f := v.FieldByName("MMSI"); f.IsValid() {
			out = append(out, f.String()+"@"+v.FieldByName("Time").Interface().(time.Time).Format(time.RFC3339))
		}
	}
	return out
}

func randomQuery(r *rand.Rand, g *Generated) routes.Query {
	var q routes.Query
	if r.IntN(2) == 0 {
		q.During = randomInterval(r)
	}
	if r.IntN(3) == 0 {
		q.BBox = randomBBox(r)
	}
	if r.IntN(4) == 0 {
		q.Via = g.Batch.Places[r.IntN(len(g.Batch.Places))].ID
	}
	if r.IntN(5) == 0 {
		q.Vessel = g.Batch.Vessels[r.IntN(len(g.Batch.Vessels))].ID
	}
	if r.IntN(4) == 0 {
		q.Mode = routes.Modes[r.IntN(len(routes.Modes))]
	}
	if r.IntN(8) == 0 {
		q.Shipment = g.Batch.Shipments[r.IntN(len(g.Batch.Shipments))].ID
	}
	if r.IntN(6) == 0 {
		q.Kind = routes.PlaceKinds[r.IntN(len(routes.PlaceKinds))]
	}
	if r.IntN(2) == 0 {
		q.Limit = 1 + r.IntN(15)
	}
	if r.IntN(3) == 0 {
		q.Offset = r.IntN(20)
	}
	return q
}

func randomInterval(r *rand.Rand) routes.Interval {
	a := epoch.Add(time.Duration(r.Int64N(int64(380 * 24 * time.Hour)))).Truncate(time.Second)
	b := a.Add(time.Duration(r.Int64N(int64(40 * 24 * time.Hour))))
	switch r.IntN(5) {
	case 0:
		return routes.Interval{Start: a, End: a} // an instant
	case 1:
		return routes.Interval{Start: a} // open end
	case 2:
		return routes.Interval{End: b} // open start
	case 3: // a whole day, as the API reads a bare date
		iv, _ := routes.ParseInterval(a.Format(time.DateOnly))
		return iv
	}
	return routes.Interval{Start: a, End: b}
}

func randomBBox(r *rand.Rand) *routes.BBox {
	w := r.Float64()*360 - 180
	width := 5 + r.Float64()*120
	e := w + width
	if e > 180 {
		e -= 360 // crosses the antimeridian
	}
	s := r.Float64()*150 - 75
	n := min(s+5+r.Float64()*60, 90)
	return &routes.BBox{West: w, South: s, East: e, North: n}
}

func randomNear(r *rand.Rand) *routes.Near {
	return &routes.Near{Point: orb.Point{r.Float64()*360 - 180, r.Float64()*140 - 70}, Meters: 100e3 + r.Float64()*3000e3}
}

func describe(q routes.Query) string {
	s := ""
	if !q.During.IsZero() {
		s += " datetime=" + q.During.String()
	}
	if q.BBox != nil {
		s += " bbox=" + q.BBox.String()
	}
	for k, v := range map[string]string{"via": q.Via, "vessel": q.Vessel, "mode": string(q.Mode), "shipment": q.Shipment, "kind": string(q.Kind)} {
		if v != "" {
			s += " " + k + "=" + v
		}
	}
	return s + fmt.Sprintf(" limit=%d offset=%d", q.Limit, q.Offset)
}

func seq(ps []routes.Position) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	}
}
