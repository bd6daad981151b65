package web_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestFilters checks that every filter of every list selects exactly the
// fixture's items it should, in the store's order.
func TestFilters(t *testing.T) {
	cases := []struct {
		path string
		want []string
	}{
		{"/api/places", []string{"dunay", "khasan", "najin", "nome", "tikhoretsk", "vladivostok", "vostochny"}},
		{"/api/places?kind=port", []string{"dunay", "najin", "nome", "vladivostok", "vostochny"}},
		{"/api/places?kind=depot", []string{"tikhoretsk"}},
		{"/api/places?kind=rail_terminal", nil},
		{"/api/places?bbox=130,42,133,43", []string{"dunay", "khasan", "najin"}},
		{"/api/places?bbox=40.1253,45.8547,41,46", []string{"tikhoretsk"}}, // on the box's corner
		{"/api/places?bbox=170,60,-160,70", []string{"nome"}},              // across the antimeridian
		{"/api/places?bbox=130,42,133,43&kind=border_crossing", []string{"khasan"}},
		// Places by the legs that start or end there.
		{"/api/places?vessel=angara", []string{"dunay", "najin", "nome", "vladivostok"}},
		{"/api/places?vessel=angara&datetime=2023-09-01/2023-12-31", []string{"dunay", "najin"}},
		{"/api/places?mode=rail", []string{"dunay", "khasan", "najin", "tikhoretsk"}}, // not vladivostok, which the rail leg only passes
		{"/api/places?shipment=nk-ru-2023-10", []string{"dunay", "najin", "vladivostok"}},
		{"/api/places?datetime=2023-10-04T12:00:00Z", []string{"dunay", "tikhoretsk", "vladivostok"}},
		{"/api/places?mode=road&kind=port", []string{"dunay", "vladivostok"}},

		{"/api/vessels", []string{"angara", "lady-r", "maia-1", "maria"}},
		{"/api/vessels?datetime=2023-10-02", []string{"maria"}},
		{"/api/vessels?datetime=2023-09-01/..", []string{"angara", "maia-1", "maria"}},
		{"/api/vessels?via=vostochny", []string{"maia-1"}},
		{"/api/vessels?via=dunay", []string{"angara", "maria"}},
		{"/api/vessels?mode=sea", []string{"angara", "maia-1", "maria"}},
		{"/api/vessels?mode=rail", nil},
		{"/api/vessels?bbox=170,50,-160,70", []string{"angara"}},

		{"/api/shipments", []string{"bering-2023-07", "khasan-2023-09", "nk-ru-2023-09", "nk-ru-2023-10", "maia-2023-11"}},
		{"/api/shipments?datetime=2023-10-02", []string{"nk-ru-2023-09", "nk-ru-2023-10"}},
		{"/api/shipments?datetime=../2023-09-07", []string{"bering-2023-07", "khasan-2023-09", "nk-ru-2023-09"}},
		{"/api/shipments?via=vladivostok", []string{"bering-2023-07", "nk-ru-2023-10"}}, // not nk-ru-2023-09, whose rail leg only passes it
		{"/api/shipments?vessel=angara", []string{"bering-2023-07", "nk-ru-2023-09"}},
		{"/api/shipments?mode=rail", []string{"khasan-2023-09", "nk-ru-2023-09"}},
		{"/api/shipments?mode=air", nil},
		{"/api/shipments?bbox=39,45,41,47", []string{"nk-ru-2023-09"}},
		{"/api/shipments?bbox=170,50,-160,70", []string{"bering-2023-07"}},
		{"/api/shipments?vessel=angara&datetime=2023-09-01/2023-12-31", []string{"nk-ru-2023-09"}},

		{"/api/legs", []string{"bering-sea", "khasan-rail", "nk09-sea", "nk09-rail", "nk10-sea", "nk10-road", "maia-sea"}},
		{"/api/legs?datetime=2023-09-10", []string{"nk09-sea"}},
		{"/api/legs?datetime=2023-09-08/2023-09-13", []string{"khasan-rail", "nk09-sea", "nk09-rail"}},
		{"/api/legs?datetime=2023-10-04/..", []string{"nk09-rail", "nk10-road", "maia-sea"}},
		{"/api/legs?datetime=../2023-07-31", []string{"bering-sea"}},
		{"/api/legs?datetime=2023-10-04T12:00:00Z", []string{"nk09-rail", "nk10-road"}},
		{"/api/legs?datetime=2023-09-12T23:59:59Z", []string{"nk09-sea"}},
		{"/api/legs?datetime=2023-09-13T00:00:00Z", []string{"nk09-rail"}},
		{"/api/legs?datetime=2024-01-01/..", nil},
		{"/api/legs?via=dunay", []string{"nk09-sea", "nk09-rail", "nk10-sea", "nk10-road"}},
		{"/api/legs?via=vladivostok", []string{"bering-sea", "nk10-road"}},
		{"/api/legs?vessel=angara", []string{"bering-sea", "nk09-sea"}},
		{"/api/legs?vessel=lady-r", nil},
		{"/api/legs?mode=rail", []string{"khasan-rail", "nk09-rail"}},
		{"/api/legs?mode=road", []string{"nk10-road"}},
		{"/api/legs?shipment=nk-ru-2023-10", []string{"nk10-sea", "nk10-road"}},
		{"/api/legs?bbox=130,42,130.5,42.5", []string{"khasan-rail", "nk09-sea", "nk10-sea", "maia-sea"}},
		{"/api/legs?bbox=39,45,41,47", []string{"nk09-rail"}},
		{"/api/legs?bbox=170,50,-160,70", []string{"bering-sea"}},
		{"/api/legs?bbox=-170,50,-160,70", []string{"bering-sea"}}, // only the part east of the date line
		{"/api/legs?mode=sea&via=najin&datetime=2023-10-01/..", []string{"nk10-sea", "maia-sea"}},
	}
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)
		for _, c := range cases {
			got := getCollection(t, srv, c.path)
			want := c.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got.ids(), want) {
				t.Errorf("GET %s = %v, want %v", c.path, got.ids(), want)
			}
			if got.NumberMatched == nil || *got.NumberMatched != len(want) {
				t.Errorf("GET %s: numberMatched %s, want %d", c.path, show(got.NumberMatched), len(want))
			}
			if got.NumberReturned == nil || *got.NumberReturned != len(want) {
				t.Errorf("GET %s: numberReturned %s, want %d", c.path, show(got.NumberReturned), len(want))
			}
		}
	})
}

