package geo

import (
	"bytes"
	"compress/gzip"
	_ "embed" // the land data
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/paulmach/orb"
)

// The land mask is Natural Earth's 1:10m land (version 4.1.0, public domain,
// https://www.naturalearthdata.com/), as the npm package world-atlas 2.0.2
// redistributes it: TopoJSON quantized to a 100,000 × 100,000 grid (about
// 400 m of longitude and 190 m of latitude at the equator). The file here is
// that package's land-10m.json, gzipped and otherwise unchanged; LandSHA256
// is the digest of the uncompressed file and a test checks it against
// node_modules when present. Regenerate with `go generate ./geo` after
// scripts/setup has installed node_modules.
//
//go:generate sh -c "gzip -9 -n -c ../node_modules/world-atlas/land-10m.json > land-10m.json.gz"
//go:embed land-10m.json.gz
var landData []byte

// LandSHA256 is the SHA-256 of the uncompressed land data: world-atlas
// 2.0.2's land-10m.json.
const LandSHA256 = "9b9f584709c119d63fbadf484ce425260497697b7166be7a2fe360e8c0b171a8"

// LandStep is the length in metres of the pieces a segment is cut into
// before it is tested against land: see CrossesLand.
const LandStep = 10_000

// land is the decoded, indexed mask, built on first use (about 0.2 s).
var land = sync.OnceValue(func() *landIndex {
	rings, err := decodeLand(landData)
	if err != nil {
		// The data is compiled in and checked by the tests: failing to
		// read it is a broken build, not a run-time condition.
		panic(fmt.Sprintf("geo: embedded land data: %v", err))
	}
	return newLandIndex(rings)
})

// OnLand reports whether p lies on land: inside Natural Earth's 1:10m land
// polygons, read as planar polygons in longitude and latitude, as GIS tools
// read them. Inland seas that the data leaves open, such as the Caspian, are
// not land; lakes are.
func OnLand(p orb.Point) bool { return land().onLand(p) }

// DistanceToShore is the geodesic distance in metres from p to the nearest
// point of the coastline, whichever side of it p lies on (OnLand tells which).
// The nearest point is chosen on the sphere and its distance measured on the
// WGS 84 ellipsoid; the two measures differ by at most 0.6%.
func DistanceToShore(p orb.Point) float64 {
	_, d := NearestShore(p)
	return d
}

// NearestShore is the point of the coastline nearest to p and its distance
// in metres, as DistanceToShore measures it.
func NearestShore(p orb.Point) (orb.Point, float64) {
	q := land().nearest(p)
	return q, Distance(p, q)
}

// CrossesLand reports whether the segment from a to b touches land anywhere,
// its ends included. A segment is the shorter great circle between its ends,
// as a ship sails it: it is cut into pieces of at most LandStep metres by
// Densify, and each piece, a straight line in longitude and latitude, is
// tested exactly against the land polygons. At that length a piece lies
// within about 3 m of the great circle at 60° of latitude, so a line drawn
// from Densify's points is tested as it will be drawn.
func CrossesLand(a, b orb.Point) bool { return LandWithin(a, b, 0) }

// LandWithin reports whether land lies within m metres of the segment from
// a to b, drawn as CrossesLand draws it; LandWithin(a, b, 0) is
// CrossesLand(a, b). Distances are measured on a local plane around each
// piece, which is accurate to well under 1% for m up to tens of kilometres.
func LandWithin(a, b orb.Point, m float64) bool {
	l := land()
	if l.onLand(a) || l.onLand(b) {
		return true
	}
	near, prev := false, a
	greatCircle(a, b, LandStep, func(p orb.Point) bool {
		if p != a {
			near = l.pieceNear(prev, p, m)
			prev = p
		}
		return !near
	})
	return near
}

// Coastlines are the coastlines of the land mask as lines: every edge of the
// land polygons except those drawn where the land is cut at the
// antimeridian and where Antarctica is closed at the pole. Land lies on one
// side of each line; OnLand says which. The caller may modify the result.
func Coastlines() orb.MultiLineString { return land().coastlines() }

