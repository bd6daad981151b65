package gpkg

import (
	"cmp"
	"context"
	"math"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/internal/gistest"
	"github.com/shiptrack/shiptrack/routes"
)

func ids[T any](items []T, id func(T) string) []string {
	var out []string
	for _, x := range items {
		out = append(out, id(x))
	}
	return out
}

func placeID(p routes.Place) string { return p.ID }
func legID(l routes.Leg) string     { return l.ID }

// TestQueries asks the reference case the questions an analyst asks, at the
// edges where a store can go wrong: a box that only touches a point or a
// line, a box across the antimeridian, a bare date's whole day.
func TestQueries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	apply(t, s, prepared(t, s))
	day := func(s string) routes.Interval {
		iv, err := routes.ParseInterval(s)
		if err != nil {
			t.Fatal(err)
		}
		return iv
	}

	places := []struct {
		name string
		q    routes.Query
		want []string
	}{
		{"box whose corner is Dunay", routes.Query{BBox: &routes.BBox{West: 132.3375, South: 42.8803, East: 133, North: 43}}, []string{"dunay"}},
		{"box just east of Dunay", routes.Query{BBox: &routes.BBox{West: 132.33751, South: 42, East: 133, North: 43}}, nil},
		{"box across the antimeridian", routes.Query{BBox: &routes.BBox{West: 170, South: 40, East: -160, North: 60}}, []string{"dutch-harbor"}},
		{"within 30 km of Najin", routes.Query{Near: &routes.Near{Point: orb.Point{130.30, 42.2333}, Meters: 30_000}}, []string{"najin"}},
		{"within 40 km of Najin", routes.Query{Near: &routes.Near{Point: orb.Point{130.30, 42.2333}, Meters: 40_000}}, []string{"najin", "tumangang"}},
		{"ports", routes.Query{Kind: routes.Port}, []string{"dunay", "dutch-harbor", "najin"}},
		{"ports, second page", routes.Query{Kind: routes.Port, Limit: 1, Offset: 1}, []string{"dutch-harbor"}},
	}
	for _, c := range places {
		p, err := s.Places(ctx, c.q)
		if got := ids(p.Items, placeID); err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Places(%s) = %v, %v; want %v", c.name, got, err, c.want)
		}
	}

	legs := []struct {
		name string
		q    routes.Query
		want []string
	}{
		{"on 12 September", routes.Query{During: day("2023-09-12")}, []string{"nk-ru-2023-09-sea"}},
		{"on 13 September", routes.Query{During: day("2023-09-13")}, []string{"nk-ru-2023-09-rail"}},
		{"the last microsecond of 12 September", routes.Query{During: day("2023-09-12T23:59:59.999999Z")}, []string{"nk-ru-2023-09-sea"}},
		{"via Dunay", routes.Query{Via: "dunay"}, []string{"nk-ru-2023-09-sea", "nk-ru-2023-09-rail"}},
		{"via Vladivostok", routes.Query{Via: "vladivostok"}, []string{"test-pacific-1"}},
		{"sailed by Angara", routes.Query{Vessel: "angara"}, []string{"nk-ru-2023-09-sea"}},
		{"by rail", routes.Query{Mode: routes.Rail}, []string{"nk-ru-2023-09-rail"}},
		{"box across the antimeridian", routes.Query{BBox: &routes.BBox{West: 175, South: 45, East: -175, North: 55}}, []string{"test-pacific-1"}},
		{"box east of the antimeridian only", routes.Query{BBox: &routes.BBox{West: -179, South: 45, East: -170, North: 55}}, []string{"test-pacific-1"}},
		{"box the sea line passes by", routes.Query{BBox: &routes.BBox{West: 130.5, South: 42.4, East: 131, North: 43}}, nil},
		{"box the sea line crosses", routes.Query{BBox: &routes.BBox{West: 131, South: 42.2, East: 131.5, North: 42.5}}, []string{"nk-ru-2023-09-sea"}},
	}
	for _, c := range legs {
		p, err := s.Legs(ctx, c.q)
		if got := ids(p.Items, legID); err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Legs(%s) = %v, %v; want %v", c.name, got, err, c.want)
		}
	}

	v, err := s.Vessels(ctx, routes.Query{During: day("2023-11-05")})
	if got := ids(v.Items, func(v routes.Vessel) string { return v.ID }); err != nil || !slices.Equal(got, []string{"maria"}) {
		t.Errorf("Vessels under way on 5 November = %v, %v; want [maria]", got, err)
	}
	sh, err := s.Shipments(ctx, routes.Query{Via: "tikhoretsk"})
	if got := ids(sh.Items, func(s routes.Shipment) string { return s.ID }); err != nil || !slices.Equal(got, []string{"nk-ru-2023-09"}) || sh.Items[0].Legs != nil {
		t.Errorf("Shipments via Tikhoretsk = %v, %v; want [nk-ru-2023-09] without legs", got, err)
	}
}

