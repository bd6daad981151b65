package gpkg

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.FeatureStore = (*Store)(nil)

// Feature queries on the records the index holds, and on tracks, gaps and
// observations, list what the Query selects, then filter and order in Go
// (routes.Match and routes.Sorter, which answer as PostGIS does). Positions,
// which run to millions, are streamed from the file, narrowed and ordered
// by SQLite, and filtered in Go row by row.

// matching lists the records q selects, filtered and ordered.
func matching[T any](ctx context.Context, schema *routes.Schema[T], q routes.FeatureQuery,
	list func(context.Context, routes.Query) (routes.Page[T], error)) ([]T, error) {
	lq := q.Query
	lq.Limit, lq.Offset = 0, 0
	page, err := list(ctx, lq)
	if err != nil {
		return nil, err
	}
	keep, err := routes.Match(schema, q.Filter)
	if err != nil {
		return nil, err
	}
	kept := slices.DeleteFunc(page.Items, func(x T) bool { return !keep(x) })
	if len(q.SortBy) > 0 {
		slices.SortStableFunc(kept, routes.Sorter(schema, q.SortBy))
	}
	return kept, nil
}

// listed streams one page of what matching returns.
func listed[T any](ctx context.Context, schema *routes.Schema[T], q routes.FeatureQuery,
	list func(context.Context, routes.Query) (routes.Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		all, err := matching(ctx, schema, q, list)
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		all = all[min(max(q.Offset, 0), len(all)):]
		if q.Limit > 0 && len(all) > q.Limit {
			all = all[:q.Limit]
		}
		for _, x := range all {
			if !yield(x, nil) {
				return
			}
		}
	}
}

// shipmentsWithLegs lists shipments with their legs, which their geometry
// is made of.
func (s *Store) shipmentsWithLegs(ctx context.Context, q routes.Query) (routes.Page[routes.Shipment], error) {
	idx, err := s.index(ctx)
	if err != nil {
		return routes.Page[routes.Shipment]{}, err
	}
	page := idx.queryShipments(q)
	for i, sh := range page.Items {
		full, _ := idx.shipment(sh.ID)
		page.Items[i] = cloneShipment(full, true)
	}
	return page, nil
}

// PlaceItems streams the places matching q.
func (s *Store) PlaceItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Place, error] {
	return listed(ctx, routes.PlaceSchema, q, s.Places)
}

// ShipmentItems streams the shipments matching q, with their legs.
func (s *Store) ShipmentItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Shipment, error] {
	return listed(ctx, routes.ShipmentSchema, q, s.shipmentsWithLegs)
}

// LegItems streams the legs matching q.
func (s *Store) LegItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Leg, error] {
	return listed(ctx, routes.LegSchema, q, s.Legs)
}

// TrackItems streams the tracks matching q.
func (s *Store) TrackItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Track, error] {
	return listed(ctx, routes.TrackSchema, q, s.Tracks)
}

// GapItems streams the gaps matching q.
func (s *Store) GapItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Gap, error] {
	return listed(ctx, routes.GapSchema, q, s.Gaps)
}

// ObservationItems streams the observations matching q.
func (s *Store) ObservationItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Observation, error] {
	return listed(ctx, routes.ObservationSchema, q, s.Observations)
}

// positionSortColumns are the columns of the positions table each
// queryable sorts by.
var positionSortColumns = map[string]string{"mmsi": "mmsi", "time": "time", "start": "time", "end": "time",
	"sog": "sog", "cog": "cog", "heading": "heading", "nav_status": "nav_status"}

// PositionItems streams the positions matching q: SQLite narrows by time,
// MMSI and R-tree and orders them, Go decides the rest as each row arrives.
func (s *Store) PositionItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Position, error] {
	return paged(s.matchingPositions(ctx, q), q.Offset, q.Limit)
}

