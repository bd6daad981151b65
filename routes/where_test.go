package routes_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// bundled prepares the bundled Najin–Dunay case as ingest would.
func bundled(t *testing.T) *routes.Batch {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "najin-dunay", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bundled documents: %v", err)
	}
	var all routes.Document
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d routes.Document
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all.Places = append(all.Places, d.Places...)
		all.Vessels = append(all.Vessels, d.Vessels...)
		all.Sources = append(all.Sources, d.Sources...)
		all.Shipments = append(all.Shipments, d.Shipments...)
		all.Observations = append(all.Observations, d.Observations...)
	}
	b, err := routes.Prepare(context.Background(), nil, &all)
	if err != nil {
		t.Fatalf("prepare the bundled case: %v", err)
	}
	return b
}

func shipment(t *testing.T, b *routes.Batch, id string) routes.Shipment {
	t.Helper()
	for _, s := range b.Shipments {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no shipment %s", id)
	return routes.Shipment{}
}

func instant(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := routes.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// stretchWant is a leg id and the fractions the shipment can lie between.
type stretchWant struct {
	leg      string
	from, to float64
}

type whereCase struct {
	at        string
	status    routes.Progress
	kind      routes.EstimateKind
	place     string
	leg       string
	fraction  float64
	stretches []stretchWant
	geometry  string // the GeoJSON type of the uncertainty
}

// checkLocate runs cases against a shipment, checking every field an
// analyst reads and that the point is where the fraction says.
func checkLocate(t *testing.T, s routes.Shipment, cases []whereCase) {
	t.Helper()
	const tol = 1e-6
	for _, c := range cases {
		t.Run(c.at, func(t *testing.T) {
			e, err := routes.Locate(s, instant(t, c.at))
			if err != nil {
				t.Fatal(err)
			}
			if e.Status != c.status || e.Kind != c.kind || e.Place != c.place || e.Leg.ID != c.leg {
				t.Errorf("status %s, kind %s, place %q, leg %s; want %s, %s, %q, %s",
					e.Status, e.Kind, e.Place, e.Leg.ID, c.status, c.kind, c.place, c.leg)
			}
			if math.Abs(e.Fraction-c.fraction) > tol {
				t.Errorf("fraction %v; want %v", e.Fraction, c.fraction)
			}
			if len(e.Stretches) != len(c.stretches) {
				t.Fatalf("%d stretches; want %d", len(e.Stretches), len(c.stretches))
			}
			for i, w := range c.stretches {
				g := e.Stretches[i]
				if g.Leg.ID != w.leg || math.Abs(g.From-w.from) > tol || math.Abs(g.To-w.to) > tol {
					t.Errorf("stretch %d = %s %v–%v; want %s %v–%v", i, g.Leg.ID, g.From, g.To, w.leg, w.from, w.to)
				}
				if g.From > g.To {
					t.Errorf("stretch %d runs backwards", i)
				}
				if !(e.Kind == routes.EstimateObserved || g.Leg.ID != e.Leg.ID || (e.Fraction >= g.From && e.Fraction <= g.To)) {
					t.Errorf("the estimate %v lies outside its own stretch %v–%v", e.Fraction, g.From, g.To)
				}
			}
			if got := e.Uncertainty().GeoJSONType(); got != c.geometry {
				t.Errorf("uncertainty is a %s; want a %s", got, c.geometry)
			}
			// The point is the fraction's share of the leg's length along
			// it: check on the line itself.
			want := geo.Length(geo.Substring(e.Leg.Geometry, 0, e.Fraction))
			if got := e.AlongKm() * 1000; math.Abs(got-want) > 1 {
				t.Errorf("%v m along; the line measures %v m to the fraction", got, want)
			}
			if e.Point != geo.Interpolate(e.Leg.Geometry, e.Fraction) {
				t.Errorf("point %v is not the leg's point at fraction %v", e.Point, e.Fraction)
			}
		})
	}
}

// TestLocateWhiteHouse asks where the White House shipment was before,
// during and after each leg and at the edges of its windows. Sea leg:
// departs 7 Sep–1 Oct, arrives 12 Sep–1 Oct. Rail leg: departs and arrives
// 12 Sep–31 Oct. The windows overlap, so in late September it may be on
// either leg.
func TestLocateWhiteHouse(t *testing.T) {
	s := shipment(t, bundled(t), "nk-ru-2023-09")
	const sea, rail = "nk-ru-2023-09-sea", "nk-ru-2023-09-rail"
	checkLocate(t, s, []whereCase{
		{"2023-09-06T12:00:00Z", routes.NotDeparted, routes.EstimatePlace, "najin", sea, 0,
			[]stretchWant{{sea, 0, 0}}, "Point"},
		// The departure window opens: it cannot have moved yet.
		{"2023-09-07T00:00:00Z", routes.NotDeparted, routes.EstimatePlace, "najin", sea, 0,
			[]stretchWant{{sea, 0, 0}}, "Point"},
		// Three days of the five to the earliest arrival: at most 60% along.
		// The middle departure, 19 September, is ahead: probably still at Najin.
		{"2023-09-10T00:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "", sea, 0,
			[]stretchWant{{sea, 0, 0.6}}, "LineString"},
		// The earliest arrival: it may be anywhere on the sea leg; the rail
		// leg's windows allow it to have left Dunay at once.
		{"2023-09-12T00:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "", sea, 0,
			[]stretchWant{{sea, 0, 1}, {rail, 0, 1}}, "MultiLineString"},
		// Past the middle departure (19 Sep 12:00) towards the middle
		// arrival (22 Sep 00:00): 12 of 60 hours.
		{"2023-09-20T00:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "", sea, 0.2,
			[]stretchWant{{sea, 0, 1}, {rail, 0, 1}}, "MultiLineString"},
		// The sea leg's windows close at the end of 1 October.
		{"2023-10-01T23:59:59.999999Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "", rail, 0,
			[]stretchWant{{rail, 0, 1}}, "LineString"},
		{"2023-10-02T00:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "", rail, 0,
			[]stretchWant{{rail, 0, 1}}, "LineString"},
		// The rail windows say nothing of its speed: the middle schedule
		// leaves and arrives on 6 October.
		{"2023-10-10T00:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "", rail, 1,
			[]stretchWant{{rail, 0, 1}}, "LineString"},
		{"2023-10-31T23:59:59.999999Z", routes.Arrived, routes.EstimatePlace, "tikhoretsk", rail, 1,
			[]stretchWant{{rail, 1, 1}}, "Point"},
		{"2023-11-15", routes.Arrived, routes.EstimatePlace, "tikhoretsk", rail, 1,
			[]stretchWant{{rail, 1, 1}}, "Point"},
	})
}

// exactDocument is a shipment with narrow windows and a day in port between
// its legs, so every status occurs, and a leg across the antimeridian.
func exactDocument() *routes.Document {
	w := func(s string) routes.Window {
		v, err := routes.ParseWindow(s)
		if err != nil {
			panic(err)
		}
		return v
	}
	claims := []routes.Claim{{Source: "test", Claim: "made up for the test"}}
	return &routes.Document{
		Places: []routes.Place{
			{ID: "najin", Name: "Najin", Kind: routes.Port, Country: "KP", Lon: 130.30, Lat: 42.2333},
			{ID: "dunay", Name: "Dunay", Kind: routes.Port, Country: "RU", Lon: 132.3375, Lat: 42.8803},
			{ID: "tikhoretsk", Name: "Tikhoretsk", Kind: routes.Depot, Country: "RU", Lon: 40.1253, Lat: 45.8547},
			{ID: "vladivostok", Name: "Vladivostok", Kind: routes.Port, Country: "RU", Lon: 131.8833, Lat: 43.1167},
			{ID: "nome", Name: "Nome", Kind: routes.Port, Country: "US", Lon: -165.4064, Lat: 64.5011},
		},
		Sources: []routes.Source{{ID: "test", Publisher: "test", Title: "test", Published: "2023-10-13", Kind: routes.Research}},
		Shipments: []routes.Shipment{{
			ID: "exact", Title: "Exact sea leg, a day in port, rail", Cargo: routes.Cargo{Description: "crates"},
			Status: routes.StatusReported, Confidence: routes.Low, Sources: claims,
			Legs: []routes.Leg{
				{ID: "exact-sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay",
					Depart: w("2023-09-07T00:00:00Z"), Arrive: w("2023-09-12T00:00:00Z")},
				{ID: "exact-rail", Seq: 2, Mode: routes.Rail, Origin: "dunay", Destination: "tikhoretsk",
					Depart: w("2023-09-13/2023-09-15"), Arrive: w("2023-09-28/2023-10-05")},
			},
		}, {
			ID: "dateline", Title: "Across the date line", Cargo: routes.Cargo{Description: "crates"},
			Status: routes.StatusReported, Confidence: routes.Low, Sources: claims,
			Legs: []routes.Leg{{ID: "dateline-sea", Seq: 1, Mode: routes.Sea, Origin: "vladivostok", Destination: "nome",
				Depart: w("2023-07-01/2023-07-02"), Arrive: w("2023-07-14/2023-07-20")}},
		}},
	}
}

func TestLocateEveryStatus(t *testing.T) {
	b, err := routes.Prepare(context.Background(), nil, exactDocument())
	if err != nil {
		t.Fatal(err)
	}
	const sea, rail = "exact-sea", "exact-rail"
	// Rail: departs 13 Sep–15 Sep (ends 15 Sep 24:00), arrives 28 Sep–5 Oct
	// (ends 6 Oct 00:00): the least progress runs over 20 days, the most
	// over 15.
	checkLocate(t, shipment(t, b, "exact"), []whereCase{
		// Exact windows: one day of five, a point on the line.
		{"2023-09-08T00:00:00Z", routes.UnderWay, routes.EstimateInterpolated, "", sea, 0.2,
			[]stretchWant{{sea, 0.2, 0.2}}, "Point"},
		{"2023-09-12T00:00:00Z", routes.InPort, routes.EstimatePlace, "dunay", sea, 1,
			[]stretchWant{{sea, 1, 1}}, "Point"},
		{"2023-09-12T18:00:00Z", routes.InPort, routes.EstimatePlace, "dunay", sea, 1,
			[]stretchWant{{sea, 1, 1}}, "Point"},
		{"2023-09-13T00:00:00Z", routes.InPort, routes.EstimatePlace, "dunay", sea, 1,
			[]stretchWant{{sea, 1, 1}}, "Point"},
		// A day into the departure window: at most 1/15 along; the middle
		// departure (14 Sep 12:00) is ahead.
		{"2023-09-14T00:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "", rail, 0,
			[]stretchWant{{rail, 0, 1.0 / 15}}, "LineString"},
		// Surely left (4 of 20 days), surely not arrived (7 of 15); the
		// middle schedule is 5.5 of 17.5 days along.
		{"2023-09-20T00:00:00Z", routes.UnderWay, routes.EstimateInterpolated, "", rail, 5.5 / 17.5,
			[]stretchWant{{rail, 0.2, 7.0 / 15}}, "LineString"},
		{"2023-10-01T00:00:00Z", routes.MayHaveArrived, routes.EstimateInterpolated, "", rail, 16.5 / 17.5,
			[]stretchWant{{rail, 0.75, 1}}, "LineString"},
		{"2023-10-06T00:00:00Z", routes.Arrived, routes.EstimatePlace, "tikhoretsk", rail, 1,
			[]stretchWant{{rail, 1, 1}}, "Point"},
	})
}

func TestLocateAcrossTheAntimeridian(t *testing.T) {
	b, err := routes.Prepare(context.Background(), nil, exactDocument())
	if err != nil {
		t.Fatal(err)
	}
	s := shipment(t, b, "dateline")
	// Departs 1–2 July, arrives 14–20 July. On 5 July the stretch lies west
	// of the date line; on 15 July it reaches Nome, across it.
	for _, c := range []struct {
		at    string
		parts int
	}{{"2023-07-05", 1}, {"2023-07-15", 2}} {
		e, err := routes.Locate(s, instant(t, c.at))
		if err != nil {
			t.Fatal(err)
		}
		if e.Point[0] < -180 || e.Point[0] > 180 {
			t.Errorf("%s: longitude %v is outside [-180, 180]", c.at, e.Point[0])
		}
		var ml orb.MultiLineString
		switch g := e.Uncertainty().(type) {
		case orb.LineString:
			ml = orb.MultiLineString{g}
		case orb.MultiLineString:
			ml = g
		default:
			t.Fatalf("%s: uncertainty is a %T", c.at, g)
		}
		if len(ml) != c.parts {
			t.Errorf("%s: uncertainty in %d parts; want %d", c.at, len(ml), c.parts)
		}
		if c.parts == 2 && (math.Abs(ml[0][len(ml[0])-1][0]) != 180 || math.Abs(ml[1][0][0]) != 180) {
			t.Errorf("%s: the parts do not meet on the antimeridian: %v", c.at, ml)
		}
		if km := e.UncertaintyKm(); math.Abs(km*1000-geo.Length(ml)) > 1 {
			t.Errorf("%s: uncertainty of %v km; its line measures %v m", c.at, km, geo.Length(ml))
		}
	}
}

func TestLocateMonotone(t *testing.T) {
	// Hour by hour through the White House shipment, the estimate never
	// goes back along the route and stays within its stretch.
	s := shipment(t, bundled(t), "nk-ru-2023-09")
	lastSeq, lastFraction := 0, 0.0
	for at := instant(t, "2023-09-01"); at.Before(instant(t, "2023-11-05")); at = at.Add(time.Hour) {
		e, err := routes.Locate(s, at)
		if err != nil {
			t.Fatal(err)
		}
		if e.Leg.Seq < lastSeq || e.Leg.Seq == lastSeq && e.Fraction < lastFraction {
			t.Fatalf("%s: the estimate went back to leg %d at %v from leg %d at %v", at, e.Leg.Seq, e.Fraction, lastSeq, lastFraction)
		}
		lastSeq, lastFraction = e.Leg.Seq, e.Fraction
	}
}

func TestLocateNoLegs(t *testing.T) {
	_, err := routes.Locate(routes.Shipment{ID: "empty"}, time.Now())
	if !errors.Is(err, routes.ErrNoLegs) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("Locate of a shipment without legs = %v; want ErrNoLegs naming it", err)
	}
}

func TestParseInstant(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{"2023-09-12", "2023-09-12T00:00:00Z", ""},
		{"2023-09-12T06:30:00+03:00", "2023-09-12T03:30:00Z", ""},
		{"2023-09-12T06:30:00.1234567Z", "2023-09-12T06:30:00.123456Z", ""},
		{"2023-09-07/2023-10-01", "", "is an interval"},
		{"yesterday", "", "neither a date"},
		{"", "", "empty"},
		{"2023-02-30", "", "neither a date"},
	} {
		got, err := routes.ParseInstant(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseInstant(%q) = %v, %v; want an error containing %q", c.in, got, err, c.err)
		case c.err == "" && (err != nil || routes.FormatTime(got) != c.want):
			t.Errorf("ParseInstant(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
}
