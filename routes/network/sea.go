// Package network holds shiptrack's transport networks and finds routes over
// them. Sea is the sea router: it draws a ship's route between two points
// over a network of sea lanes built from Natural Earth's 1:10m land, and no
// line it draws crosses that land (the Suez, Panama and Kiel canals, which
// that land does not open, excepted).
//
// # The sea network
//
// The network is generated from the land mask in package geo by
// `go generate ./routes/network` (internal/seagen, some minutes) and bundled
// in the binary (sea.net.gz, about 3 MB). Its nodes lie
//
//   - off every convex corner of the coastline simplified to 1.5 km: 4 km
//     out along the corner's bisector, or 2, 1, 0.5 or 0.25 km where the
//     water is narrower;
//   - in the middle of water narrower than about 8 km, found by looking
//     out from the coast for the point farthest from any shore, so that
//     the Bosporus and the Elbe up to Hamburg have lanes;
//   - on a Fibonacci lattice over the open sea, about 200 km apart;
//   - at the two sea ends of each canal.
//
// Each node is joined to the nearest node it can see in each of 12
// directions and to its 8 nearest visible nodes, out to 600 km. An edge is
// kept only if no land lies within 1 km of it (or within half its ends'
// distance to shore, where that is less): the generator refuses every edge
// that touches land, checks them all once more before it writes the file,
// and the tests check them again. A canal is one edge along its course. No
// edge crosses the Arctic passages (see passages). Sixteen landmarks, with
// every node's distance from each, speed up the search (see landmarks.go).
//
// # A route
//
// An end at sea is used as given; an end on land (a port's town, say) is
// moved to the nearest water, at most MaxSnap away, and the distance moved is
// reported. Each end is joined to the network nodes it can see; an end whose
// water the network does not reach (a lake the coast closes) is moved on to
// the nearest node, again at most MaxSnap from the point asked. A* finds the
// shortest way over the network, and the way is then pulled tight: a run of
// vertices is replaced by one straight segment wherever that segment keeps
// clear of land. Every segment of the line is a great circle drawn with
// geo.Densify, the same pieces geo.CrossesLand tests, and the line is split
// at the antimeridian as RFC 7946 asks.
//
// The shortest way at sea is not always the way ships go: traffic
// separation schemes, depths, ice, weather and piracy are not modelled, and
// the coast is Natural Earth's at 1:10m, which leaves out small islands and
// closes small channels. Lengths agree with published port-to-port
// distances to within a few per cent (see the tests).
package network

import (
	"context"
	_ "embed" // the network
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

//go:generate go run ./internal/seagen -o sea.net.gz
//go:embed sea.net.gz
var seaData []byte

// MaxSnap is how far in metres an end on land may be moved to reach the sea.
// Farther is far inland, and an error.
const MaxSnap = 50_000

// Sea is the sea router. It is safe for concurrent use.
type Sea struct {
	g   *graph
	idx *pointIndex
	// comp is each node's connected part of the network, and size each
	// part's number of nodes: the oceans are one part, the Caspian
	// another, a lagoon the coast closes a third.
	comp []int32
	size []int
	pool sync.Pool
}

var _ routes.Router = (*Sea)(nil)

// LoadSea returns the sea router over the bundled network. The first call
// reads the network and decodes the land mask, which every route consults,
// alongside: together they take a few tenths of a second. Later calls
// return the same router.
func LoadSea() (*Sea, error) { return loadSea() }

var loadSea = sync.OnceValues(func() (*Sea, error) {
	landDone := make(chan struct{})
	go func() {
		geo.OnLand(orb.Point{}) // decode the land mask now, not in the first route
		close(landDone)
	}()
	g, err := decodeGraph(seaData)
	<-landDone
	if err != nil {
		return nil, fmt.Errorf("read the bundled sea network: %w", err)
	}
	return newSea(g), nil
})

func newSea(g *graph) *Sea {
	s := &Sea{g: g, idx: newPointIndex(g.pts), comp: make([]int32, len(g.pts))}
	for i := range s.comp {
		s.comp[i] = -1
	}
	var stack []int32
	for i := range int32(len(g.pts)) {
		if s.comp[i] >= 0 {
			continue
		}
		c := int32(len(s.size))
		s.size = append(s.size, 0)
		s.comp[i] = c
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			s.size[c]++
			for k := g.off[u]; k < g.off[u+1]; k++ {
				if v := g.to[k]; s.comp[v] < 0 {
					s.comp[v] = c
					stack = append(stack, v)
				}
			}
		}
	}
	s.pool.New = func() any { return new(searchState) }
	return s
}