// TestPositionsQueries streams positions with each filter and checks the
// order, the filters and Limit and Offset.
func TestPositionsQueries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	apply(t, s, prepared(t, s))
	ps := samplePositions(t)
	n, err := s.AddPositions(ctx, seq(append(ps, ps[3], ps[7])))
	if err != nil || n != len(ps) {
		t.Fatalf("AddPositions with two repeats = %d, %v; want %d", n, err, len(ps))
	}
	collect := func(q routes.Query) []routes.Position {
		var out []routes.Position
		for p, err := range s.Positions(ctx, q) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	all := collect(routes.Query{})
	if len(all) != len(ps) {
		t.Fatalf("Positions = %d; want %d", len(all), len(ps))
	}
	if !slices.IsSortedFunc(all, func(a, b routes.Position) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.MMSI, b.MMSI)
	}) {
		t.Error("Positions are not ordered by time, then MMSI")
	}
	if got := all[0]; got.MMSI != "273000001" || got.SOG == nil || *got.SOG != 9.5 || got.Heading == nil || *got.Heading != 70 {
		t.Errorf("first position = %+v; want Angara's with its speed and heading", got)
	}
	if got := all[1]; got.SOG != nil || got.NavStatus != nil {
		t.Errorf("a position without speed or status read back with %v, %v", got.SOG, got.NavStatus)
	}

	byVessel := collect(routes.Query{Vessel: "angara"})
	if len(byVessel) != 20 {
		t.Errorf("Positions(vessel=angara) = %d; want 20", len(byVessel))
	}
	if got := collect(routes.Query{Vessel: "maria"}); len(got) != 0 {
		t.Errorf("Positions(vessel=maria, who has no MMSI) = %d; want none", len(got))
	}
	if got := collect(routes.Query{Vessel: "angara", MMSI: "412000007"}); len(got) != 0 {
		t.Errorf("Positions of Angara with another MMSI = %d; want none", len(got))
	}
	across := collect(routes.Query{BBox: &routes.BBox{West: 178, South: 50, East: -178, North: 52}})
	if len(across) != 4 { // the second vessel's reports at 179.5, 179.1, 178.7 and 178.3
		t.Errorf("Positions in a box across the antimeridian = %d; want 4", len(across))
	}
	centre := orb.Point{130.3, 42.2}
	want := 0
	for _, p := range ps {
		if geo.Distance(p.Point(), centre) <= 30_000 {
			want++
		}
	}
	if got := collect(routes.Query{Near: &routes.Near{Point: centre, Meters: 30_000}}); len(got) != want || want < 2 || want == len(ps) {
		t.Errorf("Positions within 30 km = %d; want %d (of %d)", len(got), want, len(ps))
	}
	page := collect(routes.Query{Limit: 5, Offset: 3})
	if !slices.EqualFunc(page, all[3:8], func(a, b routes.Position) bool { return a.Time.Equal(b.Time) && a.MMSI == b.MMSI }) {
		t.Error("Positions(limit 5, offset 3) is not the fourth to eighth position")
	}
	boxPage := collect(routes.Query{BBox: &routes.BBox{West: 178, South: 50, East: -178, North: 52}, Limit: 2, Offset: 1})
	if len(boxPage) != 2 || !boxPage[0].Time.Equal(across[1].Time) {
		t.Error("Positions(box, limit 2, offset 1) is not the second and third in the box")
	}
	if c, err := s.CountPositions(ctx, routes.Query{BBox: &routes.BBox{West: 178, South: 50, East: -178, North: 52}, Limit: 1}); err != nil || c != len(across) {
		t.Errorf("CountPositions(box) = %d, %v; want %d", c, err, len(across))
	}

	// Breaking off a stream frees the connection: a write goes through.
	for range s.Positions(ctx, routes.Query{}) {
		break
	}
	late := routes.Position{MMSI: "273000001", Time: instant(t, "2024-01-01T00:00:00Z"), Lon: 1, Lat: 1}
	if n, err := s.AddPositions(ctx, seq([]routes.Position{late})); err != nil || n != 1 {
		t.Errorf("AddPositions after an early break = %d, %v", n, err)
	}
}

