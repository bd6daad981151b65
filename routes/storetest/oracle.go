package storetest

import (
	"cmp"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// The oracle answers queries by brute force over a batch, with predicates
// written independently of any store, so that each store is checked against
// the contract and not merely against the other store.

type oracle struct {
	b          *routes.Batch
	positions  []routes.Position
	vesselByID map[string]routes.Vessel
}

func newOracle(b *routes.Batch, ps []routes.Position) *oracle {
	o := &oracle{b: b, vesselByID: map[string]routes.Vessel{}}
	for _, v := range b.Vessels {
		o.vesselByID[v.ID] = v
	}
	// Positions are deduplicated on (mmsi, time): the first one written wins.
	seen := map[string]bool{}
	for _, p := range ps {
		k := p.MMSI + p.Time.String()
		if !seen[k] {
			seen[k] = true
			o.positions = append(o.positions, p)
		}
	}
	slices.SortStableFunc(o.positions, func(a, b routes.Position) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.MMSI, b.MMSI))
	})
	return o
}

func page[T any](items []T, q routes.Query) ([]T, int) {
	n := len(items)
	if q.Offset >= n {
		return nil, n
	}
	items = items[q.Offset:]
	if q.Limit > 0 && len(items) > q.Limit {
		items = items[:q.Limit]
	}
	return items, n
}

