package network

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// buildParams shape the sea network.
type buildParams struct {
	// simplify is the tolerance in metres to which coastlines are
	// simplified before their corners are taken.
	simplify float64
	// offsets are the distances in metres, largest first, at which a node
	// is tried off each corner; the first at sea with room is kept.
	offsets []float64
	// spacing is the distance in metres between open-sea nodes.
	spacing float64
	// sectors and reach: each node is joined to the nearest node it can
	// see in each of sectors directions, out to reach metres, and to its
	// nearest visible nodes.
	sectors, nearest int
	reach            float64
	// clearance is the room in metres an edge keeps from land, less where
	// its own ends are closer to land.
	clearance float64
	// landmarks is how many landmarks guide the search.
	landmarks int
}

var defaultParams = buildParams{
	simplify:  1500,
	offsets:   []float64{4000, 2000, 1000, 500, 250},
	spacing:   200_000,
	sectors:   12,
	nearest:   8,
	reach:     600_000,
	clearance: 1000,
	landmarks: 16,
}

// buildSea builds the sea network from the land mask. Every edge it keeps
// has been tested against land, canals excepted (see passage).
func buildSea(ctx context.Context, log *slog.Logger, bp buildParams) (*graph, error) {
	pts, clear := coastNodes(bp)
	log.Info("coastal nodes", "n", len(pts))
	nearby := newSpacing(pts)
	for _, n := range channelNodes() {
		if nearby.free(n.p, math.Max(3*n.clear, 300)) {
			nearby.add(n.p)
			pts = append(pts, n.p)
			clear = append(clear, float32(n.clear))
		}
	}
	log.Info("with channel nodes", "n", len(pts))
	open := openSeaNodes(bp.spacing)
	for _, p := range open {
		pts = append(pts, p)
		clear = append(clear, float32(geo.DistanceToShore(p)))
	}
	log.Info("open-sea nodes", "n", len(open))
	canalEnds := make(map[int][2]int32)
	for i, p := range passages {
		if !p.canal() {
			continue
		}
		var ends [2]int32
		for k, q := range []orb.Point{p.course[0], p.course[len(p.course)-1]} {
			if geo.OnLand(q) {
				return nil, fmt.Errorf("%s: end %v is on land", p.name, q)
			}
			ends[k] = int32(len(pts))
			pts = append(pts, q)
			clear = append(clear, float32(geo.DistanceToShore(q)))
		}
		canalEnds[i] = ends
	}
	for i := range pts {
		pts[i] = orb.Point{roundCoord(pts[i][0]), roundCoord(pts[i][1])}
		clear[i] = float32(math.Floor(float64(clear[i])))
	}

	idx := newPointIndex(pts)
	seen := make(map[pair]bool)
	var mu sync.Mutex
	var edges []edge
	work := make(chan int32)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				for _, e := range joinNode(idx, clear, u, bp, seen, &mu) {
					mu.Lock()
					edges = append(edges, e)
					mu.Unlock()
				}
			}
		}()
	}
	for u := range int32(len(pts)) {
		if ctx.Err() != nil {
			break
		}
		if u%5000 == 0 {
			log.Info("joining", "node", u, "of", len(pts), "edges", len(edges))
		}
		work <- u
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, ends := range canalEnds {
		edges = append(edges, edge{ends[0], ends[1], 1 << i})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.u != b.u {
			return int(a.u - b.u)
		}
		return int(a.v - b.v)
	})
	// Both ends of an edge may have tested it at once.
	edges = slices.CompactFunc(edges, func(a, b edge) bool { return a.u == b.u && a.v == b.v })
	log.Info("edges", "n", len(edges))
	// The promise the router rests on, checked once more as a whole: no
	// edge but a canal touches land.
	for _, e := range edges {
		if e.mask&canalMask == 0 && geo.CrossesLand(pts[e.u], pts[e.v]) {
			return nil, fmt.Errorf("edge %v–%v crosses land", pts[e.u], pts[e.v])
		}
	}
	g := newGraph(pts, clear, edges)
	// Start the landmarks from a node in the open Atlantic, so that they
	// are chosen in the world ocean rather than in some closed sea.
	near := idx.nearest(orb.Point{-30, 30}, 1, math.Inf(1))
	g.chooseLandmarks(near[0].id, bp.landmarks)
	log.Info("landmarks", "nodes", g.landmarks)
	return g, nil
}

