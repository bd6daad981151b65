package postgis

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.FeatureStore = (*Store)(nil)

// The queryables of each collection as SQL over the table's alias.
var (
	placeColumns = columns{c: routes.PlaceSchema.Collection, geom: "p.geom", expr: map[string]string{
		"name": "p.name", "kind": "p.kind", "country": "p.country", "unlocode": "p.unlocode", "note": "p.note"}}
	shipmentColumns = columns{c: routes.ShipmentSchema.Collection, geom: shipmentGeom,
		expr: map[string]string{"title": "s.title", "summary": "s.summary",
			"cargo_description": "s.cargo_description", "cargo_quantity": "NULLIF(s.cargo_quantity, 0)",
			"cargo_unit": "s.cargo_unit", "cargo_qualifier": "s.cargo_qualifier", "status": "s.status",
			"confidence": "s.confidence", "start": "s.start_time", "end": "s.end_time", "length_km": "s.length_km"}}
	legColumns = columns{c: routes.LegSchema.Collection, geom: "l.geom", expr: map[string]string{
		"shipment": "l.shipment", "seq": "l.seq", "mode": "l.mode", "origin": "l.origin",
		"destination": "l.destination", "vessel": "l.vessel", "carrier": "l.carrier",
		"depart_earliest": "l.depart_earliest", "depart_latest": "l.depart_latest",
		"arrive_earliest": "l.arrive_earliest", "arrive_latest": "l.arrive_latest",
		"start": "l.depart_earliest", "end": "l.arrive_latest", "geometry_kind": "l.geometry_kind",
		"length_km": "l.length_km", "confidence": "l.confidence", "note": "l.note"}}
	positionColumns = columns{c: routes.PositionSchema.Collection, geom: "p.geom", expr: map[string]string{
		"mmsi": "p.mmsi", "time": "p.time", "start": "p.time", "end": "p.time", "sog": "p.sog",
		"cog": "p.cog", "heading": "p.heading", "nav_status": "p.nav_status"}}
	trackColumns = columns{c: routes.TrackSchema.Collection, geom: "t.geom", expr: map[string]string{
		"mmsi": "t.mmsi", "vessel": "t.vessel", "start": "t.start_time", "end": "t.end_time",
		"points": "t.points", "length_km": "t.length_km", "leg": "t.leg"}}
	gapColumns = columns{c: routes.GapSchema.Collection, geom: "ST_MakeLine(g.from_geom, g.to_geom)", expr: map[string]string{
		"mmsi": "g.mmsi", "vessel": "g.vessel", "start": "g.start_time", "end": "g.end_time",
		"dark": "g.dark", "offshore_nm": "g.offshore_nm"}}
	observationColumns = columns{c: routes.ObservationSchema.Collection, geom: "o.geom", expr: map[string]string{
		"kind": "o.kind", "subject": "o.subject", "source": "o.source", "time_earliest": "o.time_earliest",
		"time_latest": "o.time_latest", "start": "o.time_earliest", "end": "o.time_latest", "note": "o.note"}}
)

// shipmentGeom is a shipment's geometry, aliased s: every part of every
// leg, in order, as the feature's geometry is.
const shipmentGeom = "(SELECT ST_Collect(d.geom ORDER BY l.seq, l.id, d.path) FROM legs l CROSS JOIN LATERAL ST_Dump(l.geom) d WHERE l.shipment = s.id)"

// itemFilter is the WHERE clause of a feature query: what q's Query asks
// (as the Store's list of the same records applies it) and its filter.
func itemFilter(cs columns, q routes.FeatureQuery, base func(*filter, routes.Query)) (*filter, error) {
	var f filter
	base(&f, q.Query)
	if err := f.cql(cs, q.Filter); err != nil {
		return nil, err
	}
	return &f, nil
}

// The Query conditions of each collection: the Store's lists apply them, and
// so do its feature queries, under their filters.
func placeConds(f *filter, q routes.Query) {
	f.bbox("p.geom", q.BBox)
	f.near("p.geom", q.Near)
	if q.Kind != "" {
		f.add("p.kind = " + f.arg(string(q.Kind)))
	}
}

func shipmentConds(f *filter, q routes.Query) {
	f.during("s.start_time", "s.end_time", q.During)
	f.hasLeg("l.shipment = s.id", func(f *filter) {
		f.legConds(routes.Query{BBox: q.BBox, Via: q.Via, Vessel: q.Vessel, Mode: q.Mode})
	})
}

func legConds(f *filter, q routes.Query) { f.legConds(q) }

func trackConds(f *filter, q routes.Query) {
	f.during("t.start_time", "t.end_time", q.During)
	f.bbox("t.geom", q.BBox)
	f.mmsi("t.mmsi", q)
}