func (o *oracle) legs(q routes.Query) ([]routes.Leg, int) {
	var out []routes.Leg
	for _, s := range o.b.Shipments {
		for _, l := range s.Legs {
			if o.legMatches(l, q) {
				out = append(out, l)
			}
		}
	}
	slices.SortFunc(out, func(a, b routes.Leg) int {
		return cmp.Or(a.Start().Compare(b.Start()), cmp.Compare(a.Shipment, b.Shipment),
			cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	return page(out, q)
}

func (o *oracle) legMatches(l routes.Leg, q routes.Query) bool {
	return closedOverlap(q.During, l.Start(), l.End()) &&
		(q.BBox == nil || linesInBox(l.Geometry, *q.BBox)) &&
		(q.Via == "" || l.Origin == q.Via || l.Destination == q.Via) &&
		(q.Vessel == "" || l.Vessel == q.Vessel) &&
		(q.Mode == "" || l.Mode == q.Mode) &&
		(q.Shipment == "" || l.Shipment == q.Shipment)
}

func (o *oracle) shipments(q routes.Query) ([]routes.Shipment, int) {
	var out []routes.Shipment
	for _, s := range o.b.Shipments {
		if !closedOverlap(q.During, s.Start, s.End) {
			continue
		}
		legQ := routes.Query{BBox: q.BBox, Via: q.Via, Vessel: q.Vessel, Mode: q.Mode}
		if slices.ContainsFunc(s.Legs, func(l routes.Leg) bool { return o.legMatches(l, legQ) }) {
			s.Legs = nil
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b routes.Shipment) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
	return page(out, q)
}

func (o *oracle) vessels(q routes.Query) ([]routes.Vessel, int) {
	var out []routes.Vessel
	for _, v := range o.b.Vessels {
		if !q.During.IsZero() || q.BBox != nil || q.Via != "" || q.Mode != "" {
			legQ := routes.Query{During: q.During, BBox: q.BBox, Via: q.Via, Mode: q.Mode, Vessel: v.ID}
			if n := len(o.mustLegs(legQ)); n == 0 {
				continue
			}
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b routes.Vessel) int { return cmp.Compare(a.ID, b.ID) })
	return page(out, q)
}

func (o *oracle) mustLegs(q routes.Query) []routes.Leg {
	ls, _ := o.legs(q)
	return ls
}

func (o *oracle) places(q routes.Query) ([]routes.Place, int) {
	var out []routes.Place
	byLegs := !q.During.IsZero() || q.Vessel != "" || q.Mode != "" || q.Shipment != ""
	served := map[string]bool{}
	for _, l := range o.mustLegs(routes.Query{During: q.During, Vessel: q.Vessel, Mode: q.Mode, Shipment: q.Shipment}) {
		served[l.Origin], served[l.Destination] = true, true
	}
	for _, p := range o.b.Places {
		if (q.Kind == "" || p.Kind == q.Kind) && (!byLegs || served[p.ID]) &&
			(q.BBox == nil || pointInBox(p.Point(), *q.BBox)) &&
			(q.Near == nil || geo.Distance(p.Point(), q.Near.Point) <= q.Near.Meters) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b routes.Place) int { return cmp.Compare(a.ID, b.ID) })
	return page(out, q)
}

func (o *oracle) positionsFor(q routes.Query) ([]routes.Position, int) {
	mmsi, ok := o.mmsiFilter(q)
	if !ok {
		return nil, 0
	}
	var out []routes.Position
	for _, p := range o.positions {
		if (mmsi == "" || p.MMSI == mmsi) &&
			closedOverlap(q.During, p.Time, p.Time) &&
			(q.BBox == nil || pointInBox(p.Point(), *q.BBox)) &&
			(q.Near == nil || geo.Distance(p.Point(), q.Near.Point) <= q.Near.Meters) {
			out = append(out, p)
		}
	}
	return page(out, q)
}

// closedOverlap is [a, b] ∩ [start, end] ≠ ∅ with open sides where the
// interval's bound is zero. Written out rather than calling
// routes.Interval.Intersects, which is under test.
func closedOverlap(iv routes.Interval, start, end time.Time) bool {
	if iv.Start.IsZero() && iv.End.IsZero() {
		return true
	}
	afterStart := iv.Start.IsZero() || !end.Before(iv.Start)
	beforeEnd := iv.End.IsZero() || !start.After(iv.End)
	return afterStart && beforeEnd
}

func pointInBox(p orb.Point, b routes.BBox) bool {
	if p[1] < b.South || p[1] > b.North {
		return false
	}
	if b.West <= b.East {
		return p[0] >= b.West && p[0] <= b.East
	}
	return p[0] >= b.West || p[0] <= b.East
}

// linesInBox clips each segment against the box (Liang–Barsky), which is
// exact for axis-aligned rectangles up to rounding.
func linesInBox(ml orb.MultiLineString, b routes.BBox) bool {
	rects := [][4]float64{{b.West, b.South, b.East, b.North}}
	if b.West > b.East {
		rects = [][4]float64{{b.West, b.South, 180, b.North}, {-180, b.South, b.East, b.North}}
	}
	for _, ls := range ml {
		for i := 1; i < len(ls); i++ {
			for _, r := range rects {
				if segmentHitsRect(ls[i-1], ls[i], r) {
					return true
				}
			}
		}
		if len(ls) == 1 {
			for _, r := range rects {
				if segmentHitsRect(ls[0], ls[0], r) {
					return true
				}
			}
		}
	}
	return false
}

func segmentHitsRect(a, b orb.Point, r [4]float64) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := b[0]-a[0], b[1]-a[1]
	for _, c := range [4][2]float64{{-dx, a[0] - r[0]}, {dx, r[2] - a[0]}, {-dy, a[1] - r[1]}, {dy, r[3] - a[1]}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

func (o *oracle) mmsiFilter(q routes.Query) (string, bool) {
	mmsi := q.MMSI
	if q.Vessel != "" {
		v, ok := o.vesselByID[q.Vessel]
		if !ok || v.MMSI == "" || (mmsi != "" && mmsi != v.MMSI) {
			return "", false
		}
		mmsi = v.MMSI
	}
	return mmsi, true
}

func (o *oracle) tracks(q routes.Query) ([]routes.Track, int) {
	mmsi, ok := o.mmsiFilter(q)
	if !ok {
		return nil, 0
	}
	var out []routes.Track
	for _, t := range o.b.Tracks {
		if (mmsi == "" || t.MMSI == mmsi) && closedOverlap(q.During, t.Start, t.End) &&
			(q.BBox == nil || linesInBox(t.Geometry, *q.BBox)) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b routes.Track) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	return page(out, q)
}

func (o *oracle) gaps(q routes.Query) ([]routes.Gap, int) {
	mmsi, ok := o.mmsiFilter(q)
	if !ok {
		return nil, 0
	}
	var out []routes.Gap
	for _, g := range o.b.Gaps {
		line := orb.MultiLineString{{g.From, g.To}}
		if (mmsi == "" || g.MMSI == mmsi) && closedOverlap(q.During, g.Start, g.End) &&
			(q.BBox == nil || linesInBox(line, *q.BBox)) {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b routes.Gap) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	return page(out, q)
}

func (o *oracle) observations(q routes.Query) ([]routes.Observation, int) {
	var out []routes.Observation
	for _, ob := range o.b.Observations {
		if closedOverlap(q.During, ob.Time.Earliest, ob.Time.Latest) &&
			(q.BBox == nil || pointInBox(ob.Point(), *q.BBox)) &&
			(q.Near == nil || geo.Distance(ob.Point(), q.Near.Point) <= q.Near.Meters) {
			out = append(out, ob)
		}
	}
	slices.SortFunc(out, func(a, b routes.Observation) int {
		return cmp.Or(a.Time.Earliest.Compare(b.Time.Earliest), cmp.Compare(a.ID, b.ID))
	})
	return page(out, q)
}

func (o *oracle) sources(q routes.Query) ([]routes.Source, int) {
	out := slices.Clone(o.b.Sources)
	slices.SortFunc(out, func(a, b routes.Source) int {
		return cmp.Or(cmp.Compare(a.Published, b.Published), cmp.Compare(a.ID, b.ID))
	})
	return page(out, q)
}
