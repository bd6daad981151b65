package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shiptrack/shiptrack/routes"
)

// table is how one kind of record is read: its columns, where they come
// from, and the order lists keep.
type table[T any] struct {
	what  string // the record's name in errors, such as "place"
	from  string // the table and its alias, such as "places p"
	alias string
	cols  string
	order string
	scan  func(r pgx.CollectableRow, extra ...any) (T, error)
	// scanInto, for records with lines, is scan with the lines in a
	// buffer's memory (see linesInto).
	scanInto func(r pgx.CollectableRow, buf *lineBuffer, extra ...any) (T, error)
}

var (
	places = table[routes.Place]{what: "place", from: "places p", alias: "p", order: "p.id",
		cols: `p.id, p.name, p.kind, p.country, coalesce(p.unlocode, ''), p.aliases,
			ST_X(p.geom), ST_Y(p.geom), coalesce(p.note, '')`,
		scan: scanPlace}
	vessels = table[routes.Vessel]{what: "vessel", from: "vessels v", alias: "v", order: "v.id",
		cols: `v.id, v.name, coalesce(v.imo, ''), coalesce(v.mmsi, ''), coalesce(v.flag, ''),
			coalesce(v.type, ''), coalesce(v.owner, ''), v.former_names, coalesce(v.confidence, ''),
			coalesce(v.note, '')`,
		scan: scanVessel}
	sources = table[routes.Source]{what: "source", from: "sources s", alias: "s", order: "s.published, s.id",
		cols: `s.id, s.publisher, s.title, coalesce(s.url, ''), s.published, s.kind`,
		scan: scanSource}
	shipments = table[routes.Shipment]{what: "shipment", from: "shipments s", alias: "s", order: "s.start_time, s.id",
		cols: `s.id, s.title, coalesce(s.summary, ''), s.cargo_description, s.cargo_quantity,
			coalesce(s.cargo_unit, ''), coalesce(s.cargo_qualifier, ''), s.status, s.confidence,
			s.start_time, s.end_time, s.bound_west, s.bound_south, s.bound_east, s.bound_north, s.length_km,
			ARRAY(SELECT ARRAY[c.source::text, c.claim] FROM shipment_sources c WHERE c.shipment = s.id ORDER BY c.ord)`,
		scan: scanShipment}
	legs = table[routes.Leg]{what: "leg", from: "legs l", alias: "l", order: "l.depart_earliest, l.shipment, l.seq, l.id",
		cols: `l.id, l.shipment, l.seq, l.mode, l.origin, l.destination, l.via, coalesce(l.vessel, ''),
			coalesce(l.carrier, ''), l.depart_earliest, l.depart_latest, l.arrive_earliest, l.arrive_latest,
			ST_AsBinary(l.geom), l.geometry_kind, l.length_km, coalesce(l.confidence, ''), coalesce(l.note, ''),
			ARRAY(SELECT ARRAY[c.source::text, c.claim] FROM leg_sources c WHERE c.leg = l.id ORDER BY c.ord)`,
		scan: scanLeg, scanInto: scanLegInto}
	tracks = table[routes.Track]{what: "track", from: "tracks t", alias: "t", order: "t.start_time, t.id",
		cols: `t.id, t.mmsi, coalesce(t.vessel, ''), t.start_time, t.end_time, t.points,
			ST_AsBinary(t.geom), t.length_km, coalesce(t.leg, '')`,
		scan: scanTrack, scanInto: scanTrackInto}
	gaps = table[routes.Gap]{what: "gap", from: "gaps g", alias: "g", order: "g.start_time, g.id",
		cols: `g.id, g.mmsi, coalesce(g.vessel, ''), g.start_time, g.end_time,
			ST_X(g.from_geom), ST_Y(g.from_geom), ST_X(g.to_geom), ST_Y(g.to_geom), g.dark, g.offshore_nm`,
		scan: scanGap}
	observations = table[routes.Observation]{what: "observation", from: "observations o", alias: "o", order: "o.time_earliest, o.id",
		cols: `o.id, o.time_earliest, o.time_latest, ST_X(o.geom), ST_Y(o.geom), o.kind, o.subject,
			o.source, coalesce(o.note, '')`,
		scan: scanObservation}
)