// decodeLand reads the gzipped world-atlas TopoJSON and returns its land as
// planar rings in [-180, 180], with the edges that are not coastline marked.
func decodeLand(gz []byte) ([]ring, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	// The gzip trailer gives the size, so the data is read in one piece.
	var buf bytes.Buffer
	if len(gz) >= 4 {
		buf.Grow(int(binary.LittleEndian.Uint32(gz[len(gz)-4:])))
	}
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	raw := buf.Bytes()
	var topo struct {
		Type      string
		Transform struct{ Scale, Translate [2]float64 }
		Objects   map[string]struct {
			Geometries []struct {
				Type string
				Arcs [][][]int
			}
		}
		Arcs json.RawMessage
	}
	if err := json.Unmarshal(raw, &topo); err != nil {
		return nil, fmt.Errorf("read TopoJSON: %w", err)
	}
	obj, ok := topo.Objects["land"]
	if topo.Type != "Topology" || !ok {
		return nil, fmt.Errorf("not a TopoJSON topology with a land object")
	}
	arcs, err := readArcs(topo.Arcs, topo.Transform.Scale, topo.Transform.Translate)
	if err != nil {
		return nil, fmt.Errorf("read TopoJSON arcs: %w", err)
	}
	var rings []ring
	for _, g := range obj.Geometries {
		if g.Type != "MultiPolygon" {
			return nil, fmt.Errorf("land geometry is a %s, want MultiPolygon", g.Type)
		}
		for _, poly := range g.Arcs {
			for _, ra := range poly {
				sphere, err := joinArcs(arcs, ra)
				if err != nil {
					return nil, err
				}
				if len(sphere) < 4 {
					continue // quantized to a line or a point: no area
				}
				rings = append(rings, planar(sphere)...)
			}
		}
	}
	return rings, nil
}

// readArcs reads TopoJSON's arcs, [[[x, y], [dx, dy], ...], ...], whose
// positions are delta-encoded on the quantization grid, and places them by
// the transform. It reads the numbers directly: the general JSON decoder
// takes several times as long over the 400,000 positions.
func readArcs(b []byte, scale, translate [2]float64) ([][]orb.Point, error) {
	var arcs [][]orb.Point
	var arc []orb.Point
	var pos [2]int
	var n, depth int // numbers in the current position; bracket depth
	var qx, qy int
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '[':
			depth++
			if depth == 3 {
				n = 0
			} else if depth > 3 {
				return nil, fmt.Errorf("nesting too deep at byte %d", i)
			}
		case c == ']':
			switch depth {
			case 3:
				if n != 2 {
					return nil, fmt.Errorf("a position of %d numbers at byte %d", n, i)
				}
				qx, qy = qx+pos[0], qy+pos[1]
				arc = append(arc, orb.Point{float64(qx)*scale[0] + translate[0], float64(qy)*scale[1] + translate[1]})
			case 2:
				arcs = append(arcs, arc)
				arc, qx, qy = nil, 0, 0
			}
			depth--
		case c == '-' || c >= '0' && c <= '9':
			if depth != 3 || n == 2 {
				return nil, fmt.Errorf("a number out of place at byte %d", i)
			}
			neg := c == '-'
			j := i
			if neg {
				j++
			}
			v, digits := 0, 0
			for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
				v = v*10 + int(b[j]-'0')
				digits++
			}
			if digits == 0 || digits > 9 {
				return nil, fmt.Errorf("a bad number at byte %d", i)
			}
			if neg {
				v = -v
			}
			pos[n] = v
			n++
			i = j - 1
		case c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r':
		default:
			return nil, fmt.Errorf("unexpected %q at byte %d", c, i)
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced brackets")
	}
	return arcs, nil
}

