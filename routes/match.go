package routes

import (
	"cmp"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geos"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes/cql2"
)

// Matching a filter in Go, for stores that hold their records in memory or
// refine in Go what SQL narrowed. It gives the answers PostgreSQL gives for
// the same filter: SQL's three-valued logic, byte order for text, GEOS for
// the spatial relations (which PostGIS uses too).

// truth is a value of SQL's three-valued logic.
type truth int8

const (
	no truth = iota
	yes
	unknown
)

// Match compiles a filter returned by CheckFilter into a test of records
// of s: true where the filter is true, false where it is false or unknown.
// A nil filter keeps everything. The test is not safe for concurrent use.
func Match[T any](s *Schema[T], e cql2.Expr) (func(T) bool, error) {
	if e == nil {
		return func(T) bool { return true }, nil
	}
	m := &matcher[T]{s: s, geos: geos.NewContext()}
	p, err := m.compile(e)
	if err != nil {
		return nil, err
	}
	return func(x T) bool { return p(x) == yes }, nil
}

type matcher[T any] struct {
	s    *Schema[T]
	geos *geos.Context
}

func (m *matcher[T]) compile(e cql2.Expr) (func(T) truth, error) {
	switch e := e.(type) {
	case cql2.Bool:
		t := no
		if e.Value {
			t = yes
		}
		return func(T) truth { return t }, nil
	case cql2.And:
		return m.junction(e.Args, no)
	case cql2.Or:
		return m.junction(e.Args, yes)
	case cql2.Not:
		p, err := m.compile(e.X)
		if err != nil {
			return nil, err
		}
		return func(x T) truth {
			switch p(x) {
			case yes:
				return no
			case no:
				return yes
			}
			return unknown
		}, nil
	case cql2.Compare:
		left, err := m.value(e.Left)
		if err != nil {
			return nil, err
		}
		right, err := m.value(e.Right)
		if err != nil {
			return nil, err
		}
		op := e.Op
		return func(x T) truth {
			a, b := left(x), right(x)
			if a.IsNull() || b.IsNull() {
				return unknown
			}
			return of(holds(op, compareValues(a, b)))
		}, nil
	case cql2.Like:
		get, err := m.value(e.X)
		if err != nil {
			return nil, err
		}
		pattern, not := e.Pattern, e.Not
		return func(x T) truth {
			v := get(x)
			if v.IsNull() {
				return unknown
			}
			return of(like(v.Str, pattern) != not)
		}, nil
	case cql2.IsNull:
		p, ok := e.X.(cql2.Property)
		if !ok {
			return nil, errUnchecked
		}
		not := e.Not
		if p.Name == GeometryField {
			return func(x T) truth { return of((m.s.Geometry(x) == nil) != not) }, nil
		}
		get, err := m.value(p)
		if err != nil {
			return nil, err
		}
		return func(x T) truth { return of(get(x).IsNull() != not) }, nil
	case cql2.Spatial:
		return m.spatial(e)
	case cql2.DWithin:
		at, ok := e.Right.(cql2.Geometry).Geom.(orb.Point)
		if !ok {
			return nil, errUnchecked
		}
		d := e.Distance
		return func(x T) truth {
			p, ok := m.s.Geometry(x).(orb.Point)
			return of(ok && geo.Distance(p, at) <= d)
		}, nil
	}
	return nil, fmt.Errorf("%w: %T", errUnchecked, e)
}

func of(b bool) truth {
	if b {
		return yes
	}
	return no
}

