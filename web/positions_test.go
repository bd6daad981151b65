package web_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"iter"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// nearQuestion is one "what came within this distance of that point"
// question and what it means, for the brute-force answer.
type nearQuestion struct {
	query  string
	center orb.Point
	meters float64
	during routes.Interval
	mmsi   string
}

func (c nearQuestion) matches(p routes.Position) bool {
	return geo.Distance(c.center, p.Point()) <= c.meters && c.during.Contains(p.Time) && (c.mmsi == "" || p.MMSI == c.mmsi)
}

func nearQuestions(t *testing.T) []nearQuestion {
	iv := func(s string) routes.Interval {
		v, err := routes.ParseInterval(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	return []nearQuestion{
		{"near=dunay&within=20km&datetime=2023-09-05/2023-09-20", dunay, 20_000, iv("2023-09-05/2023-09-20"), ""},
		{"near=dunay&within=20km", dunay, 20_000, routes.Interval{}, ""},
		{"near=132.2,42.8&within=5nm&datetime=2023-09-10/..", orb.Point{132.2, 42.8}, 5 * 1852, iv("2023-09-10/.."), ""},
		{"near=dunay&within=12500m&mmsi=273000102", dunay, 12_500, routes.Interval{}, "273000102"},
		{"near=dunay&within=0km", dunay, 0, routes.Interval{}, ""},
	}
}

// allPages follows next links from path and returns every feature's id and
// the pages' sizes.
func allPages(t *testing.T, srv *httptest.Server, path string) (ids []string, pages []int) {
	t.Helper()
	for path != "" {
		c := getCollection(t, srv, path)
		if c.NumberReturned == nil || *c.NumberReturned != len(c.Features) {
			t.Fatalf("GET %s: numberReturned %v for %d features", path, c.NumberReturned, len(c.Features))
		}
		ids = append(ids, c.ids()...)
		pages = append(pages, len(c.Features))
		path = c.link("next")
	}
	return ids, pages
}

// TestPositionsNear asks which positions lay within a distance of a place
// during an interval, page by page, and checks the answer against every
// position measured one by one.
func TestPositionsNear(t *testing.T) {
	all := aisPositions()
	slices.SortFunc(all, func(a, b routes.Position) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.MMSI, b.MMSI))
	})
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveAIS(t, open)
		for _, c := range nearQuestions(t) {
			t.Run(c.query, func(t *testing.T) {
				want := []string{}
				for _, p := range all {
					if c.matches(p) {
						want = append(want, p.MMSI+"@"+routes.FormatTime(p.Time))
					}
				}
				got, pages := allPages(t, srv, "/api/positions?"+c.query+"&limit=40")
				if got == nil {
					got = []string{}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%d positions %v\nwant %d %v", len(got), got, len(want), want)
				}
				for i, n := range pages[:len(pages)-1] {
					if n != 40 {
						t.Errorf("page %d holds %d positions before the last; want 40", i, n)
					}
				}
			})
		}
		if c := getCollection(t, srv, "/api/positions"); len(c.Features) != 100 || c.link("next") == "" {
			t.Errorf("GET /api/positions: %d features, next %q; want the default page of 100 and a next link", len(c.Features), c.link("next"))
		}
		// A vessel's positions come by its MMSI.
		ids, _ := allPages(t, srv, "/api/positions?vessel="+foxVessel+"&limit=10000")
		if len(ids) != 22 || !strings.HasPrefix(ids[0], foxMMSI+"@") {
			t.Errorf("Sea Fox's positions: %d, starting %v; want its 22 fixes", len(ids), ids[:min(1, len(ids))])
		}
	})
}

// approachWant is a vessel's closest approach as the brute force finds it.
type approachWant struct {
	id, closestTime, start, end string
	closestKm                   float64
	positions                   int
}

// TestVesselsNear asks which vessels came within a distance of a place and
// checks each one's closest approach against the positions measured one by
// one.
func TestVesselsNear(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveAIS(t, open)
		for _, c := range nearQuestions(t) {
			if c.mmsi != "" {
				continue // the MMSI filter is the positions' own
			}
			t.Run(c.query, func(t *testing.T) {
				byMMSI := map[string]*approachWant{}
				var order []string
				best := map[string]float64{}
				for _, p := range aisPositions() { // each vessel's positions in time order
					if !c.matches(p) {
						continue
					}
					d := geo.Distance(c.center, p.Point())
					at := routes.FormatTime(p.Time)
					a, ok := byMMSI[p.MMSI]
					if !ok {
						id := p.MMSI
						if p.MMSI == foxMMSI {
							id = foxVessel
						}
						a = &approachWant{id: id, start: at}
						byMMSI[p.MMSI] = a
						order = append(order, p.MMSI)
						best[p.MMSI] = math.Inf(1)
					}
					a.end = at
					a.positions++
					if d < best[p.MMSI] {
						best[p.MMSI], a.closestTime, a.closestKm = d, at, math.Round(d)/1000
					}
				}
				slices.SortFunc(order, func(x, y string) int {
					return cmp.Or(strings.Compare(byMMSI[x].start, byMMSI[y].start), strings.Compare(x, y))
				})
				want := []approachWant{}
				for _, m := range order {
					want = append(want, *byMMSI[m])
				}
				fc := getCollection(t, srv, "/api/vessels?"+c.query)
				got := []approachWant{}
				for _, f := range fc.Features {
					p := f.Properties
					got = append(got, approachWant{id: f.ID, closestTime: p["closest_time"].(string), start: p["start"].(string),
						end: p["end"].(string), closestKm: p["closest_km"].(float64), positions: int(p["positions"].(float64))})
					if f.Geometry["type"] != "Point" {
						t.Errorf("%s: geometry %v; want the Point of closest approach", f.ID, f.Geometry)
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("approaches\n%+v\nwant\n%+v", got, want)
				}
				if *fc.NumberMatched != len(want) {
					t.Errorf("numberMatched %d; want %d", *fc.NumberMatched, len(want))
				}
			})
		}
		// Paging cuts the same list.
		whole := getCollection(t, srv, "/api/vessels?near=dunay&within=20km").ids()
		ids, _ := allPages(t, srv, "/api/vessels?near=dunay&within=20km&limit=2")
		if len(whole) < 3 || !reflect.DeepEqual(ids, whole) {
			t.Errorf("paged by 2: %v; whole: %v", ids, whole)
		}
		// Without near, vessels are still listed by their legs.
		if ids := getCollection(t, srv, "/api/vessels?mode=sea").ids(); !slices.Contains(ids, foxVessel) || slices.Contains(ids, "273000101") {
			t.Errorf("vessels by sea legs = %v", ids)
		}
	})
}