// joinNode finds the edges from u to nodes it can see: the nearest in each
// sector and the nearest few overall. An edge already decided from its
// other end is skipped.
func joinNode(idx *pointIndex, clear []float32, u int32, bp buildParams, seen map[pair]bool, mu *sync.Mutex) []edge {
	p := idx.pts[u]
	near := idx.nearest(p, 400, bp.reach)
	var out []edge
	found := make([]bool, bp.sectors)
	tries := make([]int, bp.sectors)
	nearby := 0
	for _, n := range near {
		if n.id == u {
			continue
		}
		s := sector(p, idx.pts[n.id], bp.sectors)
		if found[s] && nearby >= bp.nearest {
			continue
		}
		if tries[s] >= 8 && nearby >= bp.nearest {
			continue
		}
		tries[s]++
		a, b := min(u, n.id), max(u, n.id)
		key := pair{a, b}
		mu.Lock()
		done, ok := seen[key]
		mu.Unlock()
		if !ok {
			m := math.Min(bp.clearance, 0.5*float64(min(clear[u], clear[n.id])))
			var mask uint32
			done = !geo.LandWithin(idx.pts[a], idx.pts[b], m)
			if done {
				mask = pathMask(idx.pts[a], idx.pts[b], allPassages)
				done = mask&closedMask == 0
			}
			mu.Lock()
			seen[key] = done
			mu.Unlock()
			if done {
				out = append(out, edge{a, b, mask})
			}
		}
		if done {
			found[s] = true
			nearby++
		}
	}
	return out
}

// pair is an undirected edge's ends, lower first.
type pair struct{ u, v int32 }

// sector is which of n equal sectors around p the direction to q falls in.
func sector(p, q orb.Point, n int) int {
	dx := q[0] - p[0]
	dx += lonTurn(dx)
	dx *= math.Cos(p[1] * math.Pi / 180)
	a := math.Atan2(q[1]-p[1], dx) + math.Pi
	return min(int(a/(2*math.Pi)*float64(n)), n-1)
}

// coastNodes places nodes off the convex corners of the simplified
// coastlines: as far off as the corner's surroundings allow, among
// bp.offsets. At most one node goes in a cell of 0.01°.
func coastNodes(bp buildParams) ([]orb.Point, []float32) {
	cands := eachLine(geo.Coastlines(), func(ls orb.LineString) []seaPoint {
		return cornerNodes(ls, bp)
	})
	var pts []orb.Point
	var clear []float32
	taken := make(map[[2]int32]bool)
	for _, c := range cands {
		cell := [2]int32{int32(math.Floor(c.p[0] * 100)), int32(math.Floor(c.p[1] * 100))}
		if !taken[cell] {
			taken[cell] = true
			pts = append(pts, c.p)
			clear = append(clear, float32(c.clear))
		}
	}
	return pts, clear
}

// cornerNodes are the nodes off one coastline's convex corners.
func cornerNodes(ls orb.LineString, bp buildParams) []seaPoint {
	var out []seaPoint
	right := landOnRight(ls)
	keep := simplify(ls, bp.simplify)
	closed := ls[0] == ls[len(ls)-1] && len(keep) >= 4
	for k, i := range keep {
		var prev, next orb.Point
		switch {
		case k > 0 && k < len(keep)-1:
			prev, next = ls[keep[k-1]], ls[keep[k+1]]
		case k == 0 && closed:
			prev, next = ls[keep[len(keep)-2]], ls[keep[1]]
		default:
			continue
		}
		v := ls[i]
		// Work on a plane around v, in metres.
		kx := math.Cos(v[1]*math.Pi/180) * metresPerDegree
		in := unitVec(v[0]-prev[0], v[1]-prev[1], kx)
		outv := unitVec(next[0]-v[0], next[1]-v[1], kx)
		turn := in[0]*outv[1] - in[1]*outv[0] // > 0: left turn
		if right != (turn < 0) {
			continue // a corner of the sea, not of the land
		}
		// The sea lies to the left of travel when land is on the right.
		side := 1.0
		if !right {
			side = -1
		}
		nx, ny := side*(-in[1]-outv[1]), side*(in[0]+outv[0])
		if l := math.Hypot(nx, ny); l > 1e-9 {
			nx, ny = nx/l, ny/l
		} else {
			nx, ny = side*-in[1], side*in[0]
		}
		for _, o := range bp.offsets {
			c := orb.Point{v[0] + nx*o/kx, v[1] + ny*o/metresPerDegree}
			if c[1] > 89.9 || c[1] < -89.9 {
				break
			}
			c = wrapLon(c)
			if geo.OnLand(c) {
				continue
			}
			if d := geo.DistanceToShore(c); d >= 0.4*o {
				out = append(out, seaPoint{c, d})
				break
			}
		}
	}
	return out
}

