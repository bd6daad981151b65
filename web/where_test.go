package web_test

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// TestWhere asks where shipments were before, during and after their legs,
// in port between them, and where AIS fixes cover the time. The fixture's
// nk-ru-2023-09 sails 7–10 Sep → 12 Sep, waits a day at Dunay, and leaves by
// rail 13–15 Sep → 28 Sep–5 Oct; Sea Fox reports every two hours from 20
// Sep 06:00 to 22 Sep 00:00.
func TestWhere(t *testing.T) {
	cases := []struct {
		shipment, at string
		status       routes.Progress
		kind         routes.EstimateKind
		leg, place   string
		fixes        int
	}{
		{"nk-ru-2023-09", "2023-09-01", routes.NotDeparted, routes.EstimatePlace, "nk09-sea", "najin", 0},
		{"nk-ru-2023-09", "2023-09-10T12:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "nk09-sea", "", 0},
		{"nk-ru-2023-09", "2023-09-12T12:00:00Z", routes.MayHaveArrived, routes.EstimateInterpolated, "nk09-sea", "", 0},
		{"nk-ru-2023-09", "2023-09-13T00:00:00Z", routes.InPort, routes.EstimatePlace, "nk09-sea", "dunay", 0},
		{"nk-ru-2023-09", "2023-09-20", routes.UnderWay, routes.EstimateInterpolated, "nk09-rail", "", 0},
		{"nk-ru-2023-09", "2023-10-06", routes.Arrived, routes.EstimatePlace, "nk09-rail", "tikhoretsk", 0},
		// No fix within six hours before: from the windows.
		{"fox-2023-09", "2023-09-20T01:00:00Z", routes.MayNotHaveDeparted, routes.EstimateInterpolated, "fox-sea", "", 0},
		{"fox-2023-09", "2023-09-21T01:00:00Z", routes.UnderWay, routes.EstimateObserved, "fox-sea", "", 2},
		{"fox-2023-09", "2023-09-21T02:00:00Z", routes.UnderWay, routes.EstimateObserved, "fox-sea", "", 1},
		// The last fix is at 00:00; none after it.
		{"fox-2023-09", "2023-09-22T05:00:00Z", routes.MayHaveArrived, routes.EstimateInterpolated, "fox-sea", "", 0},
	}
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveAIS(t, open)
		for _, c := range cases {
			path := "/api/shipments/" + c.shipment + "/position?at=" + url.QueryEscape(c.at)
			t.Run(c.shipment+"@"+c.at, func(t *testing.T) {
				f := getFeature(t, srv, path)
				p := f["properties"].(map[string]any)
				place, _ := p["place"].(string)
				if p["status"] != string(c.status) || p["kind"] != string(c.kind) || p["leg"] != c.leg || place != c.place {
					t.Errorf("status %v, kind %v, leg %v, place %v; want %s, %s, %s, %q",
						p["status"], p["kind"], p["leg"], p["place"], c.status, c.kind, c.leg, c.place)
				}
				fixes := p["fixes"].([]any)
				if len(fixes) != c.fixes {
					t.Errorf("%d fixes; want %d", len(fixes), c.fixes)
				}
				if c.kind == routes.EstimateObserved && p["fraction"] != nil {
					t.Errorf("an observed estimate claims fraction %v along the line", p["fraction"])
				}
				if s, _ := p["summary"].(string); s == "" {
					t.Error("no summary")
				}
			})
		}

		// Between the 00:00 and 02:00 fixes, the observed point is the
		// middle of the geodesic between them.
		f := getFeature(t, srv, "/api/shipments/fox-2023-09/position?at=2023-09-21T01:00:00Z")
		fixes := f["properties"].(map[string]any)["fixes"].([]any)
		var ends []orb.Point
		for _, x := range fixes {
			m := x.(map[string]any)
			ends = append(ends, orb.Point{m["lon"].(float64), m["lat"].(float64)})
			if tm, _ := time.Parse(time.RFC3339, m["time"].(string)); tm.Hour()%2 != 0 {
				t.Errorf("fix at %v; want the fixes at 00:00 and 02:00", m["time"])
			}
		}
		want := geo.Interpolate(orb.MultiLineString{ends}, 0.5)
		c := f["geometry"].(map[string]any)["coordinates"].([]any)
		got := orb.Point{c[0].(float64), c[1].(float64)}
		if math.Abs(got[0]-want[0]) > 1e-7 || math.Abs(got[1]-want[1]) > 1e-7 {
			t.Errorf("observed point %v; want %v, halfway between the fixes %v", got, want, ends)
		}
	})
}

