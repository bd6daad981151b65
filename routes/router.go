package routes

import (
	"context"
	"errors"

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
}

// ErrUnroutable is returned, wrapped, when no route can be drawn: an end lies
// too far from the network (a point far inland for sea), or the network does
// not connect the two ends.
var ErrUnroutable = errors.New("no route")
