package routes

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes/cql2"
)

// CheckFilter checks a parsed CQL2 filter against the collection's
// queryables and rewrites it into the few forms that stores compile:
//
//   - cql2.And, cql2.Or, cql2.Not and cql2.Bool;
//   - cql2.Compare with a Property on the left and a Property of the same
//     type, or a String, Number, Bool or Timestamp, on the right;
//   - cql2.Like and cql2.IsNull on a Property;
//   - cql2.Spatial with the geometry Property on the left and a valid
//     cql2.Geometry in longitude, latitude on the right;
//   - cql2.DWithin likewise, on a collection of points, with a point, the
//     distance in metres measured on the WGS 84 ellipsoid.
//
// BETWEEN and IN become comparisons; a DATE is its whole UTC day, so that
// "start = DATE('2023-09-12')" keeps what starts that day; BBOX becomes a
// polygon (two across the antimeridian); and the temporal functions become
// comparisons of the ends of the intervals they relate, where an instant is
// an interval that starts and ends at once and '..' is unbounded.
//
// Comparisons follow SQL: one with a null value is unknown, and NOT
// unknown is unknown, so neither "vessel = 'x'" nor "NOT vessel = 'x'"
// keeps an item without a vessel.
func (c *Collection) CheckFilter(e cql2.Expr) (cql2.Expr, error) {
	out, err := checker{c}.condition(e)
	if err != nil {
		return nil, err
	}
	return simplify(out), nil
}

// FilterError is a filter that the collection cannot answer.
type FilterError struct{ Msg string }

func (e *FilterError) Error() string { return e.Msg }

func filterErr(format string, args ...any) error {
	return &FilterError{fmt.Sprintf(format, args...)}
}

type checker struct{ c *Collection }

// field resolves a property to a queryable field.
func (k checker) field(p cql2.Property) (Field, error) {
	if p.Name == GeometryField {
		return Field{Name: GeometryField, Type: Geometry}, nil
	}
	f, ok := k.c.Field(p.Name)
	if !ok {
		var qs []string
		for _, q := range k.c.Queryables() {
			qs = append(qs, q.Name)
		}
		return Field{}, filterErr("%s has no queryable %q; its queryables are %s", k.c.Name, p.Name, strings.Join(qs, ", "))
	}
	if !f.Queryable {
		return Field{}, filterErr("%q of %s is not queryable", p.Name, k.c.Name)
	}
	return f, nil
}