// matchingPositions streams every position q selects, in q's order.
func (s *Store) matchingPositions(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		f, none, err := s.positionFilter(ctx, q.Query)
		if err != nil || none {
			if err != nil {
				yield(routes.Position{}, err)
			}
			return
		}
		keep, err := routes.Match(routes.PositionSchema, q.Filter)
		if err != nil {
			yield(routes.Position{}, err)
			return
		}
		var order []string
		for _, k := range q.SortBy {
			col, ok := positionSortColumns[k.Field]
			if !ok {
				yield(routes.Position{}, fmt.Errorf("positions cannot be sorted by %q", k.Field))
				return
			}
			if k.Descending {
				order = append(order, quoteIdent(col)+" DESC NULLS FIRST")
			} else {
				order = append(order, quoteIdent(col)+" ASC NULLS LAST")
			}
		}
		order = append(order, "time", "mmsi")
		for p, err := range s.positionRows(ctx, f, " ORDER BY "+strings.Join(order, ", ")) {
			if err == nil && !keep(p) {
				continue
			}
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}

// CountItems counts the items of a collection matching q.
func (s *Store) CountItems(ctx context.Context, collection string, q routes.FeatureQuery) (int, error) {
	switch collection {
	case "places":
		return countOf(matching(ctx, routes.PlaceSchema, q, s.Places))
	case "shipments":
		return countOf(matching(ctx, routes.ShipmentSchema, q, s.shipmentsWithLegs))
	case "legs":
		return countOf(matching(ctx, routes.LegSchema, q, s.Legs))
	case "tracks":
		return countOf(matching(ctx, routes.TrackSchema, q, s.Tracks))
	case "gaps":
		return countOf(matching(ctx, routes.GapSchema, q, s.Gaps))
	case "observations":
		return countOf(matching(ctx, routes.ObservationSchema, q, s.Observations))
	case "positions":
		if q.Filter == nil {
			return s.CountPositions(ctx, q.Query)
		}
		n := 0
		for _, err := range s.matchingPositions(ctx, q) {
			if err != nil {
				return 0, err
			}
			n++
		}
		return n, nil
	}
	return 0, fmt.Errorf("count %s: %w", collection, routes.ErrNotFound)
}

func countOf[T any](xs []T, err error) (int, error) { return len(xs), err }

// Extent measures a collection: the records in the index from memory, the
// others with SQL. The extent of positions, which are never removed, is
// the one gpkg_contents keeps as they are added.
func (s *Store) Extent(ctx context.Context, collection string) (routes.Extent, error) {
	idx, err := s.index(ctx)
	if err != nil {
		return routes.Extent{}, err
	}
	var x extent
	switch collection {
	case "places":
		for _, p := range idx.places {
			x.add(p.Point().Bound())
		}
		return x.result(), nil
	case "legs":
		for i, l := range idx.legs {
			x.add(idx.legBounds[i])
			x.times(l.Start(), l.End())
		}
		return x.result(), nil
	case "shipments":
		for _, sh := range idx.shipments {
			x.add(sh.Bound)
			x.times(sh.Start, sh.End)
		}
		return x.result(), nil
	case "positions":
		return s.measure(ctx, `SELECT c.min_x, c.min_y, c.max_x, c.max_y, min(p."time"), max(p."time")
			FROM gpkg_contents c, positions p WHERE c.table_name = 'positions'`)
	case "tracks", "gaps", "observations":
		return s.measure(ctx, `SELECT min(ST_MinX(geom)), min(ST_MinY(geom)), max(ST_MaxX(geom)), max(ST_MaxY(geom)),
			min("start"), max("end") FROM `+quoteIdent(collection))
	}
	return routes.Extent{}, fmt.Errorf("extent of %s: %w", collection, routes.ErrNotFound)
}

// measure reads west, south, east, north, start and end.
func (s *Store) measure(ctx context.Context, query string) (routes.Extent, error) {
	var w, so, e, n sql.NullFloat64
	var start, end sql.NullString
	if err := s.db.QueryRowContext(ctx, query).Scan(&w, &so, &e, &n, &start, &end); err != nil {
		return routes.Extent{}, s.unavailable("measure", err)
	}
	if !start.Valid || !w.Valid {
		return routes.Extent{Empty: true}, nil
	}
	a, err := ParseDateTime(start.String)
	if err != nil {
		return routes.Extent{}, err
	}
	b, err := ParseDateTime(end.String)
	if err != nil {
		return routes.Extent{}, err
	}
	return routes.Extent{Bound: orb.Bound{Min: orb.Point{w.Float64, so.Float64}, Max: orb.Point{e.Float64, n.Float64}},
		Start: a, End: b}, nil
}

// extent grows from nothing as records are added.
type extent struct {
	routes.Extent
	seen bool
}

func (x *extent) add(b orb.Bound) {
	if !x.seen {
		x.Bound, x.seen = b, true
		return
	}
	x.Bound = x.Bound.Union(b)
}

func (x *extent) times(start, end time.Time) {
	if x.Start.IsZero() || start.Before(x.Start) {
		x.Start = start
	}
	if end.After(x.End) {
		x.End = end
	}
}

func (x *extent) result() routes.Extent {
	if !x.seen {
		return routes.Extent{Empty: true}
	}
	return x.Extent
}
