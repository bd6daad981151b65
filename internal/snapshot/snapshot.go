// Package snapshot reads everything a store holds that ingest writes, for
// tests that check that a refused write changed nothing: take one before,
// one after, and compare them with reflect.DeepEqual.
package snapshot

import (
	"context"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
)

// Contents is what a store holds, each list in the store's order.
type Contents struct {
	Places       []routes.Place
	Vessels      []routes.Vessel
	Sources      []routes.Source
	Shipments    []routes.Shipment // each read whole, with its legs
	Observations []routes.Observation
}

// Of reads the contents of s, failing t if the store does.
func Of(t testing.TB, s routes.Store) Contents {
	t.Helper()
	c := Contents{Places: all(t, s.Places), Vessels: all(t, s.Vessels), Sources: all(t, s.Sources),
		Observations: all(t, s.Observations)}
	for _, sh := range all(t, s.Shipments) {
		whole, err := s.Shipment(t.Context(), sh.ID)
		if err != nil {
			t.Fatalf("read shipment %s: %v", sh.ID, err)
		}
		c.Shipments = append(c.Shipments, whole)
	}
	return c
}

// all lists every record of one kind.
func all[T any](t testing.TB, list func(context.Context, routes.Query) (routes.Page[T], error)) []T {
	t.Helper()
	p, err := list(t.Context(), routes.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}
