package gpkg

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
)

// TestRoundTrip applies the reference case and reads every record back as
// it was written, with the derived fields filled.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	b := prepared(t, s)
	c := apply(t, s, b)
	want := routes.Changes{Places: 6, Vessels: 2, Sources: 2, Shipments: 2, Legs: 3, Tracks: 1, Gaps: 1, Observations: 1}
	if c != want {
		t.Errorf("Changes = %+v, want %+v", c, want)
	}
	checkHolds(t, s, b)

	for _, sh := range b.Shipments {
		got, err := s.Shipment(ctx, sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, sh) {
			t.Errorf("Shipment(%q) =\n%+v\nwant\n%+v", sh.ID, got, sh)
		}
	}
}

// checkHolds reads back every record of b from s and compares.
func checkHolds(t *testing.T, s routes.Store, b *routes.Batch) {
	t.Helper()
	ctx := context.Background()
	for _, want := range b.Places {
		got, err := s.Place(ctx, want.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Place(%q) = %+v, %v; want %+v", want.ID, got, err, want)
		}
	}
	for _, want := range b.Vessels {
		got, err := s.Vessel(ctx, want.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Vessel(%q) = %+v, %v; want %+v", want.ID, got, err, want)
		}
	}
	for _, want := range b.Sources {
		got, err := s.Source(ctx, want.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Source(%q) = %+v, %v; want %+v", want.ID, got, err, want)
		}
	}
	for _, sh := range b.Shipments {
		for _, want := range sh.Legs {
			got, err := s.Leg(ctx, want.ID)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Leg(%q) =\n%+v, %v\nwant\n%+v", want.ID, got, err, want)
			}
		}
	}
	tracks, err := s.Tracks(ctx, routes.Query{})
	if err != nil || !reflect.DeepEqual(tracks.Items, b.Tracks) {
		t.Errorf("Tracks = %+v, %v; want %+v", tracks.Items, err, b.Tracks)
	}
	gaps, err := s.Gaps(ctx, routes.Query{})
	if err != nil || !reflect.DeepEqual(gaps.Items, b.Gaps) {
		t.Errorf("Gaps = %+v, %v; want %+v", gaps.Items, err, b.Gaps)
	}
	obs, err := s.Observations(ctx, routes.Query{})
	if err != nil || !reflect.DeepEqual(obs.Items, b.Observations) {
		t.Errorf("Observations = %+v, %v; want %+v", obs.Items, err, b.Observations)
	}
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	apply(t, s, prepared(t, s))
	lookups := map[string]func() error{
		"place":    func() error { _, err := s.Place(ctx, "atlantis"); return err },
		"vessel":   func() error { _, err := s.Vessel(ctx, "atlantis"); return err },
		"source":   func() error { _, err := s.Source(ctx, "atlantis"); return err },
		"shipment": func() error { _, err := s.Shipment(ctx, "atlantis"); return err },
		"leg":      func() error { _, err := s.Leg(ctx, "atlantis"); return err },
	}
	for name, f := range lookups {
		if err := f(); !errors.Is(err, routes.ErrNotFound) {
			t.Errorf("%s atlantis: err = %v, want ErrNotFound", name, err)
		}
	}
}

// TestApplyRejects hands Apply batches that routes.Prepare would have
// refused: each error names the field, and nothing is written.
func TestApplyRejects(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for _, c := range []struct {
		name  string
		spoil func(b *routes.Batch)
		want  string
	}{
		{"unknown vessel", func(b *routes.Batch) { b.Shipments[0].Legs[0].Vessel = "flying-dutchman" }, "shipments[0].legs[0].vessel"},
		{"unknown origin", func(b *routes.Batch) { b.Shipments[1].Legs[0].Origin = "atlantis" }, "shipments[1].legs[0].origin"},
		{"unknown source", func(b *routes.Batch) { b.Shipments[0].Sources[1].Source = "rumour" }, "shipments[0].sources[1].source"},
		{"country", func(b *routes.Batch) { b.Places[2].Country = "Russia" }, "places[2].country"},
		{"latitude", func(b *routes.Batch) { b.Places[0].Lat = 95 }, "places[0]"},
		{"slug", func(b *routes.Batch) { b.Vessels[0].ID = "Angara" }, "vessels[0].id"},
		{"repeated id", func(b *routes.Batch) { b.Sources[1].ID = b.Sources[0].ID }, "sources[1].id"},
		{"repeated seq", func(b *routes.Batch) { b.Shipments[0].Legs[1].Seq = 1 }, "shipments[0].legs[1].seq"},
		{"no legs", func(b *routes.Batch) { b.Shipments[1].Legs = nil }, "shipments[1].legs"},
		{"windows out of order", func(b *routes.Batch) {
			l := &b.Shipments[0].Legs[0]
			l.Depart.Earliest, l.Depart.Latest = l.Depart.Latest, l.Depart.Earliest
		}, "shipments[0].legs[0].depart"},
		{"track ends first", func(b *routes.Batch) { b.Tracks[0].End = b.Tracks[0].Start.Add(-1) }, "tracks[0]"},
		{"observation kind", func(b *routes.Batch) { b.Observations[0].Kind = "rumour" }, "observations[0].kind"},
	} {
		b := prepared(t, s)
		c.spoil(b)
		_, err := s.Apply(ctx, b)
		v, ok := routes.AsValidation(err)
		if !ok || len(v) == 0 || v[0].Path != c.want {
			t.Errorf("%s: Apply = %v; want a validation error at %s", c.name, err, c.want)
		}
	}
	if p, err := s.Places(ctx, routes.Query{}); err != nil || p.Matched != 0 {
		t.Errorf("after refused batches the store holds %d places, %v; want none", p.Matched, err)
	}
}
