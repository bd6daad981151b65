package gpkg

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// Tracks, gaps and observations grow with the AIS and imagery ingested, so
// they are read from the file for each query rather than held in memory:
// the indexes and the R-tree narrow the rows, Go decides exactly.

// Tracks lists the tracks matching q by start, then id.
func (s *Store) Tracks(ctx context.Context, q routes.Query) (routes.Page[routes.Track], error) {
	f, none, err := s.vesselFilter(ctx, q, "start", "end")
	if err != nil || none {
		return routes.Page[routes.Track]{}, err
	}
	f.spatial(tracksTable, q, false, func(g orb.Geometry, rs []orb.Bound) bool {
		ml := g.(orb.MultiLineString)
		return linesIn(ml, ml.Bound(), rs)
	})
	return readPage(ctx, s, tracksTable, f, q, scanTrack, func(t routes.Track) orb.Geometry { return t.Geometry })
}

// Gaps lists the gaps matching q by start, then id. A gap's geometry is the
// line from where the vessel fell silent to where it was heard again.
func (s *Store) Gaps(ctx context.Context, q routes.Query) (routes.Page[routes.Gap], error) {
	f, none, err := s.vesselFilter(ctx, q, "start", "end")
	if err != nil || none {
		return routes.Page[routes.Gap]{}, err
	}
	f.spatial(gapsTable, q, false, func(g orb.Geometry, rs []orb.Bound) bool {
		ml := orb.MultiLineString{g.(orb.LineString)}
		return linesIn(ml, ml.Bound(), rs)
	})
	return readPage(ctx, s, gapsTable, f, q, scanGap, func(g routes.Gap) orb.Geometry { return routes.GapLine(g) })
}

// Observations lists the observations matching q by earliest time, then id.
func (s *Store) Observations(ctx context.Context, q routes.Query) (routes.Page[routes.Observation], error) {
	if s.closed.Load() {
		return routes.Page[routes.Observation]{}, s.errClosed()
	}
	var f filter
	f.during(q.During, "start", "end")
	f.spatial(observationsTable, q, true, pointContained)
	return readPage(ctx, s, observationsTable, f, q, scanObservation, func(o routes.Observation) orb.Geometry { return o.Point() })
}

// vesselFilter starts the filter for positions, tracks and gaps: their MMSI,
// and the period between the start and end columns.
func (s *Store) vesselFilter(ctx context.Context, q routes.Query, start, end string) (f filter, none bool, err error) {
	if s.closed.Load() {
		return f, false, s.errClosed()
	}
	mmsi, none, err := s.mmsiOf(ctx, q)
	if err != nil || none {
		return f, none, err
	}
	if mmsi != "" {
		f.and("mmsi = ?", mmsi)
	}
	f.during(q.During, start, end)
	return f, false, nil
}

// readPage runs a filter on a table ordered by start and id, and pages the
// rows that pass its exact test.
func readPage[T any](ctx context.Context, s *Store, t Table, f filter, q routes.Query,
	scan func(scanner) (T, error), geometryOf func(T) orb.Geometry) (routes.Page[T], error) {
	rows, err := s.db.QueryContext(ctx, t.selectSQL()+f.sql()+` ORDER BY "start", "id"`, f.args...)
	if err != nil {
		return routes.Page[T]{}, s.unavailable("read "+t.Name+" from", err)
	}
	defer rows.Close()
	p := newPager[T](q)
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return routes.Page[T]{}, fmt.Errorf("read %s from %s: %w", t.Name, s.path, err)
		}
		if f.keep == nil || f.keep(geometryOf(x)) {
			p.add(x)
		}
	}
	if err := rows.Err(); err != nil {
		return routes.Page[T]{}, s.unavailable("read "+t.Name+" from", err)
	}
	return p.page, nil
}
