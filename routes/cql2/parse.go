package cql2

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// MaxDepth bounds how deeply expressions nest, so that hostile input cannot
// exhaust the stack.
const MaxDepth = 64

// Parse reads a CQL2 text expression.
func Parse(text string) (Expr, error) {
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.boolExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "expected AND, OR or the end of the text, found %s", t.describe())
	}
	return e, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return &SyntaxError{t.pos, fmt.Sprintf(format, args...)}
}

// keyword reports whether t is the keyword kw, in any case.
func keyword(t token, kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

// accept consumes the next token if it is the keyword or punctuation s.
func (p *parser) accept(s string) bool {
	t := p.peek()
	if keyword(t, s) || (t.kind == tPunct && t.text == s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(s string) error {
	if p.accept(s) {
		return nil
	}
	t := p.peek()
	return p.errAt(t, "expected %s, found %s", s, t.describe())
}

// enter guards recursion into a nested expression.
func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(p.peek(), "expressions nest more than %d deep", MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) boolExpr() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.junction("OR", p.boolTerm, func(args []Expr) Expr { return Or{args} })
}

func (p *parser) boolTerm() (Expr, error) {
	return p.junction("AND", p.boolFactor, func(args []Expr) Expr { return And{args} })
}

// junction reads operands separated by the keyword op; two or more make
// one node of them.
func (p *parser) junction(op string, operand func() (Expr, error), join func([]Expr) Expr) (Expr, error) {
	var args []Expr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		if !p.accept(op) {
			break
		}
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return join(args), nil
}

func (p *parser) boolFactor() (Expr, error) {
	if p.accept("NOT") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.boolFactor()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	return p.boolPrimary()
}

func (p *parser) boolPrimary() (Expr, error) {
	t := p.peek()
	if t.kind == tPunct && t.text == "(" {
		p.next()
		e, err := p.boolExpr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	if t.kind == tIdent && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "(" {
		name := strings.ToUpper(t.text)
		switch {
		case slices.Contains(SpatialFunctions, name):
			p.i += 2
			return p.spatial(name)
		case name == "S_DWITHIN":
			p.i += 2
			return p.dwithin()
		case slices.Contains(TemporalFunctions, name):
			p.i += 2
			return p.temporal(name)
		}
	}
	return p.predicate()
}

// predicate reads a comparison, LIKE, BETWEEN, IN or IS NULL, or a boolean
// literal on its own.
func (p *parser) predicate() (Expr, error) {
	start := p.peek()
	x, err := p.scalar()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tPunct && slices.Contains([]string{"=", "<>", "<", ">", "<=", ">="}, t.text) {
		p.next()
		y, err := p.scalar()
		if err != nil {
			return nil, err
		}
		return Compare{Op: t.text, Left: x, Right: y}, nil
	}
	if p.accept("IS") {
		not := p.accept("NOT")
		if err := p.expect("NULL"); err != nil {
			return nil, err
		}
		return IsNull{X: x, Not: not}, nil
	}
	not := p.accept("NOT")
	switch {
	case p.accept("LIKE"):
		pt := p.next()
		if pt.kind != tString {
			return nil, p.errAt(pt, "LIKE needs a pattern in single quotes, found %s", pt.describe())
		}
		return Like{X: x, Pattern: pt.text, Not: not}, nil
	case p.accept("BETWEEN"):
		lo, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if err := p.expect("AND"); err != nil {
			return nil, err
		}
		hi, err := p.scalar()
		if err != nil {
			return nil, err
		}
		return Between{X: x, Low: lo, High: hi, Not: not}, nil
	case p.accept("IN"):
		var list []Expr
		if err := p.list(func() error {
			v, err := p.scalar()
			list = append(list, v)
			return err
		}); err != nil {
			return nil, err
		}
		return In{X: x, List: list, Not: not}, nil
	}
	if not {
		return nil, p.errAt(p.peek(), "expected LIKE, BETWEEN or IN after NOT, found %s", p.peek().describe())
	}
	if b, ok := x.(Bool); ok {
		return b, nil
	}
	if t.kind == tEOF {
		return nil, p.errAt(start, "%s is not a condition: compare it with =, <>, <, >, <=, >=, LIKE, BETWEEN, IN or IS NULL", start.describe())
	}
	return nil, p.errAt(t, "expected a comparison operator, LIKE, BETWEEN, IN or IS NULL, found %s", t.describe())
}

// scalar reads a property, a string, a number, a boolean, a DATE or a
// TIMESTAMP.
func (p *parser) scalar() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tQuoted:
		return Property{t.text}, nil
	case tString:
		return String{t.text}, nil
	case tNumber:
		return parseNumber(p, t)
	case tIdent:
		switch {
		case keyword(t, "TRUE"):
			return Bool{true}, nil
		case keyword(t, "FALSE"):
			return Bool{false}, nil
		case keyword(t, "DATE"), keyword(t, "TIMESTAMP"):
			return p.instant(t)
		}
		if p.peek().kind == tPunct && p.peek().text == "(" {
			return nil, p.errAt(t, "unknown function %s", t.text)
		}
		if reserved(t.text) {
			return nil, p.errAt(t, "expected a property or a value, found the keyword %s", strings.ToUpper(t.text))
		}
		return Property{t.text}, nil
	}
	return nil, p.errAt(t, "expected a property or a value, found %s", t.describe())
}

// reserved are the keywords that cannot name a property unless quoted.
func reserved(s string) bool {
	switch strings.ToUpper(s) {
	case "AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE":
		return true
	}
	return false
}

func parseNumber(p *parser, t token) (Expr, error) {
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, p.errAt(t, "%s is not a number this filter can hold", t.text)
	}
	return Number{f}, nil
}