// TestWhereBadInput: a missing, unparsable or interval time and an unknown
// shipment are refused, naming what is wrong.
func TestWhereBadInput(t *testing.T) {
	checkProblems(t, serveAIS(t, openGPKG), []badRequest{
		{"/api/shipments/nk-ru-2023-09/position", 400, "at", "required"},
		{"/api/shipments/nk-ru-2023-09/position?at=", 400, "at", "empty"},
		{"/api/shipments/nk-ru-2023-09/position?at=soon", 400, "at", "neither a date"},
		{"/api/shipments/nk-ru-2023-09/position?at=2023-09-31", 400, "at", "neither a date"},
		{"/api/shipments/nk-ru-2023-09/position?at=2023-09-07/2023-10-01", 400, "at", "is an interval"},
		{"/api/shipments/nk-ru-2023-09/position?at=2023-09-07/..", 400, "at", "is an interval"},
		{"/api/shipments/nk-ru-2023-09/position?at=2023-09-07&at=2023-09-08", 400, "at", "given 2 times"},
		{"/api/shipments/nk-ru-2023-09/position?datetime=2023-09-07", 400, "datetime", "unknown parameter"},
		{"/api/shipments/no-such-shipment/position?at=2023-09-10", 404, "id", "no shipment 'no-such-shipment'"},
		{"/api/shipments/" + url.PathEscape("x' OR '1'='1") + "/position?at=2023-09-10", 404, "id", "no shipment"},
	})
}

// badRequest is a request the API must refuse, and how.
type badRequest struct {
	path   string
	status int
	param  string
	detail string // a fragment the detail must hold
}

// checkProblems sends each request and wants its problem document naming
// the parameter.
func checkProblems(t *testing.T, srv *httptest.Server, cases []badRequest) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			p := getProblem(t, srv, http.MethodGet, c.path, c.status)
			if p.Parameter != c.param || !strings.Contains(p.Detail, c.detail) {
				t.Errorf("problem names %q: %q; want %q and a detail holding %q", p.Parameter, p.Detail, c.param, c.detail)
			}
		})
	}
}

// TestWhereGolden pins the wire format of an estimate from the windows and
// of one from AIS. Every store must produce the same bytes.
func TestWhereGolden(t *testing.T) {
	golden := []struct{ name, path string }{
		{"position-interpolated", "/api/shipments/nk-ru-2023-09/position?at=2023-09-20T00:00:00Z"},
		{"position-observed", "/api/shipments/fox-2023-09/position?at=2023-09-21T01:00:00Z"},
	}
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveAIS(t, open)
		for _, g := range golden {
			checkGolden(t, srv, g.name, g.path)
		}
	})
}

// TestWhereSameAnswers asks both stores where every shipment was, every six
// hours through the fixture's months, and wants the same bytes.
func TestWhereSameAnswers(t *testing.T) {
	bs := backends()
	if len(bs) < 2 {
		t.Skip("SHIPTRACK_SKIP_POSTGIS=1: only one store to compare")
	}
	var servers []*httptest.Server
	for _, b := range bs {
		servers = append(servers, serveAIS(t, b.open))
	}
	shipments := []string{"nk-ru-2023-09", "nk-ru-2023-10", "khasan-2023-09", "maia-2023-11", "bering-2023-07", "fox-2023-09"}
	asked := 0
	for at := time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC); at.Before(time.Date(2023, 11, 7, 0, 0, 0, 0, time.UTC)); at = at.Add(6 * time.Hour) {
		for _, id := range shipments {
			path := "/api/shipments/" + id + "/position?at=" + routes.FormatTime(at)
			first := get(t, servers[0], path)
			if first.status != http.StatusOK {
				t.Fatalf("GET %s = %d %s", path, first.status, first.body)
			}
			for i, srv := range servers[1:] {
				if other := get(t, srv, path); other.status != first.status || !bytes.Equal(other.body, first.body) {
					t.Fatalf("GET %s:\n%s: %s\n%s: %s", path, bs[0].name, first.body, bs[i+1].name, other.body)
				}
			}
			asked++
		}
	}
	t.Logf("%d answers identical", asked)
}
