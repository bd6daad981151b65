package routes

import (
	"context"
	"errors"
	"iter"
)

// ErrNotFound is returned, wrapped, when an id names nothing in the store.
var ErrNotFound = errors.New("not found")

// ErrUnavailable is returned, wrapped, when the store cannot be reached.
var ErrUnavailable = errors.New("store unavailable")

// Page is one page of a list and the number of items that matched in all.
type Page[T any] struct {
	Items   []T
	Matched int
}

// Store is where shiptrack keeps its data. Every implementation answers every
// query identically: the same items, in the same order, with the same values.
//
// Lists are ordered so that pages are stable:
//   - places, vessels: by id;
//   - sources: by publication date, then id;
//   - shipments: by start of the active period, then id;
//   - legs: by start of the active period, then shipment, seq and id;
//   - positions: by time, then MMSI;
//   - tracks, gaps: by start, then id;
//   - observations: by earliest time, then id.
type Store interface {
	Places(ctx context.Context, q Query) (Page[Place], error)
	Place(ctx context.Context, id string) (Place, error)
	Vessels(ctx context.Context, q Query) (Page[Vessel], error)
	Vessel(ctx context.Context, id string) (Vessel, error)
	Sources(ctx context.Context, q Query) (Page[Source], error)
	Source(ctx context.Context, id string) (Source, error)
	Shipments(ctx context.Context, q Query) (Page[Shipment], error)
	// Shipment returns one shipment with its legs in order.
	Shipment(ctx context.Context, id string) (Shipment, error)
	Legs(ctx context.Context, q Query) (Page[Leg], error)
	Leg(ctx context.Context, id string) (Leg, error)

	// Positions streams the positions matching q in order. Memory does not
	// grow with the number of positions. Matched is not counted.
	Positions(ctx context.Context, q Query) iter.Seq2[Position, error]
	// CountPositions counts the positions matching q, ignoring Limit and Offset.
	CountPositions(ctx context.Context, q Query) (int, error)
	Tracks(ctx context.Context, q Query) (Page[Track], error)
	Gaps(ctx context.Context, q Query) (Page[Gap], error)
	Observations(ctx context.Context, q Query) (Page[Observation], error)

	// Apply writes a validated batch in one transaction: all of it or, on
	// error, none. Records are upserted by id, so applying the same batch
	// twice changes nothing the second time. A shipment replaces its stored
	// legs and claims wholesale. A reference to a record that is neither in
	// the batch nor stored is an error.
	Apply(ctx context.Context, b *Batch) (Changes, error)
	// AddPositions writes positions in one transaction, skipping any whose
	// (MMSI, time) is already stored, and reports how many were new.
	AddPositions(ctx context.Context, ps iter.Seq2[Position, error]) (int, error)

	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Changes counts what Apply wrote: records that were new, differed from what
// was stored, or were removed (a shipment's legs that its new version no longer
// has). Applying a batch a second time reports zero changes.
type Changes struct {
	Places       int `json:"places"`
	Vessels      int `json:"vessels"`
	Sources      int `json:"sources"`
	Shipments    int `json:"shipments"`
	Legs         int `json:"legs"`
	Tracks       int `json:"tracks"`
	Gaps         int `json:"gaps"`
	Observations int `json:"observations"`
}

// Total is the number of records changed.
func (c Changes) Total() int {
	return c.Places + c.Vessels + c.Sources + c.Shipments + c.Legs + c.Tracks + c.Gaps + c.Observations
}
