package postgis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/shiptrack/shiptrack/routes"
)

// applyLock is the advisory lock key that serialises Apply: claims are
// compared with what is stored before they are replaced, and two batches
// doing that at once could both miss the other's rows.
const applyLock int64 = 0x7368697061706c79

// upsert is an INSERT of one row into table that, when the id exists,
// rewrites the stored row only if some column differs. Its RowsAffected is
// therefore 1 for a new or changed row and 0 for an unchanged one. cols[0]
// is the id; vals are the SQL expressions for the columns, in order.
func upsert(table string, cols, vals []string) string {
	rest := cols[1:]
	excluded := make([]string, len(rest))
	stored := make([]string, len(rest))
	for i, c := range rest {
		excluded[i] = "EXCLUDED." + c
		stored[i] = table + "." + c
	}
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") +
		") ON CONFLICT (id) DO UPDATE SET (" + strings.Join(rest, ", ") + ") = ROW(" + strings.Join(excluded, ", ") +
		") WHERE (" + strings.Join(stored, ", ") + ") IS DISTINCT FROM (" + strings.Join(excluded, ", ") + ")"
}

// point is the SQL for a WGS 84 point from two bound doubles.
func point(x, y string) string { return "ST_SetSRID(ST_MakePoint(" + x + ", " + y + "), 4326)" }

// Optional text is stored as NULL, so that a column's CHECK applies only
// to values that are there.
var (
	upsertPlace = upsert("places",
		[]string{"id", "name", "kind", "country", "unlocode", "aliases", "note", "geom"},
		[]string{"$1", "$2", "$3", "$4", "nullif($5, '')", "$6", "nullif($7, '')", point("$8", "$9")})
	upsertVessel = upsert("vessels",
		[]string{"id", "name", "imo", "mmsi", "flag", "type", "owner", "former_names", "confidence", "note"},
		[]string{"$1", "$2", "nullif($3, '')", "nullif($4, '')", "nullif($5, '')", "nullif($6, '')",
			"nullif($7, '')", "$8", "nullif($9, '')", "nullif($10, '')"})
	upsertSource = upsert("sources",
		[]string{"id", "publisher", "title", "url", "published", "kind"},
		[]string{"$1", "$2", "$3", "nullif($4, '')", "$5", "$6"})
	upsertShipment = upsert("shipments",
		[]string{"id", "title", "summary", "cargo_description", "cargo_quantity", "cargo_unit", "cargo_qualifier",
			"status", "confidence", "start_time", "end_time", "bound_west", "bound_south", "bound_east", "bound_north",
			"length_km"},
		[]string{"$1", "$2", "nullif($3, '')", "$4", "$5", "nullif($6, '')", "nullif($7, '')", "$8", "$9",
			"$10", "$11", "$12", "$13", "$14", "$15", "$16"})
	upsertLeg = upsert("legs",
		[]string{"id", "shipment", "seq", "mode", "origin", "destination", "via", "vessel", "carrier",
			"depart_earliest", "depart_latest", "arrive_earliest", "arrive_latest", "geom", "geometry_kind",
			"length_km", "confidence", "note"},
		[]string{"$1", "$2", "$3", "$4", "$5", "$6", "$7", "nullif($8, '')", "nullif($9, '')", "$10", "$11",
			"$12", "$13", "ST_GeomFromWKB($14, 4326)", "$15", "$16", "nullif($17, '')", "nullif($18, '')"})
	upsertTrack = upsert("tracks",
		[]string{"id", "mmsi", "vessel", "start_time", "end_time", "points", "geom", "length_km", "leg"},
		[]string{"$1", "$2", "nullif($3, '')", "$4", "$5", "$6", "ST_GeomFromWKB($7, 4326)", "$8", "nullif($9, '')"})
	upsertGap = upsert("gaps",
		[]string{"id", "mmsi", "vessel", "start_time", "end_time", "from_geom", "to_geom", "dark", "offshore_nm"},
		[]string{"$1", "$2", "nullif($3, '')", "$4", "$5", point("$6", "$7"), point("$8", "$9"), "$10", "$11"})
	upsertObservation = upsert("observations",
		[]string{"id", "time_earliest", "time_latest", "geom", "kind", "subject", "source", "note"},
		[]string{"$1", "$2", "$3", point("$4", "$5"), "$6", "$7", "$8", "nullif($9, '')"})
)

