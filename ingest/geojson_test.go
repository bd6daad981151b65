package ingest_test

import (
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

// baseGeoJSON is a small valid FeatureCollection: two places, a shipment
// given as a foreign member, and its leg as a LineString feature. The bad
// files below are made from it by one edit each.
const baseGeoJSON = `{
  "type": "FeatureCollection",
  "name": "exported from QGIS",
  "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
  "sources": [{"id": "s", "publisher": "P", "title": "T", "published": "2023-10-13", "kind": "media"}],
  "shipments": [{"id": "x", "title": "X", "cargo": {"description": "c"}, "status": "reported", "confidence": "low",
                 "sources": [{"source": "s", "claim": "c"}]}],
  "features": [
    {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [130.3, 42.2]},
     "properties": {"name": "A", "kind": "port", "country": "KP"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [132.3, 42.9, 5]},
     "properties": {"id": "b", "name": "B", "kind": "port", "country": "RU", "lat": 42.9}},
    {"type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [40.1, 45.9]},
     "properties": {"name": "Тихорецк depot", "kind": "depot", "country": "RU"}},
    {"type": "Feature", "bbox": [130.3, 42.2, 132.3, 42.9],
     "geometry": {"type": "LineString", "coordinates": [[130.3, 42.2], [131.5, 42.4], [132.3, 42.9]]},
     "properties": {"id": "x-1", "shipment": "x", "seq": 1, "mode": "sea", "origin": "a", "destination": "b",
                    "depart": "2023-09-07", "arrive": "2023-09-12"}}
  ]
}
`

func editGeoJSON(t testing.TB, old, new string) string {
	t.Helper()
	if !strings.Contains(baseGeoJSON, old) {
		t.Fatalf("baseGeoJSON has no %q", old)
	}
	return strings.Replace(baseGeoJSON, old, new, 1)
}

func TestGoodGeoJSON(t *testing.T) {
	batch, sum, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(map[string]string{"x.geojson": baseGeoJSON}), "."))
	if err != nil {
		t.Fatal(err)
	}
	if want := (routes.Changes{Places: 3, Sources: 1, Shipments: 1, Legs: 1}); sum.Read != want {
		t.Errorf("read %+v, want %+v", sum.Read, want)
	}
	var ids []string
	for _, p := range batch.Places {
		ids = append(ids, p.ID)
	}
	// The feature's string id, the property, the slug of the name; a
	// numeric feature id is a row number and is not taken.
	if got := strings.Join(ids, " "); got != "a b tikhoretsk-depot" {
		t.Errorf("place ids %q", got)
	}
	if p := batch.Places[1]; p.Lon != 132.3 || p.Lat != 42.9 {
		t.Errorf("place b at %v, %v; want the feature's coordinates, altitude dropped", p.Lon, p.Lat)
	}
	leg := batch.Shipments[0].Legs[0]
	if leg.GeometryKind != routes.Reported || len(leg.Geometry) != 1 || len(leg.Geometry[0]) != 3 {
		t.Errorf("leg %s: %s line %v; want the feature's line, reported", leg.ID, leg.GeometryKind, leg.Geometry)
	}
}

// TestGeoJSONDetected reads GeoJSON from a .json file, told from a shipment
// document by its content, and a shipment document that refers to its
// places.
func TestGeoJSONDetected(t *testing.T) {
	places := `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [130.3, 42.2]}, "properties": {"id": "a", "name": "A", "kind": "port", "country": "KP"}},
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [132.3, 42.9]}, "properties": {"id": "b", "name": "B", "kind": "port", "country": "RU"}}
]}`
	doc := "{" + base[strings.Index(base, `"sources"`):]
	_, sum, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(map[string]string{"a.json": places, "b.json": doc}), "."))
	if err != nil {
		t.Fatal(err)
	}
	if want := (routes.Changes{Places: 2, Sources: 1, Shipments: 1, Legs: 1}); sum.Read != want {
		t.Errorf("read %+v, want %+v", sum.Read, want)
	}
}

// TestGeoJSONLegsJoinAnotherFile adds a leg feature to a shipment that a
// shipment document of the same ingest defines.
func TestGeoJSONLegsJoinAnotherFile(t *testing.T) {
	legs := `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[132.3, 42.9], [130.3, 42.2]]},
   "properties": {"id": "x-2", "shipment": "x", "seq": 2, "mode": "sea", "origin": "b", "destination": "a",
                  "depart": "2023-09-14", "arrive": "2023-09-16"}}]}`
	files := map[string]string{"a.json": base, "b.geojson": legs}
	batch, sum, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(files), "."))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read.Shipments != 1 || sum.Read.Legs != 2 {
		t.Errorf("read %+v, want one shipment and two legs", sum.Read)
	}
	if sh := batch.Shipments[0]; len(sh.Legs) != 2 || sh.Legs[1].ID != "x-2" || sh.Legs[1].GeometryKind != routes.Reported {
		t.Errorf("shipment x has legs %+v; want x-1 and the drawn x-2", sh.Legs)
	}
	// A rule the leg breaks in its shipment is reported on its feature.
	files["b.geojson"] = strings.Replace(legs, `"seq": 2`, `"seq": 1`, 1)
	_, _, err = ingest.Read(t.Context(), nil, ingest.FS(mapFS(files), "."))
	checkErrors(t, err, files, []want{{"b.geojson", `"seq": 1`, "features[0].properties.seq", `seq 1 appears twice in shipment "x"`}})
}