// wrapLon brings a longitude that has stepped past the antimeridian back
// into [-180, 180].
func wrapLon(p orb.Point) orb.Point {
	p[0] += lonTurn(p[0])
	return p
}

// lonTurn is the whole turn, -360, 0 or 360 degrees, that brings d back
// into [-180, 180]: a longitude that has stepped past the antimeridian, or
// the difference of two longitudes, taken the short way round.
func lonTurn(d float64) float64 {
	switch {
	case d > 180:
		return -360
	case d < -180:
		return 360
	}
	return 0
}

// eachLine runs f on every line, on every processor, and returns the
// results in the lines' order, so that the network does not depend on how
// the work was shared.
func eachLine[T any](lines orb.MultiLineString, f func(orb.LineString) []T) []T {
	res := make([][]T, len(lines))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				res[i] = f(lines[i])
			}
		})
	}
	for i := range lines {
		next <- i
	}
	close(next)
	wg.Wait()
	return slices.Concat(res...)
}

const metresPerDegree = geo.MeanRadius * math.Pi / 180

func unitVec(dx, dy, kx float64) [2]float64 {
	dx += lonTurn(dx)
	x, y := dx*kx, dy*metresPerDegree
	l := math.Hypot(x, y)
	if l == 0 {
		return [2]float64{}
	}
	return [2]float64{x / l, y / l}
}

// landOnRight reports whether land lies to the right of the line's
// direction of travel, by testing a point beside a few of its edges.
func landOnRight(ls orb.LineString) bool {
	votes := 0
	step := max(len(ls)/7, 1)
	for i := 1; i < len(ls); i += step {
		a, b := ls[i-1], ls[i]
		kx := math.Cos(a[1]*math.Pi/180) * metresPerDegree
		d := unitVec(b[0]-a[0], b[1]-a[1], kx)
		if d == [2]float64{} {
			continue
		}
		mid := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
		r := orb.Point{mid[0] + d[1]*30/kx, mid[1] - d[0]*30/metresPerDegree}
		if geo.OnLand(r) {
			votes++
		} else {
			votes--
		}
	}
	return votes >= 0
}

