package ingest

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// trackBatchVertices is roughly how many track vertices one write carries;
// the MMSIs are written in batches of about this size so that memory stays
// bounded however many vessels an ingest touches.
const trackBatchVertices = 200_000

// Tracks derives again, from all their stored positions, the tracks and
// gaps of the MMSIs (routes.DeriveTracks, with the store's ports), and
// replaces those stored for them. A vessel's voyages that match one of its
// reported sea legs (routes.MatchLegs) become that leg's observed line.
// Deriving from the same positions gives the same records, so running it
// twice changes nothing the second time. Each batch of MMSIs is written in
// one transaction. Of opt, Shore measures distance from shore (nil: from
// Natural Earth's coastline) and Progress counts the positions read.
func Tracks(ctx context.Context, store routes.Store, mmsis []string, opt AISOptions) (routes.Changes, error) {
	var total routes.Changes
	if len(mmsis) == 0 {
		return total, nil
	}
	opt.Progress.Reset(fmt.Sprintf("deriving the tracks of %s MMSIs", thousands(int64(len(mmsis)))))
	if opt.Shore == nil {
		opt.Shore = landShore
	}
	ports, err := store.Places(ctx, routes.Query{Kind: routes.Port})
	if err != nil {
		return total, fmt.Errorf("read ports: %w", err)
	}
	vessels, err := store.Vessels(ctx, routes.Query{})
	if err != nil {
		return total, fmt.Errorf("read vessels: %w", err)
	}
	byMMSI := map[string]string{}
	for _, v := range vessels.Items { // by id, so the first id wins a shared MMSI
		if _, ok := byMMSI[v.MMSI]; v.MMSI != "" && !ok {
			byMMSI[v.MMSI] = v.ID
		}
	}
	w := trackWriter{ctx: ctx, store: store, places: map[string]routes.Place{}}
	for _, m := range mmsis {
		topt := routes.TrackOptions{Ports: ports.Items, Shore: opt.Shore, Vessel: byMMSI[m]}
		d, err := routes.DeriveTracks(m, counted(store.Positions(ctx, routes.Query{MMSI: m}), opt.Progress), topt)
		if err != nil {
			return total, fmt.Errorf("derive the tracks of MMSI %s: %w", m, err)
		}
		if err := w.add(m, topt.Vessel, d); err != nil {
			return total, err
		}
		if w.vertices >= trackBatchVertices {
			if err := w.flush(&total); err != nil {
				return total, err
			}
		}
	}
	return total, w.flush(&total)
}

// counted passes positions through, telling p of them.
func counted(ps iter.Seq2[routes.Position, error], p *Progress) iter.Seq2[routes.Position, error] {
	if p == nil {
		return ps
	}
	return func(yield func(routes.Position, error) bool) {
		n := 0
		defer func() { p.Add(n) }()
		for pos, err := range ps {
			if n++; n == 4096 {
				p.Add(n)
				n = 0
			}
			if !yield(pos, err) {
				return
			}
		}
	}
}

// trackWriter gathers the records of a batch of MMSIs.
type trackWriter struct {
	ctx      context.Context
	store    routes.Store
	places   map[string]routes.Place
	batch    routes.Batch
	ships    map[string]int // shipment id → index in batch.Shipments
	vertices int
}

// add takes one MMSI's derived records, matching its voyages to the legs
// of its vessel.
func (w *trackWriter) add(mmsi, vessel string, d routes.Derived) error {
	w.batch.ReplaceTracksOf = append(w.batch.ReplaceTracksOf, mmsi)
	w.batch.Gaps = append(w.batch.Gaps, d.Gaps...)
	if vessel != "" && len(d.Voyages) > 0 {
		if err := w.observe(vessel, d.Voyages); err != nil {
			return err
		}
	}
	for _, t := range d.Tracks() {
		w.batch.Tracks = append(w.batch.Tracks, t)
		for _, part := range t.Geometry {
			w.vertices += len(part)
		}
	}
	return nil
}

// observe attaches voyages to the vessel's sea legs they match, setting
// Track.Leg and giving the leg the voyage's line.
func (w *trackWriter) observe(vessel string, voyages []routes.Voyage) error {
	legs, err := w.store.Legs(w.ctx, routes.Query{Vessel: vessel, Mode: routes.Sea})
	if err != nil {
		return fmt.Errorf("read the legs of vessel %q: %w", vessel, err)
	}
	for _, l := range legs.Items {
		for _, id := range []string{l.Origin, l.Destination} {
			if _, ok := w.places[id]; ok {
				continue
			}
			pl, err := w.store.Place(w.ctx, id)
			if err != nil && !errors.Is(err, routes.ErrNotFound) {
				return fmt.Errorf("read place %q: %w", id, err)
			}
			if err == nil {
				w.places[id] = pl
			}
		}
	}
	matched := routes.MatchLegs(voyages, legs.Items, w.places)
	for _, l := range legs.Items {
		i, ok := matched[l.ID]
		if !ok {
			continue
		}
		v := voyages[i]
		for j := range v.Tracks {
			v.Tracks[j].Leg = l.ID
		}
		if err := w.observeLeg(l, v.Geometry()); err != nil {
			return err
		}
	}
	return nil
}

