package geo

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"github.com/paulmach/orb"
)

// TestLandData checks the embedded file against its recorded digest, and
// against node_modules when scripts/setup has installed it, so that the
// committed copy cannot drift from what go generate would write.
func TestLandData(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(landData))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != LandSHA256 {
		t.Errorf("embedded land data has SHA-256 %s; want %s", got, LandSHA256)
	}
	src, err := os.ReadFile("../node_modules/world-atlas/land-10m.json")
	if os.IsNotExist(err) {
		t.Log("node_modules/world-atlas not installed (scripts/setup installs it); compared with the recorded digest only")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, raw) {
		t.Error("geo/land-10m.json.gz differs from node_modules/world-atlas/land-10m.json; run go generate ./geo")
	}
}

func TestOnLand(t *testing.T) {
	for _, c := range []struct {
		name string
		p    orb.Point
		land bool
	}{
		{"Najin harbour", orb.Point{130.30, 42.2333}, false},
		{"Dunay village", orb.Point{132.3375, 42.8803}, true},
		{"Moscow", orb.Point{37.62, 55.75}, true},
		{"mid-Atlantic", orb.Point{-30, 30}, false},
		{"the Caspian, an inland sea the data leaves open", orb.Point{50, 42}, false},
		{"Lake Superior, a lake", orb.Point{-87.5, 47.5}, true},
		{"the Suez Canal, which the data does not open", orb.Point{32.55, 30.5}, true},
		{"the Bosporus", orb.Point{29.06, 41.08}, false},
		{"Chukotka east of the antimeridian", orb.Point{-175, 66}, true},
		{"Chukotka west of the antimeridian", orb.Point{178, 66}, true},
		{"Wrangel Island east", orb.Point{-179.5, 71.2}, true},
		{"Wrangel Island west", orb.Point{179.5, 71.2}, true},
		{"Bering Sea on the antimeridian", orb.Point{180, 58}, false},
		{"Bering Sea on the antimeridian, west", orb.Point{-180, 58}, false},
		{"Viti Levu", orb.Point{178.0, -17.8}, true},
		{"Antarctica", orb.Point{0, -80}, true},
		{"Antarctica at the antimeridian", orb.Point{180, -85}, true},
		{"the south pole", orb.Point{-180, -90}, true},
		{"the Ross Sea", orb.Point{-170, -76}, false},
		{"near the north pole", orb.Point{0, 89.9}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := OnLand(c.p); got != c.land {
				t.Errorf("OnLand(%v) = %v; want %v", c.p, got, c.land)
			}
		})
	}
}

// insideRings is the even-odd rule over every ring, the definition the
// index answers quickly.
func insideRings(l *landIndex, p orb.Point) bool {
	in := false
	for _, e := range l.edges {
		if (e.a[1] > p[1]) != (e.b[1] > p[1]) && p[0] < xAt(e, p[1]) {
			in = !in
		}
	}
	return in
}

// nearCoast returns n points scattered within about 5 km of random
// coastline vertices, where the index has edges to count.
func nearCoast(r *rand.Rand, n int) []orb.Point {
	l := land()
	var out []orb.Point
	for len(out) < n {
		e := l.edges[r.IntN(len(l.edges))]
		if e.art {
			continue
		}
		p := orb.Point{e.a[0] + (r.Float64()-0.5)*0.1, e.a[1] + (r.Float64()-0.5)*0.1}
		if p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90 {
			out = append(out, p)
		}
	}
	return out
}

// testPoints is n points near coasts and m anywhere up to maxLat from the
// equator.
func testPoints(seed uint64, n, m int, maxLat float64) []orb.Point {
	r := rand.New(rand.NewPCG(seed, seed))
	pts := nearCoast(r, n)
	for range m {
		pts = append(pts, orb.Point{r.Float64()*360 - 180, (r.Float64()*2 - 1) * maxLat})
	}
	return pts
}

func TestOnLandMatchesEvenOddRule(t *testing.T) {
	l := land()
	for _, p := range testPoints(1, 400, 200, 90) {
		if got, want := OnLand(p), insideRings(l, p); got != want {
			t.Errorf("OnLand(%v) = %v; the even-odd rule over all rings says %v", p, got, want)
		}
	}
}

// touchesAnyEdge tests a piece against every coastline edge.
func touchesAnyEdge(l *landIndex, a, b orb.Point) bool {
	for _, e := range l.edges {
		if !e.art && segmentsTouch(a, b, e.a, e.b) {
			return true
		}
	}
	return false
}

