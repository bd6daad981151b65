package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/storetest"
	"github.com/shiptrack/shiptrack/web"
)

// ogcGet fetches path with an Accept header and returns the response.
func ogcGet(t *testing.T, srv *httptest.Server, path, accept string) response {
	t.Helper()
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return request(t, srv, http.MethodGet, path, h)
}

// getJSON fetches path, wants 200 of the media type, and decodes it.
func getJSON(t *testing.T, srv *httptest.Server, path, mediaType string, v any) {
	t.Helper()
	res := get(t, srv, path)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != mediaType {
		t.Fatalf("GET %s: Content-Type %q, want %q", path, ct, mediaType)
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, res.body)
	}
}

type links []struct{ Href, Rel, Type string }

func (ls links) href(rel string) string {
	for _, l := range ls {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// TestOGCResources reads the landing page, conformance, collections and
// queryables as a client discovering the API does.
func TestOGCResources(t *testing.T) {
	srv := serveFixture(t, openGPKG)
	var landing struct{ Links links }
	getJSON(t, srv, "/ogc", "application/json", &landing)
	for rel, typ := range map[string]string{"service-desc": "application/vnd.oai.openapi+json;version=3.0",
		"service-doc": "text/html", "conformance": "application/json", "data": "application/json"} {
		i := slices.IndexFunc(landing.Links, func(l struct{ Href, Rel, Type string }) bool { return l.Rel == rel })
		if i < 0 || landing.Links[i].Type != typ || !strings.HasPrefix(landing.Links[i].Href, srv.URL+"/ogc/") {
			t.Errorf("landing page link %s = %+v; want an absolute link of type %s", rel, landing.Links, typ)
		}
	}

	var conf struct{ ConformsTo []string }
	getJSON(t, srv, "/ogc/conformance", "application/json", &conf)
	for _, c := range []string{"ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
		"ogcapi-features-1/1.0/conf/html", "ogcapi-features-1/1.0/conf/oas30", "ogcapi-features-3/1.0/conf/filter",
		"ogcapi-features-3/1.0/conf/features-filter", "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/basic-cql2",
		"cql2/1.0/conf/advanced-comparison-operators", "cql2/1.0/conf/basic-spatial-functions", "cql2/1.0/conf/temporal-functions"} {
		if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/"+c) {
			t.Errorf("conformance lacks %s: %v", c, conf.ConformsTo)
		}
	}
	for _, c := range conf.ConformsTo { // classes claimed but not implemented
		if strings.Contains(c, "cql2-json") || strings.Contains(c, "arithmetic") || strings.Contains(c, "array") || strings.Contains(c, "crs") {
			t.Errorf("conformance claims %s, which is not implemented", c)
		}
	}

	var cols struct {
		Collections []struct {
			ID     string
			Extent *struct {
				Spatial  struct{ BBox [][]float64 }
				Temporal struct{ Interval [][]string }
			}
			Links links
		}
	}
	getJSON(t, srv, "/ogc/collections", "application/json", &cols)
	var ids []string
	for _, c := range cols.Collections {
		ids = append(ids, c.ID)
		if c.Links.href("items") == "" || c.Links.href("http://www.opengis.net/def/rel/ogc/1.0/queryables") == "" {
			t.Errorf("collection %s has no items or queryables link: %+v", c.ID, c.Links)
		}
		switch c.ID {
		case "legs": // from bering-sea's parts across the date line to Tikhoretsk, July to October
			if c.Extent == nil || !slices.Equal(c.Extent.Spatial.BBox[0], []float64{-180, 42.2333, 180, 64.5011}) ||
				!slices.Equal(c.Extent.Temporal.Interval[0], []string{"2023-07-01T00:00:00Z", "2023-11-05T23:59:59.999999Z"}) {
				t.Errorf("legs extent = %+v", c.Extent)
			}
		case "positions", "tracks", "gaps", "observations": // empty, not missing
			if c.Extent != nil {
				t.Errorf("%s holds nothing yet has extent %+v", c.ID, c.Extent)
			}
		}
	}
	if want := []string{"places", "legs", "shipments", "positions", "tracks", "gaps", "observations"}; !slices.Equal(ids, want) {
		t.Errorf("collections = %v; want %v", ids, want)
	}
	var empty collection
	getJSON(t, srv, "/ogc/collections/gaps/items", "application/geo+json", &empty)
	if len(empty.Features) != 0 || *empty.NumberMatched != 0 || *empty.NumberReturned != 0 {
		t.Errorf("an empty collection's items = %+v", empty)
	}

	var q struct {
		Schema     string `json:"$schema"`
		Type       string
		Properties map[string]map[string]any
	}
	getJSON(t, srv, "/ogc/collections/legs/queryables", "application/schema+json", &q)
	if q.Type != "object" || !strings.Contains(q.Schema, "json-schema.org") {
		t.Errorf("queryables are not a JSON Schema object: %+v", q)
	}
	if p := q.Properties["start"]; p["type"] != "string" || p["format"] != "date-time" {
		t.Errorf("queryable start = %v; want a date-time string", p)
	}
	if p := q.Properties["geometry"]; p["format"] != "geometry-multilinestring" {
		t.Errorf("queryable geometry = %v", p)
	}
	if p := q.Properties["mode"]; !slices.Equal(toStrings(p["enum"]), []string{"sea", "rail", "road", "air"}) {
		t.Errorf("queryable mode = %v", p)
	}
	if _, ok := q.Properties["claims"]; ok {
		t.Error("claims is a queryable; it is free text flattened from a list")
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestOGCItems filters the fixture's items through the OGC parameters and
// CQL2, on both stores.
func TestOGCItems(t *testing.T) {
	cases := []struct {
		path string
		want []string
	}{
		// Around 12 September 2023: the sea leg lands at Dunay that day, the rail leg leaves on the 13th.
		{"/ogc/collections/legs/items?datetime=2023-09-12", []string{"nk09-sea"}},
		{"/ogc/collections/legs/items?datetime=2023-09-12/2023-09-13", []string{"nk09-sea", "nk09-rail"}},
		{"/ogc/collections/legs/items?datetime=2023-09-13T00:00:00Z", []string{"nk09-rail"}},
		{"/ogc/collections/legs/items?datetime=../2023-09-07", []string{"bering-sea", "khasan-rail", "nk09-sea"}},
		{"/ogc/collections/legs/items?bbox=170,50,-160,70", []string{"bering-sea"}},
		{"/ogc/collections/legs/items?filter=" + url.QueryEscape("mode = 'rail'"), []string{"khasan-rail", "nk09-rail"}},
		{"/ogc/collections/legs/items?filter-lang=cql2-text&filter=" + url.QueryEscape("T_INTERSECTS(INTERVAL(start, end), INTERVAL('2023-09-12', '2023-09-12'))"), []string{"nk09-sea"}},
		{"/ogc/collections/legs/items?filter=" + url.QueryEscape("T_DURING(INTERVAL(start, end), INTERVAL('2023-09-07T12:00:00Z', '2023-10-31'))"), []string{"nk09-rail", "nk10-sea", "nk10-road"}},
		{"/ogc/collections/legs/items?filter=" + url.QueryEscape("S_INTERSECTS(geometry, BBOX(39, 45, 41, 47)) OR vessel = 'maia-1'"), []string{"nk09-rail", "maia-sea"}},
		{"/ogc/collections/legs/items?filter=" + url.QueryEscape("vessel IS NULL AND mode IN ('rail', 'road')") + "&sortby=-start", []string{"nk10-road", "nk09-rail", "khasan-rail"}},
		{"/ogc/collections/legs/items?filter=" + url.QueryEscape("NOT vessel = 'angara'"), []string{"nk10-sea", "maia-sea"}},
		{"/ogc/collections/legs/items?filter=" + url.QueryEscape("origin LIKE 'na%' AND length_km > 100") + "&datetime=2023-09-01/..", []string{"nk09-sea", "nk10-sea", "maia-sea"}},
		{"/ogc/collections/legs/items?sortby=mode,-seq&limit=3", []string{"nk09-rail", "khasan-rail", "nk10-road"}},
		{"/ogc/collections/shipments/items?filter=" + url.QueryEscape("cargo_quantity > 1000 OR status = 'disputed'"), []string{"khasan-2023-09", "maia-2023-11"}},
		{"/ogc/collections/places/items?filter=" + url.QueryEscape("S_DWITHIN(geometry, POINT(132.3375 42.8803), 200000)"), []string{"dunay", "khasan", "najin", "vladivostok", "vostochny"}},
		{"/ogc/collections/places/items?filter=" + url.QueryEscape("kind = 'port' AND unlocode IS NOT NULL"), []string{"najin", "vladivostok"}},
		// A quote doubled inside a literal is part of the value: nothing is named so.
		{"/ogc/collections/places/items?filter=" + url.QueryEscape("name = 'x'' OR 1=1 --'"), nil},
		{"/ogc/collections/places/items?filter=" + url.QueryEscape("name = 'Tumangang / Khasan'"), []string{"khasan"}},
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
				t.Errorf("GET %s = %v; want %v", c.path, got.ids(), want)
			}
		}
	})
}