// Route finds the sea route from one point to another. See the package
// documentation for how.
func (s *Sea) Route(ctx context.Context, from, to orb.Point, opts routes.RouteOptions) (routes.ComputedRoute, error) {
	if err := routes.CheckRouteEnds(from, to); err != nil {
		return routes.ComputedRoute{}, err
	}
	avoid, err := avoidMask(opts.Avoid)
	if err != nil {
		return routes.ComputedRoute{}, &routes.RouteInputError{Param: "avoid", Err: err}
	}
	if err := ctx.Err(); err != nil {
		return routes.ComputedRoute{}, err
	}
	a, err := s.snap("from", from)
	if err != nil {
		return routes.ComputedRoute{}, err
	}
	b, err := s.snap("to", to)
	if err != nil {
		return routes.ComputedRoute{}, err
	}
	if a.p == b.p {
		return routes.ComputedRoute{}, &routes.RouteInputError{Param: "to",
			Err: fmt.Errorf("reaches the sea at the same point as from, %.4f,%.4f: %w", a.p[0], a.p[1], routes.ErrUnroutable)}
	}
	path, err := s.way(ctx, from, to, a, b, avoid)
	if err != nil {
		return routes.ComputedRoute{}, err
	}
	line, used := draw(s.tighten(path, avoid))
	ml := geo.SplitAntimeridian(line)
	// To the centimetre, as the network's nodes are stored: more digits
	// are noise.
	for _, ls := range ml {
		for i, p := range ls {
			ls[i] = orb.Point{roundCoord(p[0]), roundCoord(p[1])}
		}
	}
	first, last := ml[0][0], ml[len(ml)-1][len(ml[len(ml)-1])-1]
	return routes.ComputedRoute{
		Line:       ml,
		LengthKm:   geo.Length(ml) / 1000,
		FromSnapKm: geo.Distance(from, first) / 1000,
		ToSnapKm:   geo.Distance(to, last) / 1000,
		Network:    "sea",
		Passages:   used,
	}, nil
}

// end is a route's end at sea, with its distance to shore.
type end struct {
	p     orb.Point
	clear float64
}

// snap moves p to the sea: unchanged if it is at sea, else to water next to
// the nearest shore.
func (s *Sea) snap(param string, p orb.Point) (end, error) {
	if !geo.OnLand(p) {
		return end{p, geo.DistanceToShore(p)}, nil
	}
	q, d := geo.NearestShore(p)
	if d > MaxSnap {
		return end{}, &routes.RouteInputError{Param: param,
			Err: fmt.Errorf("%.4f,%.4f lies %.0f km from the sea, farther than the %.0f km an end may be moved: %w",
				p[0], p[1], d/1000, MaxSnap/1000.0, routes.ErrUnroutable)}
	}
	// Step past the shore, away from p, then around it, until at sea.
	kx := math.Cos(q[1]*math.Pi/180) * metresPerDegree
	dir := unitVec(q[0]-p[0], q[1]-p[1], kx)
	for _, r := range []float64{20, 50, 100, 200, 400, 800, 1600} {
		for k := range 16 {
			dx, dy := dir[0], dir[1]
			if k > 0 || dir == [2]float64{} {
				a := float64(k) * math.Pi / 8
				dx, dy = math.Cos(a), math.Sin(a)
			}
			c := wrapLon(orb.Point{q[0] + dx*r/kx, q[1] + dy*r/metresPerDegree})
			if c[1] < 90 && c[1] > -90 && !geo.OnLand(c) {
				return end{c, geo.DistanceToShore(c)}, nil
			}
		}
	}
	return end{}, &routes.RouteInputError{Param: param,
		Err: fmt.Errorf("%.4f,%.4f: no open water found next to its nearest shore: %w", p[0], p[1], routes.ErrUnroutable)}
}

