package routes

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// fixture is a small valid document: two ports, a depot, one shipment of a
// sea and a rail leg.
func fixture() *Document {
	const doc = `{
	  "places": [
	    {"id": "najin", "name": "Najin", "kind": "port", "country": "KP", "unlocode": "KPNJN", "aliases": ["Rajin"], "lon": 130.30, "lat": 42.2333},
	    {"id": "dunay", "name": "Dunay", "kind": "port", "country": "RU", "lon": 132.3375, "lat": 42.8803},
	    {"id": "tikhoretsk", "name": "Tikhoretsk", "kind": "depot", "country": "RU", "lon": 40.1253, "lat": 45.8547}
	  ],
	  "vessels": [{"id": "angara", "name": "Angara", "imo": "9179842", "flag": "RU", "confidence": "medium"}],
	  "sources": [{"id": "wh", "publisher": "The White House", "title": "Briefing", "url": "https://www.whitehouse.gov/", "published": "2023-10-13", "kind": "government"}],
	  "shipments": [{
	    "id": "nk-ru", "title": "Munitions", "status": "reported", "confidence": "medium",
	    "cargo": {"description": "containers", "quantity": 1000, "unit": "containers", "qualifier": "more than"},
	    "sources": [{"source": "wh", "claim": "more than 1,000 containers"}],
	    "legs": [
	      {"id": "nk-ru-sea", "seq": 1, "mode": "sea", "origin": "najin", "destination": "dunay", "vessel": "angara",
	       "depart": "2023-09-07/2023-09-10", "arrive": "2023-09-12"},
	      {"id": "nk-ru-rail", "seq": 2, "mode": "rail", "origin": "dunay", "destination": "tikhoretsk",
	       "depart": "2023-09-13/2023-10-01", "arrive": "2023-09-20/2023-10-30"}
	    ]
	  }]
	}`
	var d Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		panic(err)
	}
	return &d
}

func TestPrepareFixture(t *testing.T) {
	b, err := Prepare(context.Background(), nil, fixture())
	if err != nil {
		t.Fatal(err)
	}
	s := b.Shipments[0]
	if len(s.Legs) != 2 || s.Legs[0].ID != "nk-ru-sea" {
		t.Fatalf("legs = %+v", s.Legs)
	}
	sea := s.Legs[0]
	if sea.GeometryKind != Schematic || len(sea.Geometry) != 1 || len(sea.Geometry[0]) != 2 {
		t.Errorf("a leg without a line gets a straight schematic one; got %v %v", sea.GeometryKind, sea.Geometry)
	}
	// Straight Najin–Dunay is the great circle, 98 nm in REFERENCE.md.
	if nm := sea.LengthNm(); math.Abs(nm-98) > 1 {
		t.Errorf("sea leg length = %.1f nm; want about 98", nm)
	}
	if !s.Start.Equal(ts("2023-09-07T00:00:00Z")) || !s.End.Equal(ts("2023-10-30T23:59:59.999999Z")) {
		t.Errorf("shipment period = %v .. %v", s.Start, s.End)
	}
	if s.LengthKm != s.Legs[0].LengthKm+s.Legs[1].LengthKm {
		t.Errorf("shipment length %v is not the sum of its legs", s.LengthKm)
	}
	r := NewRoute(s)
	if r.Totals.Legs != 2 || r.Totals.Departure != sea.Depart || r.Totals.Arrival != s.Legs[1].Arrive {
		t.Errorf("route totals = %+v", r.Totals)
	}
	// Latest departure 10 Sep to earliest arrival 20 Sep; earliest departure
	// 7 Sep to latest arrival 30 Oct.
	if r.Totals.ShortestHours != 216 || r.Totals.LongestHours < 53*24 {
		t.Errorf("durations = %v .. %v hours", r.Totals.ShortestHours, r.Totals.LongestHours)
	}
}

