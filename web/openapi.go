package web

import (
	"net/http"

	"github.com/shiptrack/shiptrack/routes"
)

// The OpenAPI 3.0 definition of /ogc, built from the same tables the
// handlers use, so that it lists exactly what they accept.

// apiParam is one parameter in the definition's components.
type apiParam struct {
	name, in, desc string
	schema         map[string]any
	array          bool // comma-separated: style form, explode false
}

// apiParams are the parameters, by name.
var apiParams = func() map[string]apiParam {
	str := map[string]any{"type": "string"}
	names := make([]string, len(routes.Collections))
	for i, c := range routes.Collections {
		names[i] = c.Name
	}
	ps := []apiParam{
		{name: "collectionId", in: "path", desc: "the collection", schema: map[string]any{"type": "string", "enum": names}},
		{name: "featureId", in: "path", desc: "the feature's id; a position's is mmsi@time", schema: str},
		{name: "f", in: "query", desc: "the format: json (GeoJSON for features) or html; without it, the Accept header decides",
			schema: map[string]any{"type": "string", "enum": []string{"json", "html"}}},
		{name: "bbox", in: "query", array: true,
			desc:   "west,south,east,north in longitude and latitude (CRS84): items whose geometry meets the box, edges included; west above east crosses the antimeridian",
			schema: map[string]any{"type": "array", "minItems": 4, "maxItems": 4, "items": map[string]any{"type": "number"}}},
		{name: "datetime", in: "query", schema: str,
			desc: "an instant or a date (its whole UTC day), or an interval a/b with .. for an open end: items whose active period [start, end] meets it"},
		{name: "limit", in: "query", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit},
			desc: "the most items a page holds; a larger value is lowered to the maximum"},
		{name: "offset", in: "query", schema: map[string]any{"type": "integer", "minimum": 0, "default": 0},
			desc: "how many matching items to skip; the next and prev links carry it"},
		{name: "properties", in: "query", array: true, schema: map[string]any{"type": "array", "items": str},
			desc: "the properties to write, comma-separated; all when absent"},
		{name: "sortby", in: "query", array: true, schema: map[string]any{"type": "array", "items": str},
			desc: "queryables to order by, comma-separated, each with + (ascending, the default) or - (descending); nulls come last ascending"},
		{name: "filter", in: "query", schema: str,
			desc: "a CQL2 text filter on the collection's queryables, such as mode = 'sea' AND T_INTERSECTS(INTERVAL(start, end), INTERVAL('2023-09-12', '2023-09-12'))"},
		{name: "filter-lang", in: "query", schema: map[string]any{"type": "string", "enum": []string{"cql2-text"}, "default": "cql2-text"},
			desc: "the filter's language"},
		{name: "filter-crs", in: "query", schema: map[string]any{"type": "string", "enum": []string{crs84}, "default": crs84},
			desc: "the coordinate system of geometries in the filter"},
	}
	out := map[string]apiParam{}
	for _, p := range ps {
		out[p.name] = p
	}
	return out
}()

// apiOp is one GET operation.
type apiOp struct {
	Path, id, Summary string
	params            []string
	content           map[string]any // the 200 response's media types and schemas
	notFound          bool
}

// Params are the operation's parameters, for the HTML documentation.
func (o apiOp) Params() []struct{ Name, Description string } {
	out := make([]struct{ Name, Description string }, len(o.params))
	for i, n := range o.params {
		out[i].Name, out[i].Description = n, apiParams[n].desc
	}
	return out
}

func ref(kind, name string) map[string]any {
	return map[string]any{"$ref": "#/components/" + kind + "/" + name}
}

var htmlContent = map[string]any{"schema": map[string]any{"type": "string"}}

var apiOps = []apiOp{
	{Path: "/", id: "getLandingPage", Summary: "The landing page: links to the definition, conformance and the collections.",
		params: []string{"f"}, content: map[string]any{mediaJSON: map[string]any{"schema": ref("schemas", "landingPage")}, mediaHTML: htmlContent}},
	{Path: "/conformance", id: "getConformance", Summary: "The conformance classes this API implements.",
		params: []string{"f"}, content: map[string]any{mediaJSON: map[string]any{"schema": ref("schemas", "conformance")}, mediaHTML: htmlContent}},
	{Path: "/api", id: "getAPI", Summary: "This definition (f=json) or its documentation (f=html).",
		params: []string{"f"}, content: map[string]any{mediaOpenAPI: map[string]any{"schema": map[string]any{"type": "object"}}, mediaHTML: htmlContent}},
	{Path: "/collections", id: "getCollections", Summary: "Every collection, with its extent in space and time measured from the data.",
		params: []string{"f"}, content: map[string]any{mediaJSON: map[string]any{"schema": ref("schemas", "collections")}, mediaHTML: htmlContent}},
	{Path: "/collections/{collectionId}", id: "describeCollection", Summary: "One collection.", notFound: true,
		params: []string{"collectionId", "f"}, content: map[string]any{mediaJSON: map[string]any{"schema": ref("schemas", "collection")}, mediaHTML: htmlContent}},
	{Path: "/collections/{collectionId}/queryables", id: "getQueryables", Summary: "What filter and sortby may name, as JSON Schema.", notFound: true,
		params: []string{"collectionId", "f"}, content: map[string]any{mediaSchema: map[string]any{"schema": map[string]any{"type": "object"}}, mediaHTML: htmlContent}},
	{Path: "/collections/{collectionId}/items", id: "getFeatures", notFound: true,
		Summary: "A page of the collection's features, with numberMatched, numberReturned and next and prev links.",
		params:  []string{"collectionId", "bbox", "datetime", "limit", "offset", "properties", "sortby", "filter", "filter-lang", "filter-crs", "f"},
		content: map[string]any{geoJSON: map[string]any{"schema": ref("schemas", "featureCollection")}, mediaHTML: htmlContent}},
	{Path: "/collections/{collectionId}/items/{featureId}", id: "getFeature", Summary: "One feature.", notFound: true,
		params: []string{"collectionId", "featureId", "f"}, content: map[string]any{geoJSON: map[string]any{"schema": ref("schemas", "feature")}, mediaHTML: htmlContent}},
}

