package cql2

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestParse(t *testing.T) {
	day := time.Date(2023, 9, 12, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want Expr
		text string // Format's output, when it differs from in
	}{
		{in: `mode = 'sea'`, want: Compare{"=", Property{"mode"}, String{"sea"}}, text: `"mode" = 'sea'`},
		{in: `"name" = 'x'' OR 1=1 --'`, want: Compare{"=", Property{"name"}, String{"x' OR 1=1 --"}}},
		{in: `length_km >= 1.5e3`, want: Compare{">=", Property{"length_km"}, Number{1500}}, text: `"length_km" >= 1500`},
		{in: `seq<>-2`, want: Compare{"<>", Property{"seq"}, Number{-2}}, text: `"seq" <> -2`},
		{in: `a = 1 AND b = 2 OR NOT c = 3`,
			want: Or{[]Expr{And{[]Expr{Compare{"=", Property{"a"}, Number{1}}, Compare{"=", Property{"b"}, Number{2}}}},
				Not{Compare{"=", Property{"c"}, Number{3}}}}},
			text: `("a" = 1 AND "b" = 2) OR NOT "c" = 3`},
		{in: `a = 1 and (b = 2 or c = 3)`,
			want: And{[]Expr{Compare{"=", Property{"a"}, Number{1}},
				Or{[]Expr{Compare{"=", Property{"b"}, Number{2}}, Compare{"=", Property{"c"}, Number{3}}}}}},
			text: `"a" = 1 AND ("b" = 2 OR "c" = 3)`},
		{in: `name NOT LIKE 'Na%'`, want: Like{Property{"name"}, "Na%", true}, text: `"name" NOT LIKE 'Na%'`},
		{in: `seq BETWEEN 1 AND 2`, want: Between{Property{"seq"}, Number{1}, Number{2}, false}, text: `"seq" BETWEEN 1 AND 2`},
		{in: `mode IN ('sea', 'rail')`, want: In{Property{"mode"}, []Expr{String{"sea"}, String{"rail"}}, false}, text: `"mode" IN ('sea', 'rail')`},
		{in: `vessel IS NOT NULL`, want: IsNull{Property{"vessel"}, true}, text: `"vessel" IS NOT NULL`},
		{in: `dark = true`, want: Compare{"=", Property{"dark"}, Bool{true}}, text: `"dark" = TRUE`},
		{in: `start > TIMESTAMP('2023-09-12T06:00:00.1234567+02:00')`,
			want: Compare{">", Property{"start"}, Timestamp{time.Date(2023, 9, 12, 4, 0, 0, 123456000, time.UTC)}},
			text: `"start" > TIMESTAMP('2023-09-12T04:00:00.123456Z')`},
		{in: `start >= DATE('2023-09-12')`, want: Compare{">=", Property{"start"}, Date{day}}, text: `"start" >= DATE('2023-09-12')`},
		{in: `T_INTERSECTS(INTERVAL(start, "end"), INTERVAL('2023-09-12', '..'))`,
			want: Temporal{"T_INTERSECTS", Interval{Property{"start"}, Property{"end"}}, Interval{Date{day}, Open{}}},
			text: `T_INTERSECTS(INTERVAL("start", "end"), INTERVAL(DATE('2023-09-12'), '..'))`},
		{in: `t_during(time, INTERVAL('2023-09-12T00:00:00Z','2023-09-13T00:00:00Z'))`,
			want: Temporal{"T_DURING", Property{"time"}, Interval{Timestamp{day}, Timestamp{day.Add(24 * time.Hour)}}},
			text: `T_DURING("time", INTERVAL(TIMESTAMP('2023-09-12T00:00:00Z'), TIMESTAMP('2023-09-13T00:00:00Z')))`},
		{in: `S_INTERSECTS(geometry, BBOX(129, 41, 134, 44))`,
			want: Spatial{"S_INTERSECTS", Property{"geometry"}, BBox{129, 41, 134, 44}},
			text: `S_INTERSECTS("geometry", BBOX(129, 41, 134, 44))`},
		{in: `S_INTERSECTS(geometry, BBOX(129, 41, 0, 134, 44, 10))`,
			want: Spatial{"S_INTERSECTS", Property{"geometry"}, BBox{129, 41, 134, 44}},
			text: `S_INTERSECTS("geometry", BBOX(129, 41, 134, 44))`},
		{in: `S_WITHIN(geometry, POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 1)))`,
			want: Spatial{"S_WITHIN", Property{"geometry"}, Geometry{orb.Polygon{
				{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}}}},
			text: `S_WITHIN("geometry", POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 1)))`},
		{in: `S_DWITHIN(geometry, POINT(132.3375 42.8803), 20000)`,
			want: DWithin{Property{"geometry"}, Geometry{orb.Point{132.3375, 42.8803}}, 20000},
			text: `S_DWITHIN("geometry", POINT(132.3375 42.8803), 20000)`},
		{in: `S_CROSSES(geometry, MULTIPOINT((1 2), (3 4)))`,
			want: Spatial{"S_CROSSES", Property{"geometry"}, Geometry{orb.MultiPoint{{1, 2}, {3, 4}}}},
			text: `S_CROSSES("geometry", MULTIPOINT(1 2, 3 4))`},
		{in: `S_TOUCHES(GEOMETRYCOLLECTION(POINT(1 2), MULTILINESTRING((0 0, 1 1), (2 2, 3 3)), MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))), geometry)`,
			want: Spatial{"S_TOUCHES", Geometry{orb.Collection{orb.Point{1, 2},
				orb.MultiLineString{{{0, 0}, {1, 1}}, {{2, 2}, {3, 3}}},
				orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}}, Property{"geometry"}},
			text: `S_TOUCHES(GEOMETRYCOLLECTION(POINT(1 2), MULTILINESTRING((0 0, 1 1), (2 2, 3 3)), MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))), "geometry")`},
		{in: `TRUE`, want: Bool{true}},
	} {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%s): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%s) =\n%#v\nwant\n%#v", c.in, got, c.want)
		}
		text := c.text
		if text == "" {
			text = c.in
		}
		if f := Format(got); f != text {
			t.Errorf("Format(Parse(%s)) = %s; want %s", c.in, f, text)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, "expected a property or a value"},
		{`mode = `, 7, "expected a property or a value"},
		{`mode = 'sea`, 7, "not closed"},
		{`mode == 'sea'`, 6, "expected a property or a value"},
		{`mode`, 0, "not a condition"},
		{`mode 'sea'`, 5, "expected a comparison operator"},
		{`mode = 'sea' AND`, 16, "expected a property or a value"},
		{`mode = 'sea')`, 12, "expected AND, OR or the end"},
		{`(mode = 'sea'`, 13, "expected )"},
		{`mode = 'sea'; DROP TABLE legs`, 12, "unexpected character ';'"},
		{`name = 'x' OR 1=1 --'`, 18, "unexpected character '-'"},
		{`mode NOT = 'sea'`, 9, "expected LIKE, BETWEEN or IN after NOT"},
		{`name LIKE mode`, 10, "LIKE needs a pattern"},
		{`start > DATE('12/09/2023')`, 13, "not a date"},
		{`start > TIMESTAMP('2023-09-12')`, 18, "not an RFC 3339 timestamp"},
		{`UPPER(name) = 'X'`, 0, "unknown function UPPER"},
		{`S_INTERSECTS(geometry, BBOX(1, 2, 3))`, 28, "BBOX needs 4 numbers"},
		{`S_INTERSECTS(geometry, POINT(1 2 3))`, 33, "only 2D"},
		{`S_INTERSECTS(geometry, POINT Z(1 2 3))`, 29, "only 2D"},
		{`S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))`, 31, "must end where it starts"},
		{`S_INTERSECTS(geometry, LINESTRING(0 0))`, 33, "at least 2 points"},
		{`S_INTERSECTS(geometry, 'POINT(1 2)')`, 23, "a spatial function needs a property"},
		{`S_DWITHIN(geometry, POINT(1 2), -5)`, 32, "negative"},
		{`T_INTERSECTS(start, INTERVAL('2023-09-12', 'soon'))`, 43, "neither a date"},
		{`T_INTERSECTS(start, 5)`, 20, "a temporal function needs"},
		{`seq = 1e999`, 6, "not a number this filter can hold"},
		{`"" = 1`, 0, "empty quoted property name"},
		{`AND = 1`, 0, "keyword AND"},
		{`a = 1 OR` + strings.Repeat(" (", 100) + "a = 1" + strings.Repeat(")", 100), 137, "nest more than"},
		{strings.Repeat("NOT ", 100) + "a = 1", 256, "nest more than"},
	} {
		_, err := Parse(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%s) = %v; want a SyntaxError", c.in, err)
			continue
		}
		if se.Offset != c.offset || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%s) = %q at %d; want %q at %d", c.in, se.Msg, se.Offset, c.msg, c.offset)
		}
	}
}