// vertex is a point of a route as found. canal is the index of the canal
// whose course runs from this vertex to the next, or -1; tightening keeps
// such vertices.
type vertex struct {
	p     orb.Point
	clear float64
	canal int
}

// way finds the network route between two ends as vertices: a straight
// line when they see each other, else through the nodes each end sees. An
// end whose water leads to no node (a lagoon the data closes, a river too
// narrow for the network) is moved on to the nearest node within MaxSnap of
// the point asked for.
func (s *Sea) way(ctx context.Context, from, to orb.Point, a, b end, avoid uint32) ([]vertex, error) {
	if s.clear(a.p, b.p, a.clear, b.clear, avoid) {
		return []vertex{{a.p, a.clear, -1}, {b.p, b.clear, -1}}, nil
	}
	var err error
	start := s.links(a, avoid)
	if len(start) == 0 {
		if a, start, err = s.nearestNode("from", from, nil); err != nil {
			return nil, err
		}
	}
	stop := s.links(b, avoid)
	if len(stop) == 0 {
		if b, stop, err = s.nearestNode("to", to, nil); err != nil {
			return nil, err
		}
	}
	if cs, ct := s.parts(start), s.parts(stop); !slices.ContainsFunc(cs, func(c int32) bool { return slices.Contains(ct, c) }) {
		// The ends' waters do not meet: one may be a lake or lagoon the
		// coast closes (Stockholm's Mälaren). Move the end in the
		// smaller water on to the other's, if it lies within MaxSnap.
		if s.size[cs[0]] <= s.size[ct[0]] {
			if a2, start2, err := s.nearestNode("from", from, ct); err == nil {
				a, start = a2, start2
			}
		} else if b2, stop2, err := s.nearestNode("to", to, cs); err == nil {
			b, stop = b2, stop2
		}
	}
	nodes, ok, err := s.search(ctx, start, stop, b.p, avoid)
	if err != nil {
		return nil, err
	}
	if !ok {
		msg := "no sea route joins %.4f,%.4f and %.4f,%.4f"
		if avoid&^closedMask != 0 {
			msg += " without the passages avoided"
		}
		return nil, fmt.Errorf(msg+": %w", a.p[0], a.p[1], b.p[0], b.p[1], routes.ErrUnroutable)
	}
	out := []vertex{{a.p, a.clear, -1}}
	for i, n := range nodes {
		v := vertex{s.g.pts[n], float64(s.g.clear[n]), -1}
		if v.p == out[len(out)-1].p { // an end moved onto this node
			continue
		}
		if i > 0 {
			if c, ok := s.canalEdge(nodes[i-1], n); ok {
				// A canal edge brings its course along.
				course := passages[c].course
				if course[0] != s.g.pts[nodes[i-1]] {
					course = reversedLine(course)
				}
				for _, p := range course[:len(course)-1] {
					if p == out[len(out)-1].p {
						out[len(out)-1].canal = c
					} else {
						out = append(out, vertex{p, 0, c})
					}
				}
			}
		}
		out = append(out, v)
	}
	if last := out[len(out)-1]; last.p != b.p {
		out = append(out, vertex{b.p, b.clear, -1})
	}
	return out, nil
}