// junction is AND (decisive no) or OR (decisive yes) in three-valued logic.
func (m *matcher[T]) junction(args []cql2.Expr, decisive truth) (func(T) truth, error) {
	ps := make([]func(T) truth, len(args))
	for i, a := range args {
		p, err := m.compile(a)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	other := yes
	if decisive == yes {
		other = no
	}
	return func(x T) truth {
		r := other
		for _, p := range ps {
			switch p(x) {
			case decisive:
				return decisive
			case unknown:
				r = unknown
			}
		}
		return r
	}, nil
}

// value compiles a property or a literal.
func (m *matcher[T]) value(e cql2.Expr) (func(T) Value, error) {
	var v Value
	switch e := e.(type) {
	case cql2.Property:
		get := m.s.getter(e.Name)
		if get == nil {
			return nil, fmt.Errorf("%w: no field %q", errUnchecked, e.Name)
		}
		return get, nil
	case cql2.String:
		v = Value{Type: String, Str: e.Value}
	case cql2.Number:
		v = num(e.Value)
	case cql2.Bool:
		v = boolean(e.Value)
	case cql2.Timestamp:
		v = instant(e.Time)
	default:
		return nil, fmt.Errorf("%w: %T", errUnchecked, e)
	}
	return func(T) Value { return v }, nil
}

// compareValues orders two values of comparable types as PostgreSQL does:
// text by bytes (the C collation), false before true.
func compareValues(a, b Value) int {
	switch a.Type {
	case String:
		return strings.Compare(a.Str, b.Str)
	case Number, Integer:
		return cmp.Compare(a.Num, b.Num)
	case Boolean:
		switch {
		case a.Bool == b.Bool:
			return 0
		case b.Bool:
			return -1
		}
		return 1
	}
	return a.Time.Compare(b.Time)
}

// like matches s against a LIKE pattern: % is any run of characters, _ one
// character, \ makes the next character literal.
func like(s, pattern string) bool {
	// Backtracking over the last % seen, as glob matchers do: linear in
	// practice, quadratic at worst.
	var starP, starS = -1, -1
	p, i := 0, 0
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '%':
				starP, starS = p+1, i
				p++
				continue
			case '_':
				_, n := utf8.DecodeRuneInString(s[i:])
				p++
				i += n
				continue
			default:
				lit, n := literalAt(pattern, p)
				if strings.HasPrefix(s[i:], lit) {
					p += n
					i += len(lit)
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		p, i = starP, starS
	}
	for p < len(pattern) && pattern[p] == '%' {
		p++
	}
	return p == len(pattern)
}

// literalAt is the character the pattern holds at p, unescaped, and how
// many bytes of the pattern it takes.
func literalAt(pattern string, p int) (string, int) {
	n := 0
	if pattern[p] == '\\' && p+1 < len(pattern) {
		n, p = 1, p+1
	}
	_, size := utf8.DecodeRuneInString(pattern[p:])
	return pattern[p : p+size], n + size
}

// spatial compiles a relation between the record's geometry and a literal,
// which is prepared once.
func (m *matcher[T]) spatial(e cql2.Spatial) (func(T) truth, error) {
	lit, ok := e.Right.(cql2.Geometry)
	if !ok {
		return nil, errUnchecked
	}
	g, err := m.toGEOS(lit.Geom)
	if err != nil {
		return nil, err
	}
	prep := g.Prepare()
	var rel func(*geos.Geom) bool
	switch e.Op {
	case "S_INTERSECTS":
		rel = prep.Intersects
	case "S_DISJOINT":
		rel = prep.Disjoint
	case "S_TOUCHES":
		rel = prep.Touches
	case "S_OVERLAPS":
		rel = prep.Overlaps
	case "S_CROSSES":
		rel = prep.Crosses
	case "S_WITHIN": // the record within the literal
		rel = prep.Contains
	case "S_CONTAINS":
		rel = prep.Within
	case "S_EQUALS":
		rel = g.Equals
	default:
		return nil, fmt.Errorf("%w: %s", errUnchecked, e.Op)
	}
	return func(x T) truth {
		rg := m.s.Geometry(x)
		if rg == nil {
			return unknown
		}
		r, err := m.toGEOS(rg)
		if err != nil {
			return unknown
		}
		defer r.Destroy()
		return of(rel(r))
	}, nil
}

func (m *matcher[T]) toGEOS(g orb.Geometry) (*geos.Geom, error) {
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encode geometry: %w", err)
	}
	return m.geos.NewGeomFromWKB(b)
}

// Sorter compares records by sort keys, nulls last in ascending order and
// first in descending order; records that tie compare equal, so that a
// stable sort keeps the list's own order among them.
func Sorter[T any](s *Schema[T], keys []SortKey) func(a, b T) int {
	gets := make([]func(T) Value, len(keys))
	for i, k := range keys {
		gets[i] = s.getter(k.Field)
	}
	return func(a, b T) int {
		for i, get := range gets {
			if get == nil {
				continue
			}
			va, vb := get(a), get(b)
			c := 0
			switch {
			case va.IsNull() && vb.IsNull():
			case va.IsNull():
				c = 1
			case vb.IsNull():
				c = -1
			default:
				c = compareValues(va, vb)
			}
			if keys[i].Descending {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
}
