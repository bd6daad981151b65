package network

import (
	"context"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// This file is the rail router's graph: junctions joined by edges that carry
// the track's line, a grid of the lines' vertices to snap points to, and the
// shortest-path search. Both rail networks, the bundled schematic one and the
// one built from OpenStreetMap, are railGraphs.

// railGraph is a rail network. Node i lies at nodes[i]; its edges are
// inc[off[i]:off[i+1]].
type railGraph struct {
	nodes []orb.Point
	edges []railEdge
	off   []int32
	inc   []int32
	cells map[railCell][]railVertex
	// searches holds *searchState scratch for concurrent searches.
	searches sync.Pool
}

// railEdge is track between two nodes: line runs from node a to node b, and
// km[i] is the length along it from line[0] to line[i].
type railEdge struct {
	a, b int32
	line orb.LineString
	km   []float64
}

func (e *railEdge) length() float64 { return e.km[len(e.km)-1] }

// railVertex is a vertex of an edge's line: where a point snaps to.
type railVertex struct {
	edge, i int32
}

// railCellDeg is the size of the snapping grid's cells in degrees: small
// enough that a dense network's cells hold a few thousand vertices.
const railCellDeg = 0.1

type railCell struct{ x, y int32 }

func railCellOf(p orb.Point) railCell {
	return railCell{int32(math.Floor(p[0] / railCellDeg)), int32(math.Floor(p[1] / railCellDeg))}
}

// newRailGraph joins edges, whose a and b index nodes, into a graph. Each
// edge's line must start at nodes[a] and end at nodes[b].
func newRailGraph(nodes []orb.Point, edges []railEdge) *railGraph {
	g := &railGraph{nodes: nodes, edges: edges, off: make([]int32, len(nodes)+1), cells: map[railCell][]railVertex{}}
	g.searches.New = func() any { return new(searchState) }
	for i := range g.edges {
		e := &g.edges[i]
		e.km = make([]float64, len(e.line))
		for j := 1; j < len(e.line); j++ {
			// The great circle, not the ellipsoid: it is several times
			// cheaper, the search's estimate must never exceed it, and the
			// route's reported length is measured on the ellipsoid anyway.
			e.km[j] = e.km[j-1] + geo.GreatCircle(e.line[j-1], e.line[j])/1000
		}
		g.off[e.a+1]++
		if e.b != e.a {
			g.off[e.b+1]++
		}
		for j, p := range e.line {
			c := railCellOf(p)
			g.cells[c] = append(g.cells[c], railVertex{int32(i), int32(j)})
		}
	}
	for i := 1; i < len(g.off); i++ {
		g.off[i] += g.off[i-1]
	}
	g.inc = make([]int32, g.off[len(nodes)])
	fill := slices.Clone(g.off[:len(nodes)])
	for i, e := range g.edges {
		g.inc[fill[e.a]] = int32(i)
		fill[e.a]++
		if e.b != e.a {
			g.inc[fill[e.b]] = int32(i)
			fill[e.b]++
		}
	}
	return g
}

func (g *railGraph) point(v railVertex) orb.Point { return g.edges[v.edge].line[v.i] }

// nearest finds the vertex nearest p within maxKm, and its distance in km
// on the ellipsoid.
func (g *railGraph) nearest(p orb.Point, maxKm float64) (railVertex, float64, bool) {
	dy := int32(math.Ceil(maxKm / 111 / railCellDeg))
	cos := math.Cos(p[1] * math.Pi / 180)
	dx := int32(math.Ceil(maxKm / (111 * max(cos, 0.01)) / railCellDeg))
	c := railCellOf(p)
	best, bestKm := railVertex{}, math.Inf(1)
	for y := c.y - dy; y <= c.y+dy; y++ {
		for x := c.x - dx; x <= c.x+dx; x++ {
			for _, v := range g.cells[railCell{x, y}] {
				if d := geo.GreatCircle(p, g.point(v)) / 1000; d < bestKm || (d == bestKm && less(v, best)) {
					best, bestKm = v, d
				}
			}
		}
	}
	if math.IsInf(bestKm, 1) {
		return railVertex{}, 0, false
	}
	km := geo.Distance(p, g.point(best)) / 1000
	return best, km, km <= maxKm
}

// less orders vertices so that ties between equally near vertices are broken
// the same way every time.
func less(a, b railVertex) bool { return a.edge < b.edge || (a.edge == b.edge && a.i < b.i) }

// railLink joins a snapped vertex to a node of its edge at a cost in km.
type railLink struct {
	node int32
	km   float64
}

// links are the ways off the edge from v: to each end of its edge.
func (g *railGraph) links(v railVertex) []railLink {
	e := &g.edges[v.edge]
	last := int32(len(e.line) - 1)
	switch v.i {
	case 0:
		return []railLink{{e.a, 0}}
	case last:
		return []railLink{{e.b, 0}}
	}
	return []railLink{{e.a, e.km[v.i]}, {e.b, e.length() - e.km[v.i]}}
}

// path finds the shortest way along the track from s to t: A* over the
// nodes, with the great circle to t as the estimate. It returns the line, or
// ok false when the network does not connect them.
func (g *railGraph) path(ctx context.Context, s, t railVertex) (orb.LineString, bool, error) {
	target := g.point(t)
	best, bestNode := math.Inf(1), int32(-1)
	if s.edge == t.edge {
		e := &g.edges[s.edge]
		best = math.Abs(e.km[t.i] - e.km[s.i])
	}
	ends := map[int32]float64{}
	for _, l := range g.links(t) {
		ends[l.node] = l.km
	}
	// The sea router's scratch: g holds each node's km, parent the edge it
	// was reached by (-1 from s).
	st := g.searches.Get().(*searchState)
	defer g.searches.Put(st)
	st.reset(len(g.nodes))
	push := func(n, via int32, km float64) {
		if st.stamp[n] != st.gen {
			st.stamp[n], st.g[n], st.closed[n] = st.gen, math.Inf(1), false
		}
		if km < st.g[n] && !st.closed[n] {
			st.g[n], st.parent[n] = km, via
			st.heap.push(heapItem{n, km + geo.GreatCircle(g.nodes[n], target)/1000})
		}
	}
	for _, l := range g.links(s) {
		push(l.node, -1, l.km)
	}
	for pops := 0; len(st.heap) > 0; pops++ {
		it := st.heap.pop()
		n := it.node
		if st.closed[n] {
			continue
		}
		if it.f >= best {
			break
		}
		if pops%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		st.closed[n] = true
		if km, ok := ends[n]; ok && st.g[n]+km < best {
			best, bestNode = st.g[n]+km, n
		}
		for _, ei := range g.inc[g.off[n]:g.off[n+1]] {
			e := &g.edges[ei]
			next := e.b
			if next == n {
				next = e.a
			}
			push(next, ei, st.g[n]+e.length())
		}
	}
	if math.IsInf(best, 1) {
		return nil, false, nil
	}
	if bestNode < 0 {
		// Along the one edge both ends lie on.
		return span(g.edges[s.edge].line, int(s.i), int(t.i)), true, nil
	}
	// Walk back from the last node to the first, where s's edge was left,
	// collecting the edges.
	var chain []int32
	first := bestNode
	for via := st.parent[first]; via >= 0; via = st.parent[first] {
		chain = append(chain, via)
		if e := &g.edges[via]; e.a == first {
			first = e.b
		} else {
			first = e.a
		}
	}
	slices.Reverse(chain)
	line := g.toNode(s, first, false)
	at := first
	for _, ei := range chain {
		e := &g.edges[ei]
		if e.a == at {
			line = appendLine(line, e.line)
			at = e.b
		} else {
			line = appendLine(line, reversedLine(e.line))
			at = e.a
		}
	}
	line = appendLine(line, g.toNode(t, bestNode, true))
	return line, true, nil
}

// toNode is the stretch of v's edge between v and node n, running from v to
// n, or from n to v when fromNode is set.
func (g *railGraph) toNode(v railVertex, n int32, fromNode bool) orb.LineString {
	e := &g.edges[v.edge]
	end := 0
	switch last := len(e.line) - 1; {
	case e.a == n && e.b == n: // a loop: the shorter way round
		if e.km[v.i] > e.length()-e.km[v.i] {
			end = last
		}
	case e.b == n:
		end = last
	}
	if fromNode {
		return span(e.line, end, int(v.i))
	}
	return span(e.line, int(v.i), end)
}

// span is the part of ls from vertex i to vertex j, reversed when j < i.
func span(ls orb.LineString, i, j int) orb.LineString {
	if i <= j {
		return slices.Clone(ls[i : j+1])
	}
	return reversedLine(ls[j : i+1])
}

func reversedLine(ls orb.LineString) orb.LineString {
	out := slices.Clone(ls)
	slices.Reverse(out)
	return out
}

// appendLine joins next to line, dropping the vertex they share.
func appendLine(line, next orb.LineString) orb.LineString {
	if len(line) > 0 && len(next) > 0 && line[len(line)-1] == next[0] {
		next = next[1:]
	}
	return append(line, next...)
}
