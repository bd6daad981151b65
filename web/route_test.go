package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/network"
	"github.com/shiptrack/shiptrack/web"
)

// serveRouting serves the fixture from a GeoPackage store with the bundled
// sea router and no rail router.
func serveRouting(t *testing.T) *httptest.Server {
	t.Helper()
	sea, err := network.LoadSea()
	if err != nil {
		t.Fatalf("LoadSea: %v", err)
	}
	s := openGPKG(t)
	load(t, s, fixture())
	return serve(t, s, web.Options{Routers: map[routes.Mode]routes.Router{routes.Sea: sea}})
}

// computed is a computed route as the tests read it.
type computed struct {
	Type     string `json:"type"`
	Geometry struct {
		Type        string `json:"type"`
		Coordinates json.RawMessage
	} `json:"geometry"`
	Properties struct {
		Mode         string     `json:"mode"`
		Network      string     `json:"network"`
		GeometryKind string     `json:"geometry_kind"`
		From         string     `json:"from"`
		To           string     `json:"to"`
		FromPoint    [2]float64 `json:"from_point"`
		LengthKm     float64    `json:"length_km"`
		LengthNm     float64    `json:"length_nm"`
		FromSnapKm   float64    `json:"from_snap_km"`
		ToSnapKm     float64    `json:"to_snap_km"`
		Passages     []string   `json:"passages"`
		Avoid        []string   `json:"avoid"`
	} `json:"properties"`
}

func TestComputedRoute(t *testing.T) {
	srv := serveRouting(t)
	var najinDunay computed
	for _, c := range []struct {
		path     string
		geometry string
		minNm    float64
		maxNm    float64
		passages []string
	}{
		{"/api/route/sea?from=najin&to=dunay", "LineString", 105, 140, nil},
		{"/api/route/sea?from=130.30,42.2333&to=dunay", "LineString", 105, 140, nil},
		// Shanghai to Los Angeles: across the Pacific, split at the
		// antimeridian.
		{"/api/route/sea?from=121.50,31.25&to=-118.27,33.73", "MultiLineString", 5500, 6200, nil},
		{"/api/route/sea?from=9.97,53.54&to=103.85,1.26&avoid=suez", "LineString", 11000, 12500, nil},
	} {
		t.Run(c.path, func(t *testing.T) {
			var r computed
			getGeoJSON(t, srv, c.path, "Feature", &r)
			if r.Geometry.Type != c.geometry {
				t.Errorf("geometry %s; want %s", r.Geometry.Type, c.geometry)
			}
			p := r.Properties
			if p.LengthNm < c.minNm || p.LengthNm > c.maxNm {
				t.Errorf("%.1f nm; want %v to %v", p.LengthNm, c.minNm, c.maxNm)
			}
			if d := p.LengthKm / routes.NauticalMile; d-p.LengthNm > 0.001 || p.LengthNm-d > 0.001 {
				t.Errorf("%v km is not %v nm", p.LengthKm, p.LengthNm)
			}
			if p.Mode != "sea" || p.Network != "sea" || p.GeometryKind != "modeled" {
				t.Errorf("mode %q, network %q, geometry_kind %q", p.Mode, p.Network, p.GeometryKind)
			}
			if strings.Contains(c.path, "avoid=suez") && strings.Contains(strings.Join(p.Passages, ","), "suez") {
				t.Errorf("goes via %v though asked to avoid suez", p.Passages)
			}
			if c.path == "/api/route/sea?from=najin&to=dunay" {
				najinDunay = r
			}
		})
	}
	// Najin lies in its harbour; Dunay's point is the village, 1.4 km
	// inland.
	if p := najinDunay.Properties; p.FromSnapKm != 0 || p.ToSnapKm < 1.3 || p.ToSnapKm > 2 || p.FromPoint != [2]float64{130.30, 42.2333} {
		t.Errorf("snaps %v and %v km from %v; want 0 from Najin's harbour and about 1.4 from Dunay", p.FromSnapKm, p.ToSnapKm, p.FromPoint)
	}
}

// TestComputedRouteGolden pins the wire format of a computed route.
func TestComputedRouteGolden(t *testing.T) {
	checkGolden(t, serveRouting(t), "computed-route", "/api/route/sea?from=najin&to=dunay")
}

func TestComputedRouteBadInput(t *testing.T) {
	checkProblems(t, serveRouting(t), []badRequest{
		{"/api/route/sea?to=dunay", 400, "from", "is required"},
		{"/api/route/sea?from=najin", 400, "to", "is required"},
		{"/api/route/sea?from=atlantis&to=dunay", 400, "from", "unknown place 'atlantis'"},
		{"/api/route/sea?from=najin&to=200,40", 400, "to", "longitude 200"},
		{"/api/route/sea?from=najin&to=40,-95", 400, "to", "latitude -95"},
		{"/api/route/sea?from=najin&to=1,2,3", 400, "to", "not LON,LAT"},
		{"/api/route/sea?from=NaN,1&to=najin", 400, "from", "not LON,LAT"},
		{"/api/route/sea?from=najin&to=tikhoretsk", 400, "to", "from the sea"},
		{"/api/route/sea?from=37.62,55.75&to=najin", 400, "from", "637 km from the sea"},
		{"/api/route/sea?from=najin&to=najin", 400, "to", "same point"},
		{"/api/route/sea?from=najin&to=dunay&avoid=suez,atlantis", 400, "avoid", `"atlantis"`},
		{"/api/route/sea?from=najin&to=dunay&via=vladivostok", 400, "via", "accepts from, to, avoid"},
		{"/api/route/sea?from=najin&from=dunay&to=dunay", 400, "from", "given 2 times"},
		{"/api/route/sea?from=&to=dunay", 400, "from", "is empty"},
		// The Caspian and the Atlantic: both ends are fine, no sea joins
		// them.
		{"/api/route/sea?from=50,42&to=-30,30", 422, "", "no sea route joins"},
		{"/api/route/rail?from=dunay&to=tikhoretsk", 503, "", "no rail network is loaded"},
		{"/api/route/air?from=dunay&to=tikhoretsk", 503, "", "no air network is loaded"},
		{"/api/route/boat?from=najin&to=dunay", 404, "", "nothing is served"},
	})
}
