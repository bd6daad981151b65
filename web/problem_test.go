package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
)

// problemDoc is an RFC 9457 problem as the tests read it.
type problemDoc struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Parameter string `json:"parameter"`
}

// getProblem fetches path and checks that the answer is a well-formed
// problem document with the given status.
func getProblem(t *testing.T, srv *httptest.Server, method, path string, status int) problemDoc {
	t.Helper()
	res := do(t, srv, method, path)
	if res.status != status {
		t.Errorf("%s %s = %d %s, want %d", method, path, res.status, res.body, status)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s %s: Content-Type %q, want application/problem+json", method, path, ct)
	}
	var p problemDoc
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, res.body)
	}
	if p.Status != res.status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Errorf("%s %s: incomplete problem %s", method, path, res.body)
	}
	return p
}

// TestBadInput sends malformed, out-of-range and hostile parameters and
// wants a 400 or 404 that names the parameter, never a 500 or a silently
// wider answer.
func TestBadInput(t *testing.T) {
	cases := []struct {
		path   string
		status int
		param  string
		detail string // a fragment the detail must hold
	}{
		{"/api/legs?bbox=1,2,3", 400, "bbox", "four numbers"},
		{"/api/legs?bbox=0,50,10,40", 400, "bbox", "south is above north"},
		{"/api/places?bbox=0,0,10,95", 400, "bbox", "latitudes"},
		{"/api/places?bbox=-190,0,10,5", 400, "bbox", "longitudes"},
		{"/api/places?bbox=a,b,c,d", 400, "bbox", "not a number"},
		{"/api/places?bbox=1e400,0,1,1", 400, "bbox", "not a number"},
		{"/api/places?bbox=NaN,0,1,1", 400, "bbox", "not a number"},
		{"/api/legs?datetime=2023-13-45", 400, "datetime", "2023-13-45"},
		{"/api/legs?datetime=2023-10-01/2023-09-01", 400, "datetime", "ends before it starts"},
		{"/api/legs?datetime=yesterday", 400, "datetime", "yesterday"},
		{"/api/legs?limit=-1", 400, "limit", "outside 1 to 10000"},
		{"/api/legs?limit=0", 400, "limit", "outside 1 to 10000"},
		{"/api/legs?limit=abc", 400, "limit", "not a whole number"},
		{"/api/legs?limit=100000", 400, "limit", "outside 1 to 10000"},
		{"/api/legs?limit=99999999999999999999999", 400, "limit", "not a whole number"},
		{"/api/legs?offset=-3", 400, "offset", "negative"},
		{"/api/legs?offset=1.5", 400, "offset", "not a whole number"},
		{"/api/legs?mode=boat", 400, "mode", "sea, rail, road, air"},
		{"/api/places?kind=harbour", 400, "kind", "port"},
		{"/api/legs?via=nowhere", 400, "via", "unknown place 'nowhere'"},
		{"/api/shipments?via=%27%20OR%201%3D1%20--", 400, "via", "unknown place"},
		{"/api/legs?vessel=flying-dutchman", 400, "vessel", "unknown vessel 'flying-dutchman'"},
		{"/api/vessels?via=atlantis", 400, "via", "unknown place 'atlantis'"},
		{"/api/legs?shipment=nk-ru-1999", 400, "shipment", "unknown shipment 'nk-ru-1999'"},
		{"/api/legs?datetme=2023-09-10", 400, "datetme", "unknown parameter"},
		{"/api/places?mmsi=273123456", 400, "mmsi", "accepts datetime, bbox, kind, vessel, mode, shipment, limit, offset"},
		{"/api/places?via=najin", 400, "via", "unknown parameter"},
		{"/api/vessels?vessel=angara", 400, "vessel", "unknown parameter"},
		{"/api/shipments?shipment=nk-ru-2023-09", 400, "shipment", "unknown parameter"},
		{"/api/legs?Mode=sea", 400, "Mode", "unknown parameter"},
		{"/api/legs?mode=sea&mode=rail", 400, "mode", "2 times"},
		{"/api/legs?limit=5&limit=5", 400, "limit", "2 times"},
		{"/api/legs?bbox=", 400, "bbox", "empty"},
		{"/api/legs?via", 400, "via", "empty"},
		{"/api/places/najin?limit=1", 400, "limit", "takes no parameters"},
		{"/api/shipments/nk-ru-2023-09/route?datetime=2023-09-10", 400, "datetime", "takes no parameters"},
		{"/api/places/nowhere", 404, "id", "no place 'nowhere'"},
		{"/api/vessels/nowhere", 404, "id", "no vessel 'nowhere'"},
		{"/api/shipments/nowhere", 404, "id", "no shipment 'nowhere'"},
		{"/api/shipments/nowhere/route", 404, "id", "no shipment 'nowhere'"},
		{"/api/legs/nowhere", 404, "id", "no leg 'nowhere'"},
		{"/api/legs/%27%3B%20DROP%20TABLE%20legs%3B%20--", 404, "id", "no leg"},
		{"/api/legs?via=" + strings.Repeat("x", 10000), 400, "via", "unknown place"},
		{"/api/legs?via=na%00jin", 400, "via", "not text"},
		{"/api/legs?vessel=%ff%fe", 400, "vessel", "not text"},
		{"/api/legs?datetime=2023-09-10%0A", 400, "datetime", "not text"},
		{"/api/places/na%00jin", 404, "id", "no place"},
		{"/api/shipments/%ff/route", 404, "id", "no shipment"},
		{"/api/places?kind=%00", 400, "kind", "not text"},
	}
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)
		for _, c := range cases {
			p := getProblem(t, srv, http.MethodGet, c.path, c.status)
			if p.Parameter != c.param {
				t.Errorf("GET %s: parameter %q, want %q", c.path, p.Parameter, c.param)
			}
			if !strings.Contains(p.Detail, c.detail) {
				t.Errorf("GET %s: detail %q does not say %q", c.path, p.Detail, c.detail)
			}
			wantType := "/problems/invalid-parameter"
			if c.status == 404 {
				wantType = "/problems/not-found"
			}
			if p.Type != wantType {
				t.Errorf("GET %s: type %q, want %q", c.path, p.Type, wantType)
			}
		}
		// The hostile ids above changed nothing.
		if n := len(getCollection(t, srv, "/api/legs").Features); n != 7 {
			t.Errorf("after hostile requests: %d legs, want 7", n)
		}
		// A malformed query string cannot name its parameter but is still refused.
		if p := getProblem(t, srv, http.MethodGet, "/api/legs?mode=sea;via=najin", 400); !strings.Contains(p.Detail, "query") {
			t.Errorf("semicolon query: detail %q", p.Detail)
		}
		getProblem(t, srv, http.MethodGet, "/api/legs?%zz=1", 400)
	})
}