// openAPIDoc is the definition, served from server.
func openAPIDoc(server string) map[string]any {
	problem := map[string]any{"description": "the request cannot be answered; the problem names the parameter",
		"content": map[string]any{"application/problem+json": map[string]any{"schema": ref("schemas", "problem")}}}
	paths := map[string]any{}
	for _, o := range apiOps {
		var params []any
		for _, p := range o.params {
			params = append(params, ref("parameters", p))
		}
		responses := map[string]any{"200": map[string]any{"description": "the resource", "content": o.content}, "400": problem}
		if o.notFound {
			responses["404"] = problem
		}
		paths[o.Path] = map[string]any{"get": map[string]any{"operationId": o.id, "summary": o.Summary,
			"parameters": params, "responses": responses}}
	}
	params := map[string]any{}
	for name, p := range apiParams {
		m := map[string]any{"name": name, "in": p.in, "description": p.desc, "schema": p.schema, "required": p.in == "path"}
		if p.array {
			m["style"], m["explode"] = "form", false
		}
		params[name] = m
	}
	obj := func(required []string, props map[string]any) map[string]any {
		return map[string]any{"type": "object", "required": required, "properties": props}
	}
	str := map[string]any{"type": "string"}
	links := map[string]any{"type": "array", "items": ref("schemas", "link")}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "shiptrack OGC API – Features", "version": "1.0.0",
			"description": "Reported maritime and rail shipments as feature collections: OGC API – Features Part 1 (Core) and Part 3 (CQL2 text filters)."},
		"servers": []any{map[string]any{"url": server}},
		"paths":   paths,
		"components": map[string]any{
			"parameters": params,
			"schemas": map[string]any{
				"link":        obj([]string{"href", "rel"}, map[string]any{"href": str, "rel": str, "type": str, "title": str}),
				"landingPage": obj([]string{"links"}, map[string]any{"title": str, "description": str, "links": links}),
				"conformance": obj([]string{"conformsTo"}, map[string]any{"conformsTo": map[string]any{"type": "array", "items": str}}),
				"collection":  obj([]string{"id", "links"}, map[string]any{"id": str, "title": str, "description": str, "links": links, "extent": map[string]any{"type": "object"}, "itemType": str, "crs": map[string]any{"type": "array", "items": str}}),
				"collections": obj([]string{"links", "collections"}, map[string]any{"links": links, "collections": map[string]any{"type": "array", "items": ref("schemas", "collection")}}),
				"feature": obj([]string{"type", "geometry", "properties"}, map[string]any{"type": map[string]any{"type": "string", "enum": []string{"Feature"}},
					"id": str, "geometry": map[string]any{"type": "object", "nullable": true}, "properties": map[string]any{"type": "object", "nullable": true}, "links": links}),
				"featureCollection": obj([]string{"type", "features"}, map[string]any{"type": map[string]any{"type": "string", "enum": []string{"FeatureCollection"}},
					"features": map[string]any{"type": "array", "items": ref("schemas", "feature")}, "links": links,
					"timeStamp":     map[string]any{"type": "string", "format": "date-time"},
					"numberMatched": map[string]any{"type": "integer", "minimum": 0}, "numberReturned": map[string]any{"type": "integer", "minimum": 0}}),
				"problem": obj([]string{"type", "title", "status"}, map[string]any{"type": str, "title": str, "status": map[string]any{"type": "integer"},
					"detail": str, "parameter": str}),
			},
		},
	}
}

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	html, _, err := ogcFormat(r)
	if err != nil {
		return err
	}
	if html {
		return writeHTML(w, "api", "API", apiOps)
	}
	return writeJSON(w, mediaOpenAPI, openAPIDoc(base(r)))
}
