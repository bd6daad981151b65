package network

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// graph is a network: nodes at sea and the edges between them, each edge
// stored once in each direction.
type graph struct {
	pts []orb.Point
	// unit is each node as a unit vector, for quick great circles.
	unit [][3]float64
	// clear is each node's distance to the shore in metres, rounded down.
	clear []float32
	// Node i's edges are off[i]:off[i+1] of to, cost and mask.
	off  []int32
	to   []int32
	cost []float32 // metres on the sphere
	mask []uint32  // the passages the edge goes through
	// marks are the landmarks' distances over the network: node i's
	// distance from landmark k in whole kilometres, rounded down, is
	// marks[i*len(landmarks)+k], or noMark where it cannot be reached.
	landmarks []int32
	marks     []uint16
}

const noMark = math.MaxUint16

// edge is one undirected edge while a graph is built.
type edge struct {
	u, v int32
	mask uint32
}

// newGraph builds the adjacency of nodes pts with clearances clear from
// undirected edges.
func newGraph(pts []orb.Point, clear []float32, edges []edge) *graph {
	g := &graph{pts: pts, clear: clear, off: make([]int32, len(pts)+1), unit: make([][3]float64, len(pts))}
	for i, p := range pts {
		g.unit[i] = unitVector(p)
	}
	for _, e := range edges {
		g.off[e.u+1]++
		g.off[e.v+1]++
	}
	for i := 1; i < len(g.off); i++ {
		g.off[i] += g.off[i-1]
	}
	n := g.off[len(pts)]
	g.to, g.cost, g.mask = make([]int32, n), make([]float32, n), make([]uint32, n)
	fill := slices.Clone(g.off[:len(pts)])
	add := func(u, v int32, m uint32, c float32) {
		k := fill[u]
		fill[u]++
		g.to[k], g.mask[k], g.cost[k] = v, m, c
	}
	for _, e := range edges {
		c := float32(g.length(e.u, e.v, e.mask))
		add(e.u, e.v, e.mask, c)
		add(e.v, e.u, e.mask, c)
	}
	return g
}

// length is the length of the edge u–v in metres: along the canal's course
// for a canal, else the great circle.
func (g *graph) length(u, v int32, mask uint32) float64 {
	if c, ok := canalOf(mask); ok {
		var sum float64
		ls := passages[c].course
		for i := 1; i < len(ls); i++ {
			sum += geo.GreatCircle(ls[i-1], ls[i])
		}
		return sum
	}
	return arc(g.unit[u], g.unit[v])
}

