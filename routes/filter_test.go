package routes

import (
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/routes/cql2"
)

// TestCheckFilter shows what filters become before a store compiles them.
func TestCheckFilter(t *testing.T) {
	for _, c := range []struct {
		coll *Collection
		in   string
		want string
	}{
		{LegSchema.Collection, `5 < seq`, `"seq" > 5`},
		{LegSchema.Collection, `seq BETWEEN 1 AND 2`, `"seq" >= 1 AND "seq" <= 2`},
		{LegSchema.Collection, `mode NOT IN ('sea', 'rail')`, `NOT ("mode" = 'sea' OR "mode" = 'rail')`},
		{LegSchema.Collection, `start = DATE('2023-09-12')`,
			`"start" >= TIMESTAMP('2023-09-12T00:00:00Z') AND "start" <= TIMESTAMP('2023-09-12T23:59:59.999999Z')`},
		{LegSchema.Collection, `start > DATE('2023-09-12')`, `"start" > TIMESTAMP('2023-09-12T23:59:59.999999Z')`},
		{LegSchema.Collection, `T_INTERSECTS(INTERVAL(start, end), INTERVAL('2023-09-12', '..'))`,
			`"end" >= TIMESTAMP('2023-09-12T00:00:00Z')`},
		{LegSchema.Collection, `T_MEETS(INTERVAL(start, end), DATE('2023-09-12'))`, `"end" = TIMESTAMP('2023-09-12T00:00:00Z')`},
		{LegSchema.Collection, `T_AFTER(start, INTERVAL('..', '..'))`, `FALSE`},
		{LegSchema.Collection, `T_BEFORE(DATE('2023-01-01'), DATE('2023-01-02')) OR mode = 'air'`, `TRUE`},
		{LegSchema.Collection, `T_DISJOINT(start, INTERVAL('2023-09-12T06:00:00Z', '2023-09-13'))`,
			`"start" > TIMESTAMP('2023-09-13T23:59:59.999999Z') OR "start" < TIMESTAMP('2023-09-12T06:00:00Z')`},
		{LegSchema.Collection, `S_CONTAINS(POINT(1 2), geometry)`, `S_WITHIN("geometry", POINT(1 2))`},
		{LegSchema.Collection, `S_INTERSECTS(geometry, BBOX(170, 50, -160, 70))`,
			`S_INTERSECTS("geometry", MULTIPOLYGON(((170 50, 180 50, 180 70, 170 70, 170 50)), ((-180 50, -160 50, -160 70, -180 70, -180 50))))`},
		{LegSchema.Collection, `S_INTERSECTS(geometry, BBOX(10, 50, 10, 60))`, `S_INTERSECTS("geometry", LINESTRING(10 50, 10 60))`},
		{LegSchema.Collection, `S_INTERSECTS(geometry, BBOX(180, 50, -180, 60))`,
			`S_INTERSECTS("geometry", POLYGON((-180 50, 180 50, 180 60, -180 60, -180 50)))`},
		{PlaceSchema.Collection, `S_DWITHIN(POINT(132 42), geometry, 1000)`, `S_DWITHIN("geometry", POINT(132 42), 1000)`},
		{PositionSchema.Collection, `heading < sog`, `"heading" < "sog"`},
	} {
		e, err := cql2.Parse(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		got, err := c.coll.CheckFilter(e)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if f := cql2.Format(got); f != c.want {
			t.Errorf("CheckFilter(%s) =\n%s\nwant\n%s", c.in, f, c.want)
		}
	}
}

func TestCheckFilterRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`name = 'x'`, `legs has no queryable "name"; its queryables are shipment, seq, mode`},
		{`sources = 'x'`, `"sources" of legs is not queryable`},
		{`1 = 1`, "one side must be a queryable"},
		{`mode = 5`, `"mode" is a string`},
		{`mode < start`, "cannot be compared"},
		{`geometry = 'x'`, "is a geometry"},
		{`length_km LIKE '1%'`, "LIKE needs text"},
		{`S_INTERSECTS(mode, BBOX(0, 0, 1, 1))`, "needs the geometry"},
		{`S_INTERSECTS(POINT(0 0), BBOX(0, 0, 1, 1))`, "two literal geometries"},
		{`S_INTERSECTS(geometry, POINT(200 0))`, "longitude 200"},
		{`S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(0 0)))`, "GEOMETRYCOLLECTION"},
		{`S_DWITHIN(geometry, POINT(0 0), 5)`, "holds MultiLineStrings"},
		{`T_AFTER(mode, DATE('2023-01-01'))`, "needs times"},
		{`T_AFTER(start, INTERVAL('2023-01-02', '2023-01-01'))`, "ends before it starts"},
	} {
		e, err := cql2.Parse(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		_, err = LegSchema.CheckFilter(e)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckFilter(%s) = %v; want an error with %q", c.in, err, c.want)
		}
	}
}

// TestLike checks patterns as PostgreSQL reads them, with \ as the escape.
func TestLike(t *testing.T) {
	for _, c := range []struct {
		s, pattern string
		want       bool
	}{
		{"Najin", "Na%", true},
		{"Najin", "%jin", true},
		{"Najin", "N_j_n", true},
		{"Najin", "N_j_", false},
		{"Rajin / Najin", "%jin%jin", true},
		{"Tumangang / Khasan", "%/%", true},
		{"100%", `100\%`, true},
		{"1000", `100\%`, false},
		{"a_b", `a\_b`, true},
		{"axb", `a\_b`, false},
		{`a\b`, `a\\b`, true},
		{"Владивосток", "Влади_осток", true},
		{"", "%", true},
		{"", "_", false},
		{"abc", "", false},
		{"aaa", "%a%a%a%", true},
		{"aa", "%a%a%a%", false},
	} {
		if got := like(c.s, c.pattern); got != c.want {
			t.Errorf("'%s' LIKE '%s' = %v; want %v", c.s, c.pattern, got, c.want)
		}
	}
}
