package gpkg

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// index is the reference tables — places, vessels, sources, shipments and
// their legs — held in memory and answered from there: they are small, and
// asked for on every map move. An index is never changed once built; a write
// builds a new one and swaps it in, so readers need no lock.
type index struct {
	// version is PRAGMA data_version when the index was read, to tell when
	// another connection or process has written since.
	version int64

	places    []routes.Place // by id
	vessels   []routes.Vessel
	sources   []routes.Source   // by publication date, then id
	shipments []routes.Shipment // by start, then id, with their legs
	legs      []routes.Leg      // by start, shipment, seq, id
	legBounds []orb.Bound       // the extent of legs[i]

	placeByID    map[string]int
	vesselByID   map[string]int
	sourceByID   map[string]int
	shipmentByID map[string]int
	legByID      map[string]int
}

// querier runs queries: *sql.DB, *sql.Tx and *sql.Conn all do.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll reads every row of a query.
func queryAll[T any](ctx context.Context, q querier, query string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

type ownedClaim struct {
	owner string
	claim routes.Claim
}

func scanOwnedClaim(s scanner) (ownedClaim, error) {
	var c ownedClaim
	err := s.Scan(&c.owner, &c.claim.Source, &c.claim.Claim)
	return c, err
}

// loadIndex reads the reference tables.
func loadIndex(ctx context.Context, q querier) (*index, error) {
	idx := &index{}
	var err error
	if idx.places, err = queryAll(ctx, q, placesTable.selectSQL()+" ORDER BY id", scanPlace); err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	if idx.vessels, err = queryAll(ctx, q, vesselsTable.selectSQL()+" ORDER BY id", scanVessel); err != nil {
		return nil, fmt.Errorf("read vessels: %w", err)
	}
	if idx.sources, err = queryAll(ctx, q, sourcesTable.selectSQL()+" ORDER BY published, id", scanSource); err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	if idx.shipments, err = queryAll(ctx, q, "SELECT "+shipmentColumns+" FROM shipments", scanShipment); err != nil {
		return nil, fmt.Errorf("read shipments: %w", err)
	}
	shipmentClaims, err := queryAll(ctx, q, "SELECT shipment, source, claim FROM shipment_claims ORDER BY shipment, seq", scanOwnedClaim)
	if err != nil {
		return nil, fmt.Errorf("read shipment claims: %w", err)
	}
	if idx.legs, err = queryAll(ctx, q, legsTable.selectSQL(), scanLeg); err != nil {
		return nil, fmt.Errorf("read legs: %w", err)
	}
	legClaims, err := queryAll(ctx, q, "SELECT leg, source, claim FROM leg_claims ORDER BY leg, seq", scanOwnedClaim)
	if err != nil {
		return nil, fmt.Errorf("read leg claims: %w", err)
	}

	idx.legByID = byID(idx.legs, func(l routes.Leg) string { return l.ID })
	for _, c := range legClaims {
		if i, ok := idx.legByID[c.owner]; ok {
			idx.legs[i].Sources = append(idx.legs[i].Sources, c.claim)
		}
	}
	idx.shipmentByID = byID(idx.shipments, func(s routes.Shipment) string { return s.ID })
	for _, c := range shipmentClaims {
		if i, ok := idx.shipmentByID[c.owner]; ok {
			idx.shipments[i].Sources = append(idx.shipments[i].Sources, c.claim)
		}
	}
	slices.SortFunc(idx.legs, func(a, b routes.Leg) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, l := range idx.legs {
		if i, ok := idx.shipmentByID[l.Shipment]; ok {
			idx.shipments[i].Legs = append(idx.shipments[i].Legs, l)
		}
	}
	for i := range idx.shipments {
		routes.Derive(&idx.shipments[i])
	}
	slices.SortFunc(idx.shipments, func(a, b routes.Shipment) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(idx.legs, func(a, b routes.Leg) int {
		return cmp.Or(a.Start().Compare(b.Start()), cmp.Compare(a.Shipment, b.Shipment),
			cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	idx.legBounds = make([]orb.Bound, len(idx.legs))
	for i, l := range idx.legs {
		idx.legBounds[i] = l.Geometry.Bound()
	}
	idx.placeByID = byID(idx.places, func(p routes.Place) string { return p.ID })
	idx.vesselByID = byID(idx.vessels, func(v routes.Vessel) string { return v.ID })
	idx.sourceByID = byID(idx.sources, func(s routes.Source) string { return s.ID })
	idx.shipmentByID = byID(idx.shipments, func(s routes.Shipment) string { return s.ID })
	idx.legByID = byID(idx.legs, func(l routes.Leg) string { return l.ID })
	return idx, nil
}

func byID[T any](xs []T, id func(T) string) map[string]int {
	m := make(map[string]int, len(xs))
	for i, x := range xs {
		m[id(x)] = i
	}
	return m
}

func (idx *index) place(id string) (routes.Place, bool) { return byKey(idx.places, idx.placeByID, id) }
func (idx *index) vessel(id string) (routes.Vessel, bool) {
	return byKey(idx.vessels, idx.vesselByID, id)
}
func (idx *index) source(id string) (routes.Source, bool) {
	return byKey(idx.sources, idx.sourceByID, id)
}
func (idx *index) leg(id string) (routes.Leg, bool) { return byKey(idx.legs, idx.legByID, id) }

func (idx *index) shipment(id string) (routes.Shipment, bool) {
	return byKey(idx.shipments, idx.shipmentByID, id)
}

func byKey[T any](xs []T, byID map[string]int, id string) (T, bool) {
	i, ok := byID[id]
	if !ok {
		var zero T
		return zero, false
	}
	return xs[i], true
}

// pager collects one page of matches and counts them all.
type pager[T any] struct {
	offset, limit int
	page          routes.Page[T]
}

func newPager[T any](q routes.Query) *pager[T] {
	return &pager[T]{offset: max(q.Offset, 0), limit: max(q.Limit, 0)}
}

func (p *pager[T]) add(x T) {
	if p.page.Matched >= p.offset && (p.limit == 0 || len(p.page.Items) < p.limit) {
		p.page.Items = append(p.page.Items, x)
	}
	p.page.Matched++
}

func (idx *index) queryPlaces(q routes.Query) routes.Page[routes.Place] {
	p := newPager[routes.Place](q)
	rs := rects(q.BBox)
	byLegs := !q.During.IsZero() || q.Vessel != "" || q.Mode != "" || q.Shipment != ""
	var served map[string]bool // places a matching leg starts or ends at
	if byLegs {
		served = map[string]bool{}
		lq := legQuery{during: q.During, vessel: q.Vessel, mode: q.Mode, shipment: q.Shipment}
		for i, l := range idx.legs {
			if lq.matches(l, idx.legBounds[i]) {
				served[l.Origin], served[l.Destination] = true, true
			}
		}
	}
	for _, pl := range idx.places {
		if (q.Kind == "" || pl.Kind == q.Kind) &&
			(!byLegs || served[pl.ID]) &&
			(q.BBox == nil || pointIn(pl.Point(), rs)) &&
			(q.Near == nil || near(pl.Point(), q.Near)) {
			p.add(clonePlace(pl))
		}
	}
	return p.page
}

func (idx *index) queryVessels(q routes.Query) routes.Page[routes.Vessel] {
	p := newPager[routes.Vessel](q)
	byLegs := !q.During.IsZero() || q.BBox != nil || q.Via != "" || q.Mode != ""
	var sailing map[string]bool
	if byLegs {
		sailing = map[string]bool{}
		lq := legQuery{during: q.During, rects: rects(q.BBox), via: q.Via, mode: q.Mode}
		for i, l := range idx.legs {
			if l.Vessel != "" && lq.matches(l, idx.legBounds[i]) {
				sailing[l.Vessel] = true
			}
		}
	}
	for _, v := range idx.vessels {
		if (q.Vessel == "" || v.ID == q.Vessel) && (!byLegs || sailing[v.ID]) {
			p.add(cloneVessel(v))
		}
	}
	return p.page
}

func (idx *index) querySources(q routes.Query) routes.Page[routes.Source] {
	p := newPager[routes.Source](q)
	for _, s := range idx.sources {
		p.add(s)
	}
	return p.page
}

func (idx *index) queryShipments(q routes.Query) routes.Page[routes.Shipment] {
	p := newPager[routes.Shipment](q)
	lq := legQuery{rects: rects(q.BBox), via: q.Via, vessel: q.Vessel, mode: q.Mode}
	for _, s := range idx.shipments {
		if !q.During.Intersects(s.Start, s.End) {
			continue
		}
		if slices.ContainsFunc(s.Legs, func(l routes.Leg) bool { return lq.matches(l, l.Geometry.Bound()) }) {
			p.add(cloneShipment(s, false))
		}
	}
	return p.page
}

func (idx *index) queryLegs(q routes.Query) routes.Page[routes.Leg] {
	p := newPager[routes.Leg](q)
	lq := legQuery{during: q.During, rects: rects(q.BBox), via: q.Via, vessel: q.Vessel, mode: q.Mode, shipment: q.Shipment}
	for i, l := range idx.legs {
		if lq.matches(l, idx.legBounds[i]) {
			p.add(cloneLeg(l))
		}
	}
	return p.page
}

// legQuery is what a Query asks of a leg, in whichever list the leg decides
// membership of.
type legQuery struct {
	during   routes.Interval
	rects    []orb.Bound
	via      string
	vessel   string
	mode     routes.Mode
	shipment string
}

func (lq legQuery) matches(l routes.Leg, bound orb.Bound) bool {
	return lq.during.Intersects(l.Start(), l.End()) &&
		(lq.via == "" || l.Origin == lq.via || l.Destination == lq.via) &&
		(lq.vessel == "" || l.Vessel == lq.vessel) &&
		(lq.mode == "" || l.Mode == lq.mode) &&
		(lq.shipment == "" || l.Shipment == lq.shipment) &&
		(lq.rects == nil || linesIn(l.Geometry, bound, lq.rects))
}

// The index's records share their slices; what leaves the store is a copy,
// so that a caller changing it changes nothing here.

func clonePlace(p routes.Place) routes.Place {
	p.Aliases = slices.Clone(p.Aliases)
	return p
}

func cloneVessel(v routes.Vessel) routes.Vessel {
	v.FormerNames = slices.Clone(v.FormerNames)
	return v
}

func cloneLeg(l routes.Leg) routes.Leg {
	l.Via = slices.Clone(l.Via)
	l.Sources = slices.Clone(l.Sources)
	l.Geometry = l.Geometry.Clone()
	return l
}

// cloneShipment copies a shipment, with its legs or, for lists, without.
func cloneShipment(s routes.Shipment, withLegs bool) routes.Shipment {
	s.Sources = slices.Clone(s.Sources)
	legs := s.Legs
	s.Legs = nil
	if withLegs {
		for _, l := range legs {
			s.Legs = append(s.Legs, cloneLeg(l))
		}
	}
	return s
}