// TestOGCPaging walks a collection through its next links, as GDAL and QGIS
// do, and checks the counts on every page.
func TestOGCPaging(t *testing.T) {
	all := []string{"bering-sea", "khasan-rail", "nk09-sea", "nk09-rail", "nk10-sea", "nk10-road", "maia-sea"}
	srv := serveFixture(t, openGPKG)
	var walked []string
	pages := 0
	for next := srv.URL + "/ogc/collections/legs/items?limit=3"; next != ""; pages++ {
		u, err := url.Parse(next)
		if err != nil || u.Host != strings.TrimPrefix(srv.URL, "http://") {
			t.Fatalf("next link %q is not an absolute link to this server", next)
		}
		var page struct {
			collection
			TimeStamp string
		}
		getJSON(t, srv, u.RequestURI(), "application/geo+json", &page)
		if *page.NumberMatched != 7 || *page.NumberReturned != len(page.Features) || page.TimeStamp == "" {
			t.Errorf("page %d: numberMatched %v, numberReturned %v of %d, timeStamp %q", pages, *page.NumberMatched, *page.NumberReturned, len(page.Features), page.TimeStamp)
		}
		if (pages > 0) != (page.link("prev") != "") {
			t.Errorf("page %d: prev link %q", pages, page.link("prev"))
		}
		walked = append(walked, page.ids()...)
		next = page.link("next")
	}
	if !slices.Equal(walked, all) || pages != 3 {
		t.Errorf("walked %v in %d pages; want %v in 3", walked, pages, all)
	}

	// Above the maximum, the limit is lowered to it, as the standard asks.
	page := getCollection(t, srv, "/ogc/collections/legs/items?limit=100000000000000000000")
	if len(page.Features) != 7 || !strings.Contains(page.link("self"), "limit=100000000000000000000") {
		t.Errorf("a limit above the maximum: %d features, self %q", len(page.Features), page.link("self"))
	}
	page = getCollection(t, srv, "/ogc/collections/legs/items?limit=2&offset=6")
	if !strings.Contains(page.link("prev"), "limit=2&offset=4") || page.link("next") != "" {
		t.Errorf("last page links = %+v", page.Links)
	}
}

