package cql2

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Format writes e as CQL2 text that Parse reads back to the same tree.
func Format(e Expr) string {
	var b strings.Builder
	write(&b, e)
	return b.String()
}

func write(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case And:
		join(b, e.Args, " AND ")
	case Or:
		join(b, e.Args, " OR ")
	case Not:
		b.WriteString("NOT ")
		group(b, e.X)
	case Compare:
		write(b, e.Left)
		b.WriteString(" " + e.Op + " ")
		write(b, e.Right)
	case Like:
		write(b, e.X)
		b.WriteString(not(e.Not) + " LIKE " + quote(e.Pattern, '\''))
	case Between:
		write(b, e.X)
		b.WriteString(not(e.Not) + " BETWEEN ")
		write(b, e.Low)
		b.WriteString(" AND ")
		write(b, e.High)
	case In:
		write(b, e.X)
		b.WriteString(not(e.Not) + " IN (")
		for i, x := range e.List {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, x)
		}
		b.WriteString(")")
	case IsNull:
		write(b, e.X)
		b.WriteString(" IS" + not(e.Not) + " NULL")
	case Spatial:
		call(b, e.Op, e.Left, e.Right)
	case Temporal:
		call(b, e.Op, e.Left, e.Right)
	case DWithin:
		call(b, "S_DWITHIN", e.Left, e.Right, Number{e.Distance})
	case Property:
		b.WriteString(quote(e.Name, '"'))
	case String:
		b.WriteString(quote(e.Value, '\''))
	case Number:
		b.WriteString(num(e.Value))
	case Bool:
		b.WriteString(strings.ToUpper(strconv.FormatBool(e.Value)))
	case Timestamp:
		b.WriteString("TIMESTAMP('" + e.Time.UTC().Format(time.RFC3339Nano) + "')")
	case Date:
		b.WriteString("DATE('" + e.Day.Format(time.DateOnly) + "')")
	case Interval:
		b.WriteString("INTERVAL(")
		intervalEnd(b, e.Start)
		b.WriteString(", ")
		intervalEnd(b, e.End)
		b.WriteString(")")
	case BBox:
		fmt.Fprintf(b, "BBOX(%s, %s, %s, %s)", num(e.West), num(e.South), num(e.East), num(e.North))
	case Geometry:
		wkt(b, e.Geom)
	default:
		panic(fmt.Sprintf("cql2: cannot format %T", e))
	}
}

func intervalEnd(b *strings.Builder, e Expr) {
	if _, ok := e.(Open); ok {
		b.WriteString("'..'")
		return
	}
	write(b, e)
}

// group writes e in parentheses unless it is a single predicate.
func group(b *strings.Builder, e Expr) {
	switch e.(type) {
	case And, Or:
		b.WriteString("(")
		write(b, e)
		b.WriteString(")")
	default:
		write(b, e)
	}
}

func join(b *strings.Builder, args []Expr, op string) {
	for i, a := range args {
		if i > 0 {
			b.WriteString(op)
		}
		group(b, a)
	}
}

func call(b *strings.Builder, name string, args ...Expr) {
	b.WriteString(name + "(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		write(b, a)
	}
	b.WriteString(")")
}

func not(n bool) string {
	if n {
		return " NOT"
	}
	return ""
}

func quote(s string, q byte) string {
	qs := string(q)
	return qs + strings.ReplaceAll(s, qs, qs+qs) + qs
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func wkt(b *strings.Builder, g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		b.WriteString("POINT")
		coords(b, []orb.Point{g})
	case orb.LineString:
		b.WriteString("LINESTRING")
		coords(b, g)
	case orb.Polygon:
		b.WriteString("POLYGON")
		coordLists(b, g)
	case orb.MultiPoint:
		b.WriteString("MULTIPOINT")
		coords(b, g)
	case orb.MultiLineString:
		b.WriteString("MULTILINESTRING")
		coordLists(b, g)
	case orb.MultiPolygon:
		b.WriteString("MULTIPOLYGON(")
		for i, pg := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			coordLists(b, pg)
		}
		b.WriteString(")")
	case orb.Collection:
		b.WriteString("GEOMETRYCOLLECTION(")
		for i, x := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			wkt(b, x)
		}
		b.WriteString(")")
	}
}

// coords writes "(x y, x y, ...)".
func coords(b *strings.Builder, ps []orb.Point) {
	b.WriteString("(")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(num(p[0]) + " " + num(p[1]))
	}
	b.WriteString(")")
}

// coordLists writes the rings of a polygon or the lines of a
// multi-line: "((x y, ...), (x y, ...))".
func coordLists[P ~[]orb.Point](b *strings.Builder, lists []P) {
	b.WriteString("(")
	for i, ps := range lists {
		if i > 0 {
			b.WriteString(", ")
		}
		coords(b, ps)
	}
	b.WriteString(")")
}
