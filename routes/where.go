package routes

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// Where a shipment probably was at a time t comes from its legs' depart and
// arrive windows. A leg with departure window [d0, d1] and arrival window
// [a0, a1] is assumed to be travelled at a steady pace along its line, by
// length. Leaving later or arriving later both put the shipment further
// back, so at t:
//
//   - the furthest it can be is the fraction reached leaving as early and
//     arriving as early as the windows allow: fmax = (t−d0)/(a0−d0);
//   - the least far is the fraction reached leaving as late and arriving as
//     late as they allow: fmin = (t−d1)/(a1−d1);
//
// each clamped to [0, 1], 0 until that departure and 1 from that arrival (so
// a span of zero length needs no division). A journey cannot arrive before
// it leaves, so d1 is taken no later than a1 and a0 no earlier than d0.
// The stretch of the leg's line between fmin and fmax is where the shipment
// can be: the uncertainty.
//
// The best estimate is the fraction reached leaving at the middle of the
// departure window and arriving at the middle of the arrival window. Unlike
// the midpoint of the stretch, that is one schedule the reports allow, so
// estimates at successive times move steadily along the route and a leg with
// exact times is placed exactly. It always lies within the stretch. With wide
// windows it often sits at a leg's end: when most of the departure window is
// still ahead, the shipment most probably has not left.
//
// Several legs can be possible at once when their windows overlap: the
// uncertainty has one stretch per leg the shipment may be moving on, and the
// estimate lies on the last of them that the middle schedule has left, or
// on the first of them when it has left none.
// When no leg is possible the shipment is at a place: the origin before the
// first departure window opens, the destination after the last arrival
// window closes, and in port in between.
//
// Where the estimate leg's vessel has AIS positions within FixWindow on both
// sides of t, the estimate is the vessel's position interpolated between the
// nearest fix before and after: observed rather than interpolated. The
// stretch stays what the windows allow, since AIS shows where the vessel
// was, not that the shipment was aboard.

// Progress says how far a shipment had gone at a time, as far as its legs'
// windows tell.
type Progress string

// The kinds of progress. MayNotHaveDeparted, UnderWay and MayHaveArrived
// describe the leg of the estimate.
const (
	// NotDeparted: before the first leg's departure window opens; at its origin.
	NotDeparted Progress = "not_departed"
	// MayNotHaveDeparted: within the leg's departure window; it may still be
	// at the leg's origin (fmin = 0).
	MayNotHaveDeparted Progress = "may_not_have_departed"
	// UnderWay: surely left and surely not yet arrived (0 < fmin ≤ fmax < 1).
	UnderWay Progress = "under_way"
	// MayHaveArrived: surely left, and may already be at the leg's
	// destination (fmin > 0, fmax = 1).
	MayHaveArrived Progress = "may_have_arrived"
	// InPort: after one leg's arrival window and before the next leg's
	// departure window; at the place between them.
	InPort Progress = "in_port"
	// Arrived: after the last leg's arrival window; at its destination.
	Arrived Progress = "arrived"
)

// String is the progress as a person reads it.
func (p Progress) String() string { return strings.ReplaceAll(string(p), "_", " ") }

// EstimateKind says where an estimated position came from.
type EstimateKind string

// The kinds of estimate.
const (
	// EstimatePlace: the shipment is surely at a place (not departed, in
	// port, arrived); the point is the end of the leg's line there.
	EstimatePlace EstimateKind = "place"
	// EstimateInterpolated: along the leg's line, from its windows.
	EstimateInterpolated EstimateKind = "interpolated"
	// EstimateObserved: the leg's vessel, from its AIS fixes around the time.
	EstimateObserved EstimateKind = "observed"
)

// FixWindow is how far from the time asked an AIS fix may be and still
// place a vessel: far enough to bridge the minutes to hours between reports
// far from shore, near enough that a straight line between two fixes stays
// close to the course sailed.
const FixWindow = 6 * time.Hour

// Estimate is where a shipment probably was at a time, with the stretch of
// route it could have been on.
type Estimate struct {
	Shipment string
	Title    string
	At       time.Time
	Status   Progress
	Kind     EstimateKind
	// Point is the best estimate.
	Point orb.Point
	// Place is the place the shipment is at when Status is NotDeparted,
	// InPort or Arrived; empty otherwise.
	Place string
	// Leg is the leg the estimate refers to: the leg the shipment is on or
	// may be about to take, or, at a place, the leg that leaves from there
	// (NotDeparted) or arrived there (InPort, Arrived).
	Leg Leg
	// Legs is how many legs the shipment has.
	Legs int
	// Fraction is how far along Leg the estimate lies, by length: 0 at its
	// origin, 1 at its destination. NaN for an observed estimate, whose fix
	// need not lie on the leg's line.
	Fraction float64
	// Stretches are where the shipment can be: one per leg it may be on, in
	// leg order. At a place, one stretch that is a point.
	Stretches []Stretch
	// Fixes are the AIS positions an observed estimate comes from: one at
	// the very time, or the nearest before and after.
	Fixes []Position
}

