package ingest_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

// ingestFiles ingests files into s and fails the test on an error.
func ingestFiles(t *testing.T, s routes.Store, files map[string]string) ingest.Summary {
	t.Helper()
	sum, err := ingest.Documents(t.Context(), s, ingest.FS(mapFS(files), "."))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestPlacesCSVIntoStores writes a CSV of places, again unchanged, then
// with one place changed.
func TestPlacesCSVIntoStores(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			files := map[string]string{"places.csv": basePlacesCSV}
			if sum := ingestFiles(t, s, files); sum.Written != (routes.Changes{Places: 3}) {
				t.Errorf("first ingest wrote %+v, want 3 places", sum.Written)
			}
			if sum := ingestFiles(t, s, files); sum.Written.Total() != 0 {
				t.Errorf("the same file again wrote %+v, want nothing", sum.Written)
			}
			files["places.csv"] = strings.Replace(basePlacesCSV, "Dunay,port", "Dunay (Primorsky Krai),port", 1)
			if sum := ingestFiles(t, s, files); sum.Written != (routes.Changes{Places: 1}) {
				t.Errorf("one place renamed wrote %+v, want 1 place", sum.Written)
			}
			najin, err := s.Place(t.Context(), "najin")
			if err != nil || najin.UNLOCODE != "KPNJN" || !reflect.DeepEqual(najin.Aliases, []string{"Rajin", "Rason"}) {
				t.Errorf("najin is %+v, %v", najin, err)
			}
		})
	}
}

// legsGeoJSON draws leg x-1 of base's shipment x and adds a leg x-2, as an
// analyst exports them from QGIS: the shipment is the store's.
const legsGeoJSON = `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "id": "x-1",
   "geometry": {"type": "LineString", "coordinates": [[130.3, 42.2], [131.5, 42.4], [132.3, 42.9]]},
   "properties": {"shipment": "x", "seq": 1, "mode": "sea", "origin": "a", "destination": "b",
                  "depart": "2023-09-07", "arrive": "2023-09-12"}},
  {"type": "Feature", "id": "x-2",
   "geometry": {"type": "LineString", "coordinates": [[132.3, 42.9], [130.3, 42.2]]},
   "properties": {"shipment": "x", "seq": 2, "mode": "sea", "origin": "b", "destination": "a",
                  "depart": "2023-09-14", "arrive": "2023-09-16", "geometry_kind": "modeled"}}
]}`

// TestGeoJSONLegsJoinStoredShipment checks that leg features naming a
// stored shipment replace its legs of the same ids and keep the others.
func TestGeoJSONLegsJoinStoredShipment(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			ingestFiles(t, s, map[string]string{"x.json": base})
			files := map[string]string{"legs.geojson": legsGeoJSON}
			if sum := ingestFiles(t, s, files); sum.Written != (routes.Changes{Shipments: 1, Legs: 2}) || sum.Read != (routes.Changes{Legs: 2}) {
				t.Errorf("legs read %+v, wrote %+v; want 2 legs read, the shipment and its 2 legs written", sum.Read, sum.Written)
			}
			sh, err := s.Shipment(ctx, "x")
			if err != nil {
				t.Fatal(err)
			}
			if len(sh.Legs) != 2 || sh.Legs[0].GeometryKind != routes.Reported || len(sh.Legs[0].Geometry[0]) != 3 || sh.Legs[1].GeometryKind != routes.Modeled {
				t.Errorf("shipment x has legs %+v; want x-1 reported with the drawn line, x-2 modeled", sh.Legs)
			}
			if len(sh.Sources) != 1 || sh.Title != "X" {
				t.Errorf("shipment x lost what the store held: %+v", sh)
			}
			if sum := ingestFiles(t, s, files); sum.Written.Total() != 0 {
				t.Errorf("the same file again wrote %+v, want nothing", sum.Written)
			}
			// A file with x-2 alone changes it and keeps x-1.
			second := legsGeoJSON[:strings.Index(legsGeoJSON, `  {"type": "Feature", "id": "x-1"`)] +
				strings.Replace(legsGeoJSON[strings.Index(legsGeoJSON, `  {"type": "Feature", "id": "x-2"`):], `"2023-09-16"`, `"2023-09-17"`, 1)
			if sum := ingestFiles(t, s, map[string]string{"x2.geojson": second}); sum.Written != (routes.Changes{Shipments: 1, Legs: 1}) {
				t.Errorf("x-2 changed wrote %+v, want the shipment and one leg", sum.Written)
			}
			sh, err = s.Shipment(ctx, "x")
			if err != nil || len(sh.Legs) != 2 || sh.Legs[0].ID != "x-1" || len(sh.Legs[0].Geometry[0]) != 3 {
				t.Errorf("after changing x-2, shipment x has legs %+v (%v); want x-1 kept as drawn", sh.Legs, err)
			}
			// A leg that clashes with a stored one is refused on its feature.
			clash := map[string]string{"x3.geojson": strings.Replace(strings.Replace(second, `"x-2"`, `"x-3"`, 1), `"seq": 2`, `"seq": 1`, 1)}
			_, err = ingest.Documents(ctx, s, ingest.FS(mapFS(clash), "."))
			checkErrors(t, err, clash, []want{{"x3.geojson", `"seq": 1`, "features[0].properties.seq", `seq 1 appears twice in shipment "x"`}})
			// Moving place b in the same ingest breaks the stored legs x-1
			// and x-2, drawn to and from b's old place: the errors name the
			// stored legs and point at the feature that brought their
			// shipment in.
			moved := map[string]string{
				"b.csv": "id,name,kind,country,lat,lon\nb,B,port,RU,50,140\n",
				"x3.geojson": `{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "x-3",
   "geometry": {"type": "LineString", "coordinates": [[140, 50], [130.3, 42.2]]},
   "properties": {"shipment": "x", "seq": 3, "mode": "sea", "origin": "b", "destination": "a", "depart": "2023-09-20", "arrive": "2023-09-25"}}]}`,
			}
			_, err = ingest.Documents(ctx, s, ingest.FS(mapFS(moved), "."))
			checkErrors(t, err, moved, []want{
				{"x3.geojson", `{"shipment"`, "features[0].properties", `shipment "x" as stored, legs[0].geometry: ends 985.2 km from its destination "b"`},
				{"x3.geojson", `{"shipment"`, "features[0].properties", `shipment "x" as stored, legs[1].geometry: starts 985.2 km from its origin "b"`},
			})
		})
	}
}