// unitVector is p as a unit vector from the Earth's centre.
func unitVector(p orb.Point) [3]float64 {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// arc is the great circle in metres between unit vectors a and b, on the
// mean sphere, as geo.GreatCircle measures it.
func arc(a, b [3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return 2 * geo.MeanRadius * math.Asin(math.Min(1, math.Sqrt(dx*dx+dy*dy+dz*dz)/2))
}

// canalOf reports the canal an edge with this mask runs along, if any.
func canalOf(mask uint32) (int, bool) {
	if mask&canalMask == 0 {
		return 0, false
	}
	for i, p := range passages {
		if p.canal() && mask&(1<<i) != 0 {
			return i, true
		}
	}
	return 0, false
}

// edges lists each undirected edge once, u < v.
func (g *graph) edges() []edge {
	var out []edge
	for u := range int32(len(g.pts)) {
		for k := g.off[u]; k < g.off[u+1]; k++ {
			if v := g.to[k]; u < v {
				out = append(out, edge{u, v, g.mask[k]})
			}
		}
	}
	return out
}

// The network file: gzip over
//
//	magic "shiptrack sea network 1\n"
//	uvarint node count
//	per node: zigzag varint deltas of longitude and latitude in 1e-7
//	          degrees, uvarint clearance in metres
//	uvarint edge count
//	per edge (sorted by u, then v): uvarint delta of u, uvarint v-u,
//	          uvarint passage mask
//	uvarint landmark count
//	per landmark: uvarint node, then per node the zigzag varint delta of
//	          its distance from the landmark (see graph.marks)
//
// Coordinates are stored to 1e-7 degree (about a centimetre); the builder
// rounds them so before it tests a single edge, so what is tested is what is
// stored.
const fileMagic = "shiptrack sea network 1\n"

func roundCoord(x float64) float64 { return math.Round(x*1e7) / 1e7 }

func (g *graph) encode(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	var buf [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], x)]) }
	sv := func(x int64) { bw.Write(buf[:binary.PutVarint(buf[:], x)]) }
	bw.WriteString(fileMagic)
	uv(uint64(len(g.pts)))
	var px, py int64
	for i, p := range g.pts {
		x, y := int64(math.Round(p[0]*1e7)), int64(math.Round(p[1]*1e7))
		sv(x - px)
		sv(y - py)
		px, py = x, y
		uv(uint64(g.clear[i]))
	}
	es := g.edges()
	uv(uint64(len(es)))
	var pu int32
	for _, e := range es {
		uv(uint64(e.u - pu))
		uv(uint64(e.v - e.u))
		uv(uint64(e.mask))
		pu = e.u
	}
	uv(uint64(len(g.landmarks)))
	for k, l := range g.landmarks {
		uv(uint64(l))
		prev := int64(0)
		for i := range g.pts {
			m := int64(g.marks[i*len(g.landmarks)+k])
			sv(m - prev)
			prev = m
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func decodeGraph(data []byte) (*graph, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(fileMagic)) {
		return nil, errors.New("not a shiptrack sea network")
	}
	r := &reader{b: raw[len(fileMagic):]}
	n := int(r.uv())
	if r.err == nil && (n < 0 || n > len(r.b)) {
		r.err = errors.New("node count exceeds the data")
	}
	if r.err != nil {
		return nil, r.err
	}
	pts := make([]orb.Point, 0, n)
	clear := make([]float32, 0, n)
	var x, y int64
	for range n {
		if r.err != nil {
			break
		}
		x += r.sv()
		y += r.sv()
		pts = append(pts, orb.Point{float64(x) / 1e7, float64(y) / 1e7})
		clear = append(clear, float32(r.uv()))
	}
	m := int(r.uv())
	if r.err == nil && (m < 0 || m > len(r.b)) {
		r.err = errors.New("edge count exceeds the data")
	}
	if r.err != nil {
		return nil, r.err
	}
	edges := make([]edge, 0, m)
	var u uint64
	for range m {
		if r.err != nil {
			break
		}
		u += r.uv()
		v := u + r.uv()
		mask := r.uv()
		if v >= uint64(n) || v == u || mask >= 1<<len(passages) {
			r.err = fmt.Errorf("edge %d–%d (mask %#x) does not fit %d nodes", u, v, mask, n)
			break
		}
		edges = append(edges, edge{int32(u), int32(v), uint32(mask)})
	}
	nl := int(r.uv())
	if r.err == nil && (nl < 0 || nl > 64 || nl*n > len(r.b)) {
		r.err = errors.New("landmark count exceeds the data")
	}
	if r.err != nil {
		return nil, r.err
	}
	var landmarks []int32
	marks := make([]uint16, n*nl)
	for k := 0; k < nl && r.err == nil; k++ {
		l := r.uv()
		if l >= uint64(n) {
			r.err = fmt.Errorf("landmark %d is node %d of %d", k, l, n)
			break
		}
		landmarks = append(landmarks, int32(l))
		var m int64
		for i := range n {
			m += r.sv()
			if m < 0 || m > noMark {
				r.err = fmt.Errorf("landmark %d: distance %d out of range", k, m)
				break
			}
			marks[i*nl+k] = uint16(m)
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes after the last landmark", len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	g := newGraph(pts, clear, edges)
	g.landmarks, g.marks = landmarks, marks
	return g, nil
}

// reader reads varints, remembering the first failure.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uv() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated network data")
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *reader) sv() int64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errors.New("truncated network data")
		return 0
	}
	r.b = r.b[n:]
	return x
}