func TestCrossesLand(t *testing.T) {
	for _, c := range []struct {
		name  string
		a, b  orb.Point
		cross bool
	}{
		{"across the open Atlantic", orb.Point{-70, 38}, orb.Point{-12, 38}, false},
		{"through the Strait of Dover", orb.Point{1.6, 51.3}, orb.Point{1.2, 50.8}, false},
		{"across Italy", orb.Point{10, 42}, orb.Point{16, 42}, true},
		{"Najin to Dunay in a straight line, over Primorye", orb.Point{130.30, 42.2333}, orb.Point{132.3375, 42.8803}, true},
		{"across the antimeridian in the Bering Sea", orb.Point{179.5, 58}, orb.Point{-179.5, 58}, false},
		{"across the antimeridian over Chukotka", orb.Point{178, 66}, orb.Point{-178, 66}, true},
		{"from land", orb.Point{37.62, 55.75}, orb.Point{37.63, 55.76}, true},
		// Drawn straight in longitude and latitude this would run along
		// 60° N over the sea south of Iceland; the great circle bows north
		// over the island.
		{"a great circle that bows over Iceland", orb.Point{-40, 63}, orb.Point{0, 63}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := CrossesLand(c.a, c.b); got != c.cross {
				t.Errorf("CrossesLand(%v, %v) = %v; want %v", c.a, c.b, got, c.cross)
			}
		})
	}
}

func TestCrossesLandMatchesEveryEdge(t *testing.T) {
	l := land()
	r := rand.New(rand.NewPCG(3, 4))
	starts := nearCoast(r, 150)
	for _, a := range starts {
		b := orb.Point{a[0] + (r.Float64()-0.5)*0.6, math.Max(-89, math.Min(89, a[1]+(r.Float64()-0.5)*0.6))}
		if b[0] > 180 || b[0] < -180 {
			continue
		}
		want := OnLand(a) || OnLand(b)
		pts := Densify(a, b, LandStep)
		for i := 1; i < len(pts) && !want; i++ {
			want = touchesAnyEdge(l, pts[i-1], pts[i])
		}
		if got := CrossesLand(a, b); got != want {
			t.Errorf("CrossesLand(%v, %v) = %v; testing every edge says %v", a, b, got, want)
		}
	}
}

func TestLandWithin(t *testing.T) {
	l := land()
	r := rand.New(rand.NewPCG(5, 6))
	checked := 0
	for _, a := range nearCoast(r, 120) {
		if OnLand(a) {
			continue
		}
		b := orb.Point{a[0] + (r.Float64()-0.5)*0.05, a[1] + (r.Float64()-0.5)*0.05}
		if OnLand(b) || math.Abs(b[0]) > 180 || CrossesLand(a, b) {
			continue
		}
		// The least distance from the segment to any coastline edge, on
		// the same local plane LandWithin uses.
		kx := math.Cos((a[1]+b[1])/2*math.Pi/180) * metresPerDegree
		proj := func(p orb.Point) orb.Point { return orb.Point{(p[0] - a[0]) * kx, (p[1] - a[1]) * metresPerDegree} }
		least := math.Inf(1)
		for _, e := range l.edges {
			if !e.art {
				least = math.Min(least, segmentDistance(proj(a), proj(b), proj(e.a), proj(e.b)))
			}
		}
		for _, m := range []float64{least * 0.99, least * 1.01} {
			if got, want := LandWithin(a, b, m), m > least; got != want {
				t.Errorf("LandWithin(%v, %v, %.1f) = %v; the nearest coast is %.1f m away", a, b, m, got, least)
			}
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d segments at sea were checked", checked)
	}
}

func TestNearestShore(t *testing.T) {
	l := land()
	for _, p := range testPoints(7, 25, 10, 85) {
		q, d := NearestShore(p)
		best := math.Inf(1)
		cosLat := math.Cos(p[1] * math.Pi / 180)
		for _, e := range l.edges {
			if e.art {
				continue
			}
			shift := 0.0
			if e.a[0]-p[0] > 180 {
				shift = -360
			} else if e.a[0]-p[0] < -180 {
				shift = 360
			}
			a, b := orb.Point{e.a[0] + shift, e.a[1]}, orb.Point{e.b[0] + shift, e.b[1]}
			best = math.Min(best, GreatCircle(p, nearestOnEdge(p, a, b, cosLat)))
		}
		if got := GreatCircle(p, q); got > best+1e-6 {
			t.Errorf("NearestShore(%v) = %v, %.1f m away on the sphere; the nearest coastline point is %.1f m away", p, q, got, best)
		}
		if d != Distance(p, q) {
			t.Errorf("NearestShore(%v) says %.1f m; the point it gives is %.1f m away", p, d, Distance(p, q))
		}
	}
}

func TestDistanceToShore(t *testing.T) {
	for _, c := range []struct {
		name     string
		p        orb.Point
		km, tol  float64
		wantLand bool
	}{
		// Moscow is some 600 km from the Gulf of Finland.
		{"Moscow", orb.Point{37.62, 55.75}, 636, 5, true},
		{"Najin harbour", orb.Point{130.30, 42.2333}, 0.4, 0.1, false},
		{"Point Nemo, the pole of inaccessibility", orb.Point{-123.393, -48.877}, 2690, 30, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d := DistanceToShore(c.p) / 1000; math.Abs(d-c.km) > c.tol {
				t.Errorf("DistanceToShore(%v) = %.1f km; want %v ± %v", c.p, d, c.km, c.tol)
			}
			if OnLand(c.p) != c.wantLand {
				t.Errorf("OnLand(%v) = %v", c.p, !c.wantLand)
			}
		})
	}
}