// list reads one page of t's records matching f, counting every match.
func list[T any](ctx context.Context, s *Store, t table[T], f *filter, q routes.Query) (routes.Page[T], error) {
	if s.closed.Load() {
		return routes.Page[T]{}, errClosed
	}
	where, nargs := f.where(), len(f.args)
	sql := "SELECT " + t.cols + ", count(*) OVER () FROM " + t.from + where + " ORDER BY " + t.order + f.page(q)
	rows, err := s.pool.Query(ctx, sql, f.args...)
	if err != nil {
		return routes.Page[T]{}, fail("list "+t.what+"s", err)
	}
	defer rows.Close()
	var page routes.Page[T]
	var matched int64
	for rows.Next() {
		v, err := t.scan(rows, &matched)
		if err != nil {
			return routes.Page[T]{}, fail("read "+t.what, err)
		}
		page.Items = append(page.Items, v)
	}
	if err := rows.Err(); err != nil {
		return routes.Page[T]{}, fail("list "+t.what+"s", err)
	}
	page.Matched = int(matched)
	if len(page.Items) == 0 && q.Offset > 0 {
		// The window count rides on rows; past the last match there are
		// none, so count separately.
		err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+t.from+where, f.args[:nargs]...).Scan(&matched)
		if err != nil {
			return routes.Page[T]{}, fail("count "+t.what+"s", err)
		}
		page.Matched = int(matched)
	}
	return page, nil
}

// get reads the record of t with this id.
func get[T any](ctx context.Context, s *Store, t table[T], id string) (T, error) {
	var zero T
	if s.closed.Load() {
		return zero, errClosed
	}
	if !storable(id) {
		return zero, fmt.Errorf("%s %q: %w", t.what, id, routes.ErrNotFound)
	}
	rows, err := s.pool.Query(ctx, "SELECT "+t.cols+" FROM "+t.from+" WHERE "+t.alias+".id = $1", id)
	var v T
	if err == nil {
		v, err = pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (T, error) { return t.scan(r) })
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, fmt.Errorf("%s %q: %w", t.what, id, routes.ErrNotFound)
	}
	if err != nil {
		return zero, fail(fmt.Sprintf("read %s %q", t.what, id), err)
	}
	return v, nil
}

// Places lists places by id, filtered by q's BBox, Near and Kind.
func (s *Store) Places(ctx context.Context, q routes.Query) (routes.Page[routes.Place], error) {
	var f filter
	placeConds(&f, q)
	f.hasLeg("(l.origin = p.id OR l.destination = p.id)", func(f *filter) {
		f.legConds(routes.Query{During: q.During, Vessel: q.Vessel, Mode: q.Mode, Shipment: q.Shipment})
	})
	return list(ctx, s, places, &f, q)
}

// Place reads one place.
func (s *Store) Place(ctx context.Context, id string) (routes.Place, error) {
	return get(ctx, s, places, id)
}

// Vessels lists vessels by id, keeping those that sail a leg meeting all of
// q's During, BBox, Via and Mode.
func (s *Store) Vessels(ctx context.Context, q routes.Query) (routes.Page[routes.Vessel], error) {
	var f filter
	f.hasLeg("l.vessel = v.id", func(f *filter) {
		f.legConds(routes.Query{During: q.During, BBox: q.BBox, Via: q.Via, Mode: q.Mode})
	})
	return list(ctx, s, vessels, &f, q)
}

// Vessel reads one vessel.
func (s *Store) Vessel(ctx context.Context, id string) (routes.Vessel, error) {
	return get(ctx, s, vessels, id)
}

// Sources lists sources by publication date and id.
func (s *Store) Sources(ctx context.Context, q routes.Query) (routes.Page[routes.Source], error) {
	return list(ctx, s, sources, &filter{}, q)
}

// Source reads one source.
func (s *Store) Source(ctx context.Context, id string) (routes.Source, error) {
	return get(ctx, s, sources, id)
}

