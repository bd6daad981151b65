package web

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/cql2"
)

// OGC API Features under /ogc: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0)
// and Part 3 (filtering with CQL2 text).
//
//	GET /ogc                                      landing page
//	GET /ogc/conformance                          the conformance classes implemented
//	GET /ogc/api                                  OpenAPI 3.0 definition (f=html: documentation)
//	GET /ogc/collections                          every collection, with extents from the data
//	GET /ogc/collections/{c}                      one collection
//	GET /ogc/collections/{c}/queryables           JSON Schema of what filter and sortby may name
//	GET /ogc/collections/{c}/items                bbox, datetime, limit, offset, properties,
//	                                              sortby, filter, filter-lang, filter-crs
//	GET /ogc/collections/{c}/items/{id}
//
// Every resource is JSON (GeoJSON for features) for programs and HTML for a
// person: f=json or f=html, or else the Accept header, decides. A limit
// above MaxLimit is lowered to it, as OGC API Features requires, where
// /api refuses it.

// The media types OGC API Features names.
const (
	mediaJSON    = "application/json"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	mediaSchema  = "application/schema+json"
	mediaHTML    = "text/html"
	crs84        = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
)

// conformance lists the conformance classes implemented.
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/property-property",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
}

// itemParams are the parameters of an items request.
var itemParams = []string{"bbox", "datetime", "limit", "offset", "properties", "sortby",
	"filter", "filter-lang", "filter-crs", "f"}

// ogcRoutes mounts OGC API Features when the store can serve it.
func (s *server) ogcRoutes(r chi.Router) {
	r.Get("/", s.handle(s.landing))
	r.Get("/conformance", s.handle(s.conformance))
	r.Get("/api", s.handle(s.openAPI))
	r.Get("/collections", s.handle(s.collections))
	r.Get("/collections/{collection}", s.handle(s.collection))
	r.Get("/collections/{collection}/queryables", s.handle(s.queryables))
	r.Get("/collections/{collection}/items", s.handle(s.items))
	r.Get("/collections/{collection}/items/{id}", s.handle(s.item))
}

// ogcLink is a link of OGC API Common.
type ogcLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// base is the absolute URL of /ogc as the client reached it: clients such
// as GDAL follow links as they are written.
func base(r *http.Request) string { return baseURL(r) + "/ogc" }

// selfLinks are the self and alternate links of a resource at path.
func selfLinks(r *http.Request, path string, html bool, jsonType string) []ogcLink {
	u := base(r) + path
	self, alt := ogcLink{u + "?f=json", "self", jsonType, "this document"}, ogcLink{u + "?f=html", "alternate", mediaHTML, "this document as HTML"}
	if html {
		self, alt = ogcLink{u + "?f=html", "self", mediaHTML, "this document"}, ogcLink{u + "?f=json", "alternate", jsonType, "this document as JSON"}
	}
	return []ogcLink{self, alt}
}

// ogcFormat decides between JSON and HTML for a request that accepts only
// f (and the parameters named).
func ogcFormat(r *http.Request, accepted ...string) (html bool, vals url.Values, err error) {
	vals, err = queryValues(r.URL.RawQuery, append(accepted, "f")...)
	if err != nil {
		return false, nil, err
	}
	switch vals.Get("f") {
	case "json":
		return false, vals, nil
	case "html":
		return true, vals, nil
	case "":
		return prefersHTML(r.Header.Get("Accept")), vals, nil
	}
	return false, nil, &paramError{Param: "f", Detail: fmt.Sprintf("'%s' is not a format here; want json or html", vals.Get("f"))}
}

func (s *server) landing(w http.ResponseWriter, r *http.Request) error {
	html, _, err := ogcFormat(r)
	if err != nil {
		return err
	}
	b := base(r)
	page := struct {
		Title       string    `json:"title"`
		Description string    `json:"description"`
		Links       []ogcLink `json:"links"`
	}{
		Title:       "shiptrack",
		Description: "Reported maritime and rail shipments: places, shipments, their legs, AIS positions, tracks, gaps and observations.",
		Links: append(selfLinks(r, "", html, mediaJSON),
			ogcLink{b + "/api", "service-desc", mediaOpenAPI, "the API definition"},
			ogcLink{b + "/api?f=html", "service-doc", mediaHTML, "the API documentation"},
			ogcLink{b + "/conformance", "conformance", mediaJSON, "conformance classes implemented"},
			ogcLink{b + "/collections", "data", mediaJSON, "the feature collections"}),
	}
	return answer(w, html, "landing", page.Title, page)
}

func (s *server) conformance(w http.ResponseWriter, r *http.Request) error {
	html, _, err := ogcFormat(r)
	if err != nil {
		return err
	}
	page := struct {
		ConformsTo []string  `json:"conformsTo"`
		Links      []ogcLink `json:"links"`
	}{conformance, selfLinks(r, "/conformance", html, mediaJSON)}
	return answer(w, html, "conformance", "Conformance", page)
}