// TestAddPositionsRejects sends a bad position among good ones: the error
// names it and nothing is written.
func TestAddPositionsRejects(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for _, c := range []struct {
		name  string
		spoil func(*routes.Position)
		want  string
	}{
		{"latitude", func(p *routes.Position) { p.Lat = 91 }, "positions[5].lat"},
		{"longitude NaN", func(p *routes.Position) { p.Lon = math.NaN() }, "positions[5].lon"},
		{"mmsi", func(p *routes.Position) { p.MMSI = "" }, "positions[5].mmsi"},
	} {
		ps := samplePositions(t)
		c.spoil(&ps[5])
		n, err := s.AddPositions(ctx, seq(ps))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: AddPositions = %d, %v; want an error naming %s", c.name, n, err, c.want)
		}
	}
	if n, err := s.CountPositions(ctx, routes.Query{}); err != nil || n != 0 {
		t.Errorf("after rejected batches CountPositions = %d, %v; want 0", n, err)
	}
}

// TestRTreeFollowsWrites checks that the spatial index GDAL and QGIS use
// holds every geometry's extent after inserts, updates and deletes made
// through the store's own SQL functions.
func TestRTreeFollowsWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	b := prepared(t, s)
	apply(t, s, b)
	b.Places[0].Lon, b.Places[0].Lat = 130.5, 42.5 // Najin moves
	b.Shipments[0].Legs = b.Shipments[0].Legs[:1]  // the rail leg goes
	routes.Derive(&b.Shipments[0])
	apply(t, s, b)
	for _, tbl := range tables {
		if tbl.Geometry == nil {
			continue
		}
		type entry struct{ minx, maxx, miny, maxy float64 }
		rows, err := s.db.QueryContext(ctx, `SELECT t.fid, ST_MinX(t.geom), ST_MaxX(t.geom), ST_MinY(t.geom), ST_MaxY(t.geom),
  r.minx, r.maxx, r.miny, r.maxy FROM `+quoteIdent(tbl.Name)+` t LEFT JOIN `+quoteIdent(tbl.rtreeName())+` r ON r.id = t.fid`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var fid int64
			var g entry
			var r struct{ minx, maxx, miny, maxy *float64 }
			if err := rows.Scan(&fid, &g.minx, &g.maxx, &g.miny, &g.maxy, &r.minx, &r.maxx, &r.miny, &r.maxy); err != nil {
				t.Fatal(err)
			}
			if r.minx == nil {
				t.Errorf("%s row %d has no R-tree entry", tbl.Name, fid)
				continue
			}
			// The R-tree keeps float32, rounded outwards.
			if *r.minx > g.minx || *r.maxx < g.maxx || *r.miny > g.miny || *r.maxy < g.maxy ||
				g.minx-*r.minx > 1e-4 || *r.maxx-g.maxx > 1e-4 {
				t.Errorf("%s row %d: R-tree %v,%v,%v,%v does not fit the geometry %+v", tbl.Name, fid, *r.minx, *r.maxx, *r.miny, *r.maxy, g)
			}
		}
		rows.Close()
		var orphans int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(tbl.rtreeName())+` WHERE id NOT IN (SELECT fid FROM `+quoteIdent(tbl.Name)+`)`).Scan(&orphans); err != nil || orphans != 0 {
			t.Errorf("%s: %d R-tree entries without a row (%v)", tbl.Name, orphans, err)
		}
	}
}

// TestGDALEdits changes the store's file with GDAL, as a QGIS user editing
// a layer does, and finds the change through the store.
func TestGDALEdits(t *testing.T) {
	ogrinfo := gistest.Tool(t, "ogrinfo")
	ctx := context.Background()
	s, path := openTemp(t)
	apply(t, s, prepared(t, s))
	out, err := exec.Command(ogrinfo, path, "-sql", "UPDATE places SET name = 'Rajin' WHERE id = 'najin'").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo UPDATE: %v\n%s", err, out)
	}
	if p, err := s.Place(ctx, "najin"); err != nil || p.Name != "Rajin" {
		t.Errorf("Place(najin) after GDAL renamed it = %q, %v; want Rajin", p.Name, err)
	}
}