// joinArcs strings a ring's arcs together; a negative index ~i is arc i
// reversed. Consecutive arcs share their joining point.
func joinArcs(arcs [][]orb.Point, idx []int) ([]orb.Point, error) {
	var out []orb.Point
	for _, i := range idx {
		rev := i < 0
		if rev {
			i = ^i
		}
		if i >= len(arcs) {
			return nil, fmt.Errorf("arc %d does not exist", i)
		}
		a := arcs[i]
		for k := range a {
			p := a[k]
			if rev {
				p = a[len(a)-1-k]
			}
			if k == 0 && len(out) > 0 {
				continue
			}
			out = append(out, p)
		}
	}
	if len(out) == 0 || out[0] != out[len(out)-1] {
		return nil, fmt.Errorf("ring of %d points is not closed", len(out))
	}
	return out, nil
}

// ring is a closed planar ring; art[i] marks edge i (from pts[i] to
// pts[i+1]) as drawn by the data's makers rather than a coastline.
type ring struct {
	pts []orb.Point
	art []bool
}

// planar turns a ring drawn on the sphere, whose edges take the short way
// across the antimeridian and which may go round a pole (Antarctica), into
// planar rings within [-180, 180]: it unwraps longitudes, closes a polar ring
// along the pole, and cuts at the antimeridian. Under the even-odd rule the
// result covers the same land.
func planar(sphere []orb.Point) []ring {
	u := make([]orb.Point, 0, len(sphere)+2)
	u = append(u, sphere[0])
	for _, p := range sphere[1:] {
		prev := u[len(u)-1]
		d := p[0] - prev[0]
		if d > 180 {
			d -= 360
		} else if d < -180 {
			d += 360
		}
		q := orb.Point{prev[0] + d, p[1]}
		if q != prev {
			u = append(u, q)
		}
	}
	first, last := u[0], u[len(u)-1]
	if math.Abs(last[0]-first[0]) > 180 { // round a pole: close along it
		var sum float64
		for _, p := range u {
			sum += p[1]
		}
		pole := 90.0
		if sum < 0 {
			pole = -90
		}
		u = append(u, orb.Point{last[0], pole}, orb.Point{first[0], pole}, first)
	} else if last != first {
		u = append(u, first)
	}
	minX, maxX := math.Inf(1), math.Inf(-1)
	for _, p := range u {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
	}
	shift := -360 * math.Floor((minX+180)/360)
	for i := range u {
		u[i][0] += shift
	}
	maxX += shift
	if maxX <= 180 {
		return []ring{markArtificial(u)}
	}
	var out []ring
	if l := clipAt180(u, true); l != nil {
		out = append(out, markArtificial(l))
	}
	if r := clipAt180(u, false); r != nil {
		for i := range r {
			r[i][0] -= 360
		}
		out = append(out, markArtificial(r))
	}
	return out
}

// clipAt180 keeps the part of a closed ring west (or east) of longitude 180
// (Sutherland–Hodgman). Where the ring leaves and re-enters, the result runs
// along the meridian; such runs may overlap, which the even-odd rule cancels.
func clipAt180(u []orb.Point, west bool) []orb.Point {
	in := func(p orb.Point) bool {
		if west {
			return p[0] <= 180
		}
		return p[0] >= 180
	}
	var out []orb.Point
	add := func(p orb.Point) {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for i := 0; i+1 < len(u); i++ {
		a, b := u[i], u[i+1]
		if in(a) {
			add(a)
		}
		if in(a) != in(b) && a[0] != 180 && b[0] != 180 {
			t := (180 - a[0]) / (b[0] - a[0])
			add(orb.Point{180, a[1] + t*(b[1]-a[1])})
		}
	}
	if len(out) < 3 {
		return nil
	}
	if out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}

// markArtificial flags the edges that are not coastline: those running along
// the antimeridian and those touching a pole.
func markArtificial(pts []orb.Point) ring {
	art := make([]bool, len(pts)-1)
	for i := range art {
		a, b := pts[i], pts[i+1]
		art[i] = (math.Abs(a[0]) == 180 && a[0] == b[0]) || math.Abs(a[1]) == 90 || math.Abs(b[1]) == 90
	}
	return ring{pts: pts, art: art}
}