func TestPrepareRejects(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(d *Document)
		field string
		msg   string
	}{
		{"missing place name", func(d *Document) { d.Places[0].Name = "" }, "places[0].name", "required"},
		{"latitude 95", func(d *Document) { d.Places[1].Lat = 95 }, "places[1].lat", "latitude 95"},
		{"longitude -181", func(d *Document) { d.Places[1].Lon = -181 }, "places[1].lon", "outside"},
		{"bad kind", func(d *Document) { d.Places[0].Kind = "harbour" }, "places[0].kind", "not one of"},
		{"bad country", func(d *Document) { d.Places[0].Country = "North Korea" }, "places[0].country", "ISO 3166-1"},
		{"unlocode of another country", func(d *Document) { d.Places[0].UNLOCODE = "RUVVO" }, "places[0].unlocode", "does not begin"},
		{"id not a slug", func(d *Document) { d.Places[0].ID = "Najin Port" }, "places[0].id", "not a slug"},
		{"duplicate place", func(d *Document) { d.Places[1].ID = "najin" }, "places[1].id", "twice"},
		{"IMO check digit", func(d *Document) { d.Vessels[0].IMO = "9179843" }, "vessels[0].imo", "check digit"},
		{"IMO length", func(d *Document) { d.Vessels[0].IMO = "917984" }, "vessels[0].imo", "7-digit"},
		{"MMSI", func(d *Document) { d.Vessels[0].MMSI = "27312345" }, "vessels[0].mmsi", "9-digit"},
		{"source date", func(d *Document) { d.Sources[0].Published = "13 Oct 2023" }, "sources[0].published", "not a date"},
		{"source url", func(d *Document) { d.Sources[0].URL = "javascript:alert(1)" }, "sources[0].url", "http"},
		{"unknown source", func(d *Document) { d.Shipments[0].Sources[0].Source = "nobody" }, "shipments[0].sources[0].source", "unknown source"},
		{"no sources", func(d *Document) { d.Shipments[0].Sources = nil }, "shipments[0].sources", "at least one"},
		{"bad status", func(d *Document) { d.Shipments[0].Status = "rumoured" }, "shipments[0].status", "not one of"},
		{"no legs", func(d *Document) { d.Shipments[0].Legs = nil }, "shipments[0].legs", "at least one leg"},
		{"missing cargo", func(d *Document) { d.Shipments[0].Cargo.Description = "" }, "shipments[0].cargo.description", "required"},
		{"unknown place", func(d *Document) { d.Shipments[0].Legs[1].Destination = "kamenny" }, "shipments[0].legs[1].destination", `unknown place "kamenny"`},
		{"unknown vessel", func(d *Document) { d.Shipments[0].Legs[0].Vessel = "maria" }, "shipments[0].legs[0].vessel", "unknown vessel"},
		{"departure after arrival", func(d *Document) {
			d.Shipments[0].Legs[0].Depart, _ = ParseWindow("2023-09-14")
		}, "shipments[0].legs[0].depart", "after arrival"},
		{"reversed window", func(d *Document) {
			d.Shipments[0].Legs[0].Depart = Window{Earliest: ts("2023-09-10T00:00:00Z"), Latest: ts("2023-09-07T00:00:00Z")}
		}, "shipments[0].legs[0].depart", "before earliest"},
		{"missing arrival", func(d *Document) { d.Shipments[0].Legs[0].Arrive = Window{} }, "shipments[0].legs[0].arrive", "required"},
		{"duplicate seq", func(d *Document) { d.Shipments[0].Legs[1].Seq = 1 }, "shipments[0].legs[1].seq", "twice"},
		{"bad mode", func(d *Document) { d.Shipments[0].Legs[0].Mode = "boat" }, "shipments[0].legs[0].mode", "not one of"},
		{"line far from origin", func(d *Document) {
			d.Shipments[0].Legs[0].Geometry = orb.MultiLineString{{{120, 40}, {132.3375, 42.8803}}}
		}, "shipments[0].legs[0].geometry", "from its origin"},
		{"line with NaN", func(d *Document) {
			d.Shipments[0].Legs[0].Geometry = orb.MultiLineString{{{130.3, 42.2333}, {math.NaN(), 42.8803}}}
		}, "shipments[0].legs[0].geometry", "finite"},
		{"modeled without a line", func(d *Document) { d.Shipments[0].Legs[0].GeometryKind = Modeled }, "shipments[0].legs[0].geometry", "required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := fixture()
			c.edit(d)
			_, err := Prepare(context.Background(), nil, d)
			v, ok := AsValidation(err)
			if !ok {
				t.Fatalf("Prepare = %v; want a ValidationError", err)
			}
			for _, e := range v {
				if e.Path == c.field && strings.Contains(e.Msg, c.msg) {
					return
				}
			}
			t.Errorf("Prepare = %v; want %s: …%s…", err, c.field, c.msg)
		})
	}
}

func TestCheckIMO(t *testing.T) {
	for imo, ok := range map[string]bool{"9179842": true, "9161003": true, "9074729": true, "9179841": false, "917984A": false, "": false} {
		if err := CheckIMO(imo); (err == nil) != ok {
			t.Errorf("CheckIMO(%q) = %v; want valid %v", imo, err, ok)
		}
	}
}

func TestLegJSON(t *testing.T) {
	in := `{"id":"x","seq":1,"mode":"sea","origin":"a","destination":"b","depart":"2023-09-07","arrive":"2023-09-08",
	  "geometry":{"type":"MultiLineString","coordinates":[[[179,0],[180,1]],[[-180,1],[-179,2]]]}}`
	var l Leg
	if err := json.Unmarshal([]byte(in), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Geometry) != 2 {
		t.Fatalf("geometry = %v", l.Geometry)
	}
	out, _ := json.Marshal(l)
	var back Leg
	if err := json.Unmarshal(out, &back); err != nil || !orb.Equal(back.Geometry, l.Geometry) {
		t.Errorf("round trip = %v, %v", back.Geometry, err)
	}
	for _, bad := range []string{
		`{"geometry":{"type":"Point","coordinates":[1,2]}}`,
		`{"geometry":{"type":"LineString"}}`,
		`{"geometry":{"type":"LineString","coordinates":"x"}}`,
	} {
		if err := json.Unmarshal([]byte(bad), &l); err == nil {
			t.Errorf("Unmarshal(%s) succeeded; want an error", bad)
		}
	}
}