func gapConds(f *filter, q routes.Query) {
	f.during("g.start_time", "g.end_time", q.During)
	f.bbox("ST_MakeLine(g.from_geom, g.to_geom)", q.BBox)
	f.mmsi("g.mmsi", q)
}

func observationConds(f *filter, q routes.Query) {
	f.during("o.time_earliest", "o.time_latest", q.During)
	f.bbox("o.geom", q.BBox)
	f.near("o.geom", q.Near)
}

// itemsSQL is the query for one page of t's records matching q.
func itemsSQL[T any](t table[T], cs columns, q routes.FeatureQuery, base func(*filter, routes.Query)) (string, []any, error) {
	f, err := itemFilter(cs, q, base)
	if err != nil {
		return "", nil, err
	}
	order, err := orderBy(cs, q.SortBy, t.order)
	if err != nil {
		return "", nil, err
	}
	return "SELECT " + t.cols + " FROM " + t.from + f.where() + " ORDER BY " + order + f.page(q.Query), f.args, nil
}

// items streams one page of t's records matching q, in order, as PostgreSQL
// sends them: nothing is held but the row being read.
func items[T any](ctx context.Context, s *Store, t table[T], cs columns, q routes.FeatureQuery,
	base func(*filter, routes.Query)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if s.closed.Load() {
			yield(zero, errClosed)
			return
		}
		sql, args, err := itemsSQL(t, cs, q, base)
		if err != nil {
			yield(zero, err)
			return
		}
		scan := t.scan
		if q.Transient && t.scanInto != nil {
			// Most of a page of lines is points: read them all into one
			// buffer, and the garbage collector's share of a page falls
			// with them.
			var buf lineBuffer
			scan = func(r pgx.CollectableRow, extra ...any) (T, error) { return t.scanInto(r, &buf, extra...) }
		}
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			yield(zero, fail("list "+t.what+"s", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				yield(zero, fail("read "+t.what, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, fail("list "+t.what+"s", err))
		}
	}
}

// PlaceItems streams the places matching q.
func (s *Store) PlaceItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Place, error] {
	return items(ctx, s, places, placeColumns, q, placeConds)
}

// LegItems streams the legs matching q.
func (s *Store) LegItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Leg, error] {
	return items(ctx, s, legs, legColumns, q, legConds)
}

// PositionItems streams the positions matching q.
func (s *Store) PositionItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Position, error] {
	return items(ctx, s, positionTable, positionColumns, q, positionConds)
}

// TrackItems streams the tracks matching q.
func (s *Store) TrackItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Track, error] {
	return items(ctx, s, tracks, trackColumns, q, trackConds)
}

// GapItems streams the gaps matching q.
func (s *Store) GapItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Gap, error] {
	return items(ctx, s, gaps, gapColumns, q, gapConds)
}

// ObservationItems streams the observations matching q.
func (s *Store) ObservationItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Observation, error] {
	return items(ctx, s, observations, observationColumns, q, observationConds)
}

// ShipmentItems streams the shipments matching q with their legs. The page
// of shipments is read first — shipments are small — and then their legs,
// in page order, from the same snapshot; a shipment is yielded as soon as
// its last leg is read.
func (s *Store) ShipmentItems(ctx context.Context, q routes.FeatureQuery) iter.Seq2[routes.Shipment, error] {
	return func(yield func(routes.Shipment, error) bool) {
		if s.closed.Load() {
			yield(routes.Shipment{}, errClosed)
			return
		}
		stopped := false
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			sql, args, err := itemsSQL(shipments, shipmentColumns, q, shipmentConds)
			if err != nil {
				return err
			}
			rows, err := tx.Query(ctx, sql, args...)
			if err != nil {
				return err
			}
			page, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (routes.Shipment, error) { return scanShipment(r) })
			if err != nil || len(page) == 0 {
				return err
			}
			ids := make([]string, len(page))
			for i, sh := range page {
				ids[i] = sh.ID
			}
			rows, err = tx.Query(ctx, "SELECT "+legs.cols+" FROM legs l JOIN unnest($1::text[]) WITH ORDINALITY AS p(id, ord) ON l.shipment = p.id ORDER BY p.ord, l.seq, l.id", ids)
			if err != nil {
				return err
			}
			defer rows.Close()
			i := 0
			for rows.Next() {
				l, err := scanLeg(rows)
				if err != nil {
					return err
				}
				for i < len(page) && page[i].ID != l.Shipment { // every shipment has a leg
					if !yield(page[i], nil) {
						stopped = true
						return nil
					}
					i++
				}
				if i == len(page) {
					return fmt.Errorf("leg %q of shipment %q came after its page", l.ID, l.Shipment)
				}
				page[i].Legs = append(page[i].Legs, l)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			for ; i < len(page); i++ {
				if !yield(page[i], nil) {
					stopped = true
					return nil
				}
			}
			return nil
		})
		if err != nil && !stopped {
			yield(routes.Shipment{}, fail("list shipments", err))
		}
	}
}

