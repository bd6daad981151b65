package ingest_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	shiptrack "github.com/shiptrack/shiptrack"
	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/internal/pgtest"
	"github.com/shiptrack/shiptrack/internal/snapshot"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
	"github.com/shiptrack/shiptrack/routes/postgis"
)

// stores are the real stores ingest is tested against.
var stores = []struct {
	name string
	open func(t *testing.T) routes.Store
}{
	{"gpkg", openGeoPackage},
	{"postgis", openPostGIS},
}

// openGeoPackage creates a GeoPackage store in a new file.
func openGeoPackage(t *testing.T) routes.Store {
	t.Helper()
	s, err := gpkg.Open(t.Context(), filepath.Join(t.TempDir(), "shiptrack.gpkg"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPostGIS creates a database named at random on the test server,
// migrates it and opens a store on it; both go when the test ends. An
// unreachable server fails the test unless SHIPTRACK_SKIP_POSTGIS=1.
func openPostGIS(t *testing.T) routes.Store {
	t.Helper()
	s, _ := openPostGISAt(t)
	return s
}

// openPostGISAt is openPostGIS for tests and benchmarks, also returning
// the database's URL.
func openPostGISAt(t testing.TB) (*postgis.Store, string) {
	t.Helper()
	dbURL := pgtest.Database(t, "shiptrack_ingest")
	ctx := context.Background()
	if _, err := postgis.Migrate(ctx, dbURL); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	s, err := postgis.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dbURL
}

func bundled() ingest.Inputs { return ingest.FS(shiptrack.Bundled, shiptrack.BundledDir) }

func TestIngestBundled(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			sum, err := ingest.Documents(ctx, s, bundled())
			if err != nil {
				t.Fatal(err)
			}
			if sum.Written != sum.Read {
				t.Errorf("into an empty store wrote %+v, want all that was read, %+v", sum.Written, sum.Read)
			}
			again, err := ingest.Documents(ctx, s, bundled())
			if err != nil {
				t.Fatal(err)
			}
			if again.Written.Total() != 0 {
				t.Errorf("ingesting again wrote %+v, want nothing", again.Written)
			}

			sh, err := s.Shipment(ctx, "nk-ru-2023-09")
			if err != nil {
				t.Fatal(err)
			}
			checkReferenceShipment(t, &routes.Batch{Shipments: []routes.Shipment{sh}})
			najin, err := s.Place(ctx, "najin")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(najin.Aliases, "Rajin") || najin.UNLOCODE != "KPNJN" {
				t.Errorf("najin is %+v", najin)
			}
			obs, err := s.Observations(ctx, routes.Query{})
			if err != nil || len(obs.Items) != 1 || obs.Items[0].Subject != "lady-r" {
				t.Errorf("observations %+v, %v; want Lady R at Rajin", obs.Items, err)
			}

			// A later document may refer to what the store holds.
			later := map[string]string{"later.json": `{
  "shipments": [{"id": "later", "title": "Later", "cargo": {"description": "c"}, "status": "alleged", "confidence": "low",
    "sources": [{"source": "rusi-orient-express", "claim": "c"}],
    "legs": [{"id": "later-1", "seq": 1, "mode": "sea", "origin": "najin", "destination": "vostochny", "vessel": "lady-r",
      "depart": "2024-02-04", "arrive": "2024-02-05/2024-02-08"}]}]
}`}
			sum, err = ingest.Documents(ctx, s, ingest.FS(mapFS(later), "."))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Written != (routes.Changes{Shipments: 1, Legs: 1}) {
				t.Errorf("wrote %+v, want one shipment and its leg", sum.Written)
			}
		})
	}
}

// TestBadIngestChangesNothing ingests, over the bundled dataset, a good file
// that would change a place and add one together with each bad file (a
// shipment document, GeoJSON, a CSV of places), and checks that the error
// is reported and the store holds what it held.
func TestBadIngestChangesNothing(t *testing.T) {
	const good = `{"places": [
  {"id": "vladivostok", "name": "Vladivostok, renamed", "kind": "port", "country": "RU", "lon": 131.9, "lat": 43.1},
  {"id": "zz-new", "name": "New", "kind": "depot", "country": "RU", "lon": 40, "lat": 45}
]}`
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			if _, err := ingest.Documents(t.Context(), s, bundled()); err != nil {
				t.Fatal(err)
			}
			before := snapshot.Of(t, s)
			check := func(t *testing.T, in ingest.Inputs, files map[string]string, wants []want) {
				sum, err := ingest.Documents(t.Context(), s, in)
				checkErrors(t, err, files, wants)
				if sum.Written.Total() != 0 {
					t.Errorf("reported writing %+v", sum.Written)
				}
				if after := snapshot.Of(t, s); !reflect.DeepEqual(after, before) {
					t.Errorf("the store changed:\nbefore %+v\nafter  %+v", before, after)
				}
			}
			for _, c := range slices.Concat(badCases(t), badGeoJSONCases(t), badPlacesCSVCases(t)) {
				t.Run(c.name, func(t *testing.T) {
					files := map[string]string{"0-good.json": good}
					for name, text := range c.files {
						files[name] = text
					}
					check(t, ingest.FS(mapFS(files), "."), files, c.want)
				})
			}
			t.Run("huge file", func(t *testing.T) {
				check(t, ingest.FS(hugeFS{ingest.MaxFileSize + 1}, "huge.json"), nil,
					[]want{{"huge.json", "", "", "larger than 64 MiB"}})
			})
			// Alone, the good file does change the store: the checks above
			// could have seen a change.
			sum, err := ingest.Documents(t.Context(), s, ingest.FS(mapFS(map[string]string{"0-good.json": good}), "."))
			if err != nil || sum.Written != (routes.Changes{Places: 2}) {
				t.Errorf("the good file alone wrote %+v, %v; want two places", sum.Written, err)
			}
			if reflect.DeepEqual(snapshot.Of(t, s), before) {
				t.Error("the good file alone left the store as it was")
			}
		})
	}
}
