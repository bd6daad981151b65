package routes

import (
	"context"
	"fmt"
	"iter"

	"github.com/paulmach/orb"
)

// RailWay is a stretch of railway track read from OpenStreetMap: one
// railway=rail way, or one part of it when the file lacked some of its nodes.
// The rail router joins ways where they share a node, so ways ingested from
// different extracts connect where the extracts meet.
type RailWay struct {
	// ID is the OpenStreetMap way id.
	ID int64
	// Part numbers the stretches of a way cut where its file lacked nodes,
	// from 0; a whole way is part 0.
	Part int
	// Nodes are the OpenStreetMap node ids along the way, one per vertex of
	// Line.
	Nodes []int64
	// Line is the track, from the first node to the last.
	Line orb.LineString
}

// RailStore keeps the rail network ingested from OpenStreetMap, for the rail
// router. Both stores implement it beside Store.
type RailStore interface {
	// PutRailWays upserts ways by (ID, Part) in one transaction, all or
	// nothing, and reports how many were new or differed from what was
	// stored. Ways already stored and not given are kept: extracts of
	// neighbouring regions add up.
	PutRailWays(ctx context.Context, ways []RailWay) (int, error)
	// RailWays streams every stored way, ordered by ID and Part, without
	// holding them all.
	RailWays(ctx context.Context) iter.Seq2[RailWay, error]
}

// CheckRailWay reports what makes a way unfit to store: stores refuse it,
// naming the field.
func CheckRailWay(w RailWay) error {
	switch {
	case w.Part < 0:
		return fmt.Errorf("part: %d is negative", w.Part)
	case len(w.Line) < 2:
		return fmt.Errorf("line: has %d points, a way needs two or more", len(w.Line))
	case len(w.Nodes) != len(w.Line):
		return fmt.Errorf("nodes: %d node ids for %d points", len(w.Nodes), len(w.Line))
	}
	for i, p := range w.Line {
		if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
			return fmt.Errorf("line[%d]: %v,%v is not a longitude and latitude", i, p[0], p[1])
		}
	}
	return nil
}
