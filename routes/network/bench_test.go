package network

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// The machine these run on is shared, so each figure is read against
// BenchmarkBaseline, a fixed piece of work measured in the same run.

// BenchmarkBaseline sorts 100,000 numbers.
func BenchmarkBaseline(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	src := make([]float64, 100_000)
	for i := range src {
		src[i] = r.Float64()
	}
	buf := make([]float64, len(src))
	for b.Loop() {
		copy(buf, src)
		slices.Sort(buf)
	}
}

// BenchmarkRouteLongHaul is Hamburg to Singapore by Suez, 8,400 nm.
func BenchmarkRouteLongHaul(b *testing.B) {
	benchRoute(b, orb.Point{9.97, 53.54}, orb.Point{103.85, 1.26})
}

// BenchmarkRouteTranspacific is Shanghai to Los Angeles.
func BenchmarkRouteTranspacific(b *testing.B) {
	benchRoute(b, orb.Point{121.50, 31.25}, orb.Point{-118.27, 33.73})
}

// BenchmarkRouteCoastal is Najin to Dunay.
func BenchmarkRouteCoastal(b *testing.B) {
	benchRoute(b, orb.Point{130.30, 42.2333}, orb.Point{132.3375, 42.8803})
}

func benchRoute(b *testing.B, from, to orb.Point) {
	s := testSea(b)
	for b.Loop() {
		if _, err := s.Route(context.Background(), from, to, routes.RouteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSea decodes the bundled network and indexes it; the land
// mask, which LoadSea also decodes once per process, is geo's
// BenchmarkLoadLand.
func BenchmarkLoadSea(b *testing.B) {
	for b.Loop() {
		g, err := decodeGraph(seaData)
		if err != nil {
			b.Fatal(err)
		}
		newSea(g)
	}
}

// TestNetworkMemory measures the heap the decoded network holds (the land
// mask aside: see geo's TestLandMemory), and holds it under 200 MB.
func TestNetworkMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g, err := decodeGraph(seaData)
	if err != nil {
		t.Fatal(err)
	}
	s := newSea(g)
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	t.Logf("the sea network holds %.1f MB: %d nodes, %d edges, %d landmarks", mb, len(g.pts), len(g.to)/2, len(g.landmarks))
	if mb > 200 {
		t.Errorf("the sea network holds %.1f MB; want under 200", mb)
	}
	runtime.KeepAlive(s)
}
