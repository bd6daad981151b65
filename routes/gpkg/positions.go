package gpkg

import (
	"context"
	"fmt"
	"iter"
	"math"
	"strings"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// AddPositions writes positions in one transaction, skipping those whose
// (MMSI, time) is stored already, and reports how many were new. The
// positions are read one at a time, never all held. A position that is not
// fit to store fails the whole call, naming its index, and nothing is
// written.
func (s *Store) AddPositions(ctx context.Context, ps iter.Seq2[routes.Position, error]) (int, error) {
	if s.closed.Load() {
		return 0, s.errClosed()
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.unavailable("add positions to", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, strings.Replace(positionsTable.insertSQL(), "INSERT", "INSERT OR IGNORE", 1))
	if err != nil {
		return 0, s.unavailable("add positions to", err)
	}
	defer stmt.Close()
	added, i := 0, 0
	var bound orb.Bound
	for p, err := range ps {
		if err != nil {
			return 0, fmt.Errorf("add positions to %s: positions[%d]: %w", s.path, i, err)
		}
		if err := checkPosition(p); err != nil {
			return 0, fmt.Errorf("add positions to %s: positions[%d].%w", s.path, i, err)
		}
		p.Time = normTime(p.Time)
		row, err := positionRow(p)
		if err != nil {
			return 0, fmt.Errorf("add positions to %s: positions[%d]: %w", s.path, i, err)
		}
		res, err := stmt.ExecContext(ctx, row...)
		if err != nil {
			return 0, s.unavailable(fmt.Sprintf("add positions[%d] to", i), err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if added == 0 {
				bound = p.Point().Bound()
			} else {
				bound = bound.Extend(p.Point())
			}
			added++
		}
		i++
	}
	if added > 0 {
		if err := growContents(ctx, tx, positionsTable.Name, bound); err != nil {
			return 0, s.unavailable("add positions to", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, s.unavailable("add positions to", err)
	}
	return added, nil
}

// checkPosition rejects a position the store could not answer for: the
// error names the field.
func checkPosition(p routes.Position) error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case p.MMSI == "" || strings.Trim(p.MMSI, "0123456789") != "":
		return fmt.Errorf("mmsi: %q is not an MMSI", p.MMSI)
	case p.Time.IsZero():
		return fmt.Errorf("time: is required")
	case !finite(p.Lon) || p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("lon: %v is outside [-180, 180]", p.Lon)
	case !finite(p.Lat) || p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("lat: %v is outside [-90, 90]", p.Lat)
	case p.SOG != nil && !finite(*p.SOG):
		return fmt.Errorf("sog: %v is not a number", *p.SOG)
	case p.COG != nil && !finite(*p.COG):
		return fmt.Errorf("cog: %v is not a number", *p.COG)
	}
	return nil
}

// mmsiOf resolves the MMSI a query asks for, from its MMSI and its vessel.
// none is true when no position can match: the vessel is unknown, has no
// MMSI, or has another than the one asked for.
func (s *Store) mmsiOf(ctx context.Context, q routes.Query) (mmsi string, none bool, err error) {
	if q.Vessel == "" {
		return q.MMSI, false, nil
	}
	idx, err := s.index(ctx)
	if err != nil {
		return "", false, err
	}
	v, ok := idx.vessel(q.Vessel)
	if !ok || v.MMSI == "" || (q.MMSI != "" && q.MMSI != v.MMSI) {
		return "", true, nil
	}
	return v.MMSI, false, nil
}

// filter is a query against one table: SQL conditions that narrow the rows
// read, and the exact test in Go that the rows read must then pass.
type filter struct {
	where []string
	args  []any
	// keep is the exact test; nil when the SQL is exact on its own.
	keep func(orb.Geometry) bool
}

func (f *filter) and(cond string, args ...any) {
	f.where = append(f.where, cond)
	f.args = append(f.args, args...)
}

func (f *filter) sql() string {
	if len(f.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.where, " AND ")
}

// within narrows the rows to those whose R-tree entry meets one of the
// rectangles. The R-tree rounds outwards, so nothing that meets is missed.
func (f *filter) within(t Table, rs []orb.Bound) {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = "SELECT id FROM " + quoteIdent(t.rtreeName()) + " WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?"
		f.args = append(f.args, r.Max[0], r.Min[0], r.Max[1], r.Min[1])
	}
	f.where = append(f.where, `"fid" IN (`+strings.Join(parts, " UNION ALL ")+")")
}

// spatial adds a query's box and circle to a filter on a table of points or
// lines: the R-tree narrows, contains decides.
func (f *filter) spatial(t Table, q routes.Query, useNear bool, contains func(g orb.Geometry, rs []orb.Bound) bool) {
	var tests []func(orb.Geometry) bool
	if q.BBox != nil {
		rs := rects(q.BBox)
		f.within(t, rs)
		tests = append(tests, func(g orb.Geometry) bool { return contains(g, rs) })
	}
	if useNear && q.Near != nil {
		if rs := nearRects(q.Near); rs != nil {
			f.within(t, rs)
		}
		n := q.Near
		tests = append(tests, func(g orb.Geometry) bool { return near(g.(orb.Point), n) })
	}
	if len(tests) > 0 {
		f.keep = func(g orb.Geometry) bool {
			for _, t := range tests {
				if !t(g) {
					return false
				}
			}
			return true
		}
	}
}

// during narrows to rows whose [start, end] columns meet the interval.
func (f *filter) during(iv routes.Interval, start, end string) {
	if !iv.Start.IsZero() {
		f.and(quoteIdent(end)+" >= ?", FormatDateTime(iv.Start))
	}
	if !iv.End.IsZero() {
		f.and(quoteIdent(start)+" <= ?", FormatDateTime(iv.End))
	}
}

func pointContained(g orb.Geometry, rs []orb.Bound) bool { return pointIn(g.(orb.Point), rs) }

// positionFilter is the filter for q on positions; none when nothing can
// match.
func (s *Store) positionFilter(ctx context.Context, q routes.Query) (f filter, none bool, err error) {
	f, none, err = s.vesselFilter(ctx, q, "time", "time")
	if err == nil && !none {
		f.spatial(positionsTable, q, true, pointContained)
	}
	return f, none, err
}

// Positions streams the positions matching q by time, then MMSI. Rows are
// read from SQLite as they are yielded; breaking off the loop ends the
// query.
func (s *Store) Positions(ctx context.Context, q routes.Query) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		f, none, err := s.positionFilter(ctx, q)
		if err != nil {
			yield(routes.Position{}, err)
			return
		}
		if none {
			return
		}
		tail, args := " ORDER BY time, mmsi", []any(nil)
		offset, limit := max(q.Offset, 0), max(q.Limit, 0)
		if f.keep == nil && (limit > 0 || offset > 0) {
			// The SQL is exact: let SQLite skip and stop.
			sqlLimit := -1 // none
			if limit > 0 {
				sqlLimit = limit
			}
			tail += " LIMIT ? OFFSET ?"
			args = []any{sqlLimit, offset}
			offset, limit = 0, 0
		}
		for p, err := range paged(s.positionRows(ctx, f, tail, args...), offset, limit) {
			if !yield(p, err) {
				return
			}
		}
	}
}