// Apply writes b in one transaction. A shipment in b replaces its stored
// legs and claims. Changes counts new and changed records: a shipment
// changes when its row or its claims do; a leg when its row or its claims
// do, or when it is removed because its shipment no longer has it.
func (s *Store) Apply(ctx context.Context, b *routes.Batch) (routes.Changes, error) {
	if s.closed.Load() {
		return routes.Changes{}, errClosed
	}
	if b == nil {
		return routes.Changes{}, nil
	}
	var ch routes.Changes
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ch = routes.Changes{}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, applyLock); err != nil {
			return fail("lock for apply", err)
		}
		stored, err := storedClaims(ctx, tx, b)
		if err != nil {
			return err
		}
		var w writes
		for _, src := range b.Sources {
			published, err := time.Parse(time.DateOnly, src.Published)
			if err != nil {
				return fmt.Errorf("source %q: published %q is not a date such as 2023-10-13", src.ID, src.Published)
			}
			w.queue(fmt.Sprintf("source %q", src.ID), count(&ch.Sources), upsertSource,
				src.ID, src.Publisher, src.Title, src.URL, published, string(src.Kind))
		}
		for _, p := range b.Places {
			w.queue(fmt.Sprintf("place %q", p.ID), count(&ch.Places), upsertPlace,
				p.ID, p.Name, string(p.Kind), p.Country, p.UNLOCODE, notNil(p.Aliases), p.Note, p.Lon, p.Lat)
		}
		for _, v := range b.Vessels {
			w.queue(fmt.Sprintf("vessel %q", v.ID), count(&ch.Vessels), upsertVessel,
				v.ID, v.Name, v.IMO, v.MMSI, v.Flag, v.Type, v.Owner, notNil(v.FormerNames), string(v.Confidence), v.Note)
		}
		shipChanged := make([]bool, len(b.Shipments))
		var legChanged [][]bool
		for i, sh := range b.Shipments {
			legChanged = append(legChanged, make([]bool, len(sh.Legs)))
			if err := w.shipment(sh, stored, flag(&shipChanged[i]), count(&ch.Legs), legChanged[i]); err != nil {
				return err
			}
		}
		for _, o := range b.Observations {
			w.queue(fmt.Sprintf("observation %q", o.ID), count(&ch.Observations), upsertObservation,
				o.ID, utc(o.Time.Earliest), utc(o.Time.Latest), o.Lon, o.Lat, string(o.Kind), o.Subject, o.Source, o.Note)
		}
		if len(b.ReplaceTracksOf) > 0 {
			w.replaceTracks(b, &ch)
		}
		for _, t := range b.Tracks {
			geom, err := wkb.Marshal(notNilLines(t.Geometry))
			if err != nil {
				return fmt.Errorf("track %q: encode geometry: %w", t.ID, err)
			}
			w.queue(fmt.Sprintf("track %q", t.ID), count(&ch.Tracks), upsertTrack,
				t.ID, t.MMSI, t.Vessel, utc(t.Start), utc(t.End), t.Points, geom, t.LengthKm, t.Leg)
		}
		for _, g := range b.Gaps {
			w.queue(fmt.Sprintf("gap %q", g.ID), count(&ch.Gaps), upsertGap,
				g.ID, g.MMSI, g.Vessel, utc(g.Start), utc(g.End), g.From[0], g.From[1], g.To[0], g.To[1], g.Dark, g.OffshoreNm)
		}
		if err := w.send(ctx, tx); err != nil {
			return err
		}
		for i := range b.Shipments {
			if shipChanged[i] {
				ch.Shipments++
			}
			for _, c := range legChanged[i] {
				if c {
					ch.Legs++
				}
			}
		}
		return nil
	})
	if err != nil {
		return routes.Changes{}, fail("apply", err)
	}
	return ch, nil
}

// shipment queues the writes of one shipment: its row with the derived
// fields recomputed from its legs, the removal of stored legs it no longer
// has (counted by removed), its claims when they differ, and its legs.
func (w *writes) shipment(sh routes.Shipment, stored claims, changed, removed func(int64), legChanged []bool) error {
	routes.Derive(&sh)
	what := fmt.Sprintf("shipment %q", sh.ID)
	w.queue(what, changed, upsertShipment,
		sh.ID, sh.Title, sh.Summary, sh.Cargo.Description, sh.Cargo.Quantity, sh.Cargo.Unit, sh.Cargo.Qualifier,
		string(sh.Status), string(sh.Confidence), utc(sh.Start), utc(sh.End),
		sh.Bound.Min[0], sh.Bound.Min[1], sh.Bound.Max[0], sh.Bound.Max[1], sh.LengthKm)
	w.queue(what+": remove legs", removed, `DELETE FROM legs WHERE shipment = $1 AND id <> ALL($2::text[])`, sh.ID, routes.LegIDs(sh.Legs))
	w.claims(what, "shipment_sources", "shipment", sh.ID, stored.shipments[sh.ID], sh.Sources, changed)
	for i, l := range sh.Legs {
		what := fmt.Sprintf("shipment %q: leg %q", sh.ID, l.ID)
		geom, err := wkb.Marshal(notNilLines(l.Geometry))
		if err != nil {
			return fmt.Errorf("%s: encode geometry: %w", what, err)
		}
		changed := flag(&legChanged[i])
		w.queue(what, changed, upsertLeg,
			l.ID, sh.ID, l.Seq, string(l.Mode), l.Origin, l.Destination, notNil(l.Via), l.Vessel, l.Carrier,
			utc(l.Depart.Earliest), utc(l.Depart.Latest), utc(l.Arrive.Earliest), utc(l.Arrive.Latest),
			geom, string(l.GeometryKind), l.LengthKm, string(l.Confidence), l.Note)
		w.claims(what, "leg_sources", "leg", l.ID, stored.legs[l.ID], l.Sources, changed)
	}
	return nil
}