// TestOGCFeatures checks what clients read from features: one geometry type
// per collection, flat typed properties, start and end, and properties=.
func TestOGCFeatures(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		s := open(t)
		loadGenerated(t, s, 3, storetest.Sizes{Places: 20, Vessels: 6, Shipments: 25, Positions: 300})
		srv := serve(t, s, web.Options{})
		for _, c := range routes.Collections {
			var page struct {
				NumberMatched int
				Features      []struct {
					ID         string
					Geometry   struct{ Type string }
					Properties map[string]any
				}
			}
			getJSON(t, srv, "/ogc/collections/"+c.Name+"/items?limit=10000", "application/geo+json", &page)
			if len(page.Features) == 0 || len(page.Features) != page.NumberMatched {
				t.Errorf("%s: %d features of %d matched", c.Name, len(page.Features), page.NumberMatched)
			}
			for _, f := range page.Features {
				if f.Geometry.Type != c.GeometryType {
					t.Errorf("%s/%s is a %s; the collection declares %s", c.Name, f.ID, f.Geometry.Type, c.GeometryType)
				}
				for name, v := range f.Properties {
					switch v.(type) {
					case map[string]any, []any:
						t.Errorf("%s/%s: property %s is nested (%T); GIS clients want flat fields", c.Name, f.ID, name, v)
					}
				}
				if c.Name != "places" {
					if _, ok := f.Properties["start"].(string); !ok {
						t.Errorf("%s/%s has no start: %v", c.Name, f.ID, f.Properties)
					}
				}
			}
		}
		var page struct {
			Features []struct{ Properties map[string]any }
		}
		getJSON(t, srv, "/ogc/collections/legs/items?properties=mode,start&limit=1", "application/geo+json", &page)
		if len(page.Features) != 1 || len(page.Features[0].Properties) != 2 || page.Features[0].Properties["mode"] == nil {
			t.Errorf("properties=mode,start gave %v", page.Features)
		}
	})
}

