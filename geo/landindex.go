package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// The land index is a grid of cells cellDeg on a side over longitude and
// latitude. Each cell lists the polygon edges that touch it and knows whether
// its centre is on land; a point is then placed by counting the edges crossed
// on the way from its cell's centre, and a segment is tested against the
// edges of the cells it passes through. Most of the world's cells list no
// edge at all.
const (
	cellDeg = 0.25
	gridW   = int(360 / cellDeg)
	gridH   = int(180 / cellDeg)
	// cellPad widens an edge's box so that an edge ending exactly on a
	// cell border is listed in both cells.
	cellPad = 1e-9
	// metresPerDegree is one degree of a great circle on the mean sphere.
	metresPerDegree = MeanRadius * math.Pi / 180
)

// landEdge is one polygon edge; art marks the edges that are not coastline
// (along the antimeridian or at a pole), which count for inside and outside
// but are never shore.
type landEdge struct {
	a, b orb.Point
	art  bool
}

type landIndex struct {
	edges []landEdge
	// ringEnd[i] is the index after the last edge of ring i.
	ringEnd []int
	// start and ids list each cell's edges: cell c holds
	// ids[start[c]:start[c+1]]. Cell c is row*gridW + col.
	start []uint32
	ids   []uint32
	// inside has a bit per cell: its centre is on land.
	inside []uint64
}

func col(x float64) int { return min(max(int(math.Floor((x+180)/cellDeg)), 0), gridW-1) }
func row(y float64) int { return min(max(int(math.Floor((y+90)/cellDeg)), 0), gridH-1) }

func cellCentre(c, r int) orb.Point {
	return orb.Point{-180 + (float64(c)+0.5)*cellDeg, -90 + (float64(r)+0.5)*cellDeg}
}

func newLandIndex(rings []ring) *landIndex {
	n := 0
	for _, r := range rings {
		n += len(r.pts) - 1
	}
	l := &landIndex{edges: make([]landEdge, 0, n), ringEnd: make([]int, 0, len(rings))}
	for _, r := range rings {
		for i := 1; i < len(r.pts); i++ {
			l.edges = append(l.edges, landEdge{a: r.pts[i-1], b: r.pts[i], art: r.art[i-1]})
		}
		l.ringEnd = append(l.ringEnd, len(l.edges))
	}
	// Two passes over the edges' boxes: count, then fill.
	cells := func(e landEdge, f func(c int)) {
		c0, c1 := col(min(e.a[0], e.b[0])-cellPad), col(max(e.a[0], e.b[0])+cellPad)
		r0, r1 := row(min(e.a[1], e.b[1])-cellPad), row(max(e.a[1], e.b[1])+cellPad)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				f(r*gridW + c)
			}
		}
	}
	l.start = make([]uint32, gridW*gridH+1)
	for _, e := range l.edges {
		cells(e, func(c int) { l.start[c+1]++ })
	}
	for c := 1; c < len(l.start); c++ {
		l.start[c] += l.start[c-1]
	}
	l.ids = make([]uint32, l.start[len(l.start)-1])
	fill := slices.Clone(l.start[:len(l.start)-1])
	for i, e := range l.edges {
		cells(e, func(c int) { l.ids[fill[c]] = uint32(i); fill[c]++ })
	}

	// The centres of a row lie on one parallel: where the edges cross it,
	// sorted, says which centres are inside (the even-odd rule, counting
	// crossings east of each centre).
	crossings := make([][]float64, gridH)
	for _, e := range l.edges {
		for r := row(min(e.a[1], e.b[1])); r <= row(max(e.a[1], e.b[1])); r++ {
			y := cellCentre(0, r)[1]
			if (e.a[1] > y) != (e.b[1] > y) {
				crossings[r] = append(crossings[r], xAt(e, y))
			}
		}
	}
	l.inside = make([]uint64, (gridW*gridH+63)/64)
	for r, xs := range crossings {
		slices.Sort(xs)
		k := 0 // crossings at or west of the centre
		for c := range gridW {
			x := cellCentre(c, r)[0]
			for k < len(xs) && xs[k] <= x {
				k++
			}
			if (len(xs)-k)%2 == 1 {
				i := r*gridW + c
				l.inside[i/64] |= 1 << (i % 64)
			}
		}
	}
	return l
}

// xAt is where edge e crosses the parallel y; yAt where it crosses the
// meridian x.
func xAt(e landEdge, y float64) float64 {
	return e.a[0] + (y-e.a[1])*(e.b[0]-e.a[0])/(e.b[1]-e.a[1])
}

func yAt(e landEdge, x float64) float64 {
	return e.a[1] + (x-e.a[0])*(e.b[1]-e.a[1])/(e.b[0]-e.a[0])
}

// cellEdges is the edges listed in cell (c, r).
func (l *landIndex) cellEdges(c, r int) []uint32 {
	i := r*gridW + c
	return l.ids[l.start[i]:l.start[i+1]]
}

