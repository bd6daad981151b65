package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
	"github.com/shiptrack/shiptrack/routes/postgis"
)

// csvColumn runs a query with --format csv and returns the first column of
// its rows: the ids.
func csvColumn(t *testing.T, dir string, env []string, args ...string) []string {
	t.Helper()
	out, errOut, code := runCLI(t, dir, env, append(args, "--format", "csv")...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	ids := []string{}
	for _, r := range rows[1:] {
		ids = append(ids, r[0])
	}
	return ids
}

// TestAnalystQueries asks the bundled case what was under way and what
// called where, by date, and checks the exact answers the reporting gives.
func TestAnalystQueries(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want []string
	}{
		// The White House's window: everything reported overlaps it; Maia-1's
		// trips begin on its last day.
		{[]string{"query", "shipments", "--during", "2023-09-07/2023-10-01"},
			[]string{"angara-rajin-dunay-2023", "maria-rajin-dunay-2023", "nk-ru-2023-09", "maia-1-rajin-vostochny"}},
		{[]string{"query", "shipments", "--during", "2023-08-01/2023-08-31"},
			[]string{"angara-rajin-dunay-2023", "maria-rajin-dunay-2023"}},
		{[]string{"query", "shipments", "--during", "2023-11-01/2023-11-30"}, []string{"maia-1-rajin-vostochny"}},
		{[]string{"query", "shipments", "--at", "2023-10-31T23:59:59Z"}, []string{"nk-ru-2023-09", "maia-1-rajin-vostochny"}},
		{[]string{"query", "shipments", "--during", "2024-03-01/.."}, []string{}},
		// What called at Najin in September: the three sea legs from it.
		{[]string{"query", "legs", "--via", "najin", "--during", "2023-09-01/2023-09-30"},
			[]string{"angara-rajin-dunay-2023-sea", "maria-rajin-dunay-2023-sea", "nk-ru-2023-09-sea"}},
		// After 14 October only Maia-1 still plies from Najin.
		{[]string{"query", "legs", "--via", "najin", "--during", "2023-10-15/2023-12-31"}, []string{"maia-1-rajin-vostochny-sea"}},
		// Dunay is the sea legs' end and the rail leg's start.
		{[]string{"query", "legs", "--via", "dunay", "--during", "2023-10-15/.."}, []string{"nk-ru-2023-09-rail"}},
		{[]string{"query", "legs", "--via", "dunay", "--mode", "rail"}, []string{"nk-ru-2023-09-rail"}},
		{[]string{"query", "shipments", "--via", "dunay", "--during", "2023-10-15/.."}, []string{"nk-ru-2023-09"}},
		// Vostochny, not Dunay, for Maia-1; the rail leg only passes Ussuriysk.
		{[]string{"query", "shipments", "--via", "vostochny"}, []string{"maia-1-rajin-vostochny"}},
		{[]string{"query", "legs", "--via", "ussuriysk"}, []string{}},
		{[]string{"query", "shipments", "--via", "tikhoretsk", "--during", "2023-09-01/2023-09-06"}, []string{}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			if got := csvColumn(t, dir, nil, c.args...); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
	// A person reads the shipments table: one line each that fits a wide
	// terminal, the active period as dates and the route by its stops.
	out, _, _ := runCLI(t, dir, nil, "query", "shipments", "--during", "2023-09-07/2023-10-01")
	for _, want := range []string{"ACTIVE", "2023-09-07/2023-10-31", "najin –sea→ dunay –rail→ tikhoretsk", "reported/medium"} {
		if !strings.Contains(out, want) {
			t.Errorf("the shipments table lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if n := len([]rune(line)); n > 160 {
			t.Errorf("a table line is %d characters wide:\n%s", n, line)
		}
	}
}

// TestWhereCommand asks where the White House shipment was before, during
// and after each leg, at the edges of its windows, and for bad input.
func TestWhereCommand(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want []string // substrings of stdout (code 0) or stderr
	}{
		{[]string{"--at", "2023-09-06"}, 0, []string{"not departed", "at Najin", "Not yet departed"}},
		{[]string{"--at", "2023-09-07T00:00:00Z"}, 0, []string{"not departed"}},
		{[]string{"--at", "2023-09-10"}, 0, []string{"may not have departed", "nk-ru-2023-09-sea", "km 0.0 to 121.0 of 201.6", "121.0 km of route"}},
		{[]string{"--at", "2023-09-20"}, 0, []string{"may not have departed", "1 of 2", "leg 2  km 0.0 to 8590.8", "It may instead be on leg 2"}},
		{[]string{"--at", "2023-10-02"}, 0, []string{"2 of 2", "nk-ru-2023-09-rail", "lon 132.3375000  lat 42.8803000"}},
		{[]string{"--at", "2023-10-31T23:59:59.999999Z"}, 0, []string{"arrived", "Tikhoretsk"}},
		{[]string{"--at", "2024-01-01", "--format", "csv"}, 0, []string{"shipment,at,status,kind", "nk-ru-2023-09,2024-01-01T00:00:00Z,arrived,place,tikhoretsk"}},
		{[]string{"--at", "2023-09-20", "--format", "geojson"}, 0, []string{`"type":"Feature"`, `"status":"may_not_have_departed"`, `"uncertainty":{"type":"MultiLineString"`}},
		{[]string{}, 2, []string{"--at is required"}},
		{[]string{"--at", "soon"}, 2, []string{"--at", `"soon" is neither a date`}},
		{[]string{"--at", "2023-09-07/2023-10-01"}, 2, []string{"--at", "is an interval"}},
		{[]string{"--at", "2023-09-10", "--format", "kml"}, 2, []string{`--format "kml"`}},
	} {
		args := append([]string{"where", "nk-ru-2023-09"}, c.args...)
		t.Run(strings.Join(args, " "), func(t *testing.T) { checkRun(t, dir, args, c.code, c.want) })
	}
	for _, args := range [][]string{
		{"where", "no-such-shipment", "--at", "2023-09-10"},
		{"where", "--at", "2023-09-10"},
		{"where", "nk-ru-2023-09", "maria-rajin-dunay-2023", "--at", "2023-09-10"},
	} {
		_, errOut, code := runCLI(t, dir, nil, args...)
		if code != 2 || !strings.Contains(errOut, "shipment") {
			t.Errorf("%v: exit %d, %q; want exit 2 naming the shipment", args, code, errOut)
		}
	}
}

// cliPositions are a few made-up positions (no AIS reader involved) of two
// ships near Dunay, one of them within 20 km only on 12 September.
func cliPositions() iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		base := time.Date(2023, 9, 11, 0, 0, 0, 0, time.UTC)
		for i := range 48 {
			at := base.Add(time.Duration(i) * time.Hour)
			// 273000005 closes on Dunay from the south-west, then leaves.
			d := float64(i-24) / 24 // -1 … 1
			if !yield(routes.Position{MMSI: "273000005", Time: at, Lon: 132.3375 - 0.4*d*d, Lat: 42.8803 - 0.3*d*d}, nil) {
				return
			}
			// 273000006 stays 40 km off.
			if !yield(routes.Position{MMSI: "273000006", Time: at, Lon: 132.8, Lat: 42.7}, nil) {
				return
			}
		}
	}
}