// TestOGCBadInput sends what a hostile or careless client sends: each is a
// problem that names the parameter, and none reaches a store as SQL.
func TestOGCBadInput(t *testing.T) {
	legs := "/ogc/collections/legs/items?"
	f := func(s string) string { return legs + "filter=" + url.QueryEscape(s) }
	cases := []badRequest{
		{legs + "bbox=1,2,3", 400, "bbox", "four numbers"},
		{legs + "bbox=130,44,134,42", 400, "bbox", "south is above north"},
		{legs + "bbox=130,42,134,91", 400, "bbox", "latitudes"},
		{legs + "bbox=130,42,134,nan", 400, "bbox", "not a number"},
		{legs + "datetime=12/09/2023", 400, "datetime", "neither a date"},
		{legs + "datetime=2023-09-13/2023-09-12", 400, "datetime", "ends before it starts"},
		{legs + "limit=-1", 400, "limit", "below 1"},
		{legs + "limit=0", 400, "limit", "below 1"},
		{legs + "limit=ten", 400, "limit", "not a whole number"},
		{legs + "offset=-5", 400, "offset", "negative"},
		{legs + "limit=5&limit=6", 400, "limit", "given 2 times"},
		{legs + "vessel=angara", 400, "vessel", "unknown parameter"},
		{legs + "f=xml", 400, "f", "not a format"},
		{legs + "sortby=claims", 400, "sortby", "not queryable"},
		{legs + "sortby=name", 400, "sortby", "no queryable"},
		{legs + "sortby=geometry", 400, "sortby", "geometry"},
		{legs + "properties=mode,colour", 400, "properties", "no property 'colour'"},
		{legs + "filter-lang=cql2-json&filter=" + url.QueryEscape("mode = 'sea'"), 400, "filter-lang", "cql2-text"},
		{legs + "filter-crs=EPSG:3857&filter=" + url.QueryEscape("mode = 'sea'"), 400, "filter-crs", "CRS84"},
		{f("name = 'x'' OR 1=1 --'"), 400, "filter", `no queryable "name"`},
		{f("mode = 'sea'; DROP TABLE legs; --"), 400, "filter", "unexpected character ';'"},
		{f("mode = 'sea' OR 1=1"), 400, "filter", "one side must be a queryable"},
		{f("mode = 'sea"), 400, "filter", "not closed"},
		{f("mode = "), 400, "filter", "at character 8"},
		{f("mode == 'sea'"), 400, "filter", "at character 7"},
		{f("claims LIKE '%x%'"), 400, "filter", "not queryable"},
		{f("seq = 'one'"), 400, "filter", `"seq" is a integer`},
		{f("start > '2023-09-12'"), 400, "filter", "TIMESTAMP"},
		{f("mode LIKE 'sea\\'"), 400, "filter", "lone escape"},
		{f("S_INTERSECTS(geometry, BBOX(0, 91, 10, 95))"), 400, "filter", "latitudes"},
		{f("S_INTERSECTS(geometry, POLYGON((0 0, 10 10, 10 0, 0 10, 0 0)))"), 400, "filter", "invalid"},
		{f("S_DWITHIN(geometry, POINT(132 42), 1000)"), 400, "filter", "S_DWITHIN"},
		{f("T_INTERSECTS(mode, INTERVAL('2023-09-12', '..'))"), 400, "filter", "needs times"},
		{f("T_INTERSECTS(start, INTERVAL('2023-09-13', '2023-09-12'))"), 400, "filter", "ends before it starts"},
		{f(strings.Repeat("(", 200) + "mode = 'sea'" + strings.Repeat(")", 200)), 400, "filter", "nest"},
		{"/ogc/collections/ships/items", 404, "id", "collection 'ships'"},
		{"/ogc/collections/ships", 404, "id", "collection"},
		{"/ogc/collections/legs/items/no-such-leg", 404, "id", "leg 'no-such-leg'"},
		{"/ogc/collections/positions/items/123@never", 404, "id", "position"},
		{"/ogc/collections/legs/queryables?filter=x", 400, "filter", "unknown parameter"},
	}
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)
		checkProblems(t, srv, cases)
		// The store still holds everything: nothing was dropped or changed.
		if got := getCollection(t, srv, legs+"limit=100"); len(got.Features) != 7 {
			t.Errorf("after the hostile requests, %d legs", len(got.Features))
		}
	})
}