// show writes a count that may be missing.
func show(n *int) string {
	if n == nil {
		return "missing"
	}
	return strconv.Itoa(*n)
}

// TestPaging walks the legs page by page through the next and prev links.
func TestPaging(t *testing.T) {
	all := []string{"bering-sea", "khasan-rail", "nk09-sea", "nk09-rail", "nk10-sea", "nk10-road", "maia-sea"}
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)

		var walked []string
		var pages []collection
		for path := "/api/legs?limit=3"; path != ""; {
			c := getCollection(t, srv, path)
			if *c.NumberMatched != len(all) {
				t.Errorf("GET %s: numberMatched %d, want %d", path, *c.NumberMatched, len(all))
			}
			if *c.NumberReturned != len(c.Features) {
				t.Errorf("GET %s: numberReturned %d but %d features", path, *c.NumberReturned, len(c.Features))
			}
			if self := c.link("self"); self != path {
				t.Errorf("GET %s: self link %q", path, self)
			}
			walked = append(walked, c.ids()...)
			pages = append(pages, c)
			path = c.link("next")
			if len(pages) > len(all) {
				t.Fatalf("next links do not end: %v", walked)
			}
		}
		if !slices.Equal(walked, all) {
			t.Errorf("pages through next links = %v, want %v", walked, all)
		}
		if len(pages) != 3 {
			t.Fatalf("got %d pages of 3 for 7 legs, want 3", len(pages))
		}
		if prev := pages[0].link("prev"); prev != "" {
			t.Errorf("first page has a prev link %q", prev)
		}
		// Back from the last page to the first.
		back := getCollection(t, srv, pages[2].link("prev"))
		if !slices.Equal(back.ids(), all[3:6]) {
			t.Errorf("prev of the last page = %v, want %v", back.ids(), all[3:6])
		}
		first := getCollection(t, srv, back.link("prev"))
		if !slices.Equal(first.ids(), all[:3]) {
			t.Errorf("prev of the second page = %v, want %v", first.ids(), all[:3])
		}

		// Links keep the other parameters.
		c := getCollection(t, srv, "/api/legs?mode=sea&limit=2&datetime=2023-09-01/..")
		next, err := url.Parse(c.link("next"))
		if err != nil {
			t.Fatal(err)
		}
		want := url.Values{"mode": {"sea"}, "limit": {"2"}, "offset": {"2"}, "datetime": {"2023-09-01/.."}}
		if next.Path != "/api/legs" || next.Query().Encode() != want.Encode() {
			t.Errorf("next link %q, want /api/legs?%s", c.link("next"), want.Encode())
		}
		if got := getCollection(t, srv, c.link("next")).ids(); !slices.Equal(got, []string{"maia-sea"}) {
			t.Errorf("second page of sea legs since September = %v, want [maia-sea]", got)
		}

		// Past the end: nothing returned, everything counted, a way back.
		c = getCollection(t, srv, "/api/legs?offset=100&limit=10")
		if len(c.Features) != 0 || *c.NumberMatched != len(all) || c.link("next") != "" {
			t.Errorf("offset past the end: %d features, matched %d, next %q", len(c.Features), *c.NumberMatched, c.link("next"))
		}
		if prev := c.link("prev"); !strings.Contains(prev, "offset=90") {
			t.Errorf("offset past the end: prev link %q, want offset=90", prev)
		}

		// The default limit is 100; the largest allowed is 10,000.
		c = getCollection(t, srv, "/api/places?limit=10000")
		if len(c.Features) != 7 || c.link("next") != "" {
			t.Errorf("limit=10000: %d features, next %q", len(c.Features), c.link("next"))
		}
	})
}