func (k checker) condition(e cql2.Expr) (cql2.Expr, error) {
	switch e := e.(type) {
	case cql2.Bool:
		return e, nil
	case cql2.And:
		args, err := k.conditions(e.Args)
		return cql2.And{Args: args}, err
	case cql2.Or:
		args, err := k.conditions(e.Args)
		return cql2.Or{Args: args}, err
	case cql2.Not:
		x, err := k.condition(e.X)
		return cql2.Not{X: x}, err
	case cql2.Compare:
		return k.compare(e.Op, e.Left, e.Right)
	case cql2.Between:
		lo, err := k.compare(">=", e.X, e.Low)
		if err != nil {
			return nil, err
		}
		hi, err := k.compare("<=", e.X, e.High)
		return negate(cql2.And{Args: []cql2.Expr{lo, hi}}, e.Not), err
	case cql2.In:
		var args []cql2.Expr
		for _, v := range e.List {
			c, err := k.compare("=", e.X, v)
			if err != nil {
				return nil, err
			}
			args = append(args, c)
		}
		return negate(cql2.Or{Args: args}, e.Not), nil
	case cql2.Like:
		p, ok := e.X.(cql2.Property)
		if !ok {
			return nil, filterErr("LIKE needs a queryable on its left")
		}
		f, err := k.field(p)
		if err != nil {
			return nil, err
		}
		if f.Type != String {
			return nil, filterErr("LIKE needs text, and %q is a %s", p.Name, f.Type)
		}
		if escaped := strings.TrimRight(e.Pattern, `\`); (len(e.Pattern)-len(escaped))%2 == 1 {
			return nil, filterErr("the LIKE pattern '%s' ends with a lone escape character \\", e.Pattern)
		}
		return e, nil
	case cql2.IsNull:
		p, ok := e.X.(cql2.Property)
		if !ok {
			return nil, filterErr("IS NULL needs a queryable")
		}
		if _, err := k.field(p); err != nil {
			return nil, err
		}
		return e, nil
	case cql2.Spatial:
		return k.spatial(e)
	case cql2.DWithin:
		s, err := k.spatial(cql2.Spatial{Op: "S_DWITHIN", Left: e.Left, Right: e.Right})
		if err != nil {
			return nil, err
		}
		g := s.(cql2.Spatial).Right.(cql2.Geometry)
		if _, ok := g.Geom.(orb.Point); !ok || k.c.GeometryType != "Point" {
			return nil, filterErr("S_DWITHIN measures from a POINT to the points of places, positions or observations; %s holds %ss", k.c.Name, k.c.GeometryType)
		}
		return cql2.DWithin{Left: cql2.Property{Name: GeometryField}, Right: g, Distance: e.Distance}, nil
	case cql2.Temporal:
		return k.temporal(e)
	}
	return nil, filterErr("%s is not a condition", cql2.Format(e))
}

func (k checker) conditions(es []cql2.Expr) ([]cql2.Expr, error) {
	out := make([]cql2.Expr, len(es))
	for i, e := range es {
		c, err := k.condition(e)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func negate(e cql2.Expr, not bool) cql2.Expr {
	if not {
		return cql2.Not{X: e}
	}
	return e
}

// flipped is the comparison with its operands swapped.
var flipped = map[string]string{"=": "=", "<>": "<>", "<": ">", ">": "<", "<=": ">=", ">=": "<="}

// literalType is the field type a literal compares with.
func literalType(e cql2.Expr) (Type, bool) {
	switch e.(type) {
	case cql2.String:
		return String, true
	case cql2.Number:
		return Number, true
	case cql2.Bool:
		return Boolean, true
	case cql2.Timestamp, cql2.Date:
		return DateTime, true
	}
	return "", false
}

// comparable reports whether fields of these types may be compared.
func comparable(a, b Type) bool {
	num := func(t Type) bool { return t == Number || t == Integer }
	return a == b || (num(a) && num(b))
}

func (k checker) compare(op string, a, b cql2.Expr) (cql2.Expr, error) {
	if _, ok := a.(cql2.Property); !ok {
		if _, ok := b.(cql2.Property); !ok {
			return nil, filterErr("%s compares two values; one side must be a queryable", cql2.Format(cql2.Compare{Op: op, Left: a, Right: b}))
		}
		a, b, op = b, a, flipped[op]
	}
	p := a.(cql2.Property)
	f, err := k.field(p)
	if err != nil {
		return nil, err
	}
	if f.Type == Geometry {
		return nil, filterErr("%q is a geometry: compare it with a spatial function such as S_INTERSECTS", p.Name)
	}
	if q, ok := b.(cql2.Property); ok {
		g, err := k.field(q)
		if err != nil {
			return nil, err
		}
		if !comparable(f.Type, g.Type) {
			return nil, filterErr("%q is a %s and %q a %s: they cannot be compared", p.Name, f.Type, q.Name, g.Type)
		}
		return cql2.Compare{Op: op, Left: p, Right: q}, nil
	}
	lt, ok := literalType(b)
	if !ok || !comparable(f.Type, lt) {
		return nil, filterErr("%q is a %s; %s is not", p.Name, typeName(f.Type), cql2.Format(b))
	}
	if d, ok := b.(cql2.Date); ok {
		return dayCompare(op, p, d.Day), nil
	}
	return cql2.Compare{Op: op, Left: p, Right: b}, nil
}

func typeName(t Type) string {
	switch t {
	case DateTime:
		return "time: compare it with TIMESTAMP('2023-09-12T06:00:00Z') or DATE('2023-09-12')"
	case String:
		return "string: compare it with a quoted value such as 'sea'"
	}
	return string(t)
}

// dayCompare compares a time with a whole UTC day: before it, on it, or
// after it.
func dayCompare(op string, p cql2.Property, day time.Time) cql2.Expr {
	first, last := cql2.Timestamp{Time: day}, cql2.Timestamp{Time: day.Add(endOfDay)}
	c := func(op string, t cql2.Timestamp) cql2.Expr { return cql2.Compare{Op: op, Left: p, Right: t} }
	switch op {
	case "=":
		return cql2.And{Args: []cql2.Expr{c(">=", first), c("<=", last)}}
	case "<>":
		return cql2.Or{Args: []cql2.Expr{c("<", first), c(">", last)}}
	case "<":
		return c("<", first)
	case "<=":
		return c("<=", last)
	case ">":
		return c(">", last)
	}
	return c(">=", first)
}

// converse is the spatial relation with its operands swapped.
var converse = map[string]string{"S_WITHIN": "S_CONTAINS", "S_CONTAINS": "S_WITHIN"}

func (k checker) spatial(e cql2.Spatial) (cql2.Expr, error) {
	a, b, op := e.Left, e.Right, e.Op
	if _, ok := a.(cql2.Property); !ok {
		a, b = b, a
		if c, ok := converse[op]; ok {
			op = c
		}
	}
	p, ok := a.(cql2.Property)
	if !ok {
		return nil, filterErr("%s relates two literal geometries; one side must be the queryable %q", e.Op, GeometryField)
	}
	f, err := k.field(p)
	if err != nil {
		return nil, err
	}
	if f.Type != Geometry {
		return nil, filterErr("%s needs the geometry, %q; %q is a %s", e.Op, GeometryField, p.Name, f.Type)
	}
	var g orb.Geometry
	switch lit := b.(type) {
	case cql2.BBox:
		if g, err = bboxGeometry(lit); err != nil {
			return nil, err
		}
	case cql2.Geometry:
		g = lit.Geom
		if _, ok := g.(orb.Collection); ok {
			return nil, filterErr("GEOMETRYCOLLECTION is not supported; use a MULTI geometry")
		}
		if err := geo.Validate(g); err != nil {
			return nil, filterErr("the %s in %s: %v", g.GeoJSONType(), e.Op, err)
		}
	default:
		return nil, filterErr("%s relates %q to a BBOX or a WKT geometry", e.Op, GeometryField)
	}
	return cql2.Spatial{Op: op, Left: cql2.Property{Name: GeometryField}, Right: cql2.Geometry{Geom: g}}, nil
}

// bboxGeometry is a BBOX as the geometry it covers: a polygon, or two
// across the antimeridian; a box without width or height is the line or
// point it is.
func bboxGeometry(b cql2.BBox) (orb.Geometry, error) {
	if b.West == 180 {
		b.West = -180
	}
	if b.East == -180 {
		b.East = 180
	}
	box := BBox{West: b.West, South: b.South, East: b.East, North: b.North}
	if err := box.Validate(); err != nil {
		return nil, filterErr("BBOX(%v, %v, %v, %v): %v", b.West, b.South, b.East, b.North, err)
	}
	var parts []orb.Geometry
	for _, r := range box.Bounds() {
		switch {
		case r.Min == r.Max:
			parts = append(parts, r.Min)
		case r.Min[0] == r.Max[0] || r.Min[1] == r.Max[1]:
			parts = append(parts, orb.LineString{r.Min, r.Max})
		default:
			parts = append(parts, r.ToPolygon())
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	switch a := parts[0].(type) {
	case orb.Polygon:
		return orb.MultiPolygon{a, parts[1].(orb.Polygon)}, nil
	case orb.LineString:
		return orb.MultiLineString{a, parts[1].(orb.LineString)}, nil
	}
	return orb.MultiPoint{parts[0].(orb.Point), parts[1].(orb.Point)}, nil
}

// end is one end of a temporal operand: a time property, an instant, or
// unbounded (inf -1 before every time, +1 after).
type end struct {
	prop *cql2.Property
	t    time.Time
	inf  int
}

func (k checker) interval(e cql2.Expr) (start, stop end, err error) {
	point := func(x cql2.Expr, last bool) (end, error) {
		switch x := x.(type) {
		case cql2.Property:
			f, err := k.field(x)
			if err != nil {
				return end{}, err
			}
			if f.Type != DateTime {
				return end{}, filterErr("a temporal function needs times, and %q is a %s", x.Name, f.Type)
			}
			return end{prop: &x}, nil
		case cql2.Timestamp:
			return end{t: x.Time}, nil
		case cql2.Date:
			if last {
				return end{t: x.Day.Add(endOfDay)}, nil
			}
			return end{t: x.Day}, nil
		case cql2.Open:
			if last {
				return end{inf: 1}, nil
			}
			return end{inf: -1}, nil
		}
		return end{}, filterErr("%s is not a time", cql2.Format(x))
	}
	if iv, ok := e.(cql2.Interval); ok {
		if start, err = point(iv.Start, false); err == nil {
			stop, err = point(iv.End, true)
		}
		if err == nil && start.prop == nil && stop.prop == nil && start.inf == 0 && stop.inf == 0 && stop.t.Before(start.t) {
			err = filterErr("%s ends before it starts", cql2.Format(e))
		}
		return start, stop, err
	}
	if start, err = point(e, false); err == nil {
		stop, err = point(e, true)
	}
	return start, stop, err
}

// temporalRelations define the temporal functions by the ends of their
// operands a and b: every condition holds (any one, for T_DISJOINT).
var temporalRelations = map[string][][3]string{
	"T_AFTER":        {{"as", ">", "be"}},
	"T_BEFORE":       {{"ae", "<", "bs"}},
	"T_CONTAINS":     {{"as", "<", "bs"}, {"ae", ">", "be"}},
	"T_DISJOINT":     {{"as", ">", "be"}, {"ae", "<", "bs"}},
	"T_DURING":       {{"as", ">", "bs"}, {"ae", "<", "be"}},
	"T_EQUALS":       {{"as", "=", "bs"}, {"ae", "=", "be"}},
	"T_FINISHEDBY":   {{"as", "<", "bs"}, {"ae", "=", "be"}},
	"T_FINISHES":     {{"as", ">", "bs"}, {"ae", "=", "be"}},
	"T_INTERSECTS":   {{"as", "<=", "be"}, {"ae", ">=", "bs"}},
	"T_MEETS":        {{"ae", "=", "bs"}},
	"T_METBY":        {{"as", "=", "be"}},
	"T_OVERLAPPEDBY": {{"as", ">", "bs"}, {"as", "<", "be"}, {"ae", ">", "be"}},
	"T_OVERLAPS":     {{"as", "<", "bs"}, {"ae", ">", "bs"}, {"ae", "<", "be"}},
	"T_STARTEDBY":    {{"as", "=", "bs"}, {"ae", ">", "be"}},
	"T_STARTS":       {{"as", "=", "bs"}, {"ae", "<", "be"}},
}

func (k checker) temporal(e cql2.Temporal) (cql2.Expr, error) {
	as, ae, err := k.interval(e.Left)
	if err != nil {
		return nil, err
	}
	bs, be, err := k.interval(e.Right)
	if err != nil {
		return nil, err
	}
	ends := map[string]end{"as": as, "ae": ae, "bs": bs, "be": be}
	var conds []cql2.Expr
	for _, c := range temporalRelations[e.Op] {
		conds = append(conds, compareEnds(ends[c[0]], c[1], ends[c[2]]))
	}
	if e.Op == "T_DISJOINT" {
		return cql2.Or{Args: conds}, nil
	}
	return cql2.And{Args: conds}, nil
}

// compareEnds is x op y as a comparison, or its truth when it is known
// without looking at an item.
func compareEnds(x end, op string, y end) cql2.Expr {
	switch {
	case x.prop != nil && y.prop != nil:
		return cql2.Compare{Op: op, Left: *x.prop, Right: *y.prop}
	case x.prop != nil && y.inf == 0:
		return cql2.Compare{Op: op, Left: *x.prop, Right: cql2.Timestamp{Time: y.t}}
	case y.prop != nil && x.inf == 0:
		return cql2.Compare{Op: flipped[op], Left: *y.prop, Right: cql2.Timestamp{Time: x.t}}
	}
	// At least one end is unbounded, or both are instants. An unbounded end
	// lies beyond every time, a time property's included.
	c := 0
	switch {
	case x.inf != 0 || y.inf != 0:
		c = cmp.Compare(x.inf, y.inf)
		if x.inf == y.inf { // both the same infinity: never equal to a time
			c = x.inf
		}
	default:
		c = x.t.Compare(y.t)
	}
	return cql2.Bool{Value: holds(op, c)}
}

// holds reports whether a comparison op holds between values that compare
// as c (-1, 0, +1).
func holds(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// simplify folds the constants the rewriting left.
func simplify(e cql2.Expr) cql2.Expr {
	switch e := e.(type) {
	case cql2.Not:
		x := simplify(e.X)
		if b, ok := x.(cql2.Bool); ok {
			return cql2.Bool{Value: !b.Value}
		}
		return cql2.Not{X: x}
	case cql2.And:
		return junction(e.Args, false, func(args []cql2.Expr) cql2.Expr { return cql2.And{Args: args} })
	case cql2.Or:
		return junction(e.Args, true, func(args []cql2.Expr) cql2.Expr { return cql2.Or{Args: args} })
	}
	return e
}

// junction simplifies the operands of AND (decisive false) or OR
// (decisive true).
func junction(args []cql2.Expr, decisive bool, make func([]cql2.Expr) cql2.Expr) cql2.Expr {
	var out []cql2.Expr
	for _, a := range args {
		a = simplify(a)
		if b, ok := a.(cql2.Bool); ok {
			if b.Value == decisive {
				return b
			}
			continue
		}
		out = append(out, a)
	}
	switch len(out) {
	case 0:
		return cql2.Bool{Value: !decisive}
	case 1:
		return out[0]
	}
	return make(out)
}

// CheckSortBy checks that every key names a queryable that is not the
// geometry.
func (c *Collection) CheckSortBy(keys []SortKey) error {
	for _, k := range keys {
		f, err := (checker{c}).field(cql2.Property{Name: k.Field})
		if err != nil {
			return err
		}
		if f.Type == Geometry {
			return filterErr("%s cannot be sorted by its geometry", c.Name)
		}
	}
	return nil
}

var errUnchecked = errors.New("filter was not checked by CheckFilter")
