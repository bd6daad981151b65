package gpkg

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

// Apply writes a batch in one transaction: all of it, or on error none.
// Records are upserted by id; a shipment replaces its stored legs and claims.
// A record counts as changed when it is new or its stored form differs, so
// applying a batch twice changes nothing the second time.
func (s *Store) Apply(ctx context.Context, b *routes.Batch) (routes.Changes, error) {
	if s.closed.Load() {
		return routes.Changes{}, s.errClosed()
	}
	if b == nil {
		return routes.Changes{}, nil
	}
	if err := checkIDs(b); err != nil {
		return routes.Changes{}, fmt.Errorf("apply to %s: %w", s.path, err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return routes.Changes{}, s.unavailable("apply to", err)
	}
	defer tx.Rollback()
	// The comparison is with what the file holds now, read inside the write
	// transaction, not with the index, which another process may have
	// outdated.
	old, err := loadIndex(ctx, tx)
	if err != nil {
		return routes.Changes{}, s.unavailable("apply to", err)
	}
	if err := checkBatch(b, old); err != nil {
		return routes.Changes{}, fmt.Errorf("apply to %s: %w", s.path, err)
	}
	w := &writer{ctx: ctx, tx: tx, old: old, touched: map[string]Table{}}
	c, err := w.apply(b)
	if err != nil {
		if ctx.Err() != nil {
			return routes.Changes{}, fmt.Errorf("apply to %s: %w", s.path, ctx.Err())
		}
		return routes.Changes{}, fmt.Errorf("apply to %s: %w", s.path, err)
	}
	for _, t := range tables {
		if _, ok := w.touched[t.Name]; ok {
			if err := touchContents(ctx, tx, t); err != nil {
				return routes.Changes{}, s.unavailable("apply to", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return routes.Changes{}, s.unavailable("apply to", err)
	}
	if _, err := s.refresh(ctx); err != nil {
		return c, err
	}
	return c, nil
}

// checkIDs rejects what would make an upsert ambiguous: a record without an
// id, or the same id twice in one list.
func checkIDs(b *routes.Batch) error {
	var r rules
	check := func(list string, n int, id func(int) string) {
		seen := map[string]bool{}
		for i := range n {
			switch path := fmt.Sprintf("%s[%d].id", list, i); {
			case id(i) == "":
				r.fail(path, "is required")
			case seen[id(i)]:
				r.fail(path, "%q appears twice in the batch", id(i))
			}
			seen[id(i)] = true
		}
	}
	check("places", len(b.Places), func(i int) string { return b.Places[i].ID })
	check("vessels", len(b.Vessels), func(i int) string { return b.Vessels[i].ID })
	check("sources", len(b.Sources), func(i int) string { return b.Sources[i].ID })
	check("shipments", len(b.Shipments), func(i int) string { return b.Shipments[i].ID })
	var legIDs []string
	for i, sh := range b.Shipments {
		if len(sh.Legs) == 0 {
			r.fail(fmt.Sprintf("shipments[%d].legs", i), "at least one leg is required")
		}
		for _, l := range sh.Legs {
			legIDs = append(legIDs, l.ID)
		}
	}
	check("legs", len(legIDs), func(i int) string { return legIDs[i] })
	check("tracks", len(b.Tracks), func(i int) string { return b.Tracks[i].ID })
	check("gaps", len(b.Gaps), func(i int) string { return b.Gaps[i].ID })
	check("observations", len(b.Observations), func(i int) string { return b.Observations[i].ID })
	return r.err()
}

// writer writes one batch inside a transaction.
type writer struct {
	ctx     context.Context
	tx      *sql.Tx
	old     *index
	touched map[string]Table // tables written, to record in gpkg_contents
}

func (w *writer) apply(b *routes.Batch) (routes.Changes, error) {
	var c routes.Changes
	var err error
	if c.Places, err = upsertAll(w, placesTable, b.Places, normPlace, placeRow, found(w.old.place), func(p routes.Place) string { return p.ID }); err != nil {
		return c, err
	}
	if c.Vessels, err = upsertAll(w, vesselsTable, b.Vessels, normVessel, vesselRow, found(w.old.vessel), func(v routes.Vessel) string { return v.ID }); err != nil {
		return c, err
	}
	if c.Sources, err = upsertAll(w, sourcesTable, b.Sources, func(s routes.Source) routes.Source { return s }, sourceRow, found(w.old.source), func(s routes.Source) string { return s.ID }); err != nil {
		return c, err
	}
	if err := w.checkLegOwners(b.Shipments); err != nil {
		return c, err
	}
	for i, sh := range b.Shipments {
		shipment, legs, err := w.shipment(normShipment(sh))
		if err != nil {
			return c, fmt.Errorf("shipments[%d] %q: %w", i, sh.ID, err)
		}
		if shipment {
			c.Shipments++
		}
		c.Legs += legs
	}
	if len(b.ReplaceTracksOf) > 0 {
		if c.Tracks, err = w.removeReplaced(tracksTable, b.ReplaceTracksOf, idSet(b.Tracks, func(t routes.Track) string { return t.ID })); err != nil {
			return c, err
		}
		if c.Gaps, err = w.removeReplaced(gapsTable, b.ReplaceTracksOf, idSet(b.Gaps, func(g routes.Gap) string { return g.ID })); err != nil {
			return c, err
		}
	}
	var n int
	if n, err = upsertAll(w, tracksTable, b.Tracks, normTrack, trackRow, stored(w, tracksTable, scanTrack), func(t routes.Track) string { return t.ID }); err != nil {
		return c, err
	}
	c.Tracks += n
	if n, err = upsertAll(w, gapsTable, b.Gaps, normGap, gapRow, stored(w, gapsTable, scanGap), func(g routes.Gap) string { return g.ID }); err != nil {
		return c, err
	}
	c.Gaps += n
	if c.Observations, err = upsertAll(w, observationsTable, b.Observations, normObservation, observationRow, stored(w, observationsTable, scanObservation), func(o routes.Observation) string { return o.ID }); err != nil {
		return c, err
	}
	return c, nil
}

// removeReplaced deletes the rows of t whose MMSI is one of mmsis and whose
// id is not in keep, and counts them.
func (w *writer) removeReplaced(t Table, mmsis []string, keep map[string]bool) (int, error) {
	n := 0
	for _, m := range mmsis {
		rows, err := w.tx.QueryContext(w.ctx, "SELECT id FROM "+quoteIdent(t.Name)+" WHERE mmsi = ?", m)
		if err != nil {
			return n, fmt.Errorf("%s of MMSI %s: %w", t.Name, m, err)
		}
		var gone []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return n, fmt.Errorf("%s of MMSI %s: %w", t.Name, m, err)
			}
			if !keep[id] {
				gone = append(gone, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, fmt.Errorf("%s of MMSI %s: %w", t.Name, m, err)
		}
		for _, id := range gone {
			if _, err := w.tx.ExecContext(w.ctx, "DELETE FROM "+quoteIdent(t.Name)+" WHERE id = ?", id); err != nil {
				return n, fmt.Errorf("remove %s %q: %w", t.Name, id, err)
			}
			w.touched[t.Name] = t
			n++
		}
	}
	return n, nil
}

// idSet is the set of ids of xs.
func idSet[T any](xs []T, id func(T) string) map[string]bool {
	out := make(map[string]bool, len(xs))
	for _, x := range xs {
		out[id(x)] = true
	}
	return out
}

// stored looks up a record in a table the index does not hold.
func stored[T any](w *writer, t Table, scan func(scanner) (T, error)) func(string) (T, bool, error) {
	q := t.selectSQL() + " WHERE id = ?"
	return func(id string) (T, bool, error) {
		x, err := scan(w.tx.QueryRowContext(w.ctx, q, id))
		if errors.Is(err, sql.ErrNoRows) {
			return x, false, nil
		}
		return x, err == nil, err
	}
}

// found adapts an index lookup.
func found[T any](lookup func(string) (T, bool)) func(string) (T, bool, error) {
	return func(id string) (T, bool, error) {
		x, ok := lookup(id)
		return x, ok, nil
	}
}

// upsertAll writes each record that is new or differs from the stored one,
// and counts them.
func upsertAll[T any](w *writer, t Table, xs []T, norm func(T) T, rowOf func(T) ([]any, error),
	lookup func(string) (T, bool, error), id func(T) string) (int, error) {
	n := 0
	for i, x := range xs {
		x = norm(x)
		row, err := rowOf(x)
		if err != nil {
			return n, fmt.Errorf("%s[%d] %q: %w", t.Name, i, id(x), err)
		}
		old, ok, err := lookup(id(x))
		if err != nil {
			return n, fmt.Errorf("%s[%d] %q: read the stored one: %w", t.Name, i, id(x), err)
		}
		var oldRow []any
		if ok {
			if oldRow, err = rowOf(old); err != nil {
				return n, fmt.Errorf("%s[%d] %q: stored: %w", t.Name, i, id(x), err)
			}
		}
		changed, err := w.put(t, id(x), row, oldRow, ok)
		if err != nil {
			return n, fmt.Errorf("%s[%d] %q: %w", t.Name, i, id(x), err)
		}
		if changed {
			n++
		}
	}
	return n, nil
}

// put inserts a row, or updates the stored one when it differs, and
// reports whether it wrote.
func (w *writer) put(t Table, id string, row, oldRow []any, exists bool) (bool, error) {
	var err error
	switch {
	case !exists:
		_, err = w.tx.ExecContext(w.ctx, t.insertSQL(), row...)
	case sameRow(row, oldRow):
		return false, nil
	default:
		_, err = w.tx.ExecContext(w.ctx, t.updateSQL(), append(row, id)...)
	}
	if err != nil {
		return false, err
	}
	w.touched[t.Name] = t
	return true, nil
}

// sameRow reports whether two rows would be stored identically.
func sameRow(a, b []any) bool {
	return slices.EqualFunc(a, b, func(x, y any) bool {
		if xb, ok := x.([]byte); ok {
			yb, ok := y.([]byte)
			return ok && bytes.Equal(xb, yb)
		}
		return x == y
	})
}

// checkLegOwners refuses to move a leg out of a stored shipment that the
// batch does not also rewrite: that shipment would be left describing a leg
// it no longer has.
func (w *writer) checkLegOwners(shipments []routes.Shipment) error {
	inBatch := map[string]bool{}
	for _, sh := range shipments {
		inBatch[sh.ID] = true
	}
	for i, sh := range shipments {
		for j, l := range sh.Legs {
			if old, ok := w.old.leg(l.ID); ok && old.Shipment != sh.ID && !inBatch[old.Shipment] {
				return routes.FieldError{Path: fmt.Sprintf("shipments[%d].legs[%d].id", i, j),
					Msg: fmt.Sprintf("leg %q already belongs to shipment %q", l.ID, old.Shipment)}
			}
		}
	}
	return nil
}

// shipment writes a shipment with its legs and claims, replacing what is
// stored, and reports whether the shipment changed and how many of its legs
// were written or removed. As in the PostGIS store, the shipment counts as
// changed when its own fields, its derived period, extent or length, or its
// claims changed; its line, the union of its legs', is rewritten with them.
func (w *writer) shipment(sh routes.Shipment) (changed bool, legs int, err error) {
	old, exists := w.old.shipment(sh.ID)
	row, err := shipmentRow(sh)
	if err != nil {
		return false, 0, err
	}
	written := true
	switch {
	case !exists:
		_, err = w.tx.ExecContext(w.ctx, shipmentsTable.insertSQL(), row...)
		changed = true
	default:
		var oldRow []any
		if oldRow, err = shipmentRow(old); err != nil {
			return false, 0, fmt.Errorf("stored: %w", err)
		}
		if sameRow(row, oldRow) {
			written = false
			break
		}
		_, err = w.tx.ExecContext(w.ctx, shipmentsTable.updateSQL(), append(row, sh.ID)...)
		changed = !sameRow(shipmentKey(sh, row), shipmentKey(old, oldRow))
	}
	if err != nil {
		return false, 0, err
	}
	if written {
		w.touched[shipmentsTable.Name] = shipmentsTable
	}
	if !exists || !slices.Equal(sh.Sources, old.Sources) {
		if err := w.claims(shipmentClaimsTable, "shipment", sh.ID, sh.Sources); err != nil {
			return false, 0, err
		}
		changed = true
	}
	keep := map[string]bool{}
	for j, l := range sh.Legs {
		keep[l.ID] = true
		n, err := w.leg(l)
		if err != nil {
			return false, 0, fmt.Errorf("legs[%d] %q: %w", j, l.ID, err)
		}
		legs += n
	}
	for _, l := range old.Legs {
		if keep[l.ID] {
			continue
		}
		if err := w.deleteLeg(l.ID); err != nil {
			return false, 0, fmt.Errorf("remove leg %q: %w", l.ID, err)
		}
		legs++
	}
	return changed, legs, nil
}

// shipmentKey is what decides whether a shipment changed: its row with the
// extent of its line in place of the line.
func shipmentKey(s routes.Shipment, row []any) []any {
	b := s.Bound
	return append(slices.Clone(row[:len(row)-1]), b.Min[0], b.Min[1], b.Max[0], b.Max[1])
}

// leg writes one leg and its claims unless they are stored already, and
// reports 1 if it wrote.
func (w *writer) leg(l routes.Leg) (int, error) {
	old, exists := w.old.leg(l.ID)
	row, err := legRow(l)
	if err != nil {
		return 0, err
	}
	var oldRow []any
	if exists {
		if oldRow, err = legRow(old); err != nil {
			return 0, fmt.Errorf("stored: %w", err)
		}
	}
	changed, err := w.put(legsTable, l.ID, row, oldRow, exists)
	if err != nil {
		return 0, err
	}
	if !exists || !slices.Equal(l.Sources, old.Sources) {
		if err := w.claims(legClaimsTable, "leg", l.ID, l.Sources); err != nil {
			return 0, err
		}
		changed = true
	}
	if changed {
		return 1, nil
	}
	return 0, nil
}

func (w *writer) deleteLeg(id string) error {
	if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM legs WHERE id = ?`, id); err != nil {
		return err
	}
	w.touched[legsTable.Name] = legsTable
	return w.claims(legClaimsTable, "leg", id, nil)
}

// claims replaces the claims of a shipment or leg.
func (w *writer) claims(t Table, owner, id string, cs []routes.Claim) error {
	if _, err := w.tx.ExecContext(w.ctx, "DELETE FROM "+quoteIdent(t.Name)+" WHERE "+quoteIdent(owner)+" = ?", id); err != nil {
		return fmt.Errorf("replace claims: %w", err)
	}
	for i, c := range cs {
		if _, err := w.tx.ExecContext(w.ctx, t.insertSQL(), id, i+1, c.Source, c.Claim); err != nil {
			return fmt.Errorf("sources[%d]: %w", i, err)
		}
	}
	w.touched[t.Name] = t
	return nil
}

// Records are normalised before they are compared or written, as they will
// be read back: times in UTC at the store's resolution, empty lists as nil.

func normTime(t time.Time) time.Time { return t.UTC().Truncate(routes.Resolution) }

func normWindow(w routes.Window) routes.Window {
	return routes.Window{Earliest: normTime(w.Earliest), Latest: normTime(w.Latest)}
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func normPlace(p routes.Place) routes.Place {
	p.Aliases = nilIfEmpty(p.Aliases)
	return p
}

func normVessel(v routes.Vessel) routes.Vessel {
	v.FormerNames = nilIfEmpty(v.FormerNames)
	return v
}

func normLeg(l routes.Leg) routes.Leg {
	l.Via = nilIfEmpty(l.Via)
	l.Sources = nilIfEmpty(l.Sources)
	l.Depart, l.Arrive = normWindow(l.Depart), normWindow(l.Arrive)
	return l
}

// normShipment also fills the legs' shipment, orders them and derives the
// shipment's period, extent and length from them, as they will be read.
func normShipment(s routes.Shipment) routes.Shipment {
	s.Sources = nilIfEmpty(s.Sources)
	legs := make([]routes.Leg, len(s.Legs))
	for i, l := range s.Legs {
		l.Shipment = s.ID
		legs[i] = normLeg(l)
	}
	slices.SortStableFunc(legs, func(a, b routes.Leg) int { return cmp.Compare(a.Seq, b.Seq) })
	s.Legs = legs
	routes.Derive(&s)
	return s
}

func normTrack(t routes.Track) routes.Track {
	t.Start, t.End = normTime(t.Start), normTime(t.End)
	return t
}

func normGap(g routes.Gap) routes.Gap {
	g.Start, g.End = normTime(g.Start), normTime(g.End)
	return g
}

func normObservation(o routes.Observation) routes.Observation {
	o.Time = normWindow(o.Time)
	return o
}
