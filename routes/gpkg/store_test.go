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