// TestOGCNegotiation serves HTML to a browser and JSON to a program.
func TestOGCNegotiation(t *testing.T) {
	srv := serveFixture(t, openGPKG)
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, c := range []struct {
		path, accept, want string
	}{
		{"/ogc", browser, "text/html; charset=utf-8"},
		{"/ogc", "", "application/json"},
		{"/ogc?f=html", "application/json", "text/html; charset=utf-8"},
		{"/ogc/collections?f=json", browser, "application/json"},
		{"/ogc/collections/legs/items", browser, "text/html; charset=utf-8"},
		{"/ogc/collections/legs/items", "application/geo+json, application/json;q=0.9", "application/geo+json"},
		{"/ogc/collections/legs/items", "*/*", "application/geo+json"},
		{"/ogc/collections/legs/items/nk09-sea", browser, "text/html; charset=utf-8"},
		{"/ogc/collections/legs/queryables", browser, "text/html; charset=utf-8"},
		{"/ogc/api", "", "application/vnd.oai.openapi+json;version=3.0"},
		{"/ogc/api?f=html", "", "text/html; charset=utf-8"},
		{"/ogc/conformance", browser, "text/html; charset=utf-8"},
	} {
		res := ogcGet(t, srv, c.path, c.accept)
		if res.status != 200 || res.header.Get("Content-Type") != c.want {
			t.Errorf("GET %s with Accept %q = %d %s; want %s", c.path, c.accept, res.status, res.header.Get("Content-Type"), c.want)
		}
	}
	res := ogcGet(t, srv, "/ogc/collections/legs/items?limit=2&filter="+url.QueryEscape("mode = 'sea'"), browser)
	for _, want := range []string{"<table>", "bering-sea", "nk09-sea", "2 of 4 matching", ">next (text/html)</a>"} {
		if !bytes.Contains(res.body, []byte(want)) {
			t.Errorf("the HTML page of items lacks %q:\n%s", want, res.body)
		}
	}
}

// TestOGCBehindAProxy: links carry the address the client used, as the
// tiles and the QGIS project's live OGC address do, and ignore forwarded
// headers that are not an address.
func TestOGCBehindAProxy(t *testing.T) {
	srv := serveFixture(t, openGPKG)
	for _, c := range []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"a proxy", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "maps.example.org", "X-Forwarded-Prefix": "/shiptrack/"},
			"https://maps.example.org/shiptrack/ogc/collections/legs"},
		{"hostile headers", map[string]string{"X-Forwarded-Proto": "javascript", "X-Forwarded-Host": `evil.example"><script>`, "X-Forwarded-Prefix": "//evil.example"},
			srv.URL + "/ogc/collections/legs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range c.headers {
				h.Set(k, v)
			}
			res := request(t, srv, http.MethodGet, "/ogc/collections/legs/items?limit=1", h)
			var page struct {
				Links []struct{ Href, Rel string }
			}
			if err := json.Unmarshal(res.body, &page); err != nil || len(page.Links) == 0 {
				t.Fatalf("items page: %v\n%s", err, res.body)
			}
			for _, l := range page.Links {
				if !strings.HasPrefix(l.Href, c.want) {
					t.Errorf("link %s is %s; want it under %s", l.Rel, l.Href, c.want)
				}
			}
		})
	}
}

