package gpkg

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// openTemp opens a new store in a fresh directory and closes it when the
// test ends.
func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shiptrack.gpkg")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func window(t *testing.T, s string) routes.Window {
	t.Helper()
	w, err := routes.ParseWindow(s)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func instant(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// najinDunay is the reference case as a document: munitions loaded at Najin,
// shipped to Dunay, railed to Tikhoretsk; and, to exercise the antimeridian,
// a made-up voyage from Vladivostok to the Aleutians.
func najinDunay(t *testing.T) *routes.Document {
	t.Helper()
	return &routes.Document{
		Places: []routes.Place{
			{ID: "najin", Name: "Najin", Kind: routes.Port, Country: "KP", UNLOCODE: "KPNJN", Aliases: []string{"Rajin", "Rason"}, Lon: 130.30, Lat: 42.2333, Note: "harbour water"},
			{ID: "dunay", Name: "Dunay", Kind: routes.Port, Country: "RU", Aliases: []string{"Dunai"}, Lon: 132.3375, Lat: 42.8803},
			{ID: "vladivostok", Name: "Vladivostok", Kind: routes.RailStation, Country: "RU", UNLOCODE: "RUVVO", Lon: 131.8833, Lat: 43.1167},
			{ID: "tikhoretsk", Name: "Tikhoretsk", Kind: routes.Depot, Country: "RU", Lon: 40.1253, Lat: 45.8547},
			{ID: "tumangang", Name: "Tumangang / Khasan", Kind: routes.BorderCrossing, Country: "KP", Lon: 130.64, Lat: 42.43},
			{ID: "dutch-harbor", Name: "Dutch Harbor", Kind: routes.Port, Country: "US", Lon: -166.54, Lat: 53.89},
		},
		Vessels: []routes.Vessel{
			{ID: "angara", Name: "Angara", IMO: "9179842", MMSI: "273000001", Flag: "RU", Type: "general cargo", Owner: "M Leasing", Confidence: routes.Medium},
			{ID: "maria", Name: "Maria", Flag: "RU", FormerNames: []string{"Maria-1"}},
		},
		Sources: []routes.Source{
			{ID: "white-house", Publisher: "The White House", Title: "Press briefing", URL: "https://www.whitehouse.gov/briefing-room/", Published: "2023-10-13", Kind: routes.Government},
			{ID: "rusi", Publisher: "RUSI", Title: "The Orient Express", Published: "2023-10-16", Kind: routes.Research},
		},
		Shipments: []routes.Shipment{{
			ID:         "nk-ru-2023-09",
			Title:      "Munitions from Najin to Tikhoretsk",
			Summary:    "More than 1,000 containers",
			Cargo:      routes.Cargo{Description: "containers of munitions", Quantity: 1000, Unit: "containers", Qualifier: "more than"},
			Status:     routes.StatusReported,
			Confidence: routes.High,
			Sources:    []routes.Claim{{Source: "white-house", Claim: "loaded at Najin, shipped to Dunay"}, {Source: "rusi", Claim: "Angara and Maria shuttled"}},
			Legs: []routes.Leg{
				{ID: "nk-ru-2023-09-sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay", Vessel: "angara",
					Depart: window(t, "2023-09-07"), Arrive: window(t, "2023-09-12"), Confidence: routes.High,
					Geometry: orb.MultiLineString{{{130.31, 42.22}, {131.2, 42.3}, {132.33, 42.87}}}, GeometryKind: routes.Reported,
					Sources: []routes.Claim{{Source: "white-house", Claim: "first arrival 12 September"}}},
				{ID: "nk-ru-2023-09-rail", Seq: 2, Mode: routes.Rail, Origin: "dunay", Destination: "tikhoretsk", Via: []string{"vladivostok"},
					Carrier: "Russian Railways", Depart: window(t, "2023-09-13/2023-09-20"), Arrive: window(t, "2023-09-25/2023-10-10"),
					Note: "route not reported"},
			},
		}, {
			ID:         "test-pacific",
			Title:      "A voyage across the antimeridian",
			Cargo:      routes.Cargo{Description: "test cargo"},
			Status:     routes.StatusAlleged,
			Confidence: routes.Low,
			Sources:    []routes.Claim{{Source: "rusi", Claim: "made up for tests"}},
			Legs: []routes.Leg{
				{ID: "test-pacific-1", Seq: 1, Mode: routes.Sea, Origin: "vladivostok", Destination: "dutch-harbor", Vessel: "maria",
					Depart: routes.Window{Earliest: instant(t, "2023-11-01T06:00:00Z"), Latest: instant(t, "2023-11-01T06:00:00Z")},
					Arrive: window(t, "2023-11-10T00:00:00Z/2023-11-12T12:30:00.123456Z")},
			},
		}},
		Observations: []routes.Observation{
			{ID: "najin-2023-10-05", Time: window(t, "2023-10-05"), Lon: 130.31, Lat: 42.24, Kind: routes.SatelliteImage,
				Subject: "najin", Source: "white-house", Note: "containers on the quay"},
		},
	}
}

// prepared validates the reference document against the store and adds the
// derived records that come from AIS processing.
func prepared(t *testing.T, s routes.Store) *routes.Batch {
	t.Helper()
	b, err := routes.Prepare(context.Background(), s, najinDunay(t))
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	line := orb.MultiLineString{{{130.32, 42.21}, {131.0, 42.25}, {132.3, 42.85}}}
	b.Tracks = []routes.Track{{ID: "angara-2023-09-07", MMSI: "273000001", Vessel: "angara",
		Start: instant(t, "2023-09-07T04:00:00Z"), End: instant(t, "2023-09-08T02:30:00Z"), Points: 3,
		Geometry: line, LengthKm: geo.Length(line) / 1000, Leg: "nk-ru-2023-09-sea"}}
	b.Gaps = []routes.Gap{{ID: "angara-gap-1", MMSI: "273000001", Vessel: "angara",
		Start: instant(t, "2023-09-08T02:30:00Z"), End: instant(t, "2023-09-11T20:00:00Z"),
		From: orb.Point{132.3, 42.85}, To: orb.Point{132.33, 42.87}, Dark: true, OffshoreNm: 12.5}}
	return b
}

// apply applies a batch and fails the test on error.
func apply(t *testing.T, s routes.Store, b *routes.Batch) routes.Changes {
	t.Helper()
	c, err := s.Apply(context.Background(), b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return c
}