// TestItems checks each single-feature endpoint and what its popups need.
func TestItems(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)

		leg := getFeature(t, srv, "/api/legs/nk09-sea")
		props := leg["properties"].(map[string]any)
		for k, want := range map[string]any{"origin_name": "Najin", "destination_name": "Dunay", "vessel_name": "Angara", "mode": "sea"} {
			if props[k] != want {
				t.Errorf("leg %s = %v, want %v", k, props[k], want)
			}
		}
		src := props["sources"].([]any)[0].(map[string]any)
		if src["publisher"] != "RUSI" || !strings.HasPrefix(src["url"].(string), "https://rusi.org/") {
			t.Errorf("leg source = %v, want RUSI with its link", src)
		}

		sh := getFeature(t, srv, "/api/shipments/nk-ru-2023-09")
		geom, _ := sh["geometry"].(map[string]any)
		if geom["type"] != "MultiLineString" || len(geom["coordinates"].([]any)) != 2 {
			t.Errorf("shipment geometry = %v, want a MultiLineString of its two legs", geom)
		}
		props = sh["properties"].(map[string]any)
		if legs := props["legs"].([]any); len(legs) != 2 || legs[0] != "nk09-sea" || legs[1] != "nk09-rail" {
			t.Errorf("shipment legs = %v, want [nk09-sea nk09-rail]", props["legs"])
		}
		if src := props["sources"].([]any)[0].(map[string]any); src["publisher"] != "The White House" {
			t.Errorf("shipment source = %v, want the White House", src)
		}

		v := getFeature(t, srv, "/api/vessels/angara")
		if v["geometry"] != nil || v["properties"].(map[string]any)["imo"] != "9179842" {
			t.Errorf("vessel = %v, want null geometry and IMO 9179842", v)
		}
		p := getFeature(t, srv, "/api/places/khasan")
		if p["properties"].(map[string]any)["kind"] != "border_crossing" {
			t.Errorf("place = %v", p)
		}

		// A list's shipments carry their claims' sources too.
		list := getCollection(t, srv, "/api/shipments?vessel=angara")
		for _, f := range list.Features {
			for _, c := range f.Properties["sources"].([]any) {
				if c.(map[string]any)["title"] == nil {
					t.Errorf("shipment %s: source without title: %v", f.ID, c)
				}
			}
		}
		legs := getCollection(t, srv, "/api/legs?mode=road")
		if legs.Features[0].Properties["origin_name"] != "Dunay" || legs.Features[0].Properties["destination_name"] != "Vladivostok" {
			t.Errorf("listed leg names = %v", legs.Features[0].Properties)
		}
	})
}