func badGeoJSONCases(t testing.TB) []badCase {
	one := func(text string) map[string]string { return map[string]string{"bad.geojson": text} }
	return []badCase{
		{"self-intersecting polygon", one(editGeoJSON(t, `"geometry": {"type": "Point", "coordinates": [130.3, 42.2]}`,
			`"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}`)),
			[]want{{"bad.geojson", `"geometry": {"type": "Polygon"`, "features[0].geometry", "a Polygon is neither a place (a Point) nor a leg (a LineString or MultiLineString); it is also invalid geometry: Self-intersection"}}},
		{"a coordinate too large for a number", one(editGeoJSON(t, `[130.3, 42.2]}`, `[1e999, 42.2]}`)),
			[]want{{"bad.geojson", `"geometry": {"type": "Point", "coordinates": [1e999`, "features[0].geometry.coordinates[0]", "1e999 is not a finite number"}}},
		{"a coordinate in a line too large", one(editGeoJSON(t, `[131.5, 42.4]`, `[131.5, -1e400]`)),
			[]want{{"bad.geojson", `"geometry": {"type": "LineString"`, "features[3].geometry.coordinates[1][1]", "-1e400 is not a finite number"}}},
		{"a string for a coordinate", one(editGeoJSON(t, `[131.5, 42.4]`, `[131.5, "NaN"]`)),
			[]want{{"bad.geojson", `"geometry": {"type": "LineString"`, "features[3].geometry.coordinates[1][1]", "want a number, got a string"}}},
		{"a position of one number", one(editGeoJSON(t, `[130.3, 42.2]}`, `[130.3]}`)),
			[]want{{"bad.geojson", `"geometry": {"type": "Point", "coordinates": [130.3]`, "features[0].geometry.coordinates", "a position has 2 numbers"}}},
		{"a multipoint", one(editGeoJSON(t, `{"type": "Point", "coordinates": [130.3, 42.2]}`, `{"type": "MultiPoint", "coordinates": [[130.3, 42.2]]}`)),
			[]want{{"bad.geojson", `"geometry": {"type": "MultiPoint"`, "features[0].geometry", "a MultiPoint is neither a place"}}},
		{"no geometry", one(editGeoJSON(t, `{"type": "Point", "coordinates": [130.3, 42.2]}`, `null`)),
			[]want{{"bad.geojson", `"geometry": null`, "features[0].geometry", "is required: a Point for a place"}}},
		{"an unknown geometry type", one(editGeoJSON(t, `{"type": "Point", "coordinates": [130.3, 42.2]}`, `{"type": "Circle", "coordinates": [130.3, 42.2]}`)),
			[]want{{"bad.geojson", `"geometry": {"type": "Circle"`, "features[0].geometry.type", `"Circle" is not a GeoJSON geometry type`}}},
		{"not a feature", one(editGeoJSON(t, `{"type": "Feature", "id": "a"`, `{"type": "Featur", "id": "a"`)),
			[]want{{"bad.geojson", `"type": "Featur"`, "features[0].type", `want "Feature", got "Featur"`}}},
		{"one feature, not a collection", one(`{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {}}`),
			[]want{{"bad.geojson", `"type"`, "type", "want a FeatureCollection, got a Feature"}}},
		{"no features", one(`{"type": "FeatureCollection"}`),
			[]want{{"bad.geojson", `{`, "", `a FeatureCollection needs "features"`}}},
		{"an unknown property", one(editGeoJSON(t, `"kind": "port", "country": "KP"`, `"kind": "port", "contry": "KP"`)),
			[]want{{"bad.geojson", `"contry"`, "features[0].properties", `unknown field "contry"`}}},
		{"a line in a leg's properties", one(editGeoJSON(t, `"seq": 1,`, `"seq": 1, "geometry": null,`)),
			[]want{{"bad.geojson", `"geometry": null`, "features[3].properties", `unknown field "geometry"`}}},
		{"a string for an integer", one(editGeoJSON(t, `"seq": 1,`, `"seq": "one",`)),
			[]want{{"bad.geojson", `"seq"`, "features[3].properties.seq", "want an integer, got string"}}},
		{"latitude 95", one(editGeoJSON(t, `[40.1, 45.9]`, `[40.1, 95]`)),
			[]want{{"bad.geojson", `"geometry": {"type": "Point", "coordinates": [40.1, 95]`, "features[2].geometry.coordinates[1]", "latitude 95 is outside [-90, 90]"}}},
		{"a latitude property that differs", one(editGeoJSON(t, `"lat": 42.9`, `"lat": 43.9`)),
			[]want{{"bad.geojson", `"lat": 43.9`, "features[1].properties.lat", "43.9 differs from the feature's coordinates"}}},
		{"a kind that is none", one(editGeoJSON(t, `"kind": "depot"`, `"kind": "warehouse"`)),
			[]want{{"bad.geojson", `"kind": "warehouse"`, "features[2].properties.kind", `"warehouse" is not one of`}}},
		{"two ids that differ", one(editGeoJSON(t, `"properties": {"name": "A"`, `"properties": {"id": "c", "name": "A"`)),
			[]want{{"bad.geojson", `"id": "a"`, "features[0].id", `"a" differs from the "id" property "c"`}}},
		{"an unknown shipment", one(editGeoJSON(t, `"shipment": "x"`, `"shipment": "y"`)),
			[]want{{"bad.geojson", `"shipment": "y"`, "features[3].properties.shipment", `unknown shipment "y": not in this ingest or the store`}}},
		{"no shipment", one(editGeoJSON(t, `"shipment": "x", `, ``)),
			[]want{{"bad.geojson", `{"id": "x-1"`, "features[3].properties.shipment", "is required: the id of the shipment"}}},
		{"a line far from its origin", one(editGeoJSON(t, `[[130.3, 42.2], [131.5`, `[[128.3, 40.2], [131.5`)),
			[]want{{"bad.geojson", `"geometry": {"type": "LineString"`, "features[3].geometry", `starts 278.3 km from its origin "a"`}}},
		{"a leg broken by a rule", one(editGeoJSON(t, `"depart": "2023-09-07"`, `"depart": "2023-09-20"`)),
			[]want{{"bad.geojson", `"depart": "2023-09-20"`, "features[3].properties.depart", "is after arrival"}}},
		{"a shipment with its legs", one(editGeoJSON(t, `"sources": [{"source": "s", "claim": "c"}]}]`, `"sources": [{"source": "s", "claim": "c"}], "legs": [{"id": "x-2"}]}]`)),
			[]want{{"bad.geojson", `"legs"`, "shipments[0].legs", "LineString features"}}},
		{"a shipment broken by a rule", one(editGeoJSON(t, `"status": "reported"`, `"status": "rumoured"`)),
			[]want{{"bad.geojson", `"status": "rumoured"`, "shipments[0].status", `"rumoured" is not one of`}}},
		{"another CRS", one(editGeoJSON(t, `urn:ogc:def:crs:OGC:1.3:CRS84`, `urn:ogc:def:crs:EPSG::3857`)),
			[]want{{"bad.geojson", `"crs"`, "crs", "must be WGS 84 longitude, latitude"}}},
		{"two places named alike", one(editGeoJSON(t, `    {"type": "Feature", "bbox"`, `    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [40, 46]},
     "properties": {"name": "ТИХОРЕЦК Depot", "kind": "depot", "country": "RU"}},
    {"type": "Feature", "bbox"`)),
			[]want{{"bad.geojson", `"name": "ТИХОРЕЦК Depot"`, "features[3].properties.name", `place "tikhoretsk-depot" appears twice in the document (the id was made from the name`}}},
		{"a member in another case", one(editGeoJSON(t, `"features": [`, `"Features": [`)),
			[]want{{"bad.geojson", `"Features"`, "", `unknown field "Features" (did you mean "features"?)`}}},
		{"a geometry's type in another case", one(editGeoJSON(t, `{"type": "Point", "coordinates": [130.3, 42.2]}`, `{"Type": "Point", "coordinates": [130.3, 42.2]}`)),
			[]want{{"bad.geojson", `"geometry": {"Type"`, "features[0].geometry.type", "is required: the geometry's type"}}},
		{"a NUL in a name", one(editGeoJSON(t, `"name": "B"`, `"name": "B\u0000"`)),
			[]want{{"bad.geojson", `"name": "B\u0000"`, "features[1].properties.name", "holds a NUL character"}}},
		{"broken JSON", one(editGeoJSON(t, `"kind": "port", "country": "KP"}},`, `"kind": "port", "country": "KP"},`)),
			[]want{{"bad.geojson", `{"type": "Feature", "geometry": {"type": "Point", "coordinates": [132.3`, "features[0]", "invalid JSON"}}},
		{"nested too deep", one(editGeoJSON(t, `"name": "exported from QGIS"`, `"name": `+strings.Repeat("[", 100)+strings.Repeat("]", 100))),
			[]want{{"bad.geojson", strings.Repeat("[", 37) + "]", "name", "values nest more than 64 deep"}}},
	}
}

func TestBadGeoJSON(t *testing.T) { readBad(t, badGeoJSONCases(t)) }

func FuzzGeoJSON(f *testing.F) {
	seed(f, badGeoJSONCases(f), baseGeoJSON)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "f.geojson", data)
	})
}