// TestAISBadInput sends the AIS questions malformed and hostile parameters.
func TestAISBadInput(t *testing.T) {
	checkProblems(t, serveAIS(t, openGPKG), []badRequest{
		{"/api/positions?near=dunay", 400, "within", "required"},
		{"/api/positions?within=20km", 400, "within", "needs near"},
		{"/api/positions?near=dunay&within=-20km", 400, "within", "negative"},
		{"/api/positions?near=dunay&within=twenty", 400, "within", "not a distance"},
		{"/api/positions?near=dunay&within=20furlongs", 400, "within", "not a distance"},
		{"/api/positions?near=dunay&within=1e308km", 400, "within", "too large"},
		{"/api/positions?near=atlantis&within=20km", 400, "near", "unknown place 'atlantis'"},
		{"/api/positions?near=181,0&within=20km", 400, "near", "longitude 181"},
		{"/api/positions?near=0,-91&within=20km", 400, "near", "latitude -91"},
		{"/api/positions?near=NaN,0&within=20km", 400, "near", "not LON,LAT"},
		{"/api/positions?near=" + url.QueryEscape("dunay' OR 1=1 --") + "&within=20km", 400, "near", "unknown place"},
		{"/api/positions?mmsi=12345", 400, "mmsi", "9 digits"},
		{"/api/positions?mmsi=" + url.QueryEscape("273000001' OR '1'='1"), 400, "mmsi", "9 digits"},
		{"/api/positions?vessel=nobody", 400, "vessel", "unknown vessel"},
		{"/api/positions?limit=0", 400, "limit", "outside"},
		{"/api/positions?limit=10001", 400, "limit", "outside"},
		{"/api/positions?datetime=2023-10-01/2023-09-01", 400, "datetime", "ends before it starts"},
		{"/api/positions?via=dunay", 400, "via", "unknown parameter"},
		{"/api/vessels?near=dunay", 400, "within", "required"},
		{"/api/vessels?within=20km", 400, "within", "needs near"},
		{"/api/vessels?near=dunay&within=20km&via=najin", 400, "via", "cannot be combined with near"},
		{"/api/vessels?near=dunay&within=20km&mode=sea", 400, "mode", "cannot be combined with near"},
		{"/api/vessels?near=dunay&within=20km&shipment=fox-2023-09", 400, "shipment", "unknown parameter"},
		{"/api/vessels?near=dunay&within=abc", 400, "within", "not a distance"},
	})
}

// failingPositions is a real store whose position stream breaks after a
// number of positions, as a database connection lost mid-answer would.
type failingPositions struct {
	routes.Store
	after int
}

func (f failingPositions) Positions(ctx context.Context, q routes.Query) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		n := 0
		for p, err := range f.Store.Positions(ctx, q) {
			if n == f.after {
				yield(routes.Position{}, fmt.Errorf("connection lost: %w", routes.ErrUnavailable))
				return
			}
			if !yield(p, err) {
				return
			}
			n++
		}
	}
}

// TestPositionsStreamBrokenOff checks what a client sees when the store
// fails during a streamed answer: a 503 problem while nothing has been sent,
// and once the answer has begun, a cut connection rather than a document
// that ends as if it were complete.
func TestPositionsStreamBrokenOff(t *testing.T) {
	s := openGPKG(t)
	load(t, s, fixture())
	load(t, s, aisDocument())
	if _, err := s.AddPositions(context.Background(), seqOf(aisPositions())); err != nil {
		t.Fatal(err)
	}
	t.Run("early", func(t *testing.T) {
		srv := serve(t, failingPositions{Store: s, after: 5}, web.Options{})
		getProblem(t, srv, http.MethodGet, "/api/positions?limit=50", http.StatusServiceUnavailable)
	})
	t.Run("late", func(t *testing.T) {
		srv := serve(t, failingPositions{Store: s, after: 500}, web.Options{})
		res, err := srv.Client().Get(srv.URL + "/api/positions?limit=1000")
		if err != nil {
			return // cut before the headers: the client cannot take it for an answer
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err == nil {
			t.Errorf("the stream ended cleanly after a store failure: %d %.200s…", res.StatusCode, body)
		}
	})
}
