package postgis

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb/encoding/wkb"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/cql2"
)

// columns maps a collection's queryables to SQL expressions over its table.
// It is the allow-list: a name a filter or sortby uses reaches SQL only as
// the expression written here, and every value only as a bound argument.
type columns struct {
	c    *routes.Collection
	expr map[string]string
	geom string
}

// column returns the SQL for a queryable and its type.
func (cs columns) column(name string) (string, routes.Type, error) {
	if name == routes.GeometryField {
		return cs.geom, routes.Geometry, nil
	}
	f, ok := cs.c.Field(name)
	sql, known := cs.expr[name]
	if !ok || !f.Queryable || !known {
		return "", "", fmt.Errorf("%s has no queryable %q", cs.c.Name, name)
	}
	return sql, f.Type, nil
}

// sortable is the expression a column sorts by: text in byte order, as the
// embedded store sorts it.
func sortable(sql string, t routes.Type) string {
	if t == routes.String {
		return sql + ` COLLATE "C"`
	}
	return sql
}

// cast is how a bound value of a queryable's type is written, so that
// PostgreSQL never guesses a parameter's type from the column (an integer
// column would make 1.5 unbindable).
var cast = map[routes.Type]string{
	routes.String: "::text", routes.Number: "::float8", routes.Integer: "::float8",
	routes.Boolean: "::boolean", routes.DateTime: "::timestamptz",
}

// spatialFunctions name the PostGIS function of each CQL2 one.
var spatialFunctions = map[string]string{
	"S_INTERSECTS": "ST_Intersects", "S_EQUALS": "ST_Equals", "S_DISJOINT": "ST_Disjoint",
	"S_TOUCHES": "ST_Touches", "S_WITHIN": "ST_Within", "S_OVERLAPS": "ST_Overlaps",
	"S_CROSSES": "ST_Crosses", "S_CONTAINS": "ST_Contains",
}

// cql adds a filter that routes.Collection.CheckFilter returned.
func (f *filter) cql(cs columns, e cql2.Expr) error {
	if e == nil {
		return nil
	}
	sql, err := f.cqlExpr(cs, e)
	if err != nil {
		return err
	}
	f.add(sql)
	return nil
}

func (f *filter) cqlExpr(cs columns, e cql2.Expr) (string, error) {
	switch e := e.(type) {
	case cql2.Bool:
		if e.Value {
			return "TRUE", nil
		}
		return "FALSE", nil
	case cql2.And:
		return f.junction(cs, e.Args, " AND ")
	case cql2.Or:
		return f.junction(cs, e.Args, " OR ")
	case cql2.Not:
		x, err := f.cqlExpr(cs, e.X)
		return "NOT (" + x + ")", err
	case cql2.Compare:
		p, ok := e.Left.(cql2.Property)
		if !ok {
			return "", fmt.Errorf("unchecked filter: %s", cql2.Format(e))
		}
		left, t, err := cs.column(p.Name)
		if err != nil {
			return "", err
		}
		ordered := e.Op != "=" && e.Op != "<>"
		if ordered {
			left = sortable(left, t)
		}
		var right string
		switch r := e.Right.(type) {
		case cql2.Property:
			var rt routes.Type
			if right, rt, err = cs.column(r.Name); err != nil {
				return "", err
			}
			if ordered {
				right = sortable(right, rt)
			}
		case cql2.String:
			right = f.arg(r.Value) + cast[t]
		case cql2.Number:
			right = f.arg(r.Value) + cast[t]
		case cql2.Bool:
			right = f.arg(r.Value) + cast[t]
		case cql2.Timestamp:
			right = f.arg(r.Time) + cast[t]
		default:
			return "", fmt.Errorf("unchecked filter: %s", cql2.Format(e))
		}
		return "(" + left + " " + e.Op + " " + right + ")", nil
	case cql2.Like:
		col, _, err := cs.column(e.X.(cql2.Property).Name)
		if err != nil {
			return "", err
		}
		op := " LIKE "
		if e.Not {
			op = " NOT LIKE "
		}
		return "(" + col + op + f.arg(e.Pattern) + "::text)", nil
	case cql2.IsNull:
		col, _, err := cs.column(e.X.(cql2.Property).Name)
		if err != nil {
			return "", err
		}
		if e.Not {
			return "(" + col + " IS NOT NULL)", nil
		}
		return "(" + col + " IS NULL)", nil
	case cql2.Spatial:
		fn, ok := spatialFunctions[e.Op]
		if !ok {
			return "", fmt.Errorf("unchecked filter: %s", e.Op)
		}
		lit, err := f.geometry(e.Right)
		if err != nil {
			return "", err
		}
		return fn + "(" + cs.geom + ", " + lit + ")", nil
	case cql2.DWithin:
		lit, err := f.geometry(e.Right)
		if err != nil {
			return "", err
		}
		return "ST_DWithin(" + cs.geom + "::geography, " + lit + "::geography, " + f.arg(e.Distance) + "::float8)", nil
	}
	return "", fmt.Errorf("unchecked filter: %T", e)
}

func (f *filter) junction(cs columns, args []cql2.Expr, op string) (string, error) {
	parts := make([]string, len(args))
	for i, a := range args {
		s, err := f.cqlExpr(cs, a)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, op) + ")", nil
}

// geometry binds a literal geometry as WKB: PostGIS then relates exactly
// the doubles the embedded store relates.
func (f *filter) geometry(e cql2.Expr) (string, error) {
	g, ok := e.(cql2.Geometry)
	if !ok {
		return "", fmt.Errorf("unchecked filter: %T", e)
	}
	b, err := wkb.Marshal(g.Geom)
	if err != nil {
		return "", fmt.Errorf("encode filter geometry: %w", err)
	}
	return "ST_GeomFromWKB(" + f.arg(b) + ", 4326)", nil
}

// orderBy is the ORDER BY list of the sort keys, then the list's own order.
func orderBy(cs columns, keys []routes.SortKey, order string) (string, error) {
	var parts []string
	for _, k := range keys {
		col, t, err := cs.column(k.Field)
		if err != nil {
			return "", err
		}
		dir := " ASC"
		if k.Descending {
			dir = " DESC"
		}
		parts = append(parts, sortable(col, t)+dir)
	}
	return strings.Join(append(parts, order), ", "), nil
}