// instant reads the rest of DATE('...') or TIMESTAMP('...') after its name.
func (p *parser) instant(name token) (Expr, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	s := p.next()
	if s.kind != tString {
		return nil, p.errAt(s, "%s needs a quoted value, found %s", strings.ToUpper(name.text), s.describe())
	}
	var e Expr
	if keyword(name, "DATE") {
		d, err := time.Parse(time.DateOnly, s.text)
		if err != nil {
			return nil, p.errAt(s, "'%s' is not a date such as 2023-09-12", s.text)
		}
		e = Date{d}
	} else {
		ts, err := parseTimestamp(s.text)
		if err != nil {
			return nil, p.errAt(s, "'%s' is not an RFC 3339 timestamp such as 2023-09-12T06:00:00Z", s.text)
		}
		e = Timestamp{ts}
	}
	return e, p.expect(")")
}

// parseTimestamp reads an RFC 3339 instant, kept in UTC to the microsecond.
func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// temporal reads the rest of a T_ function after its opening parenthesis.
func (p *parser) temporal(name string) (Expr, error) {
	a, b, err := p.pair(p.temporalArg)
	if err != nil {
		return nil, err
	}
	return Temporal{Op: name, Left: a, Right: b}, p.expect(")")
}

// pair reads two arguments separated by a comma.
func (p *parser) pair(arg func() (Expr, error)) (a, b Expr, err error) {
	if a, err = arg(); err != nil {
		return nil, nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, nil, err
	}
	b, err = arg()
	return a, b, err
}

// temporalArg reads a property, a DATE, a TIMESTAMP or an INTERVAL.
func (p *parser) temporalArg() (Expr, error) {
	t := p.peek()
	if keyword(t, "INTERVAL") {
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		a, b, err := p.pair(p.intervalEnd)
		if err != nil {
			return nil, err
		}
		return Interval{Start: a, End: b}, p.expect(")")
	}
	x, err := p.scalar()
	if err != nil {
		return nil, err
	}
	switch x.(type) {
	case Property, Date, Timestamp:
		return x, nil
	}
	return nil, p.errAt(t, "a temporal function needs a property, DATE, TIMESTAMP or INTERVAL, found %s", t.describe())
}

// intervalEnd reads one end of an INTERVAL: a quoted date or timestamp, '..',
// a property, or DATE(...) or TIMESTAMP(...).
func (p *parser) intervalEnd() (Expr, error) {
	t := p.peek()
	if t.kind == tString {
		p.next()
		if t.text == ".." {
			return Open{}, nil
		}
		if d, err := time.Parse(time.DateOnly, t.text); err == nil {
			return Date{d}, nil
		}
		ts, err := parseTimestamp(t.text)
		if err != nil {
			return nil, p.errAt(t, "'%s' is neither a date (2023-09-12), an RFC 3339 timestamp (2023-09-12T06:00:00Z) nor '..'", t.text)
		}
		return Timestamp{ts}, nil
	}
	x, err := p.scalar()
	if err != nil {
		return nil, err
	}
	switch x.(type) {
	case Property, Date, Timestamp:
		return x, nil
	}
	return nil, p.errAt(t, "an end of an INTERVAL is a date, a timestamp, '..' or a property, found %s", t.describe())
}

// spatial reads the rest of an S_ function after its opening parenthesis.
func (p *parser) spatial(name string) (Expr, error) {
	a, b, err := p.pair(p.geometryArg)
	if err != nil {
		return nil, err
	}
	return Spatial{Op: name, Left: a, Right: b}, p.expect(")")
}

func (p *parser) dwithin() (Expr, error) {
	a, b, err := p.pair(p.geometryArg)
	if err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	t := p.next()
	if t.kind != tNumber {
		return nil, p.errAt(t, "S_DWITHIN needs a distance, found %s", t.describe())
	}
	d, err := parseNumber(p, t)
	if err != nil {
		return nil, err
	}
	if d.(Number).Value < 0 {
		return nil, p.errAt(t, "the distance %s is negative", t.text)
	}
	return DWithin{Left: a, Right: b, Distance: d.(Number).Value}, p.expect(")")
}