// ogcCollection is a collection's description.
type ogcCollection struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	ItemType    string     `json:"itemType"`
	CRS         []string   `json:"crs"`
	Extent      *ogcExtent `json:"extent,omitempty"`
	Links       []ogcLink  `json:"links"`
	// GeometryType is not in the standard's schema but helps a reader.
	GeometryType string `json:"geometryType"`
}

type ogcExtent struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
	Temporal *struct {
		Interval [][2]string `json:"interval"`
		TRS      string      `json:"trs"`
	} `json:"temporal,omitempty"`
}

// describe describes a collection, measuring its extent from the data.
func (s *server) describe(ctx context.Context, r *http.Request, c *routes.Collection, html bool) (ogcCollection, error) {
	b := base(r) + "/collections/" + c.Name
	oc := ogcCollection{ID: c.Name, Title: c.Title, Description: c.Description, ItemType: "feature",
		CRS: []string{crs84}, GeometryType: c.GeometryType,
		Links: append(selfLinks(r, "/collections/"+c.Name, html, mediaJSON),
			ogcLink{b + "/items?f=json", "items", geoJSON, c.Title + " as GeoJSON"},
			ogcLink{b + "/items?f=html", "items", mediaHTML, c.Title + " as HTML"},
			ogcLink{b + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", mediaSchema, "what a filter may name"})}
	x, err := s.features.Extent(ctx, c.Name)
	if err != nil {
		return oc, fmt.Errorf("measure %s: %w", c.Name, err)
	}
	if x.Empty {
		return oc, nil
	}
	oc.Extent = &ogcExtent{}
	oc.Extent.Spatial.CRS = crs84
	oc.Extent.Spatial.BBox = [][4]float64{{x.Bound.Min[0], x.Bound.Min[1], x.Bound.Max[0], x.Bound.Max[1]}}
	if !x.Start.IsZero() {
		oc.Extent.Temporal = &struct {
			Interval [][2]string `json:"interval"`
			TRS      string      `json:"trs"`
		}{[][2]string{{routes.FormatTime(x.Start), routes.FormatTime(x.End)}}, "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
	}
	return oc, nil
}

func (s *server) collections(w http.ResponseWriter, r *http.Request) error {
	html, _, err := ogcFormat(r)
	if err != nil {
		return err
	}
	page := struct {
		Links       []ogcLink       `json:"links"`
		Collections []ogcCollection `json:"collections"`
	}{Links: selfLinks(r, "/collections", html, mediaJSON)}
	for _, c := range routes.Collections {
		oc, err := s.describe(r.Context(), r, c, html)
		if err != nil {
			return err
		}
		page.Collections = append(page.Collections, oc)
	}
	return answer(w, html, "collections", "Collections", page)
}

// answer sends v as JSON, or as the HTML page of that name.
func answer(w http.ResponseWriter, html bool, page, title string, v any) error {
	if html {
		return writeHTML(w, page, title, v)
	}
	return writeJSON(w, mediaJSON, v)
}

// collectionOf resolves the {collection} in the path.
func collectionOf(r *http.Request) (*routes.Collection, error) {
	name := chi.URLParam(r, "collection")
	c, ok := routes.CollectionByName(name)
	if !ok {
		return nil, &notFoundError{What: "collection", ID: name}
	}
	return c, nil
}

func (s *server) collection(w http.ResponseWriter, r *http.Request) error {
	c, err := collectionOf(r)
	if err != nil {
		return err
	}
	html, _, err := ogcFormat(r)
	if err != nil {
		return err
	}
	oc, err := s.describe(r.Context(), r, c, html)
	if err != nil {
		return err
	}
	return answer(w, html, "collection", c.Title, oc)
}

func (s *server) queryables(w http.ResponseWriter, r *http.Request) error {
	c, err := collectionOf(r)
	if err != nil {
		return err
	}
	html, _, err := ogcFormat(r)
	if err != nil {
		return err
	}
	if html {
		return writeHTML(w, "queryables", c.Title+": queryables", struct {
			Collection *routes.Collection
			Fields     []routes.Field
		}{c, c.Queryables()})
	}
	props := map[string]any{}
	for _, f := range c.Queryables() {
		p := map[string]any{"title": f.Name, "description": f.Description}
		switch f.Type {
		case routes.DateTime:
			p["type"], p["format"] = "string", "date-time"
		case routes.Geometry:
			p["format"] = "geometry-" + strings.ToLower(c.GeometryType)
			p["x-ogc-role"] = "primary-geometry"
		default:
			p["type"] = string(f.Type)
		}
		if len(f.Enum) > 0 {
			p["enum"] = f.Enum
		}
		props[f.Name] = p
	}
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  base(r) + "/collections/" + c.Name + "/queryables",
		"type":                 "object",
		"title":                c.Title,
		"description":          "What a filter and sortby may name in " + c.Name,
		"properties":           props,
		"additionalProperties": false,
	}
	return writeJSON(w, mediaSchema, doc)
}

// itemsRequest is an items request, read and checked.
type itemsRequest struct {
	html  bool
	query routes.FeatureQuery
	// props selects the properties written; nil writes them all.
	props []bool
}

// parseItems reads the parameters of an items request.
func (s *server) parseItems(ctx context.Context, r *http.Request, c *routes.Collection) (itemsRequest, error) {
	html, vals, err := ogcFormat(r, itemParams...)
	if err != nil {
		return itemsRequest{}, err
	}
	ir := itemsRequest{html: html}
	q := &ir.query
	q.Limit = DefaultLimit
	for _, name := range []string{"bbox", "datetime", "offset"} {
		if err := set(ctx, s.store, &q.Query, vals, name); err != nil {
			return itemsRequest{}, err
		}
	}
	if v := vals.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil && !isDigits(v):
			return itemsRequest{}, &paramError{Param: "limit", Detail: fmt.Sprintf("'%s' is not a whole number; want 1 to %d", v, MaxLimit)}
		case err == nil && n < 1:
			return itemsRequest{}, &paramError{Param: "limit", Detail: fmt.Sprintf("%d is below 1; want 1 to %d", n, MaxLimit)}
		case err != nil || n > MaxLimit: // as OGC API Features asks: the maximum, not an error
			n = MaxLimit
		}
		q.Limit = n
	}
	if v := vals.Get("properties"); v != "" {
		ir.props = make([]bool, len(c.Fields))
		for _, name := range strings.Split(v, ",") {
			i := fieldIndex(c, strings.TrimSpace(name))
			if i < 0 {
				return itemsRequest{}, &paramError{Param: "properties", Detail: fmt.Sprintf("%s has no property '%s'; it has %s",
					c.Name, name, strings.Join(fieldNames(c.Fields), ", "))}
			}
			ir.props[i] = true
		}
	}
	if v := vals.Get("sortby"); v != "" {
		for _, k := range strings.Split(v, ",") {
			k = strings.TrimSpace(k)
			key := routes.SortKey{Field: strings.TrimLeft(k, "+-"), Descending: strings.HasPrefix(k, "-")}
			q.SortBy = append(q.SortBy, key)
		}
		if err := c.CheckSortBy(q.SortBy); err != nil {
			return itemsRequest{}, &paramError{Param: "sortby", Detail: err.Error()}
		}
	}
	if lang := vals.Get("filter-lang"); lang != "" && lang != "cql2-text" {
		return itemsRequest{}, &paramError{Param: "filter-lang", Detail: fmt.Sprintf("'%s' is not supported; want cql2-text", lang)}
	}
	if fc := vals.Get("filter-crs"); fc != "" && fc != crs84 {
		return itemsRequest{}, &paramError{Param: "filter-crs", Detail: "only " + crs84 + " (longitude, latitude) is supported"}
	}
	if v := vals.Get("filter"); v != "" {
		e, err := cql2.Parse(v)
		if err != nil {
			return itemsRequest{}, &paramError{Param: "filter", Detail: "not CQL2 text: " + err.Error()}
		}
		if q.Filter, err = c.CheckFilter(e); err != nil {
			return itemsRequest{}, &paramError{Param: "filter", Detail: err.Error()}
		}
	}
	return ir, nil
}

func isDigits(s string) bool { return strings.Trim(s, "0123456789") == "" }

func fieldIndex(c *routes.Collection, name string) int {
	for i, f := range c.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func fieldNames(fs []routes.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func (s *server) items(w http.ResponseWriter, r *http.Request) error {
	c, err := collectionOf(r)
	if err != nil {
		return err
	}
	ir, err := s.parseItems(r.Context(), r, c)
	if err != nil {
		return err
	}
	// Count first, so that a request holds one connection at a time: run
	// beside the page, the count doubled that, and wrk saw a longer tail.
	ctx := r.Context()
	matched, err := s.features.CountItems(ctx, c.Name, ir.query)
	if err != nil {
		return fmt.Errorf("count %s: %w", c.Name, err)
	}
	fs, q := s.features, ir.query
	q.Transient = true // each feature is written out before the next is read
	switch c.Name {
	case "places":
		return writeItems(s, w, r, routes.PlaceSchema, fs.PlaceItems(ctx, q), ir, matched)
	case "legs":
		return writeItems(s, w, r, routes.LegSchema, fs.LegItems(ctx, q), ir, matched)
	case "shipments":
		return writeItems(s, w, r, routes.ShipmentSchema, fs.ShipmentItems(ctx, q), ir, matched)
	case "positions":
		return writeItems(s, w, r, routes.PositionSchema, fs.PositionItems(ctx, q), ir, matched)
	case "tracks":
		return writeItems(s, w, r, routes.TrackSchema, fs.TrackItems(ctx, q), ir, matched)
	case "gaps":
		return writeItems(s, w, r, routes.GapSchema, fs.GapItems(ctx, q), ir, matched)
	}
	return writeItems(s, w, r, routes.ObservationSchema, fs.ObservationItems(ctx, q), ir, matched)
}

// ogcPageLinks are the self, alternate, next and prev links of a page.
func ogcPageLinks(r *http.Request, q routes.FeatureQuery, matched int, html bool) []ogcLink {
	u := base(r) + strings.TrimPrefix(r.URL.Path, "/ogc")
	page := func(offset int, format string) string {
		vals := r.URL.Query()
		vals.Set("f", format)
		if offset >= 0 {
			vals.Set("limit", strconv.Itoa(q.Limit))
			vals.Set("offset", strconv.Itoa(offset))
		}
		return u + "?" + vals.Encode()
	}
	self, alt := ogcLink{page(-1, "json"), "self", geoJSON, "this page"}, ogcLink{page(-1, "html"), "alternate", mediaHTML, "this page as HTML"}
	format, typ := "json", geoJSON
	if html {
		self, alt = ogcLink{page(-1, "html"), "self", mediaHTML, "this page"}, ogcLink{page(-1, "json"), "alternate", geoJSON, "this page as GeoJSON"}
		format, typ = "html", mediaHTML
	}
	links := []ogcLink{self, alt}
	if q.Offset+q.Limit < matched {
		links = append(links, ogcLink{page(q.Offset+q.Limit, format), "next", typ, "the next page"})
	}
	if q.Offset > 0 {
		links = append(links, ogcLink{page(max(q.Offset-q.Limit, 0), format), "prev", typ, "the previous page"})
	}
	return append(links, ogcLink{base(r) + "/collections/" + chi.URLParam(r, "collection") + "?f=json", "collection", mediaJSON, "the collection"})
}

func (s *server) item(w http.ResponseWriter, r *http.Request) error {
	c, err := collectionOf(r)
	if err != nil {
		return err
	}
	html, _, err := ogcFormat(r)
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	if !isText(id) {
		return &notFoundError{What: strings.TrimSuffix(c.Name, "s"), ID: id}
	}
	ctx := r.Context()
	st, fs := s.store, s.features
	switch c.Name {
	case "places":
		return writeItem(s, w, r, routes.PlaceSchema, html, id, byID(ctx, st.Place, id))
	case "legs":
		return writeItem(s, w, r, routes.LegSchema, html, id, byID(ctx, st.Leg, id))
	case "shipments":
		return writeItem(s, w, r, routes.ShipmentSchema, html, id, byID(ctx, st.Shipment, id))
	case "positions":
		return writeItem(s, w, r, routes.PositionSchema, html, id, position(ctx, fs, id))
	case "tracks":
		return writeItem(s, w, r, routes.TrackSchema, html, id, scanFor(fs.TrackItems(ctx, routes.FeatureQuery{}), routes.TrackSchema, id))
	case "gaps":
		return writeItem(s, w, r, routes.GapSchema, html, id, scanFor(fs.GapItems(ctx, routes.FeatureQuery{}), routes.GapSchema, id))
	}
	return writeItem(s, w, r, routes.ObservationSchema, html, id, scanFor(fs.ObservationItems(ctx, routes.FeatureQuery{}), routes.ObservationSchema, id))
}

// byID reads a record with a Store lookup, as an iterator of at most one.
func byID[T any](ctx context.Context, get func(context.Context, string) (T, error), id string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		x, err := get(ctx, id)
		if errors.Is(err, routes.ErrNotFound) {
			return
		}
		yield(x, err)
	}
}

// position finds a position by its id, mmsi@time.
func position(ctx context.Context, fs routes.FeatureStore, id string) iter.Seq2[routes.Position, error] {
	mmsi, at, ok := strings.Cut(id, "@")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil {
		return func(func(routes.Position, error) bool) {}
	}
	t = t.UTC()
	return fs.PositionItems(ctx, routes.FeatureQuery{Query: routes.Query{MMSI: mmsi, During: routes.Interval{Start: t, End: t}, Limit: 1}})
}

// scanFor finds a record by id among all of a collection's: tracks, gaps
// and observations have no lookup by id, and are few beside positions.
func scanFor[T any](all iter.Seq2[T, error], schema *routes.Schema[T], id string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for x, err := range all {
			if err != nil || schema.ID(x) == id {
				yield(x, err)
				return
			}
		}
	}
}
