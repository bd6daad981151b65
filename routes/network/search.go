package network

import (
	"context"
	"math"

	"github.com/paulmach/orb"
)

// link joins a route's end to a network node: cost metres of open water.
type link struct {
	node int32
	cost float64
}

// searchState is the per-query scratch of a search, reused across queries:
// an entry is valid only when its stamp is the query's.
type searchState struct {
	stamp  []uint32
	gen    uint32
	g      []float64
	h      []float64
	parent []int32 // node, or -1 for the route's start
	closed []bool
	heap   nodeHeap
}

func (s *searchState) reset(n int) {
	if len(s.stamp) != n {
		*s = searchState{stamp: make([]uint32, n), g: make([]float64, n), h: make([]float64, n),
			parent: make([]int32, n), closed: make([]bool, n)}
	}
	s.gen++
	if s.gen == 0 { // wrapped: every stamp is stale again
		clear(s.stamp)
		s.gen = 1
	}
	s.heap = s.heap[:0]
}

// search finds the cheapest way from the start's links to the end's links:
// A* with the greater of the great circle to the end and the landmarks'
// bound as the estimate, neither of which exceeds the true cost. Edges
// through a passage in avoid are not taken. It returns the nodes in order,
// or ok false when no way exists.
func (sea *Sea) search(ctx context.Context, start, end []link, target orb.Point, avoid uint32) ([]int32, bool, error) {
	g := sea.g
	st := sea.pool.Get().(*searchState)
	defer sea.pool.Put(st)
	st.reset(len(g.pts))
	endCost := make(map[int32]float64, len(end))
	for _, l := range end {
		endCost[l.node] = l.cost
	}
	tu := unitVector(target)
	tm := g.targetMarks(end)
	visit := func(n, parent int32, cost float64) {
		if st.stamp[n] != st.gen {
			st.stamp[n] = st.gen
			st.g[n] = math.Inf(1)
			st.h[n] = math.Max(arc(g.unit[n], tu), g.bound(n, tm))
			st.closed[n] = false
		}
		if cost < st.g[n] && !st.closed[n] {
			st.g[n] = cost
			st.parent[n] = parent
			st.heap.push(heapItem{n, cost + st.h[n]})
		}
	}
	for _, l := range start {
		visit(l.node, -1, l.cost)
	}
	best, bestNode := math.Inf(1), int32(-1)
	for pops := 0; len(st.heap) > 0; pops++ {
		it := st.heap.pop()
		n := it.node
		if st.closed[n] || it.f > st.g[n]+st.h[n] {
			continue
		}
		if it.f >= best {
			break
		}
		if pops%4096 == 0 && ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		st.closed[n] = true
		if c, ok := endCost[n]; ok && st.g[n]+c < best {
			best, bestNode = st.g[n]+c, n
		}
		for k := g.off[n]; k < g.off[n+1]; k++ {
			if g.mask[k]&avoid != 0 {
				continue
			}
			visit(g.to[k], n, st.g[n]+float64(g.cost[k]))
		}
	}
	if bestNode < 0 {
		return nil, false, nil
	}
	var path []int32
	for n := bestNode; n >= 0; n = st.parent[n] {
		path = append(path, n)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, true, nil
}

type heapItem struct {
	node int32
	f    float64
}

// nodeHeap is a binary min-heap on f.
type nodeHeap []heapItem

func (h *nodeHeap) push(it heapItem) {
	*h = append(*h, it)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p].f <= a[i].f {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *nodeHeap) pop() heapItem {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		m := l
		if r := l + 1; r < len(a) && a[r].f < a[l].f {
			m = r
		}
		if a[i].f <= a[m].f {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}