// geometryArg reads a property, a BBOX or a WKT geometry.
func (p *parser) geometryArg() (Expr, error) {
	t := p.peek()
	if t.kind == tIdent {
		if keyword(t, "BBOX") {
			p.next()
			return p.bbox()
		}
		if _, ok := wktTypes[strings.ToUpper(t.text)]; ok {
			p.next()
			g, err := p.wkt(strings.ToUpper(t.text), 0)
			if err != nil {
				return nil, err
			}
			return Geometry{g}, nil
		}
	}
	x, err := p.scalar()
	if err != nil {
		return nil, err
	}
	if _, ok := x.(Property); !ok {
		return nil, p.errAt(t, "a spatial function needs a property, a BBOX or a WKT geometry, found %s", t.describe())
	}
	return x, nil
}

func (p *parser) bbox() (Expr, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var v []float64
	start := p.peek()
	for {
		t := p.next()
		if t.kind != tNumber {
			return nil, p.errAt(t, "BBOX needs numbers, found %s", t.describe())
		}
		n, err := parseNumber(p, t)
		if err != nil {
			return nil, err
		}
		v = append(v, n.(Number).Value)
		if !p.accept(",") {
			break
		}
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	switch len(v) {
	case 4:
		return BBox{v[0], v[1], v[2], v[3]}, nil
	case 6: // west, south, min elevation, east, north, max elevation
		return BBox{v[0], v[1], v[3], v[4]}, nil
	}
	return nil, p.errAt(start, "BBOX needs 4 numbers (west, south, east, north) or 6, found %d", len(v))
}

// wktTypes are the WKT geometry tags.
var wktTypes = map[string]bool{"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true}

// wkt reads the body of a WKT geometry after its tag.
func (p *parser) wkt(tag string, depth int) (orb.Geometry, error) {
	if depth > MaxDepth {
		return nil, p.errAt(p.peek(), "geometry collections nest more than %d deep", MaxDepth)
	}
	if t := p.peek(); t.kind == tIdent {
		return nil, p.errAt(t, "%s %s is not supported: only 2D geometries with coordinates", tag, strings.ToUpper(t.text))
	}
	switch tag {
	case "POINT":
		if err := p.expect("("); err != nil {
			return nil, err
		}
		pt, err := p.point()
		if err != nil {
			return nil, err
		}
		return pt, p.expect(")")
	case "LINESTRING":
		ls, err := p.points(2)
		return orb.LineString(ls), err
	case "POLYGON":
		return p.polygon()
	case "MULTIPOINT": // each point in parentheses or not
		var mp orb.MultiPoint
		err := p.list(func() error {
			paren := p.accept("(")
			pt, err := p.point()
			if err != nil {
				return err
			}
			mp = append(mp, pt)
			if paren {
				return p.expect(")")
			}
			return nil
		})
		return mp, err
	case "MULTILINESTRING":
		var ml orb.MultiLineString
		err := p.list(func() error {
			ls, err := p.points(2)
			ml = append(ml, ls)
			return err
		})
		return ml, err
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		err := p.list(func() error {
			pg, err := p.polygon()
			mp = append(mp, pg)
			return err
		})
		return mp, err
	}
	var gc orb.Collection
	err := p.list(func() error {
		t := p.next()
		tag := strings.ToUpper(t.text)
		if t.kind != tIdent || !wktTypes[tag] {
			return p.errAt(t, "expected a WKT geometry, found %s", t.describe())
		}
		g, err := p.wkt(tag, depth+1)
		gc = append(gc, g)
		return err
	})
	return gc, err
}

// list reads "(" item {"," item} ")".
func (p *parser) list(item func() error) error {
	if err := p.expect("("); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if !p.accept(",") {
			break
		}
	}
	return p.expect(")")
}

func (p *parser) polygon() (orb.Polygon, error) {
	var pg orb.Polygon
	err := p.list(func() error {
		start := p.peek()
		r, err := p.points(4)
		if err != nil {
			return err
		}
		if r[0] != r[len(r)-1] {
			return p.errAt(start, "a polygon ring must end where it starts")
		}
		pg = append(pg, orb.Ring(r))
		return nil
	})
	return pg, err
}

// points reads "(" x y {"," x y} ")" with at least min points.
func (p *parser) points(min int) ([]orb.Point, error) {
	start := p.peek()
	var ps []orb.Point
	err := p.list(func() error {
		pt, err := p.point()
		ps = append(ps, pt)
		return err
	})
	if err == nil && len(ps) < min {
		err = p.errAt(start, "needs at least %d points, found %d", min, len(ps))
	}
	return ps, err
}

// point reads "x y".
func (p *parser) point() (orb.Point, error) {
	var pt orb.Point
	for i := range 2 {
		t := p.next()
		if t.kind != tNumber {
			return pt, p.errAt(t, "expected a coordinate, found %s", t.describe())
		}
		n, err := parseNumber(p, t)
		if err != nil {
			return pt, err
		}
		pt[i] = n.(Number).Value
	}
	if t := p.peek(); t.kind == tNumber {
		return pt, p.errAt(t, "only 2D coordinates (longitude latitude) are supported")
	}
	return pt, nil
}