func TestCoastlines(t *testing.T) {
	cl := Coastlines()
	if len(cl) < 4000 {
		t.Fatalf("%d coastlines; want the 4,000 or so rings of Natural Earth's land", len(cl))
	}
	for _, ls := range cl {
		for i := 1; i < len(ls); i++ {
			a, b := ls[i-1], ls[i]
			if math.Abs(a[0]) == 180 && a[0] == b[0] || math.Abs(a[1]) == 90 {
				t.Fatalf("coastline edge %v–%v is one the data's makers drew along the antimeridian or the pole", a, b)
			}
		}
	}
}

func TestDensify(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b orb.Point
	}{
		{"Hamburg to New York", orb.Point{9.97, 53.54}, orb.Point{-74.02, 40.68}},
		{"across the antimeridian", orb.Point{170, 50}, orb.Point{-170, 52}},
		{"short", orb.Point{130.30, 42.23}, orb.Point{130.31, 42.24}},
		{"same point", orb.Point{1, 2}, orb.Point{1, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pts := Densify(c.a, c.b, LandStep)
			if pts[0] != c.a || pts[len(pts)-1] != c.b {
				t.Fatalf("Densify ends at %v and %v; want exactly %v and %v", pts[0], pts[len(pts)-1], c.a, c.b)
			}
			total := GreatCircle(c.a, c.b)
			var sum float64
			for i := 1; i < len(pts); i++ {
				step := GreatCircle(pts[i-1], pts[i])
				if step > LandStep*1.000001 {
					t.Errorf("step %d is %.1f m; want at most %d", i, step, LandStep)
				}
				if math.Abs(pts[i][0]) > 180 {
					t.Errorf("longitude %v out of range", pts[i][0])
				}
				sum += step
			}
			// On the great circle, the pieces add up to the whole.
			if math.Abs(sum-total) > 1e-6*total+1e-6 {
				t.Errorf("pieces add up to %.3f m; the great circle is %.3f m", sum, total)
			}
		})
	}
}

func BenchmarkOnLand(b *testing.B) { benchNearCoast(b, func(p orb.Point) { OnLand(p) }) }

func BenchmarkDistanceToShore(b *testing.B) {
	benchNearCoast(b, func(p orb.Point) { DistanceToShore(p) })
}

// benchNearCoast calls f with points near coasts, where the index works.
func benchNearCoast(b *testing.B, f func(orb.Point)) {
	pts := nearCoast(rand.New(rand.NewPCG(9, 9)), 1000)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		f(pts[i%len(pts)])
		i++
	}
}

// BenchmarkCrossesLand tests a 300 km segment along the coast of Primorye.
func BenchmarkCrossesLand(b *testing.B) {
	land()
	for b.Loop() {
		CrossesLand(orb.Point{130.5, 42.0}, orb.Point{133.5, 42.3})
	}
}

func BenchmarkLoadLand(b *testing.B) {
	for b.Loop() {
		rings, err := decodeLand(landData)
		if err != nil {
			b.Fatal(err)
		}
		newLandIndex(rings)
	}
}

// TestLandMemory measures the heap the decoded land mask holds.
func TestLandMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rings, err := decodeLand(landData)
	if err != nil {
		t.Fatal(err)
	}
	l := newLandIndex(rings)
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	t.Logf("the land mask holds %.1f MB: %d edges in %d rings", mb, len(l.edges), len(l.ringEnd))
	if mb > 100 {
		t.Errorf("the land mask holds %.1f MB; want under 100", mb)
	}
	runtime.KeepAlive(l)
}