// TestAnswersSameOnBothStores loads the bundled case into PostGIS and the
// embedded store with the same positions, then asks where the White House
// shipment was, hour by hour at every day's edges, and which vessels came
// near Dunay: the answers must be byte for byte the same.
func TestAnswersSameOnBothStores(t *testing.T) {
	ctx := context.Background()
	dbURL, env := postgisCase(t)
	dir := t.TempDir()
	if _, errOut, code := runCLI(t, dir, env, "query", "places"); code != 0 { // creates and fills the embedded store
		t.Fatal(errOut)
	}
	pg, err := postgis.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	gp, err := gpkg.Open(ctx, filepath.Join(dir, "shiptrack.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []routes.Store{pg, gp} {
		if n, err := st.AddPositions(ctx, cliPositions()); err != nil || n != 96 {
			t.Fatalf("AddPositions = %d, %v; want 96", n, err)
		}
		st.Close()
	}

	ask := func(args ...string) string {
		t.Helper()
		fromPG, errPG, codePG := runCLI(t, dir, env, append(args, "--db", dbURL)...)
		fromGP, errGP, codeGP := runCLI(t, dir, env, args...)
		if codePG != 0 || codeGP != 0 {
			t.Fatalf("%v: exit %d (PostGIS: %s), %d (embedded: %s)", args, codePG, errPG, codeGP, errGP)
		}
		if fromPG != fromGP {
			t.Errorf("%v differs between the stores:\nPostGIS:  %s\nembedded: %s", args, fromPG, fromGP)
		}
		return fromGP
	}
	for _, at := range []string{"2023-09-06T23:59:59.999999Z", "2023-09-07", "2023-09-10", "2023-09-12", "2023-09-19T12:00:00Z",
		"2023-09-20", "2023-09-25", "2023-10-01T23:59:59.999999Z", "2023-10-02", "2023-10-06T12:00:00Z", "2023-10-10",
		"2023-10-31T23:59:59.999999Z", "2023-11-01"} {
		for _, format := range []string{"geojson", "table"} {
			ask("where", "nk-ru-2023-09", "--at", at, "--format", format)
		}
	}

	// Which vessels came within 20 km of Dunay on 11–12 September: only
	// 273000005, closest at midnight on the 12th when it lay at Dunay itself.
	out := ask("query", "vessels", "--near", "dunay", "--within", "20km", "--during", "2023-09-11/2023-09-12", "--format", "geojson")
	var fc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(out), &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 1 || fc.Features[0].ID != "273000005" ||
		fc.Features[0].Properties["closest_km"] != 0.0 || fc.Features[0].Properties["closest_time"] != "2023-09-12T00:00:00Z" {
		t.Errorf("vessels near Dunay = %s; want 273000005 alone, 0 km at 2023-09-12T00:00:00Z", out)
	}
	table := ask("query", "vessels", "--near", "dunay", "--within", "50km")
	if !strings.Contains(table, "273000005") || !strings.Contains(table, "273000006") || !strings.Contains(table, "CLOSEST KM") {
		t.Errorf("vessels within 50 km of Dunay:\n%s", table)
	}
	ask("query", "positions", "--near", "132.3375,42.8803", "--within", "20km", "--during", "2023-09-12", "--format", "csv")
	rows := csvColumn(t, dir, env, "query", "positions", "--near", "dunay", "--within", "20km")
	if len(rows) == 0 || slices.Contains(rows, "273000006") {
		t.Errorf("positions within 20 km of Dunay by MMSI: %v; want only 273000005's", rows)
	}
}

// TestWhereFromAIS places a shipment from its vessel's AIS fixes when they
// bracket the time, and from its windows when they do not.
func TestWhereFromAIS(t *testing.T) {
	dir := t.TempDir()
	doc := `{"vessels":[{"id":"sea-fox","name":"Sea Fox","mmsi":"273000001","flag":"RU"}],
	  "shipments":[{"id":"fox-run","title":"Sea Fox's run","status":"alleged","confidence":"low","cargo":{"description":"crates"},
	    "sources":[{"source":"white-house-2023-10-13","claim":"made up for the test"}],
	    "legs":[{"id":"fox-sea","seq":1,"mode":"sea","origin":"najin","destination":"dunay","vessel":"sea-fox",
	      "depart":"2023-09-20","arrive":"2023-09-22"}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "fox.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, dir, nil, "query", "places"); code != 0 { // fills the store with the bundled case
		t.Fatal(errOut)
	}
	if out, errOut, code := runCLI(t, dir, nil, "ingest", "fox.json"); code != 0 {
		t.Fatalf("ingest: %s%s", out, errOut)
	}
	st, err := gpkg.Open(context.Background(), filepath.Join(dir, "shiptrack.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	fixes := func(yield func(routes.Position, error) bool) {
		at := time.Date(2023, 9, 21, 0, 0, 0, 0, time.UTC)
		yield(routes.Position{MMSI: "273000001", Time: at, Lon: 131.0, Lat: 42.5}, nil)
		yield(routes.Position{MMSI: "273000001", Time: at.Add(2 * time.Hour), Lon: 131.2, Lat: 42.5}, nil)
	}
	if n, err := st.AddPositions(context.Background(), fixes); err != nil || n != 2 {
		t.Fatalf("AddPositions = %d, %v", n, err)
	}
	st.Close()
	checkRun(t, dir, []string{"where", "fox-run", "--at", "2023-09-21T01:00:00Z"}, 0, []string{
		"under way", "observed: AIS, MMSI 273000001 at 2023-09-21T00:00:00Z", "and MMSI 273000001 at 2023-09-21T02:00:00Z",
		"lat 42.50", "Best estimate: where AIS places Sea Fox"})
	checkRun(t, dir, []string{"where", "fox-run", "--at", "2023-09-21T01:00:00Z", "--format", "csv"}, 0, []string{",under_way,observed,,fox-sea,1,131.1000"})
	// Eight hours after the last fix: none within six hours on either side.
	checkRun(t, dir, []string{"where", "fox-run", "--at", "2023-09-21T10:00:00Z"}, 0, []string{"interpolated:"})
}