// onLand walks from the centre of p's cell, whose side is known, north or
// south to p's latitude and then east or west to p, flipping at each edge
// crossed. Each leg counts crossings in a half-open interval, as a ray would,
// so that a vertex on the path is counted once.
func (l *landIndex) onLand(p orb.Point) bool {
	if p[0] == 180 {
		// The same meridian as -180, where the cut land's edges lie on
		// the cell's far side and are not counted.
		p[0] = -180
	}
	c, r := col(p[0]), row(p[1])
	ctr := cellCentre(c, r)
	i := r*gridW + c
	in := l.inside[i/64]&(1<<(i%64)) != 0
	ylo, yhi := min(ctr[1], p[1]), max(ctr[1], p[1])
	xlo, xhi := min(ctr[0], p[0]), max(ctr[0], p[0])
	for _, id := range l.cellEdges(c, r) {
		e := l.edges[id]
		if (e.a[0] > ctr[0]) != (e.b[0] > ctr[0]) {
			if y := yAt(e, ctr[0]); y > ylo && y <= yhi {
				in = !in
			}
		}
		if (e.a[1] > p[1]) != (e.b[1] > p[1]) {
			if x := xAt(e, p[1]); x > xlo && x <= xhi {
				in = !in
			}
		}
	}
	return in
}

// eachNear calls f with every coastline edge listed in the cells that a box
// from (x0, y0) to (x1, y1) touches, with the longitude shift (a multiple of
// 360) that brings the edge next to the box. The box may extend past the
// antimeridian. f returns false to stop.
func (l *landIndex) eachNear(x0, y0, x1, y1 float64, f func(e landEdge, shift float64) bool) bool {
	c0 := int(math.Floor((x0 - cellPad + 180) / cellDeg))
	c1 := int(math.Floor((x1 + cellPad + 180) / cellDeg))
	if c1-c0 >= gridW {
		c0, c1 = 0, gridW-1
	}
	r0, r1 := row(y0-cellPad), row(y1+cellPad)
	for cc := c0; cc <= c1; cc++ {
		c := ((cc % gridW) + gridW) % gridW
		shift := float64((cc-c)/gridW) * 360
		for r := r0; r <= r1; r++ {
			for _, id := range l.cellEdges(c, r) {
				e := l.edges[id]
				if !e.art && !f(e, shift) {
					return false
				}
			}
		}
	}
	return true
}

// pieceNear reports whether a coastline edge comes within m metres of the
// straight piece from a to b (m = 0: touches it). b's longitude is taken
// next to a's, so a piece across the antimeridian is one short piece.
func (l *landIndex) pieceNear(a, b orb.Point, m float64) bool {
	if d := b[0] - a[0]; d > 180 {
		b[0] -= 360
	} else if d < -180 {
		b[0] += 360
	}
	midLat := (a[1] + b[1]) / 2
	kx := math.Cos(midLat*math.Pi/180) * metresPerDegree
	ky := metresPerDegree
	padY, padX := m/ky, 0.0
	if maxLat := max(math.Abs(a[1]), math.Abs(b[1])) + padY; m > 0 && maxLat < 89 {
		padX = m / (math.Cos(maxLat*math.Pi/180) * metresPerDegree)
	} else if m > 0 {
		padX = 180
	}
	// Work on a plane centred on a, in metres.
	proj := func(p orb.Point, shift float64) orb.Point {
		return orb.Point{(p[0] + shift - a[0]) * kx, (p[1] - a[1]) * ky}
	}
	pa, pb := orb.Point{}, proj(b, 0)
	x0, y0 := min(a[0], b[0])-padX, min(a[1], b[1])-padY
	x1, y1 := max(a[0], b[0])+padX, max(a[1], b[1])+padY
	hit := false
	l.eachNear(x0, y0, x1, y1, func(e landEdge, shift float64) bool {
		// Most edges of a cell lie well away from the piece: pass over
		// those whose box misses the piece's padded box.
		if max(e.a[0], e.b[0])+shift < x0 || min(e.a[0], e.b[0])+shift > x1 ||
			max(e.a[1], e.b[1]) < y0 || min(e.a[1], e.b[1]) > y1 {
			return true
		}
		if m == 0 {
			hit = segmentsTouch(a, b, orb.Point{e.a[0] + shift, e.a[1]}, orb.Point{e.b[0] + shift, e.b[1]})
		} else {
			hit = segmentDistance(pa, pb, proj(e.a, shift), proj(e.b, shift)) < m
		}
		return !hit
	})
	return hit
}