// featureTables are how each collection is counted and measured.
var featureTables = map[string]struct {
	from string
	cols columns
	base func(*filter, routes.Query)
	// extent is a query for west, south, east, north, start and end.
	extent string
}{
	"places": {"places p", placeColumns, placeConds,
		"SELECT min(ST_XMin(p.geom::box3d)), min(ST_YMin(p.geom::box3d)), max(ST_XMax(p.geom::box3d)), max(ST_YMax(p.geom::box3d)), NULL::timestamptz, NULL::timestamptz FROM places p"},
	"shipments": {"shipments s", shipmentColumns, shipmentConds,
		"SELECT min(s.bound_west), min(s.bound_south), max(s.bound_east), max(s.bound_north), min(s.start_time), max(s.end_time) FROM shipments s"},
	"legs": {"legs l", legColumns, legConds,
		"SELECT min(ST_XMin(l.geom::box3d)), min(ST_YMin(l.geom::box3d)), max(ST_XMax(l.geom::box3d)), max(ST_YMax(l.geom::box3d)), min(l.depart_earliest), max(l.arrive_latest) FROM legs l"},
	"positions": {"positions p", positionColumns, positionConds,
		"SELECT min(ST_X(p.geom)), min(ST_Y(p.geom)), max(ST_X(p.geom)), max(ST_Y(p.geom)), min(p.time), max(p.time) FROM positions p"},
	"tracks": {"tracks t", trackColumns, trackConds,
		"SELECT min(ST_XMin(t.geom::box3d)), min(ST_YMin(t.geom::box3d)), max(ST_XMax(t.geom::box3d)), max(ST_YMax(t.geom::box3d)), min(t.start_time), max(t.end_time) FROM tracks t"},
	"gaps": {"gaps g", gapColumns, gapConds,
		"SELECT min(least(ST_X(g.from_geom), ST_X(g.to_geom))), min(least(ST_Y(g.from_geom), ST_Y(g.to_geom))), max(greatest(ST_X(g.from_geom), ST_X(g.to_geom))), max(greatest(ST_Y(g.from_geom), ST_Y(g.to_geom))), min(g.start_time), max(g.end_time) FROM gaps g"},
	"observations": {"observations o", observationColumns, observationConds,
		"SELECT min(ST_X(o.geom)), min(ST_Y(o.geom)), max(ST_X(o.geom)), max(ST_Y(o.geom)), min(o.time_earliest), max(o.time_latest) FROM observations o"},
}

// CountItems counts the items of a collection matching q.
func (s *Store) CountItems(ctx context.Context, collection string, q routes.FeatureQuery) (int, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	if _, ok := featureTables[collection]; !ok {
		return 0, fmt.Errorf("count %s: %w", collection, routes.ErrNotFound)
	}
	sql, args, err := countSQL(collection, q)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return 0, fail("count "+collection, err)
	}
	return int(n), nil
}

// countSQL is the query counting a collection's items matching q.
func countSQL(collection string, q routes.FeatureQuery) (string, []any, error) {
	t := featureTables[collection]
	f, err := itemFilter(t.cols, q, t.base)
	if err != nil {
		return "", nil, err
	}
	return "SELECT count(*) FROM " + t.from + f.where(), f.args, nil
}

// Extent measures a collection from its rows.
func (s *Store) Extent(ctx context.Context, collection string) (routes.Extent, error) {
	if s.closed.Load() {
		return routes.Extent{}, errClosed
	}
	t, ok := featureTables[collection]
	if !ok {
		return routes.Extent{}, fmt.Errorf("extent of %s: %w", collection, routes.ErrNotFound)
	}
	var w, so, e, n *float64
	var start, end *time.Time
	if err := s.pool.QueryRow(ctx, t.extent).Scan(&w, &so, &e, &n, &start, &end); err != nil {
		return routes.Extent{}, fail("measure "+collection, err)
	}
	if w == nil {
		return routes.Extent{Empty: true}, nil
	}
	x := routes.Extent{}
	x.Bound.Min[0], x.Bound.Min[1], x.Bound.Max[0], x.Bound.Max[1] = *w, *so, *e, *n
	if start != nil {
		x.Start, x.End = start.UTC(), end.UTC()
	}
	return x, nil
}
