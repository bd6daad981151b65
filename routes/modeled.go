package routes

import (
	"context"
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// PrepareOptions adjust PrepareWith.
type PrepareOptions struct {
	// Routers compute lines by mode. A leg given without a line, whose mode
	// has a router that finds a way through its origin, via places and
	// destination, gets that line as GeometryKind Modeled; otherwise it
	// gets a schematic one. A leg that asks for geometry_kind "schematic"
	// is never routed.
	Routers map[Mode]Router
	// Unrouted, when set, is told of each leg a router was asked for and
	// could not draw, and why; the leg is then schematic.
	Unrouted func(leg string, err error)
}

// errNoRouter is why a leg whose mode has no router is not modeled.
var errNoRouter = errors.New("no router for this mode")

// model computes the line of a leg of mode through stops, piece by piece.
func (o PrepareOptions) model(ctx context.Context, mode Mode, stops []orb.Point) (orb.MultiLineString, error) {
	r := o.Routers[mode]
	if r == nil {
		return nil, errNoRouter
	}
	var line orb.LineString
	for i := 1; i < len(stops); i++ {
		if stops[i] == stops[i-1] {
			continue
		}
		got, err := r.Route(ctx, stops[i-1], stops[i], RouteOptions{})
		if err != nil {
			if len(stops) > 2 {
				return nil, fmt.Errorf("stop %d to %d: %w", i-1, i, err)
			}
			return nil, err
		}
		line = appendJoined(line, geo.Join(got.Line))
	}
	if len(line) < 2 {
		return nil, fmt.Errorf("%w: the stops are one point", ErrUnroutable)
	}
	return geo.SplitAntimeridian(line), nil
}

// appendJoined adds next to line, dropping the point where they meet.
func appendJoined(line, next orb.LineString) orb.LineString {
	if n := len(line); n > 0 && len(next) > 0 && line[n-1] == next[0] {
		next = next[1:]
	}
	return append(line, next...)
}

func (o PrepareOptions) unrouted(leg string, err error) {
	if o.Unrouted != nil && !errors.Is(err, errNoRouter) {
		o.Unrouted(leg, err)
	}
}

// draw gives a leg without a line one: modeled by its mode's router when
// there is one and it finds a way, schematic otherwise.
func (p *preparer) draw(path string, l *Leg, stops []orb.Point) {
	switch l.GeometryKind {
	case Observed, Reported:
		p.errs.add(path+".geometry", "is required when geometry_kind is %q", l.GeometryKind)
		return
	case Schematic:
		l.Geometry = geo.SplitAntimeridian(orb.LineString(stops))
		return
	}
	line, err := p.opts.model(p.ctx, l.Mode, stops)
	switch {
	case err == nil:
		l.Geometry, l.GeometryKind = line, Modeled
	case p.ctx.Err() != nil:
		if p.lookupErr == nil {
			p.lookupErr = p.ctx.Err()
		}
	case l.GeometryKind == Modeled && errors.Is(err, errNoRouter):
		p.errs.add(path+".geometry", "is required when geometry_kind is %q and no router draws %s lines", Modeled, l.Mode)
	case l.GeometryKind == Modeled:
		p.errs.add(path+".geometry", "is required when geometry_kind is %q and the %s router finds no route: %v", Modeled, l.Mode, err)
	default:
		p.opts.unrouted(l.ID, err)
		l.GeometryKind = Schematic
		l.Geometry = geo.SplitAntimeridian(orb.LineString(stops))
	}
}

// Remodel redraws with opts.Routers the lines of the stored legs that are
// modeled or schematic, for when a better network has arrived: the rail
// track of an OpenStreetMap extract, a new sea network. Observed and
// reported lines are never touched. A leg no router can draw keeps its line
// and is reported to opts.Unrouted. Only shipments whose legs changed are
// written, in one Apply, so running it twice changes nothing the second time.
func Remodel(ctx context.Context, st Store, opts PrepareOptions) (Changes, error) {
	page, err := st.Shipments(ctx, Query{})
	if err != nil {
		return Changes{}, fmt.Errorf("list shipments: %w", err)
	}
	places := map[string]orb.Point{}
	place := func(id string) (orb.Point, error) {
		if p, ok := places[id]; ok {
			return p, nil
		}
		pl, err := st.Place(ctx, id)
		if err != nil {
			return orb.Point{}, err
		}
		places[id] = pl.Point()
		return pl.Point(), nil
	}
	var changed []Shipment
	for _, s := range page.Items {
		sh, err := st.Shipment(ctx, s.ID)
		if err != nil {
			return Changes{}, fmt.Errorf("read shipment %q: %w", s.ID, err)
		}
		dirty := false
		for i, l := range sh.Legs {
			if l.GeometryKind != Modeled && l.GeometryKind != Schematic {
				continue
			}
			var stops []orb.Point
			for _, id := range append(append([]string{l.Origin}, l.Via...), l.Destination) {
				p, err := place(id)
				if err != nil {
					return Changes{}, fmt.Errorf("leg %q: place %q: %w", l.ID, id, err)
				}
				stops = append(stops, p)
			}
			line, err := opts.model(ctx, l.Mode, stops)
			if err != nil {
				if ctx.Err() != nil {
					return Changes{}, ctx.Err()
				}
				opts.unrouted(l.ID, err)
				continue
			}
			if l.GeometryKind == Modeled && orb.Equal(l.Geometry, line) {
				continue
			}
			l.Geometry, l.GeometryKind, l.LengthKm = line, Modeled, geo.Length(line)/1000
			sh.Legs[i] = l
			dirty = true
		}
		if dirty {
			Derive(&sh)
			changed = append(changed, sh)
		}
	}
	if len(changed) == 0 {
		return Changes{}, nil
	}
	ch, err := st.Apply(ctx, &Batch{Shipments: changed})
	if err != nil {
		return Changes{}, fmt.Errorf("write %d redrawn shipments: %w", len(changed), err)
	}
	return ch, nil
}
