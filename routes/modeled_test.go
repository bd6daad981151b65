package routes_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
	"github.com/shiptrack/shiptrack/routes/network"
)

// document is a shipment of a rail leg without a line, a road leg, a rail
// leg from a point far from any railway, a rail leg that asks to stay
// schematic and a rail leg with a reported line.
func document(t *testing.T) *routes.Document {
	t.Helper()
	const doc = `{
	  "places": [
	    {"id": "dunay", "name": "Dunay", "kind": "port", "country": "RU", "lon": 132.3375, "lat": 42.8803},
	    {"id": "ussuriysk", "name": "Ussuriysk", "kind": "rail_station", "country": "RU", "lon": 131.952, "lat": 43.797},
	    {"id": "vladivostok", "name": "Vladivostok", "kind": "port", "country": "RU", "lon": 131.8833, "lat": 43.1167},
	    {"id": "tikhoretsk", "name": "Tikhoretsk", "kind": "depot", "country": "RU", "lon": 40.1253, "lat": 45.8547},
	    {"id": "kamenny", "name": "Kamenny", "kind": "depot", "country": "RU", "lon": 40.25, "lat": 45.95},
	    {"id": "kuril", "name": "Kuril island", "kind": "port", "country": "RU", "lon": 147.87, "lat": 45.23}
	  ],
	  "sources": [{"id": "wh", "publisher": "The White House", "title": "Briefing", "published": "2023-10-13", "kind": "government"}],
	  "shipments": [{
	    "id": "s", "title": "Munitions", "status": "reported", "confidence": "medium",
	    "cargo": {"description": "containers"},
	    "sources": [{"source": "wh", "claim": "containers"}],
	    "legs": [
	      {"id": "rail", "seq": 1, "mode": "rail", "origin": "dunay", "destination": "tikhoretsk", "depart": "2023-09-13", "arrive": "2023-09-30"},
	      {"id": "road", "seq": 2, "mode": "road", "origin": "tikhoretsk", "destination": "kamenny", "depart": "2023-10-01", "arrive": "2023-10-01"},
	      {"id": "far", "seq": 3, "mode": "rail", "origin": "vladivostok", "destination": "kuril", "depart": "2023-10-02", "arrive": "2023-10-03"},
	      {"id": "asked", "seq": 4, "mode": "rail", "origin": "dunay", "destination": "ussuriysk", "geometry_kind": "schematic", "depart": "2023-10-04", "arrive": "2023-10-05"},
	      {"id": "drawn", "seq": 5, "mode": "rail", "origin": "ussuriysk", "destination": "vladivostok", "depart": "2023-10-06", "arrive": "2023-10-07",
	       "geometry": {"type": "LineString", "coordinates": [[131.952, 43.797], [131.9, 43.4], [131.8833, 43.1167]]}},
	      {"id": "short", "seq": 6, "mode": "rail", "origin": "ussuriysk", "destination": "vladivostok", "depart": "2023-10-08", "arrive": "2023-10-09"}
	    ]
	  }]
	}`
	var d routes.Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

func railRouters(t *testing.T, ways []routes.RailWay) map[routes.Mode]routes.Router {
	t.Helper()
	r, err := network.NewRail(ways)
	if err != nil {
		t.Fatal(err)
	}
	return map[routes.Mode]routes.Router{routes.Rail: r}
}

func legs(b *routes.Batch) map[string]routes.Leg {
	out := map[string]routes.Leg{}
	for _, s := range b.Shipments {
		for _, l := range s.Legs {
			out[l.ID] = l
		}
	}
	return out
}

func TestPrepareModelsLegsWithARouter(t *testing.T) {
	ctx := context.Background()
	unrouted := map[string]error{}
	b, err := routes.PrepareWith(ctx, nil, document(t), routes.PrepareOptions{
		Routers:  railRouters(t, nil),
		Unrouted: func(leg string, err error) { unrouted[leg] = err },
	})
	if err != nil {
		t.Fatal(err)
	}
	got := legs(b)
	rail := got["rail"]
	if rail.GeometryKind != routes.Modeled || rail.LengthKm < 8000 || rail.LengthKm > 10000 {
		t.Errorf("the rail leg is %s, %.0f km; want modeled, along the Trans-Siberian", rail.GeometryKind, rail.LengthKm)
	}
	if want := geo.Length(rail.Geometry) / 1000; rail.LengthKm != want {
		t.Errorf("rail leg length %.3f is not its line's %.3f", rail.LengthKm, want)
	}
	if s := b.Shipments[0]; s.LengthKm < rail.LengthKm || !s.Bound.Contains(orb.Point{104.3, 52.3}) {
		t.Errorf("the shipment's length %.0f and extent %v do not take in the modeled line", s.LengthKm, s.Bound)
	}
	for id, kind := range map[string]routes.GeometryKind{"road": routes.Schematic, "far": routes.Schematic,
		"asked": routes.Schematic, "drawn": routes.Reported, "short": routes.Modeled} {
		if got[id].GeometryKind != kind {
			t.Errorf("leg %s is %s, want %s", id, got[id].GeometryKind, kind)
		}
	}
	if len(got["far"].Geometry[0]) != 2 || len(got["asked"].Geometry[0]) != 2 {
		t.Errorf("schematic legs are not straight: %v, %v", got["far"].Geometry, got["asked"].Geometry)
	}
	// Only the leg a router failed on is reported, with the end at fault.
	if len(unrouted) != 1 || !errors.Is(unrouted["far"], routes.ErrUnroutable) || !strings.Contains(unrouted["far"].Error(), "to:") {
		t.Errorf("unrouted legs: %v", unrouted)
	}
}

func TestPrepareModeledWithoutARoute(t *testing.T) {
	for _, c := range []struct {
		name    string
		routers map[routes.Mode]routes.Router
		want    string
	}{
		{"no router", nil, "no router draws rail lines"},
		{"no route", railRouters(t, nil), "the rail router finds no route"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := document(t)
			d.Shipments[0].Legs[2].GeometryKind = routes.Modeled
			_, err := routes.PrepareWith(context.Background(), nil, d, routes.PrepareOptions{Routers: c.routers})
			v, ok := routes.AsValidation(err)
			if !ok || len(v) != 1 || v[0].Path != "shipments[0].legs[2].geometry" || !strings.Contains(v[0].Msg, c.want) {
				t.Errorf("error %v; want one on shipments[0].legs[2].geometry saying %q", err, c.want)
			}
		})
	}
}