// positionRows streams the positions f selects that pass its exact test,
// read with tail (ORDER BY, LIMIT) and its args after f's.
func (s *Store) positionRows(ctx context.Context, f filter, tail string, args ...any) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		rows, err := s.db.QueryContext(ctx, positionsTable.selectSQL()+f.sql()+tail, append(f.args, args...)...)
		if err != nil {
			yield(routes.Position{}, s.unavailable("read positions from", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPosition(rows)
			if err != nil {
				yield(routes.Position{}, fmt.Errorf("read positions from %s: %w", s.path, err))
				return
			}
			if f.keep != nil && !f.keep(p.Point()) {
				continue
			}
			if !yield(p, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(routes.Position{}, s.unavailable("read positions from", err))
		}
	}
}

// paged skips the first offset items of seq and ends after limit more (no
// limit when 0), or at the first error, which it passes on.
func paged[T any](seq iter.Seq2[T, error], offset, limit int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		offset, limit := max(offset, 0), max(limit, 0)
		matched, sent := 0, 0
		for x, err := range seq {
			if err != nil {
				yield(x, err)
				return
			}
			if matched++; matched <= offset {
				continue
			}
			if !yield(x, nil) {
				return
			}
			if sent++; limit > 0 && sent == limit {
				return
			}
		}
	}
}

// CountPositions counts the positions matching q, ignoring Limit and Offset.
func (s *Store) CountPositions(ctx context.Context, q routes.Query) (int, error) {
	f, none, err := s.positionFilter(ctx, q)
	if err != nil || none {
		return 0, err
	}
	if f.keep == nil {
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM positions"+f.sql(), f.args...).Scan(&n); err != nil {
			return 0, s.unavailable("count positions in", err)
		}
		return n, nil
	}
	q.Limit, q.Offset = 0, 0
	n := 0
	for _, err := range s.Positions(ctx, q) {
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
