package postgis

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shiptrack/shiptrack/routes"
)

// filter builds a WHERE clause. Every SQL fragment it holds is written in
// this package; values from a query travel only as bound arguments.
type filter struct {
	conds []string
	args  []any
}

// arg binds v and returns its placeholder. A string that PostgreSQL cannot
// hold as text equals no stored value, so it is bound as NULL, which
// matches nothing, rather than failing the query.
func (f *filter) arg(v any) string {
	if s, ok := v.(string); ok && !storable(s) {
		v = nil
	}
	f.args = append(f.args, v)
	return "$" + strconv.Itoa(len(f.args))
}

// storable reports whether s can be a PostgreSQL text value: valid UTF-8
// without NUL bytes.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func (f *filter) add(cond string) { f.conds = append(f.conds, cond) }

// where is the WHERE clause, or nothing when no condition applies.
func (f *filter) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}

// page is the LIMIT and OFFSET clause of q; a zero or negative Limit is no
// limit.
func (f *filter) page(q routes.Query) string {
	var limit any
	if q.Limit > 0 {
		limit = q.Limit
	}
	return " LIMIT " + f.arg(limit) + " OFFSET " + f.arg(max(q.Offset, 0))
}

// during keeps rows whose closed period [start, end] intersects iv, as
// routes.Interval.Intersects decides. Stored times are whole microseconds,
// so the bounds are rounded inward to microseconds without changing what
// matches.
func (f *filter) during(start, end string, iv routes.Interval) {
	if !iv.Start.IsZero() {
		f.add(end + " >= " + f.arg(ceilMicro(iv.Start)))
	}
	if !iv.End.IsZero() {
		f.add(start + " <= " + f.arg(iv.End.Truncate(routes.Resolution)))
	}
}

// legsDuring is during for the legs aliased l, written as a range overlap
// so that the GiST index on their period serves it. An interval that ends
// before it starts cannot be a range; it falls back to the comparisons.
func (f *filter) legsDuring(iv routes.Interval) {
	if iv.IsZero() {
		return
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && iv.End.Before(iv.Start) {
		f.during("l.depart_earliest", "l.arrive_latest", iv)
		return
	}
	var lo, hi *time.Time
	if !iv.Start.IsZero() {
		t := ceilMicro(iv.Start)
		lo = &t
	}
	if !iv.End.IsZero() {
		t := iv.End.Truncate(routes.Resolution)
		hi = &t
	}
	f.add("l.period && tstzrange(" + f.arg(lo) + "::timestamptz, " + f.arg(hi) + "::timestamptz, '[]')")
}

// ceilMicro rounds t up to a whole microsecond.
func ceilMicro(t time.Time) time.Time {
	if d := t.Truncate(routes.Resolution); !d.Equal(t) {
		return d.Add(routes.Resolution)
	}
	return t
}

// bbox keeps rows whose geometry column intersects b, touching included; a
// nil b keeps every row. A box across the antimeridian is tested as its two
// halves. A box2d becomes a point or a line when it has no area, so a
// degenerate box still matches exactly what lies on it.
func (f *filter) bbox(col string, b *routes.BBox) {
	if b == nil {
		return
	}
	var parts []string
	for _, r := range b.Bounds() {
		parts = append(parts, "ST_Intersects("+col+", ST_SetSRID(ST_MakeBox2D(ST_MakePoint("+
			f.arg(r.Min[0])+", "+f.arg(r.Min[1])+"), ST_MakePoint("+f.arg(r.Max[0])+", "+f.arg(r.Max[1])+"))::geometry, 4326))")
	}
	f.add("(" + strings.Join(parts, " OR ") + ")")
}

// near keeps rows whose point column lies within n.Meters of n.Point,
// measured on the WGS 84 ellipsoid; a nil n keeps every row.
func (f *filter) near(col string, n *routes.Near) {
	if n == nil {
		return
	}
	f.add("ST_DWithin(" + col + "::geography, ST_SetSRID(ST_MakePoint(" + f.arg(n.Point[0]) + ", " +
		f.arg(n.Point[1]) + "), 4326)::geography, " + f.arg(n.Meters) + ")")
}

// mmsi keeps rows of q's MMSI and of the MMSI of q's vessel; a vessel that
// is unknown or has no MMSI matches nothing.
func (f *filter) mmsi(col string, q routes.Query) {
	if q.MMSI != "" {
		f.add(col + " = " + f.arg(q.MMSI))
	}
	if q.Vessel != "" {
		f.add(col + " = (SELECT v.mmsi FROM vessels v WHERE v.id = " + f.arg(q.Vessel) + ")")
	}
}

// legConds are the conditions q puts on a leg aliased l.
func (f *filter) legConds(q routes.Query) {
	f.legsDuring(q.During)
	f.bbox("l.geom", q.BBox)
	if q.Via != "" {
		p := f.arg(q.Via)
		f.add("(l.origin = " + p + " OR l.destination = " + p + ")")
	}
	if q.Vessel != "" {
		f.add("l.vessel = " + f.arg(q.Vessel))
	}
	if q.Mode != "" {
		f.add("l.mode = " + f.arg(string(q.Mode)))
	}
	if q.Shipment != "" {
		f.add("l.shipment = " + f.arg(q.Shipment))
	}
}

// hasLeg keeps rows with some leg, aliased l and joined to the row by join,
// that meets every condition sub puts on it: one leg must meet them all.
func (f *filter) hasLeg(join string, sub func(*filter)) {
	s := filter{args: f.args}
	sub(&s)
	f.args = s.args
	if len(s.conds) > 0 {
		f.add("EXISTS (SELECT 1 FROM legs l WHERE " + join + " AND " + strings.Join(s.conds, " AND ") + ")")
	}
}