// nearest is the coastline point nearest p on the sphere. It visits rows of
// cells outward from p's row, and in each row cells outward from p's column,
// skipping the rest of a row once its cells cannot hold a nearer point and
// stopping once whole rows cannot.
func (l *landIndex) nearest(p orb.Point) orb.Point {
	pc, pr := col(p[0]), row(p[1])
	cosLat := math.Cos(p[1] * math.Pi / 180)
	best, bestQ := math.Inf(1), orb.Point{}
	// bound is the least distance from p to a point dx columns and dy rows
	// of cells away: no less than the difference in latitude, nor than the
	// distance to the meridian dx-1 cells off.
	bound := func(dx, dy int) float64 {
		y := float64(max(dy-1, 0)) * cellDeg * math.Pi / 180
		x := math.Min(float64(max(dx-1, 0))*cellDeg, 90) * math.Pi / 180
		return MeanRadius * math.Max(y, math.Asin(cosLat*math.Sin(x)))
	}
	visit := func(cc, r int) {
		c := ((cc % gridW) + gridW) % gridW
		shift := float64((cc-c)/gridW) * 360
		for _, id := range l.cellEdges(c, r) {
			e := l.edges[id]
			if e.art {
				continue
			}
			q := nearestOnEdge(p, orb.Point{e.a[0] + shift, e.a[1]}, orb.Point{e.b[0] + shift, e.b[1]}, cosLat)
			if d := GreatCircle(p, q); d < best {
				best, bestQ = d, q
			}
		}
	}
	for dy := 0; dy < gridH && bound(0, dy) < best; dy++ {
		for _, r := range []int{pr - dy, pr + dy} {
			if r < 0 || r >= gridH || (dy == 0 && r != pr-dy) {
				continue
			}
			for dx := 0; dx <= gridW/2 && bound(dx, dy) < best; dx++ {
				visit(pc-dx, r)
				if dx > 0 && dx < gridW/2 {
					visit(pc+dx, r)
				}
			}
		}
	}
	if bestQ[0] > 180 {
		bestQ[0] -= 360
	} else if bestQ[0] < -180 {
		bestQ[0] += 360
	}
	return bestQ
}

// nearestOnEdge is the point of edge a–b nearest p, found on a plane scaled
// for p's latitude; b and a may lie past the antimeridian from p.
func nearestOnEdge(p, a, b orb.Point, cosLat float64) orb.Point {
	ux, uy := (b[0]-a[0])*cosLat, b[1]-a[1]
	vx, vy := (p[0]-a[0])*cosLat, p[1]-a[1]
	t := 0.0
	if n := ux*ux + uy*uy; n > 0 {
		t = min(max((ux*vx+uy*vy)/n, 0), 1)
	}
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// coastlines returns the runs of coastline edges as lines.
func (l *landIndex) coastlines() orb.MultiLineString {
	var out orb.MultiLineString
	begin := 0
	for _, end := range l.ringEnd {
		var cur orb.LineString
		flush := func() {
			if len(cur) >= 2 {
				out = append(out, cur)
			}
			cur = nil
		}
		for _, e := range l.edges[begin:end] {
			if e.art {
				flush()
				continue
			}
			if len(cur) == 0 {
				cur = append(cur, e.a)
			}
			cur = append(cur, e.b)
		}
		flush()
		begin = end
	}
	return out
}

// orient is twice the signed area of triangle a, b, c: positive when c lies
// to the left of a→b.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// segmentsTouch reports whether segments p–q and a–b share a point.
func segmentsTouch(p, q, a, b orb.Point) bool {
	if max(p[0], q[0]) < min(a[0], b[0]) || max(a[0], b[0]) < min(p[0], q[0]) ||
		max(p[1], q[1]) < min(a[1], b[1]) || max(a[1], b[1]) < min(p[1], q[1]) {
		return false
	}
	d1, d2 := orient(p, q, a), orient(p, q, b)
	d3, d4 := orient(a, b, p), orient(a, b, q)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	// Touching or collinear: some end lies on the other segment (the boxes
	// overlap, so collinear segments that share a point have such an end).
	return (d1 == 0 && onSegment(p, q, a)) || (d2 == 0 && onSegment(p, q, b)) ||
		(d3 == 0 && onSegment(a, b, p)) || (d4 == 0 && onSegment(a, b, q))
}

// onSegment reports whether c, collinear with a–b, lies within its box.
func onSegment(a, b, c orb.Point) bool {
	return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
}

// segmentDistance is the planar distance between segments p–q and a–b.
func segmentDistance(p, q, a, b orb.Point) float64 {
	if segmentsTouch(p, q, a, b) {
		return 0
	}
	return min(pointSegment(p, a, b), pointSegment(q, a, b), pointSegment(a, p, q), pointSegment(b, p, q))
}

// pointSegment is the planar distance from c to segment a–b.
func pointSegment(c, a, b orb.Point) float64 {
	ux, uy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if n := ux*ux + uy*uy; n > 0 {
		t = min(max(((c[0]-a[0])*ux+(c[1]-a[1])*uy)/n, 0), 1)
	}
	return math.Hypot(a[0]+t*ux-c[0], a[1]+t*uy-c[1])
}