// TestRouting checks chi's own answers: unknown paths and wrong methods are
// problems too, and a problem type's URI documents it.
func TestRouting(t *testing.T) {
	srv := serveFixture(t, openGPKG)

	p := getProblem(t, srv, http.MethodGet, "/api/ships", 404)
	if p.Type != "about:blank" || p.Title != "Not Found" {
		t.Errorf("unknown path: %+v", p)
	}
	getProblem(t, srv, http.MethodGet, "/api/legs/nk09-sea/extra", 404)

	for _, method := range []string{http.MethodPost, http.MethodDelete, http.MethodPut} {
		p = getProblem(t, srv, method, "/api/legs", 405)
		if p.Type != "about:blank" || p.Title != "Method Not Allowed" || !strings.Contains(p.Detail, method) {
			t.Errorf("%s /api/legs: %+v", method, p)
		}
	}
	if allow := do(t, srv, http.MethodPost, "/api/legs/nk09-sea").header.Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("405 Allow = %q, want GET, HEAD", allow)
	}

	head := do(t, srv, http.MethodHead, "/api/legs/nk09-sea")
	if head.status != 200 || len(head.body) != 0 || head.header.Get("Content-Type") != "application/geo+json" {
		t.Errorf("HEAD = %d %q %q", head.status, head.header.Get("Content-Type"), head.body)
	}

	doc := get(t, srv, "/problems/invalid-parameter")
	if doc.status != 200 || !strings.Contains(string(doc.body), `"parameter"`) {
		t.Errorf("problem type doc = %d %s", doc.status, doc.body)
	}
	getProblem(t, srv, http.MethodGet, "/problems/no-such-problem", 404)
}