// simplify is Douglas–Peucker on a plane local to each span: the indices of
// the vertices of ls kept at tolerance tol metres.
func simplify(ls orb.LineString, tol float64) []int {
	keep := make([]bool, len(ls))
	keep[0], keep[len(ls)-1] = true, true
	type span struct{ i, j int }
	stack := []span{{0, len(ls) - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.j <= s.i+1 {
			continue
		}
		a, b := ls[s.i], ls[s.j]
		kx := math.Cos(a[1]*math.Pi/180) * metresPerDegree
		proj := func(p orb.Point) [2]float64 {
			dx := p[0] - a[0]
			dx += lonTurn(dx)
			return [2]float64{dx * kx, (p[1] - a[1]) * metresPerDegree}
		}
		pb := proj(b)
		best, bi := -1.0, -1
		for m := s.i + 1; m < s.j; m++ {
			if d := distToSegment(proj(ls[m]), pb); d > best {
				best, bi = d, m
			}
		}
		if best > tol {
			keep[bi] = true
			stack = append(stack, span{s.i, bi}, span{bi, s.j})
		}
	}
	var out []int
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

// distToSegment is the planar distance from c to the segment from the
// origin to b.
func distToSegment(c, b [2]float64) float64 {
	t := 0.0
	if n := b[0]*b[0] + b[1]*b[1]; n > 0 {
		t = min(max((c[0]*b[0]+c[1]*b[1])/n, 0), 1)
	}
	return math.Hypot(t*b[0]-c[0], t*b[1]-c[1])
}

// openSeaNodes are points spread evenly over the sphere about spacing
// metres apart (a Fibonacci lattice), kept where they lie at least half that
// far from any shore.
func openSeaNodes(spacing float64) []orb.Point {
	n := int(4 * math.Pi * geo.MeanRadius * geo.MeanRadius / (spacing * spacing * math.Sqrt(3) / 2))
	golden := math.Pi * (3 - math.Sqrt(5))
	var out []orb.Point
	for i := range n {
		lat := math.Asin(1-2*(float64(i)+0.5)/float64(n)) * 180 / math.Pi
		lon := math.Mod(float64(i)*golden*180/math.Pi, 360) - 180
		p := orb.Point{lon, lat}
		if !geo.OnLand(p) && geo.DistanceToShore(p) >= spacing/2 {
			out = append(out, p)
		}
	}
	return out
}

// WriteSeaNetwork builds the sea network from the land mask and writes it in
// the form LoadSea reads. `go generate ./routes/network` runs it through
// internal/seagen; it takes some minutes.
func WriteSeaNetwork(ctx context.Context, log *slog.Logger, w io.Writer) error {
	g, err := buildSea(ctx, log, defaultParams)
	if err != nil {
		return err
	}
	return g.encode(w)
}

// seaPoint is a point at sea and its distance to shore.
type seaPoint struct {
	p     orb.Point
	clear float64
}

// channelNodes finds the middle of narrow water (rivers, straits, sounds
// less than about 8 km across): from each coastline vertex it looks straight
// out to sea for the point farthest from any shore, before the far shore
// becomes the nearer.
func channelNodes() []seaPoint {
	return eachLine(geo.Coastlines(), lineChannelNodes)
}

func lineChannelNodes(ls orb.LineString) []seaPoint {
	var out []seaPoint
	side := 1.0
	if !landOnRight(ls) {
		side = -1
	}
	var last orb.Point
	for i := 1; i+1 < len(ls); i++ {
		v := ls[i]
		if i > 1 && geo.GreatCircle(v, last) < 150 {
			continue
		}
		last = v
		kx := math.Cos(v[1]*math.Pi/180) * metresPerDegree
		d := unitVec(ls[i+1][0]-ls[i-1][0], ls[i+1][1]-ls[i-1][1], kx)
		if d == [2]float64{} {
			continue
		}
		nx, ny := -side*d[1], side*d[0]
		best, bestP := 0.0, orb.Point{}
		wide := true
		for t := 40.0; t < 8000; t *= 1.35 {
			p := orb.Point{v[0] + nx*t/kx, v[1] + ny*t/metresPerDegree}
			if math.Abs(p[1]) > 89.9 || geo.OnLand(p) {
				wide = false
				break
			}
			dist := geo.DistanceToShore(p)
			if dist > best {
				best, bestP = dist, p
			}
			if dist < 0.7*t {
				wide = false
				break
			}
		}
		if !wide && best >= 50 {
			out = append(out, seaPoint{wrapLon(bestP), best})
		}
	}
	return out
}

// spacing keeps nodes apart: a hash of 0.05° cells.
type spacing map[[2]int32][]orb.Point

func spacingCell(p orb.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p[0] / 0.05)), int32(math.Floor(p[1] / 0.05))}
}

func newSpacing(pts []orb.Point) spacing {
	s := make(spacing)
	for _, p := range pts {
		s.add(p)
	}
	return s
}

func (s spacing) add(p orb.Point) { c := spacingCell(p); s[c] = append(s[c], p) }

// free reports whether no point lies within r metres of p.
func (s spacing) free(p orb.Point, r float64) bool {
	c := spacingCell(p)
	dy := int32(math.Ceil(r/metresPerDegree/0.05)) + 1
	dx := int32(math.Ceil(r/(metresPerDegree*math.Max(math.Cos(p[1]*math.Pi/180), 0.05))/0.05)) + 1
	for x := c[0] - dx; x <= c[0]+dx; x++ {
		for y := c[1] - dy; y <= c[1]+dy; y++ {
			for _, q := range s[[2]int32{x, y}] {
				if geo.GreatCircle(p, q) < r {
					return false
				}
			}
		}
	}
	return true
}
