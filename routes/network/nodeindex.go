package network

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// pointIndex finds points near a place: a grid of one-degree cells over
// longitude and latitude, each listing the points inside it.
type pointIndex struct {
	pts   []orb.Point
	start []int32 // cell c holds ids[start[c]:start[c+1]]
	ids   []int32
}

const (
	idxDeg = 1.0
	idxW   = int(360 / idxDeg)
	idxH   = int(180 / idxDeg)
)

func idxCell(p orb.Point) int {
	c := min(max(int(math.Floor((p[0]+180)/idxDeg)), 0), idxW-1)
	r := min(max(int(math.Floor((p[1]+90)/idxDeg)), 0), idxH-1)
	return r*idxW + c
}

func newPointIndex(pts []orb.Point) *pointIndex {
	x := &pointIndex{pts: pts, start: make([]int32, idxW*idxH+1), ids: make([]int32, len(pts))}
	for _, p := range pts {
		x.start[idxCell(p)+1]++
	}
	for c := 1; c < len(x.start); c++ {
		x.start[c] += x.start[c-1]
	}
	fill := slices.Clone(x.start[:len(x.start)-1])
	for i, p := range pts {
		c := idxCell(p)
		x.ids[fill[c]] = int32(i)
		fill[c]++
	}
	return x
}

// within calls f with every point within r metres of p (on the sphere) and
// its distance, in no particular order.
func (x *pointIndex) within(p orb.Point, r float64, f func(i int32, d float64)) {
	dLat := r / geo.MeanRadius * 180 / math.Pi
	r0 := max(int(math.Floor((p[1]-dLat+90)/idxDeg)), 0)
	r1 := min(int(math.Floor((p[1]+dLat+90)/idxDeg)), idxH-1)
	maxLat := math.Min(math.Abs(p[1])+dLat, 90)
	c0, c1 := 0, idxW-1
	if maxLat < 89 {
		dLon := dLat / math.Cos(maxLat*math.Pi/180)
		if dLon < 180 {
			c0 = int(math.Floor((p[0] - dLon + 180) / idxDeg))
			c1 = int(math.Floor((p[0] + dLon + 180) / idxDeg))
		}
	}
	if c1-c0 >= idxW {
		c0, c1 = 0, idxW-1
	}
	for cc := c0; cc <= c1; cc++ {
		c := ((cc % idxW) + idxW) % idxW
		for row := r0; row <= r1; row++ {
			cell := row*idxW + c
			for _, id := range x.ids[x.start[cell]:x.start[cell+1]] {
				if d := geo.GreatCircle(p, x.pts[id]); d <= r {
					f(id, d)
				}
			}
		}
	}
}

// nearest returns up to k points nearest p within reach metres, nearest
// first.
func (x *pointIndex) nearest(p orb.Point, k int, reach float64) []neighbour {
	var out []neighbour
	for r := 20_000.0; ; r *= 2 {
		r = math.Min(r, reach)
		out = out[:0]
		x.within(p, r, func(i int32, d float64) { out = append(out, neighbour{i, d}) })
		if len(out) >= k || r >= reach {
			break
		}
	}
	slices.SortFunc(out, func(a, b neighbour) int {
		if a.d != b.d {
			if a.d < b.d {
				return -1
			}
			return 1
		}
		return int(a.id - b.id)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// neighbour is a point and its distance from the point asked about.
type neighbour struct {
	id int32
	d  float64
}
