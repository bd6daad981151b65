package gpkg

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geos"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

func TestSegmentMeets(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	for _, c := range []struct {
		name string
		a, b orb.Point
		want bool
	}{
		{"inside", orb.Point{2, 2}, orb.Point{3, 3}, true},
		{"crossing", orb.Point{-5, 5}, orb.Point{15, 5}, true},
		{"touching the west edge", orb.Point{-5, 5}, orb.Point{0, 5}, true},
		{"touching a corner", orb.Point{-5, 15}, orb.Point{5, 5}, true},
		{"through a corner only", orb.Point{-1, 11}, orb.Point{1, 9}, true},
		{"grazing a corner diagonally", orb.Point{-1, 1}, orb.Point{1, -1}, true},
		{"along the north edge", orb.Point{-5, 10}, orb.Point{15, 10}, true},
		{"just inside a corner", orb.Point{-1, 1.0000001}, orb.Point{1, -1}, true},
		{"just past a corner", orb.Point{-1, 1}, orb.Point{1, -1.0000001}, false},
		{"missing a corner", orb.Point{-1, 0.9999999}, orb.Point{0.9999999, -1}, false},
		{"beside", orb.Point{11, 0}, orb.Point{11, 10}, false},
		{"diagonal past", orb.Point{-5, 6}, orb.Point{6, 17}, false},
		{"a point inside", orb.Point{5, 5}, orb.Point{5, 5}, true},
		{"a point on the edge", orb.Point{10, 3}, orb.Point{10, 3}, true},
		{"a point outside", orb.Point{10.5, 3}, orb.Point{10.5, 3}, false},
	} {
		if got := segmentMeets(c.a, c.b, box); got != c.want {
			t.Errorf("%s: segmentMeets(%v, %v) = %v; want %v", c.name, c.a, c.b, got, c.want)
		}
		if got := segmentMeets(c.b, c.a, box); got != c.want {
			t.Errorf("%s reversed: segmentMeets(%v, %v) = %v; want %v", c.name, c.b, c.a, got, c.want)
		}
	}
}

func TestOrientationExact(t *testing.T) {
	// Points so nearly collinear that the float determinant is noise: the
	// exact answer comes from the rational fallback.
	a := orb.Point{0.5, 0.5}
	b := orb.Point{12, 12}
	c := orb.Point{24, 24}
	if o := orientation(a, b, c); o != 0 {
		t.Errorf("collinear points: orientation = %d; want 0", o)
	}
	for i := range 2000 {
		x := 0.5 + float64(i)*0x1p-53
		c := orb.Point{x, 0.5}
		want := exactOrientation(orb.Point{12, 12}, orb.Point{24, 24}, c)
		if got := orientation(orb.Point{12, 12}, orb.Point{24, 24}, c); got != want {
			t.Fatalf("orientation((12,12), (24,24), %v) = %d; exact %d", c, got, want)
		}
	}
}

// TestBoxAgreesWithGEOS checks the box predicate against GEOS's prepared
// intersects, which is what PostGIS's ST_Intersects runs, on random lines
// and boxes, including boxes whose edges pass through vertices.
func TestBoxAgreesWithGEOS(t *testing.T) {
	ctx := geos.NewContext()
	r := rand.New(rand.NewPCG(1, 2))
	coord := func(lo, hi float64) float64 {
		x := lo + r.Float64()*(hi-lo)
		if r.IntN(3) == 0 {
			x = math.Round(x) // shared coordinates put vertices on edges
		}
		return x
	}
	for i := range 20000 {
		var ls orb.LineString
		for range 1 + r.IntN(4) {
			ls = append(ls, orb.Point{coord(-20, 20), coord(-20, 20)})
		}
		ml := orb.MultiLineString{ls}
		w, s := coord(-15, 10), coord(-15, 10)
		box := orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{w + coord(0, 10), s + coord(0, 10)}}
		got := linesIn(ml, ml.Bound(), []orb.Bound{box})

		var g *geos.Geom
		var err error
		if len(ls) == 1 {
			g, err = ctx.NewGeomFromWKB(wkb.MustMarshal(ls[0]))
		} else {
			g, err = ctx.NewGeomFromWKB(wkb.MustMarshal(ml))
		}
		if err != nil {
			t.Fatal(err)
		}
		want := ctx.NewGeomFromBounds(box.Min[0], box.Min[1], box.Max[0], box.Max[1]).Prepare().Intersects(g)
		if got != want {
			t.Fatalf("case %d: line %v, box %v: linesIn = %v, GEOS = %v", i, ls, box, got, want)
		}
	}
}

func TestNearRectsContainTheCircle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 500 {
		n := &routes.Near{Point: orb.Point{r.Float64()*360 - 180, r.Float64()*170 - 85}, Meters: math.Pow(10, 2+r.Float64()*4.5)}
		rs := nearRects(n)
		if rs == nil {
			continue
		}
		// Points on the circle, walked out along each bearing until the
		// distance passes the radius: each must lie in a rectangle.
		for k := range 36 {
			bearing := float64(k) * 10 * math.Pi / 180
			p := farthestWithin(n, bearing)
			if !pointIn(p, rs) {
				t.Fatalf("case %d: %v at %.0f m, bearing %d°: %v (%.1f m away) lies outside %v",
					i, n.Point, n.Meters, k*10, p, geo.Distance(p, n.Point), rs)
			}
		}
	}
}

// farthestWithin walks from the centre along a bearing on the sphere and
// returns the last point still within the circle.
func farthestWithin(n *routes.Near, bearing float64) orb.Point {
	lat1, lon1 := n.Point[1]*math.Pi/180, n.Point[0]*math.Pi/180
	best := n.Point
	for d := n.Meters / 50; d <= n.Meters*1.01; d += n.Meters / 50 {
		delta := d / 6371008.8
		lat := math.Asin(math.Sin(lat1)*math.Cos(delta) + math.Cos(lat1)*math.Sin(delta)*math.Cos(bearing))
		lon := lon1 + math.Atan2(math.Sin(bearing)*math.Sin(delta)*math.Cos(lat1), math.Cos(delta)-math.Sin(lat1)*math.Sin(lat))
		p := orb.Point{math.Remainder(lon*180/math.Pi, 360), lat * 180 / math.Pi}
		if geo.Distance(p, n.Point) <= n.Meters {
			best = p
		}
	}
	return best
}