// FuzzParse checks that no input crashes the parser or makes it loop, and
// that whatever it accepts formats to text that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`mode = 'sea' AND length_km > 500`,
		`name = 'x'' OR 1=1 --'`,
		`NOT (vessel IS NULL) OR seq IN (1, 2, 3)`,
		`name NOT LIKE 'Na\%_'`,
		`seq NOT BETWEEN 1 AND 2.5e1`,
		`T_DURING(INTERVAL(start, "end"), INTERVAL('2023-09-01', '..'))`,
		`T_AFTER(time, TIMESTAMP('2023-09-12T06:00:00Z'))`,
		`S_INTERSECTS(geometry, BBOX(170, 50, -160, 70))`,
		`S_DWITHIN(geometry, POINT(132.3 42.8), 2e4)`,
		`S_CONTAINS(MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0))), geometry)`,
		`S_EQUALS(geometry, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1)))`,
		`start >= DATE('2023-09-12') and dark = false`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := Parse(in)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(in) {
				t.Fatalf("Parse(%q) = %v; want a SyntaxError within the text", in, err)
			}
			return
		}
		text := Format(e)
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) accepted; its formatted form %q fails: %v", in, text, err)
		}
		if !reflect.DeepEqual(e, again) {
			t.Fatalf("Parse(%q) = %#v; formatted %q parses to %#v", in, e, text, again)
		}
	})
}
