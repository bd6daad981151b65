package network

import (
	"context"
	"runtime"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// The figures below are read as ratios against BenchmarkRailBaseline,
// measured in the same run: the machine is shared and noisy.

// BenchmarkRailBaseline is a fixed amount of plain arithmetic: 100,000 great
// circle distances.
func BenchmarkRailBaseline(b *testing.B) {
	p, q := orb.Point{132.3375, 42.8803}, orb.Point{40.1253, 45.8547}
	var sum float64
	for b.Loop() {
		for range 100_000 {
			sum += geo.GreatCircle(p, q)
		}
	}
	_ = sum
}

// BenchmarkRailSchematicRoute is the case's rail leg, Dunay to Tikhoretsk.
func BenchmarkRailSchematicRoute(b *testing.B) {
	r, err := NewRail(nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	from, to := orb.Point{132.3375, 42.8803}, orb.Point{40.1253, 45.8547}
	for b.Loop() {
		if _, err := r.Route(ctx, from, to, routes.RouteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRailSchematicLoad reads the bundled network.
func BenchmarkRailSchematicLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseSchematic(schematicData); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticWays is track on the scale of a national network: 100 rows of
// east-west lines 100 degrees of longitude long with a vertex every 0.005
// degrees (about 400 m), cut into ways of 50 vertices and tied together by
// north-south links at every way's end: two million vertices in all.
func syntheticWays() []routes.RailWay {
	const rows, cols, perKm = 100, 20000, 1
	var ways []routes.RailWay
	id := int64(0)
	node := func(r, c int) int64 { return int64(r*cols + c + 1) }
	pt := func(r, c int) orb.Point { return orb.Point{40 + float64(c)*0.005, 45 + float64(r)*0.1} }
	for r := range rows {
		for start := 0; start < cols-1; start += 50 {
			end := min(start+50, cols-1)
			w := routes.RailWay{ID: id}
			id++
			for c := start; c <= end; c += perKm {
				w.Nodes = append(w.Nodes, node(r, c))
				w.Line = append(w.Line, pt(r, c))
			}
			ways = append(ways, w)
		}
		if r == rows-1 {
			continue
		}
		for c := 0; c < cols; c += 50 {
			ways = append(ways, routes.RailWay{ID: id, Nodes: []int64{node(r, c), node(r+1, c)}, Line: orb.LineString{pt(r, c), pt(r+1, c)}})
			id++
		}
	}
	return ways
}

// BenchmarkRailOSMLoad builds the graph of the synthetic national network,
// reporting the heap it keeps.
func BenchmarkRailOSMLoad(b *testing.B) {
	ways := syntheticWays()
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		g := osmGraph(ways)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-kept")
		runtime.KeepAlive(g)
	}
}

// BenchmarkRailOSMRoute routes corner to corner across the synthetic
// national network.
func BenchmarkRailOSMRoute(b *testing.B) {
	g := osmGraph(syntheticWays())
	ctx := context.Background()
	s, _, ok1 := g.nearest(orb.Point{40, 45}, 1)
	t, _, ok2 := g.nearest(orb.Point{40 + 19999*0.005, 54.9}, 1)
	if !ok1 || !ok2 {
		b.Fatal("ends off the network")
	}
	for b.Loop() {
		if _, ok, err := g.path(ctx, s, t); !ok || err != nil {
			b.Fatal("no path", err)
		}
	}
}
