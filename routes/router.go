package routes

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Router computes a plausible line between two points for one mode of
// transport: over water for sea, along the rails for rail. Reports usually
// give only a leg's endpoints; a router draws the rest, and the line is kept
// with GeometryKind Modeled.
type Router interface {
	// Route finds the line from one point to another. Points off the network
	// are snapped to it; a point too far from it to snap is an error wrapping
	// ErrUnroutable that names which end.
	Route(ctx context.Context, from, to orb.Point, opts RouteOptions) (ComputedRoute, error)
}

// RouteOptions adjust a route.
type RouteOptions struct {
	// Avoid names passages the route must not use, such as "suez" or
	// "panama". An unknown name is an error.
	Avoid []string
}

// ComputedRoute is a router's answer.
type ComputedRoute struct {
	// Line runs from the first point to the second, in RFC 7946 form (split
	// at the antimeridian).
	Line orb.MultiLineString
	// LengthKm is the geodesic length of Line.
	LengthKm float64
	// FromSnapKm and ToSnapKm are how far each end was moved to reach the
	// network.
	FromSnapKm float64
	ToSnapKm   float64
	// Network says which network answered, such as "sea" or "rail:osm".
	Network string
	// Passages names the straits and canals the line goes through, in
	// order, as RouteOptions.Avoid names them.
	Passages []string
	// Stations names the stations the line passes, in order, where the
	// network names them: the bundled schematic rail network does, track
	// ingested from OpenStreetMap does not.
	Stations []string
}

// ErrUnroutable is returned, wrapped, when no route can be drawn: an end lies
// too far from the network (a point far inland for sea), or the network does
// not connect the two ends.
var ErrUnroutable = errors.New("no route")

// RouteInputError is a route request's input that cannot be used. Param
// names it: "from", "to" or "avoid". An end too far from the network is such
// an error that also wraps ErrUnroutable.
type RouteInputError struct {
	Param string
	Err   error
}

func (e *RouteInputError) Error() string { return e.Param + ": " + e.Err.Error() }

func (e *RouteInputError) Unwrap() error { return e.Err }

// CheckRouteEnds checks what every router asks of a route's ends: finite
// coordinates in range, and two different points.
func CheckRouteEnds(from, to orb.Point) error {
	for _, e := range []struct {
		param string
		p     orb.Point
	}{{"from", from}, {"to", to}} {
		x, y := e.p[0], e.p[1]
		if math.IsNaN(x) || math.IsNaN(y) || x < -180 || x > 180 || y < -90 || y > 90 {
			return &RouteInputError{e.param, fmt.Errorf("%v,%v is not a longitude in [-180, 180] and a latitude in [-90, 90]", x, y)}
		}
	}
	if from == to {
		return &RouteInputError{"to", errors.New("is the same point as from")}
	}
	return nil
}