// Stretch is the part of one leg's line where a shipment can be.
type Stretch struct {
	Leg Leg
	// From and To are fractions of the leg's length, From ≤ To.
	From, To float64
	// Geometry is the part of the line: a Point when From equals To, else
	// a LineString, or a MultiLineString when the antimeridian splits it.
	Geometry orb.Geometry
}

// FromKm is how far along the leg the stretch begins.
func (s Stretch) FromKm() float64 { return s.From * s.Leg.LengthKm }

// ToKm is how far along the leg the stretch ends.
func (s Stretch) ToKm() float64 { return s.To * s.Leg.LengthKm }

// LengthKm is the length of the stretch.
func (s Stretch) LengthKm() float64 { return s.ToKm() - s.FromKm() }

// AlongKm is how far along its leg the estimate lies; NaN when observed.
func (e Estimate) AlongKm() float64 { return e.Fraction * e.Leg.LengthKm }

// UncertaintyKm is the length of route the shipment can be on.
func (e Estimate) UncertaintyKm() float64 {
	var km float64
	for _, s := range e.Stretches {
		km += s.LengthKm()
	}
	return km
}

// Uncertainty is every stretch as one geometry: a Point when the shipment is
// surely at one point, a LineString or MultiLineString when it can be on
// lines, and a GeometryCollection in the rare case of a point on one leg
// beside a line on another.
func (e Estimate) Uncertainty() orb.Geometry {
	if len(e.Stretches) == 1 {
		return e.Stretches[0].Geometry
	}
	var lines orb.MultiLineString
	var all orb.Collection
	for _, s := range e.Stretches {
		all = append(all, s.Geometry)
		switch g := s.Geometry.(type) {
		case orb.LineString:
			lines = append(lines, g)
		case orb.MultiLineString:
			lines = append(lines, g...)
		}
	}
	if hasPoint(all) {
		return all
	}
	return LineGeometry(lines)
}

func hasPoint(c orb.Collection) bool {
	for _, g := range c {
		if _, ok := g.(orb.Point); ok {
			return true
		}
	}
	return false
}

// ErrNoLegs is returned, wrapped, for a shipment without legs: it has no
// route to be on.
var ErrNoLegs = errors.New("shipment has no legs")

// window is a leg's windows as the estimate uses them.
type window struct {
	fmin, fmax, fest float64
	mid              time.Time // the middle of the departure window
}

// windowsAt reads a leg's windows at t.
func windowsAt(l Leg, t time.Time) window {
	d0, a1 := l.Depart.Earliest, l.Arrive.Latest
	d1 := l.Depart.Latest
	if a1.Before(d1) {
		d1 = a1
	}
	a0 := l.Arrive.Earliest
	if a0.Before(d0) {
		a0 = d0
	}
	dm, am := middle(d0, d1), middle(a0, a1)
	return window{fmin: progress(t, d1, a1), fmax: progress(t, d0, a0), fest: progress(t, dm, am), mid: dm}
}

func middle(a, b time.Time) time.Time { return a.Add(b.Sub(a) / 2).Truncate(Resolution) }

// progress is the fraction of a leg covered at t by a journey at a steady
// pace that departs at dep and arrives at arr: 0 until it departs, 1 from
// the moment it arrives. A journey the windows allow to take no time at all
// counts as arrived at its instant.
func progress(t, dep, arr time.Time) float64 {
	switch {
	case !t.Before(arr):
		return 1
	case !t.After(dep):
		return 0
	}
	return float64(t.Sub(dep)) / float64(arr.Sub(dep))
}

