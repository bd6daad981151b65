package network

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// A passage is a named strait or canal that a route can be asked to avoid.
//
// A strait is a gate: a line drawn across it from land to land. A route uses
// the strait when it crosses the gate, and avoiding the strait removes every
// edge that crosses it. Natural Earth's 1:10m land does not open the Suez,
// Panama and Kiel canals, so a canal is instead a line along its course
// between two points at sea, joined to the network like any other edge; it
// is the one kind of edge allowed to cross land. The coordinates are read
// from public maps to about a kilometre; the tests check that every gate
// ends on land and every canal ends at sea.
type passage struct {
	name string
	// gate for a strait, course for a canal (from one sea end to the
	// other).
	gate   [2]orb.Point
	course orb.LineString
	// closed marks a passage no route takes: the Arctic passages, icebound
	// most of the year. The network holds no edge through them.
	closed bool
}

func (p passage) canal() bool { return p.course != nil }

// passages are every passage the network knows, in the order of the bits of
// an edge's passage mask. Append only: the network file stores the masks.
var passages = []passage{
	{name: "suez", course: orb.LineString{
		{32.36, 31.47}, {32.32, 31.30}, {32.31, 31.25}, {32.31, 31.10}, {32.315, 30.95}, {32.32, 30.85},
		{32.325, 30.75}, {32.33, 30.65}, {32.31, 30.58}, {32.33, 30.50}, {32.35, 30.42}, {32.38, 30.36},
		{32.42, 30.30}, {32.47, 30.25}, {32.50, 30.20}, {32.54, 30.12}, {32.56, 30.05}, {32.565, 29.97},
		{32.56, 29.93}, {32.57, 29.87}}},
	{name: "panama", course: orb.LineString{
		{-79.92, 9.40}, {-79.91, 9.36}, {-79.92, 9.27}, {-79.87, 9.21}, {-79.83, 9.16}, {-79.76, 9.12},
		{-79.70, 9.12}, {-79.66, 9.08}, {-79.61, 9.02}, {-79.59, 9.00}, {-79.565, 8.95}, {-79.53, 8.88},
		{-79.52, 8.85}}},
	{name: "kiel", course: orb.LineString{
		{9.14, 53.89}, {9.20, 53.92}, {9.27, 53.99}, {9.28, 54.03}, {9.33, 54.09}, {9.43, 54.17},
		{9.52, 54.23}, {9.60, 54.25}, {9.67, 54.30}, {9.72, 54.31}, {9.78, 54.33}, {9.82, 54.37},
		{9.92, 54.36}, {10.03, 54.37}, {10.10, 54.37}, {10.15, 54.37}}},
	{name: "gibraltar", gate: [2]orb.Point{{-5.6, 35.78}, {-5.6, 36.08}}},
	{name: "dover", gate: [2]orb.Point{{1.30, 51.20}, {1.65, 50.84}}},
	{name: "bosporus", gate: [2]orb.Point{{29.0, 41.10}, {29.12, 41.10}}},
	{name: "dardanelles", gate: [2]orb.Point{{26.33, 40.23}, {26.50, 40.08}}},
	{name: "bab-el-mandeb", gate: [2]orb.Point{{43.20, 12.45}, {43.55, 12.75}}},
	{name: "hormuz", gate: [2]orb.Point{{56.25, 26.0}, {56.40, 27.25}}},
	{name: "malacca", gate: [2]orb.Point{{102.1, 2.5}, {101.2, 1.7}}},
	{name: "sunda", gate: [2]orb.Point{{105.6, -5.7}, {106.0, -6.1}}},
	{name: "lombok", gate: [2]orb.Point{{115.35, -8.45}, {116.15, -8.55}}},
	{name: "taiwan", gate: [2]orb.Point{{118.9, 25.4}, {120.9, 24.6}}},
	{name: "korea", gate: [2]orb.Point{{128.9, 35.2}, {130.1, 33.5}}},
	{name: "tsugaru", gate: [2]orb.Point{{141.0, 41.45}, {141.0, 41.85}}},
	{name: "la-perouse", gate: [2]orb.Point{{141.95, 46.2}, {141.95, 45.3}}},
	{name: "bering", gate: [2]orb.Point{{-170.0, 66.1}, {-167.9, 65.6}}},
	{name: "oresund", gate: [2]orb.Point{{12.55, 56.0}, {12.75, 56.07}}},
	{name: "great-belt", gate: [2]orb.Point{{10.75, 55.30}, {11.20, 55.36}}},
	{name: "kerch", gate: [2]orb.Point{{36.40, 45.35}, {36.80, 45.30}}},
	{name: "messina", gate: [2]orb.Point{{15.60, 38.27}, {15.70, 38.25}}},
	{name: "torres", gate: [2]orb.Point{{142.4, -10.9}, {142.4, -9.1}}},
	{name: "bass", gate: [2]orb.Point{{146.4, -39.0}, {146.6, -41.2}}},
	// The Arctic is cut along a meridian on each side, from land to the
	// pole: any passage between the Atlantic and the Pacific through it
	// crosses one of the two.
	{name: "northern-sea-route", gate: [2]orb.Point{{100, 74}, {100, 90}}, closed: true},
	{name: "northwest-passage", gate: [2]orb.Point{{-100, 64}, {-100, 90}}, closed: true},
}