// Legs stored schematic are modeled once a router is there, and redrawn
// when a better network arrives; observed and reported lines stay, and a
// second run changes nothing.
func TestRemodel(t *testing.T) {
	ctx := context.Background()
	st, err := gpkg.Open(ctx, filepath.Join(t.TempDir(), "s.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := routes.Prepare(ctx, nil, document(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	before := storedLegs(t, st)

	remodel := func(routers map[routes.Mode]routes.Router) (routes.Changes, map[string]error) {
		t.Helper()
		unrouted := map[string]error{}
		ch, err := routes.Remodel(ctx, st, routes.PrepareOptions{Routers: routers,
			Unrouted: func(leg string, err error) { unrouted[leg] = err }})
		if err != nil {
			t.Fatal(err)
		}
		return ch, unrouted
	}
	ch, unrouted := remodel(railRouters(t, nil))
	after := storedLegs(t, st)
	if ch.Shipments != 1 || ch.Legs != 3 {
		t.Errorf("changes %+v; want the shipment and its three schematic rail legs that now route", ch)
	}
	for id, kind := range map[string]routes.GeometryKind{"rail": routes.Modeled, "asked": routes.Modeled, "short": routes.Modeled,
		"far": routes.Schematic, "road": routes.Schematic, "drawn": routes.Reported} {
		if after[id].GeometryKind != kind {
			t.Errorf("after remodel leg %s is %s, want %s", id, after[id].GeometryKind, kind)
		}
	}
	for _, id := range []string{"far", "road", "drawn"} {
		if !orb.Equal(after[id].Geometry, before[id].Geometry) {
			t.Errorf("leg %s changed", id)
		}
	}
	if len(unrouted) != 1 || unrouted["far"] == nil {
		t.Errorf("unrouted: %v", unrouted)
	}
	if ch, _ := remodel(railRouters(t, nil)); ch.Total() != 0 {
		t.Errorf("a second remodel changed %+v", ch)
	}

	// Track from OpenStreetMap between Ussuriysk and Vladivostok.
	ways := []routes.RailWay{{ID: 1, Nodes: []int64{1, 2, 3, 4},
		Line: orb.LineString{{131.952, 43.797}, {131.97, 43.6}, {132.06, 43.32}, {131.8833, 43.1167}}}}
	ch, _ = remodel(railRouters(t, ways))
	osm := storedLegs(t, st)
	if ch.Legs != 1 || !orb.Equal(osm["short"].Geometry, orb.MultiLineString{ways[0].Line}) {
		t.Errorf("with OSM track: changes %+v, the short leg is %v", ch, osm["short"].Geometry)
	}
	if !orb.Equal(osm["rail"].Geometry, after["rail"].Geometry) {
		t.Errorf("the long rail leg, beyond the OSM track, changed")
	}
	if ch, _ := remodel(railRouters(t, ways)); ch.Total() != 0 {
		t.Errorf("a second remodel with OSM track changed %+v", ch)
	}
}

func storedLegs(t *testing.T, st routes.Store) map[string]routes.Leg {
	t.Helper()
	s, err := st.Shipment(context.Background(), "s")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]routes.Leg{}
	for _, l := range s.Legs {
		out[l.ID] = l
	}
	return out
}