// nearestNode is the end at the network node nearest p, within MaxSnap,
// in one of the parts given (any part if none are).
func (s *Sea) nearestNode(param string, p orb.Point, parts []int32) (end, []link, error) {
	best, at := math.Inf(1), int32(-1)
	s.idx.within(p, MaxSnap, func(i int32, d float64) {
		if d < best && (parts == nil || slices.Contains(parts, s.comp[i])) {
			best, at = d, i
		}
	})
	if at < 0 {
		return end{}, nil, &routes.RouteInputError{Param: param,
			Err: fmt.Errorf("%.4f,%.4f: its water is closed in by land on Natural Earth's map, and no sea lane passes within %.0f km: %w",
				p[0], p[1], MaxSnap/1000.0, routes.ErrUnroutable)}
	}
	return end{s.g.pts[at], float64(s.g.clear[at])}, []link{{at, 0}}, nil
}

// parts lists the parts of the network that links reach, largest first.
func (s *Sea) parts(links []link) []int32 {
	var out []int32
	for _, l := range links {
		if c := s.comp[l.node]; !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b int32) int { return s.size[b] - s.size[a] })
	return out
}

// canalEdge reports whether the edge u–v is a canal, and which.
func (s *Sea) canalEdge(u, v int32) (int, bool) {
	for k := s.g.off[u]; k < s.g.off[u+1]; k++ {
		if s.g.to[k] == v {
			if c, ok := canalOf(s.g.mask[k]); ok {
				return c, true
			}
		}
	}
	return 0, false
}

// links joins an end to the nearest network nodes it can see.
func (s *Sea) links(e end, avoid uint32) []link {
	var out []link
	for _, reach := range []float64{300_000, 1_500_000} {
		for _, n := range s.idx.nearest(e.p, 64, reach) {
			if len(out) >= 16 {
				break
			}
			if s.clear(e.p, s.g.pts[n.id], e.clear, float64(s.g.clear[n.id]), avoid) {
				out = append(out, link{n.id, n.d})
			}
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

// clearance is the room in metres a route keeps from land between points
// that have it.
const clearance = 1000

// clear reports whether the segment a–b keeps clear of land (by clearance,
// or by half the room its ends have where that is less) and of the gates
// of the passages to avoid.
func (s *Sea) clear(a, b orb.Point, ca, cb float64, avoid uint32) bool {
	m := math.Min(clearance, 0.5*math.Min(ca, cb))
	return !geo.LandWithin(a, b, m) && pathMask(a, b, avoid) == 0
}

// tighten pulls the route straight: from each vertex it goes to the
// farthest later vertex in clear view, looking a few vertices past the
// first one hidden. Canal courses stay as they are.
func (s *Sea) tighten(vs []vertex, avoid uint32) []vertex {
	out := []vertex{vs[0]}
	for i := 0; i < len(vs)-1; {
		j := i + 1
		for k := i + 2; k < len(vs) && k <= j+3; k++ {
			if vs[k-1].canal >= 0 || vs[i].canal >= 0 {
				break
			}
			if s.clear(vs[i].p, vs[k].p, vs[i].clear, vs[k].clear, avoid) {
				j = k
			}
		}
		out = append(out, vs[j])
		i = j
	}
	return out
}

// draw turns vertices into the line as drawn, every segment a great circle
// in pieces of at most geo.LandStep, and names the passages it goes
// through, in order.
func draw(vs []vertex) (orb.LineString, []string) {
	line := orb.LineString{vs[0].p}
	var used []string
	note := func(i int) {
		if n := passages[i].name; !slices.Contains(used, n) {
			used = append(used, n)
		}
	}
	for i := 1; i < len(vs); i++ {
		a, b := vs[i-1], vs[i]
		if a.canal >= 0 {
			note(a.canal)
			line = append(line, b.p)
			continue
		}
		pts := geo.Densify(a.p, b.p, geo.LandStep)
		for k := 1; k < len(pts); k++ {
			if m := gateMask(pts[k-1], pts[k]); m != 0 {
				for g := range passages {
					if m&(1<<g) != 0 {
						note(g)
					}
				}
			}
		}
		line = append(line, pts[1:]...)
	}
	return line, used
}