// Shipments lists shipments by start and id, without their legs, keeping
// those whose period meets q's During and that have a leg meeting all of
// q's BBox, Via, Vessel and Mode.
func (s *Store) Shipments(ctx context.Context, q routes.Query) (routes.Page[routes.Shipment], error) {
	var f filter
	shipmentConds(&f, q)
	return list(ctx, s, shipments, &f, q)
}

// Shipment reads one shipment with its legs in seq order, from one snapshot.
func (s *Store) Shipment(ctx context.Context, id string) (routes.Shipment, error) {
	if s.closed.Load() {
		return routes.Shipment{}, errClosed
	}
	if !storable(id) {
		return routes.Shipment{}, fmt.Errorf("shipment %q: %w", id, routes.ErrNotFound)
	}
	var sh routes.Shipment
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+shipments.cols+" FROM shipments s WHERE s.id = $1", id)
		if err != nil {
			return err
		}
		sh, err = pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (routes.Shipment, error) { return scanShipment(r) })
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, "SELECT "+legs.cols+" FROM legs l WHERE l.shipment = $1 ORDER BY l.seq, l.id", id)
		if err != nil {
			return err
		}
		sh.Legs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (routes.Leg, error) { return scanLeg(r) })
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return routes.Shipment{}, fmt.Errorf("shipment %q: %w", id, routes.ErrNotFound)
	}
	if err != nil {
		return routes.Shipment{}, fail(fmt.Sprintf("read shipment %q", id), err)
	}
	return sh, nil
}

// Legs lists legs by start, shipment, seq and id, filtered by q's During,
// BBox, Via, Vessel, Mode and Shipment.
func (s *Store) Legs(ctx context.Context, q routes.Query) (routes.Page[routes.Leg], error) {
	var f filter
	f.legConds(q)
	return list(ctx, s, legs, &f, q)
}

// Leg reads one leg.
func (s *Store) Leg(ctx context.Context, id string) (routes.Leg, error) {
	return get(ctx, s, legs, id)
}

// Tracks lists tracks by start and id, filtered by q's During, BBox,
// Vessel and MMSI.
func (s *Store) Tracks(ctx context.Context, q routes.Query) (routes.Page[routes.Track], error) {
	var f filter
	trackConds(&f, q)
	return list(ctx, s, tracks, &f, q)
}

// Gaps lists gaps by start and id, filtered by q's During, Vessel and MMSI
// and by BBox on the straight segment from where the silence began to where
// it ended.
func (s *Store) Gaps(ctx context.Context, q routes.Query) (routes.Page[routes.Gap], error) {
	var f filter
	gapConds(&f, q)
	return list(ctx, s, gaps, &f, q)
}

// Observations lists observations by earliest time and id, filtered by q's
// During, BBox and Near.
func (s *Store) Observations(ctx context.Context, q routes.Query) (routes.Page[routes.Observation], error) {
	var f filter
	observationConds(&f, q)
	return list(ctx, s, observations, &f, q)
}

func scanPlace(r pgx.CollectableRow, extra ...any) (routes.Place, error) {
	var p routes.Place
	err := r.Scan(append([]any{&p.ID, &p.Name, &p.Kind, &p.Country, &p.UNLOCODE, &p.Aliases,
		&p.Lon, &p.Lat, &p.Note}, extra...)...)
	p.Aliases = nilIfEmpty(p.Aliases)
	return p, err
}

func scanVessel(r pgx.CollectableRow, extra ...any) (routes.Vessel, error) {
	var v routes.Vessel
	err := r.Scan(append([]any{&v.ID, &v.Name, &v.IMO, &v.MMSI, &v.Flag, &v.Type, &v.Owner,
		&v.FormerNames, &v.Confidence, &v.Note}, extra...)...)
	v.FormerNames = nilIfEmpty(v.FormerNames)
	return v, err
}

func scanSource(r pgx.CollectableRow, extra ...any) (routes.Source, error) {
	var s routes.Source
	var published time.Time
	err := r.Scan(append([]any{&s.ID, &s.Publisher, &s.Title, &s.URL, &published, &s.Kind}, extra...)...)
	s.Published = published.Format(time.DateOnly)
	return s, err
}

