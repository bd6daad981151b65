package export_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	shiptrack "github.com/shiptrack/shiptrack"
	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/internal/pgtest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
	"github.com/shiptrack/shiptrack/routes/postgis"
)

// The tests export the bundled Najin–Dunay case, with what it lacks for
// every layer to have features: AIS positions of a ship on the Najin–Dunay
// run, a track drawn from them and a gap in them.

// mmsi is the made-up MMSI of the positions.
const mmsi = "273999001"

// fill loads the case into a store.
func fill(t testing.TB, st routes.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := ingest.Documents(ctx, st, ingest.FS(shiptrack.Bundled, shiptrack.BundledDir)); err != nil {
		t.Fatalf("ingest the bundled case: %v", err)
	}
	start := time.Date(2023, 9, 8, 0, 0, 0, 0, time.UTC)
	var ps []routes.Position
	for i := range 120 {
		sog, cog, heading, status := 11.5, 75.0, 74, 0
		p := routes.Position{MMSI: mmsi, Time: start.Add(time.Duration(i) * 10 * time.Minute),
			Lon: 130.35 + float64(i)*0.016, Lat: 42.25 + float64(i)*0.0052, SOG: &sog, COG: &cog}
		if i%2 == 0 {
			p.Heading, p.NavStatus = &heading, &status
		}
		ps = append(ps, p)
	}
	if _, err := st.AddPositions(ctx, func(yield func(routes.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	}); err != nil {
		t.Fatalf("add positions: %v", err)
	}
	track := routes.Track{ID: "t-273999001-2023-09-08", MMSI: mmsi, Vessel: "angara", Start: ps[0].Time, End: ps[59].Time,
		Points: 60, LengthKm: 81.25, Leg: "nk-ru-2023-09-sea"}
	for _, p := range ps[:60] {
		if len(track.Geometry) == 0 {
			track.Geometry = orb.MultiLineString{nil}
		}
		track.Geometry[0] = append(track.Geometry[0], p.Point())
	}
	gap := routes.Gap{ID: "g-273999001-2023-09-08", MMSI: mmsi, Vessel: "angara", Start: ps[59].Time, End: ps[60].Time,
		From: ps[59].Point(), To: ps[60].Point(), Dark: true, OffshoreNm: 14.5}
	if _, err := st.Apply(ctx, &routes.Batch{Tracks: []routes.Track{track}, Gaps: []routes.Gap{gap}}); err != nil {
		t.Fatalf("apply the track and the gap: %v", err)
	}
}

// gpkgStore is the filled case in a new embedded store.
func gpkgStore(t testing.TB) routes.Store {
	t.Helper()
	st, err := gpkg.Open(context.Background(), filepath.Join(t.TempDir(), "store.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fill(t, st)
	return st
}

// postgisStore is the filled case in a new PostGIS database.
func postgisStore(t testing.TB) routes.Store {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.Database(t, "shiptrack_export")
	if _, err := postgis.Migrate(ctx, dbURL); err != nil {
		t.Fatal(err)
	}
	st, err := postgis.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fill(t, st)
	return st
}

// storeCounts is how many rows each layer of an export of st must have.
func storeCounts(t testing.TB, st routes.Store) map[string]int {
	t.Helper()
	ctx := context.Background()
	q := routes.Query{}
	places, err := st.Places(ctx, q)
	vessels, err2 := st.Vessels(ctx, q)
	sources, err3 := st.Sources(ctx, q)
	shipments, err4 := st.Shipments(ctx, q)
	legs, err5 := st.Legs(ctx, q)
	tracks, err6 := st.Tracks(ctx, q)
	gaps, err7 := st.Gaps(ctx, q)
	obs, err8 := st.Observations(ctx, q)
	positions, err9 := st.CountPositions(ctx, q)
	for _, err := range []error{err, err2, err3, err4, err5, err6, err7, err8, err9} {
		if err != nil {
			t.Fatal(err)
		}
	}
	shipmentClaims, legClaims := 0, 0
	for _, s := range shipments.Items {
		shipmentClaims += len(s.Sources)
	}
	for _, l := range legs.Items {
		legClaims += len(l.Sources)
	}
	return map[string]int{
		"places": places.Matched, "vessels": vessels.Matched, "sources": sources.Matched,
		"shipments": shipments.Matched, "legs": legs.Matched, "tracks": tracks.Matched, "gaps": gaps.Matched,
		"observations": obs.Matched, "positions": positions,
		"shipment_claims": shipmentClaims, "leg_claims": legClaims,
	}
}

// openSQLite opens a file with the plain SQLite driver, read-only.
func openSQLite(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// noLeftovers fails the test if dir holds anything but the named files.
func noLeftovers(t testing.TB, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s holds %v; want %v", dir, got, want)
	}
}