// observeLeg gives a stored leg an observed line, rewriting its shipment.
func (w *trackWriter) observeLeg(l routes.Leg, line orb.MultiLineString) error {
	if w.ships == nil {
		w.ships = map[string]int{}
	}
	si, ok := w.ships[l.Shipment]
	if !ok {
		sh, err := w.store.Shipment(w.ctx, l.Shipment)
		if err != nil {
			return fmt.Errorf("read shipment %q: %w", l.Shipment, err)
		}
		si = len(w.batch.Shipments)
		w.ships[l.Shipment] = si
		w.batch.Shipments = append(w.batch.Shipments, sh)
	}
	sh := &w.batch.Shipments[si]
	for k := range sh.Legs {
		if sh.Legs[k].ID == l.ID {
			sh.Legs[k].Geometry = line
			sh.Legs[k].GeometryKind = routes.Observed
			sh.Legs[k].LengthKm = geo.Length(line) / 1000
		}
	}
	routes.Derive(sh)
	return nil
}

// flush writes the batch gathered so far.
func (w *trackWriter) flush(total *routes.Changes) error {
	if len(w.batch.ReplaceTracksOf) == 0 {
		return nil
	}
	ch, err := w.store.Apply(w.ctx, &w.batch)
	if err != nil {
		return fmt.Errorf("write tracks and gaps: %w", err)
	}
	total.Tracks += ch.Tracks
	total.Gaps += ch.Gaps
	total.Legs += ch.Legs
	total.Shipments += ch.Shipments
	w.batch, w.ships, w.vertices = routes.Batch{}, nil, 0
	return nil
}

// keepObserved keeps what AIS ingest learnt when a document says less, so
// that ingesting the document again does not undo it:
//
//   - a leg stored with an observed line keeps it when the document gives
//     the leg a less certain one (reported, modeled or schematic) between
//     the same places: an AIS track is better evidence of where a ship went
//     than a drawing;
//   - a vessel stored with an MMSI keeps it when the document gives the
//     vessel the same IMO number and no MMSI; a vessel with neither gets the
//     MMSI whose recorded static data carries its IMO number, if the store
//     keeps static data (the smallest MMSI, if several).
func keepObserved(ctx context.Context, known routes.Lookup, b *routes.Batch) error {
	if known == nil {
		return nil
	}
	for i := range b.Vessels {
		v := &b.Vessels[i]
		if v.MMSI != "" || v.IMO == "" {
			continue
		}
		stored, err := known.Vessel(ctx, v.ID)
		if err != nil && !errors.Is(err, routes.ErrNotFound) {
			return fmt.Errorf("look up vessel %q: %w", v.ID, err)
		}
		if err == nil && stored.IMO == v.IMO && stored.MMSI != "" {
			v.MMSI = stored.MMSI
			continue
		}
		if ss, ok := known.(routes.StaticStore); ok {
			static, err := ss.StaticByIMO(ctx, v.IMO)
			if err != nil {
				return fmt.Errorf("look up static data of IMO %s: %w", v.IMO, err)
			}
			if len(static) > 0 {
				v.MMSI = static[0].MMSI
			}
		}
	}
	for i := range b.Shipments {
		sh := &b.Shipments[i]
		changed := false
		for j := range sh.Legs {
			l := &sh.Legs[j]
			if l.GeometryKind == routes.Observed {
				continue
			}
			stored, err := known.Leg(ctx, l.ID)
			if errors.Is(err, routes.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("look up leg %q: %w", l.ID, err)
			}
			if stored.GeometryKind == routes.Observed && stored.Origin == l.Origin && stored.Destination == l.Destination {
				l.Geometry, l.GeometryKind, l.LengthKm = stored.Geometry, routes.Observed, stored.LengthKm
				changed = true
			}
		}
		if changed {
			routes.Derive(sh)
		}
	}
	return nil
}

// landShore is the distance in metres from Natural Earth's coastline (see
// geo.DistanceToShore), 0 on land: the shore distance Tracks uses unless
// told another.
func landShore(p orb.Point) float64 {
	if geo.OnLand(p) {
		return 0
	}
	return geo.DistanceToShore(p)
}