func scanShipment(r pgx.CollectableRow, extra ...any) (routes.Shipment, error) {
	var s routes.Shipment
	var claims [][]string
	err := r.Scan(append([]any{&s.ID, &s.Title, &s.Summary, &s.Cargo.Description, &s.Cargo.Quantity,
		&s.Cargo.Unit, &s.Cargo.Qualifier, &s.Status, &s.Confidence, &s.Start, &s.End,
		&s.Bound.Min[0], &s.Bound.Min[1], &s.Bound.Max[0], &s.Bound.Max[1], &s.LengthKm,
		&claims}, extra...)...)
	if err != nil {
		return s, err
	}
	s.Start, s.End = s.Start.UTC(), s.End.UTC()
	s.Sources, err = claimPairs(claims)
	return s, err
}

// scanLeg reads a leg from the raw row: see rawRow.
func scanLeg(row pgx.CollectableRow, extra ...any) (routes.Leg, error) {
	return scanLegInto(row, nil, extra...)
}

// scanLegInto is scanLeg with the leg's line in buf's memory, when buf is
// not nil: see linesInto.
func scanLegInto(row pgx.CollectableRow, buf *lineBuffer, extra ...any) (routes.Leg, error) {
	r := newRawRow(row)
	var t [10]string
	r.textCols(t[:], 0, 1, 3, 4, 5, 7, 8, 14, 16, 17)
	l := routes.Leg{ID: t[0], Shipment: t[1], Seq: r.int4(2), Mode: routes.Mode(t[2]),
		Origin: t[3], Destination: t[4], Via: r.texts(6), Vessel: t[5], Carrier: t[6],
		Depart:       routes.Window{Earliest: r.time(9), Latest: r.time(10)},
		Arrive:       routes.Window{Earliest: r.time(11), Latest: r.time(12)},
		GeometryKind: routes.GeometryKind(t[7]), LengthKm: r.float8(15),
		Confidence: routes.Confidence(t[8]), Note: t[9]}
	l.Sources = r.claims(18)
	geom := r.bytes(13)
	r.extra(19, extra)
	if r.err != nil {
		return l, r.err
	}
	var err error
	l.Geometry, err = linesInto(geom, buf)
	return l, err
}

func scanTrack(r pgx.CollectableRow, extra ...any) (routes.Track, error) {
	return scanTrackInto(r, nil, extra...)
}

func scanTrackInto(r pgx.CollectableRow, buf *lineBuffer, extra ...any) (routes.Track, error) {
	var t routes.Track
	var geom []byte
	err := r.Scan(append([]any{&t.ID, &t.MMSI, &t.Vessel, &t.Start, &t.End, &t.Points, &geom,
		&t.LengthKm, &t.Leg}, extra...)...)
	if err != nil {
		return t, err
	}
	t.Start, t.End = t.Start.UTC(), t.End.UTC()
	t.Geometry, err = linesInto(geom, buf)
	return t, err
}

func scanGap(r pgx.CollectableRow, extra ...any) (routes.Gap, error) {
	var g routes.Gap
	err := r.Scan(append([]any{&g.ID, &g.MMSI, &g.Vessel, &g.Start, &g.End,
		&g.From[0], &g.From[1], &g.To[0], &g.To[1], &g.Dark, &g.OffshoreNm}, extra...)...)
	g.Start, g.End = g.Start.UTC(), g.End.UTC()
	return g, err
}

func scanObservation(r pgx.CollectableRow, extra ...any) (routes.Observation, error) {
	var o routes.Observation
	err := r.Scan(append([]any{&o.ID, &o.Time.Earliest, &o.Time.Latest, &o.Lon, &o.Lat, &o.Kind,
		&o.Subject, &o.Source, &o.Note}, extra...)...)
	o.Time = utcWindow(o.Time)
	return o, err
}

func utcWindow(w routes.Window) routes.Window {
	return routes.Window{Earliest: w.Earliest.UTC(), Latest: w.Latest.UTC()}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
