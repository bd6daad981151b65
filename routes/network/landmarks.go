package network

import (
	"math"
)

// Landmarks speed up the search (A*, landmarks and the triangle inequality:
// Goldberg and Harrelson, "Computing the shortest path: A* search meets graph
// theory", 2005). The distance over the network from a landmark L to every
// node is known, so no way from v to t is shorter than |d(L,t) − d(L,v)|;
// that bound, far tighter than the great circle where land is in the way,
// keeps the search from flooding seas that lead nowhere. Removing edges
// (passages avoided) only lengthens ways, so the bound still holds.

// chooseLandmarks picks n landmarks far apart over the network (each the
// node farthest from those already chosen, starting from the node farthest
// from node start) and records every node's distance from each.
func (g *graph) chooseLandmarks(start int32, n int) {
	far := func(d []float64) int32 {
		best, at := -1.0, start
		for i, x := range d {
			if !math.IsInf(x, 1) && x > best {
				best, at = x, int32(i)
			}
		}
		return at
	}
	near := g.distances(start)
	g.landmarks = nil
	var dists [][]float64
	for range n {
		l := far(near)
		d := g.distances(l)
		g.landmarks = append(g.landmarks, l)
		dists = append(dists, d)
		if len(g.landmarks) == 1 {
			near = d
		} else {
			for i := range near {
				near[i] = math.Min(near[i], d[i])
			}
		}
	}
	g.marks = make([]uint16, len(g.pts)*n)
	for k, d := range dists {
		for i, x := range d {
			m := uint16(noMark)
			if !math.IsInf(x, 1) {
				m = uint16(min(math.Floor(x/1000), noMark-1))
			}
			g.marks[i*n+k] = m
		}
	}
}

// distances is every node's distance in metres over the network from node
// s (Dijkstra), +Inf where it cannot be reached. Closed passages are not
// used.
func (g *graph) distances(s int32) []float64 {
	d := make([]float64, len(g.pts))
	for i := range d {
		d[i] = math.Inf(1)
	}
	d[s] = 0
	h := nodeHeap{{s, 0}}
	for len(h) > 0 {
		it := h.pop()
		if it.f > d[it.node] {
			continue
		}
		for k := g.off[it.node]; k < g.off[it.node+1]; k++ {
			if g.mask[k]&closedMask != 0 {
				continue
			}
			if nd := it.f + float64(g.cost[k]); nd < d[g.to[k]] {
				d[g.to[k]] = nd
				h.push(heapItem{g.to[k], nd})
			}
		}
	}
	return d
}

// markSlack is how much the rounding of marks to whole kilometres can
// overstate a bound, in metres.
const markSlack = 1000

// targetMarks is each landmark's distance in metres to a route's end, which
// is reached through links: the least over the links of the mark of the
// linked node plus the link. An end no landmark reaches gets -1.
func (g *graph) targetMarks(end []link) []float64 {
	n := len(g.landmarks)
	out := make([]float64, n)
	for k := range n {
		out[k] = math.Inf(1)
		for _, l := range end {
			if m := g.marks[int(l.node)*n+k]; m != noMark {
				out[k] = math.Min(out[k], float64(m)*1000+l.cost)
			}
		}
		if math.IsInf(out[k], 1) {
			out[k] = -1
		}
	}
	return out
}

// bound is the landmarks' lower bound in metres on the way from node v to
// the end whose targetMarks are tm.
func (g *graph) bound(v int32, tm []float64) float64 {
	n := len(g.landmarks)
	marks := g.marks[int(v)*n : int(v)*n+n]
	best := 0.0
	for k, t := range tm {
		if t < 0 || marks[k] == noMark {
			continue
		}
		best = math.Max(best, math.Abs(t-float64(marks[k])*1000))
	}
	return math.Max(best-markSlack, 0)
}