// Locate estimates where a shipment whose legs are loaded was at t, from
// its legs' windows alone. The legs must be in order.
func Locate(s Shipment, t time.Time) (Estimate, error) {
	if len(s.Legs) == 0 {
		return Estimate{}, fmt.Errorf("shipment %q: %w", s.ID, ErrNoLegs)
	}
	t = t.UTC().Truncate(Resolution)
	e := Estimate{Shipment: s.ID, Title: s.Title, At: t, Legs: len(s.Legs)}
	ws := make([]window, len(s.Legs))
	var open []int // legs the shipment may be moving on
	for i, l := range s.Legs {
		ws[i] = windowsAt(l, t)
		if ws[i].fmax > 0 && ws[i].fmin < 1 {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		return atPlace(e, s.Legs, ws), nil
	}
	on := open[0]
	for _, i := range open {
		if !t.Before(ws[i].mid) {
			on = i
		}
	}
	w := ws[on]
	e.Leg, e.Fraction, e.Kind = s.Legs[on], w.fest, EstimateInterpolated
	e.Point = geo.Interpolate(e.Leg.Geometry, w.fest)
	switch {
	case w.fmin == 0:
		e.Status = MayNotHaveDeparted
	case w.fmax == 1:
		e.Status = MayHaveArrived
	default:
		e.Status = UnderWay
	}
	for _, i := range open {
		e.Stretches = append(e.Stretches, stretch(s.Legs[i], ws[i].fmin, ws[i].fmax))
	}
	return e, nil
}

// atPlace places a shipment that no leg can be moving on: after the last leg
// it has surely finished, or before the first.
func atPlace(e Estimate, legs []Leg, ws []window) Estimate {
	done := -1
	for i, w := range ws {
		if w.fmin == 1 {
			done = i
		}
	}
	e.Kind = EstimatePlace
	switch {
	case done < 0:
		e.Status, e.Leg, e.Place, e.Fraction = NotDeparted, legs[0], legs[0].Origin, 0
	case done == len(legs)-1:
		e.Status, e.Leg, e.Place, e.Fraction = Arrived, legs[done], legs[done].Destination, 1
	default:
		e.Status, e.Leg, e.Place, e.Fraction = InPort, legs[done], legs[done].Destination, 1
	}
	e.Point = geo.Interpolate(e.Leg.Geometry, e.Fraction)
	e.Stretches = []Stretch{stretch(e.Leg, e.Fraction, e.Fraction)}
	return e
}

func stretch(l Leg, from, to float64) Stretch {
	s := Stretch{Leg: l, From: from, To: to}
	if line := geo.Substring(l.Geometry, from, to); line != nil {
		s.Geometry = LineGeometry(line)
	} else {
		s.Geometry = geo.Interpolate(l.Geometry, from)
	}
	return s
}

// Where estimates where the shipment id was at t: from the AIS positions of
// the estimate leg's vessel when they bracket t within FixWindow, otherwise
// from the legs' windows (see Locate). Both stores give the same answer
// because the estimate is computed here from what they return.
func Where(ctx context.Context, st Store, id string, t time.Time) (Estimate, error) {
	s, err := st.Shipment(ctx, id)
	if err != nil {
		return Estimate{}, err
	}
	e, err := Locate(s, t)
	if err != nil || e.Kind != EstimateInterpolated || e.Leg.Vessel == "" {
		return e, err
	}
	q := Query{Vessel: e.Leg.Vessel, During: Interval{Start: e.At.Add(-FixWindow), End: e.At.Add(FixWindow)}}
	before, after, err := bracket(st.Positions(ctx, q), e.At)
	if err != nil {
		return Estimate{}, fmt.Errorf("read the AIS positions of vessel %s: %w", e.Leg.Vessel, err)
	}
	if before != nil && after != nil {
		e.observe(*before, *after)
	}
	return e, nil
}

// bracket finds, among one vessel's positions in time order, the last at or
// before t and the first at or after t; both are the same fix when one
// falls at t.
func bracket(ps iter.Seq2[Position, error], t time.Time) (before, after *Position, err error) {
	for p, err := range ps {
		if err != nil {
			return nil, nil, err
		}
		if p.Time.After(t) {
			return before, &p, nil
		}
		before = &p
		if p.Time.Equal(t) {
			return before, before, nil
		}
	}
	return before, nil, nil
}

// observe puts the estimate where the vessel was between two fixes, moving
// at a steady pace on the geodesic between them.
func (e *Estimate) observe(before, after Position) {
	e.Kind, e.Fraction = EstimateObserved, math.NaN()
	if before.Time.Equal(after.Time) {
		e.Point, e.Fixes = before.Point(), []Position{before}
		return
	}
	f := progress(e.At, before.Time, after.Time)
	e.Point = geo.Interpolate(orb.MultiLineString{{before.Point(), after.Point()}}, f)
	e.Fixes = []Position{before, after}
}

// ParseInstant reads the time a question is asked at: an RFC 3339 time, or
// a date, which stands for its first instant (00:00 UTC). An interval is
// refused: an estimate is for one instant.
func ParseInstant(s string) (time.Time, error) {
	if strings.Contains(s, "/") {
		return time.Time{}, fmt.Errorf("%q is an interval; give one instant, such as 2023-09-12T06:00:00Z, or a date", s)
	}
	w, err := ParseWindow(s)
	if err != nil {
		return time.Time{}, err
	}
	return w.Earliest, nil
}