// closedMask is the passages no route takes; canalMask the canals.
var (
	closedMask = maskOf(func(p passage) bool { return p.closed })
	canalMask  = maskOf(passage.canal)
)

// maskOf is the bits of the passages that are.
func maskOf(are func(passage) bool) uint32 {
	var m uint32
	for i, p := range passages {
		if are(p) {
			m |= 1 << i
		}
	}
	return m
}

// Passages lists the names of the straits and canals that a sea route can
// avoid, in a fixed order. The Arctic passages, northern-sea-route and
// northwest-passage, are not among them: routes always avoid them.
func Passages() []string {
	var names []string
	for _, p := range passages {
		if !p.closed {
			names = append(names, p.name)
		}
	}
	return names
}

// avoidMask turns names into a mask of passage bits, the closed passages
// always among them; an unknown name is an error that lists the known ones.
func avoidMask(names []string) (uint32, error) {
	m := closedMask
	for _, n := range names {
		i := slices.IndexFunc(passages, func(p passage) bool { return p.name == n })
		if i < 0 {
			return 0, fmt.Errorf("unknown passage %q to avoid; known: %s", n, strings.Join(Passages(), ", "))
		}
		m |= 1 << i
	}
	return m, nil
}

// allPassages is every passage's bit.
const allPassages = ^uint32(0)

// pathMask is the passages among only whose gates the segment from a to b
// crosses, drawn as geo.Densify draws it. Gates far from the segment are
// passed over without drawing it: no point of a great circle lies farther
// from either end than its length, which bounds its latitudes and
// longitudes.
func pathMask(a, b orb.Point, only uint32) uint32 {
	theta := geo.GreatCircle(a, b) / geo.MeanRadius // radians
	bx := b[0] + lonTurn(b[0]-a[0])
	padY := theta * 180 / math.Pi
	maxLat := math.Max(math.Abs(a[1]), math.Abs(b[1])) + padY
	box := orb.Bound{Min: orb.Point{-540, math.Min(a[1], b[1]) - padY}, Max: orb.Point{540, math.Max(a[1], b[1]) + padY}}
	if maxLat < 89 && theta < math.Pi/2 {
		if x := math.Sin(theta) / math.Cos(maxLat*math.Pi/180); x < 1 {
			padX := math.Asin(x) * 180 / math.Pi
			box.Min[0], box.Max[0] = math.Min(a[0], bx)-padX, math.Max(a[0], bx)+padX
		}
	}
	var near uint32
	for i, g := range gates {
		if only&(1<<i) != 0 && (g.box.Intersects(box) || g.box.Intersects(shifted(box, 360)) || g.box.Intersects(shifted(box, -360))) {
			near |= 1 << i
		}
	}
	if near == 0 {
		return 0
	}
	var m uint32
	pts := geo.Densify(a, b, geo.LandStep)
	for i := 1; i < len(pts); i++ {
		m |= gateMask(pts[i-1], pts[i])
	}
	return m & near
}

func shifted(b orb.Bound, dx float64) orb.Bound {
	return orb.Bound{Min: orb.Point{b.Min[0] + dx, b.Min[1]}, Max: orb.Point{b.Max[0] + dx, b.Max[1]}}
}

// gateMask is the passages whose gates the straight piece from a to b (in
// longitude and latitude, b unwrapped next to a) crosses.
func gateMask(a, b orb.Point) uint32 {
	b[0] += lonTurn(b[0] - a[0])
	box := orb.Bound{Min: orb.Point{min(a[0], b[0]), min(a[1], b[1])}, Max: orb.Point{max(a[0], b[0]), max(a[1], b[1])}}
	var m uint32
	for i, g := range gates {
		if g.box.Intersects(box) && crosses(a, b, g.a, g.b) {
			m |= 1 << i
		}
	}
	return m
}

// gates are the passages' gates with their boxes, by passage index; a canal
// has none (an empty box far away).
var gates = func() []struct {
	a, b orb.Point
	box  orb.Bound
} {
	out := make([]struct {
		a, b orb.Point
		box  orb.Bound
	}, len(passages))
	for i, p := range passages {
		out[i].box = orb.Bound{Min: orb.Point{1000, 1000}, Max: orb.Point{1000, 1000}}
		if !p.canal() {
			out[i].a, out[i].b = p.gate[0], p.gate[1]
			out[i].box = orb.LineString{p.gate[0], p.gate[1]}.Bound()
		}
	}
	return out
}()

// crosses reports whether segments p–q and a–b cross. A gate's ends lie on
// land, where no route goes, so touching at an end need not be decided.
func crosses(p, q, a, b orb.Point) bool {
	o := func(a, b, c orb.Point) bool { return (b[0]-a[0])*(c[1]-a[1])-(b[1]-a[1])*(c[0]-a[0]) > 0 }
	return o(p, q, a) != o(p, q, b) && o(a, b, p) != o(a, b, q)
}