// TestOGCItem reads single features, with their links.
func TestOGCItem(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)
		var f struct {
			ID       string
			Geometry struct {
				Type        string
				Coordinates [][][2]float64
			}
			Properties map[string]any
			Links      links
		}
		getJSON(t, srv, "/ogc/collections/shipments/items/nk-ru-2023-09", "application/geo+json", &f)
		if f.ID != "nk-ru-2023-09" || f.Geometry.Type != "MultiLineString" || len(f.Geometry.Coordinates) != 2 ||
			f.Properties["legs"] != "nk09-sea, nk09-rail" || f.Links.href("collection") == "" {
			t.Errorf("shipment item = %+v", f)
		}
	})
}

// TestOGCGolden pins the wire format of one leg as an OGC feature.
func TestOGCGolden(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		srv := serveFixture(t, open)
		res := get(t, srv, "/ogc/collections/legs/items/nk09-rail")
		if res.status != http.StatusOK {
			t.Fatalf("GET nk09-rail = %d %s", res.status, res.body)
		}
		// Links are absolute: the test server's address varies.
		matchGolden(t, "ogc-leg", "the OGC feature nk09-rail", bytes.ReplaceAll(res.body, []byte(srv.URL), []byte("http://shiptrack.test")))
	})
}

// TestOGCSameAnswers wants the same bytes from both stores for every kind
// of OGC request, but for the host and the time stamp.
func TestOGCSameAnswers(t *testing.T) {
	bs := backends()
	if len(bs) < 2 {
		t.Skip("SHIPTRACK_SKIP_POSTGIS=1: only one store to compare")
	}
	paths := []string{"/ogc/collections", "/ogc/collections/legs/items", "/ogc/collections/shipments/items?sortby=-title",
		"/ogc/collections/places/items?filter=" + url.QueryEscape("S_WITHIN(geometry, POLYGON((130 42, 134 42, 134 44, 130 44, 130 42)))"),
		"/ogc/collections/legs/items?limit=2&offset=1&properties=start,end", "/ogc/collections/legs/items/bering-sea",
		"/ogc/collections/legs/items?filter=" + url.QueryEscape("S_CROSSES(geometry, LINESTRING(131 40, 131 50))")}
	stamp := regexp.MustCompile(`"timeStamp":"[^"]*"`)
	var bodies [][]byte
	for _, b := range bs {
		srv := serveFixture(t, b.open)
		var all []byte
		for _, p := range paths {
			res := get(t, srv, p)
			all = append(all, stamp.ReplaceAll(bytes.ReplaceAll(res.body, []byte(srv.URL), nil), nil)...)
		}
		bodies = append(bodies, all)
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Errorf("the stores answer differently:\n%s\n%s", bodies[0], bodies[1])
	}
}

// TestOpenAPI validates the definition and checks that it lists every
// parameter the items handler accepts.
func TestOpenAPI(t *testing.T) {
	srv := serveFixture(t, openGPKG)
	res := get(t, srv, "/ogc/api")
	doc, err := openapi3.NewLoader().LoadFromData(res.body)
	if err != nil {
		t.Fatalf("load the OpenAPI definition: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI definition is invalid: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %s", doc.OpenAPI)
	}
	op := doc.Paths.Find("/collections/{collectionId}/items").Get
	var names []string
	for _, p := range op.Parameters {
		names = append(names, p.Value.Name)
	}
	want := []string{"collectionId", "bbox", "datetime", "limit", "offset", "properties", "sortby", "filter", "filter-lang", "filter-crs", "f"}
	if !slices.Equal(names, want) {
		t.Errorf("items parameters = %v; want %v", names, want)
	}
	if l := doc.Components.Parameters["limit"].Value.Schema.Value; *l.Max != 10000 || l.Default.(float64) != 100 {
		t.Errorf("limit schema = %+v", l)
	}
}

// loadGenerated writes a generated dataset, positions included, to s.
func loadGenerated(t *testing.T, s routes.Store, seed uint64, n storetest.Sizes) *storetest.Generated {
	t.Helper()
	g, err := storetest.Generate(seed, n)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Apply(ctx, g.Batch); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddPositions(ctx, seqOf(g.Positions)); err != nil {
		t.Fatal(err)
	}
	return g
}