// TestRoute checks the route of the reported shipment: legs in order and
// totals a reader can check by hand.
func TestRoute(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)
		var r struct {
			Features []struct {
				ID         string `json:"id"`
				Properties struct {
					Seq      int     `json:"seq"`
					LengthKm float64 `json:"length_km"`
					LengthNm float64 `json:"length_nm"`
				} `json:"properties"`
			} `json:"features"`
			Shipment string `json:"shipment"`
			Totals   struct {
				Legs          int     `json:"legs"`
				DistanceKm    float64 `json:"distance_km"`
				DistanceNm    float64 `json:"distance_nm"`
				Departure     map[string]string
				Arrival       map[string]string
				ShortestHours float64 `json:"shortest_hours"`
				LongestHours  float64 `json:"longest_hours"`
			} `json:"totals"`
		}
		getGeoJSON(t, srv, "/api/shipments/nk-ru-2023-09/route", "FeatureCollection", &r)
		if r.Shipment != "nk-ru-2023-09" || len(r.Features) != 2 || r.Features[0].ID != "nk09-sea" || r.Features[1].ID != "nk09-rail" {
			t.Fatalf("route = %+v", r)
		}
		// Najin to Dunay is 98 nm on the great circle.
		if nm := r.Features[0].Properties.LengthNm; nm < 95 || nm > 101 {
			t.Errorf("sea leg is %v nm, want about 98", nm)
		}
		tot := r.Totals
		if sum := r.Features[0].Properties.LengthKm + r.Features[1].Properties.LengthKm; tot.Legs != 2 || math.Abs(tot.DistanceKm-sum) > 0.002 {
			t.Errorf("totals: %d legs, %v km; want 2 legs, %v km", tot.Legs, tot.DistanceKm, sum)
		}
		if math.Abs(tot.DistanceNm*1.852-tot.DistanceKm) > 0.002 {
			t.Errorf("totals: %v nm is not %v km", tot.DistanceNm, tot.DistanceKm)
		}
		if tot.Departure["earliest"] != "2023-09-07T00:00:00Z" || tot.Departure["latest"] != "2023-09-10T23:59:59.999999Z" {
			t.Errorf("departure = %v, want the first leg's window 7–10 September", tot.Departure)
		}
		if tot.Arrival["earliest"] != "2023-09-28T00:00:00Z" || tot.Arrival["latest"] != "2023-10-05T23:59:59.999999Z" {
			t.Errorf("arrival = %v, want the last leg's window 28 September – 5 October", tot.Arrival)
		}
		// From the end of 10 September to the start of 28 September is 17
		// days; from the start of 7 September to the end of 5 October, 29.
		if tot.ShortestHours != 17*24 || tot.LongestHours != 29*24 {
			t.Errorf("hours = %v to %v, want %v to %v", tot.ShortestHours, tot.LongestHours, 17*24, 29*24)
		}
	})
}

// TestGolden pins the wire format of one place, one leg, one shipment and
// one route. Every store must produce the same bytes.
func TestGolden(t *testing.T) {
	golden := []struct{ name, path string }{
		{"place", "/api/places/najin"},
		{"leg", "/api/legs/nk09-sea"},
		{"shipment", "/api/shipments/nk-ru-2023-09"},
		{"route", "/api/shipments/nk-ru-2023-09/route"},
	}
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)
		for _, g := range golden {
			checkGolden(t, srv, g.name, g.path)
		}
	})
}

// checkGolden compares the answer to GET path, indented, with
// testdata/golden/name.json, or with -update rewrites the file.
func checkGolden(t *testing.T, srv *httptest.Server, name, path string) {
	t.Helper()
	res := get(t, srv, path)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, res.status, res.body)
	}
	matchGolden(t, name, "GET "+path, res.body)
}

// matchGolden compares body, indented, with testdata/golden/name.json, or
// with -update rewrites the file.
func matchGolden(t *testing.T, name, what string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./web -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from %s:\n%s", what, file, buf.Bytes())
	}
}

// TestSameAnswers asks both stores the same questions and wants the same
// bytes back: the stores must be interchangeable behind the API.
func TestSameAnswers(t *testing.T) {
	bs := backends()
	if len(bs) < 2 {
		t.Skip("SHIPTRACK_SKIP_POSTGIS=1: only one store to compare")
	}
	paths := []string{
		"/api/places", "/api/places?bbox=170,60,-160,70", "/api/vessels", "/api/vessels?datetime=2023-10-02",
		"/api/shipments", "/api/shipments?via=vladivostok&limit=1&offset=1", "/api/legs", "/api/legs?bbox=170,50,-160,70",
		"/api/legs?limit=2&offset=3", "/api/shipments/nk-ru-2023-10", "/api/shipments/bering-2023-07/route",
		"/api/legs/bering-sea", "/api/vessels/lady-r", "/api/places/nowhere", "/api/legs?via=nowhere",
	}
	var servers []*httptest.Server
	for _, b := range bs {
		servers = append(servers, serveFixture(t, b.open))
	}
	for _, p := range paths {
		first := get(t, servers[0], p)
		for i, srv := range servers[1:] {
			other := get(t, srv, p)
			if other.status != first.status || !bytes.Equal(other.body, first.body) {
				t.Errorf("GET %s:\n%s: %d %s\n%s: %d %s", p, bs[0].name, first.status, first.body, bs[i+1].name, other.status, other.body)
			}
		}
	}
}