// replaceTracks queues the removal of the stored tracks and gaps of the
// batch's ReplaceTracksOf MMSIs that the batch does not hold.
func (w *writes) replaceTracks(b *routes.Batch, ch *routes.Changes) {
	tracks := make([]string, len(b.Tracks))
	for i, t := range b.Tracks {
		tracks[i] = t.ID
	}
	gaps := make([]string, len(b.Gaps))
	for i, g := range b.Gaps {
		gaps[i] = g.ID
	}
	w.queue("remove replaced tracks", count(&ch.Tracks),
		`DELETE FROM tracks WHERE mmsi = ANY($1::text[]) AND id <> ALL($2::text[])`, b.ReplaceTracksOf, tracks)
	w.queue("remove replaced gaps", count(&ch.Gaps),
		`DELETE FROM gaps WHERE mmsi = ANY($1::text[]) AND id <> ALL($2::text[])`, b.ReplaceTracksOf, gaps)
}

// claims queues the replacement of the claims of the record id, kept in
// table under column owner, when they differ from those stored.
func (w *writes) claims(what, table, owner, id string, stored, claims []routes.Claim, changed func(int64)) {
	if slices.Equal(stored, claims) {
		return
	}
	changed(1)
	w.queue(what+": remove claims", nil, "DELETE FROM "+table+" WHERE "+owner+" = $1", id)
	if len(claims) == 0 {
		return
	}
	srcs := make([]string, len(claims))
	texts := make([]string, len(claims))
	for i, c := range claims {
		srcs[i], texts[i] = c.Source, c.Claim
	}
	w.queue(what+": claims", nil, "INSERT INTO "+table+" ("+owner+", ord, source, claim) "+
		"SELECT $1, c.ord, c.source, c.claim FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS c(source, claim, ord)",
		id, srcs, texts)
}

// claims are the stored claims of the shipments and legs of a batch, in
// order, by id.
type claims struct {
	shipments, legs map[string][]routes.Claim
}

// storedClaims reads the claims stored for the shipments and legs in b.
func storedClaims(ctx context.Context, tx pgx.Tx, b *routes.Batch) (claims, error) {
	var shipIDs, legIDs []string
	for _, s := range b.Shipments {
		shipIDs = append(shipIDs, s.ID)
		for _, l := range s.Legs {
			legIDs = append(legIDs, l.ID)
		}
	}
	var c claims
	var err error
	if c.shipments, err = readClaims(ctx, tx, "shipment_sources", "shipment", shipIDs); err != nil {
		return c, err
	}
	c.legs, err = readClaims(ctx, tx, "leg_sources", "leg", legIDs)
	return c, err
}

// readClaims reads the claims in table of the owners ids.
func readClaims(ctx context.Context, tx pgx.Tx, table, owner string, ids []string) (map[string][]routes.Claim, error) {
	out := map[string][]routes.Claim{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, "SELECT "+owner+", source, claim FROM "+table+" WHERE "+owner+" = ANY($1::text[]) ORDER BY "+owner+", ord", ids)
	if err != nil {
		return nil, fail("read stored claims", err)
	}
	var id string
	var c routes.Claim
	_, err = pgx.ForEachRow(rows, []any{&id, &c.Source, &c.Claim}, func() error {
		out[id] = append(out[id], c)
		return nil
	})
	if err != nil {
		return nil, fail("read stored claims", err)
	}
	return out, nil
}

// writes is a pgx batch whose statements are labelled, so that an error
// names the record that caused it, and whose row counts are reported.
type writes struct {
	batch pgx.Batch
	steps []step
}

type step struct {
	what string
	rows func(int64) // told RowsAffected; nil to ignore it
}

func (w *writes) queue(what string, rows func(int64), sql string, args ...any) {
	w.batch.Queue(sql, args...)
	w.steps = append(w.steps, step{what, rows})
}

// send runs the batch in one round trip and stops at the first error.
func (w *writes) send(ctx context.Context, tx pgx.Tx) error {
	if len(w.steps) == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, &w.batch)
	defer br.Close()
	for _, st := range w.steps {
		ct, err := br.Exec()
		if err != nil {
			return fail(st.what, err)
		}
		if st.rows != nil {
			st.rows(ct.RowsAffected())
		}
	}
	return fail("finish batch", br.Close())
}

// count adds row counts to n.
func count(n *int) func(int64) { return func(r int64) { *n += int(r) } }

// flag sets b when any rows are affected.
func flag(b *bool) func(int64) {
	return func(r int64) {
		if r > 0 {
			*b = true
		}
	}
}

// utc is t as stored: in UTC, at microsecond resolution.
func utc(t time.Time) time.Time { return t.UTC().Truncate(routes.Resolution) }

// notNil is s, or an empty slice for nil, since pgx writes a nil slice as
// NULL and the array columns hold '{}' for none.
func notNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// notNilLines is ml, or an empty MultiLineString for nil, which WKB can
// write.
func notNilLines(ml orb.MultiLineString) orb.MultiLineString {
	if ml == nil {
		return orb.MultiLineString{}
	}
	return ml
}
