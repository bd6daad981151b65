package storetest

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// RunRailWays checks a routes.RailStore: ways round-trip bit for bit in
// order, upserts count only what changed, a refused batch writes nothing,
// and a store that never had ways has none. open must return a fresh, empty
// store each call.
func RunRailWays(t *testing.T, open func(t *testing.T) routes.RailStore) {
	ctx := context.Background()
	ways := []routes.RailWay{
		{ID: 7, Part: 1, Nodes: []int64{5, 6}, Line: orb.LineString{{131.9, 43.8}, {131.95, 43.85}}},
		{ID: 7, Part: 0, Nodes: []int64{1, 2, 3}, Line: orb.LineString{{131.1, 43.1}, {131.2, 43.2}, {131.3, 43.3}}},
		{ID: 1 << 40, Nodes: []int64{1 << 50, 3}, Line: orb.LineString{{0.1 + 0.2, 1.0 / 3}, {131.3, 43.3}}},
	}
	sorted := []routes.RailWay{ways[1], ways[0], ways[2]}

	t.Run("empty", func(t *testing.T) {
		if got := readWays(t, open(t)); len(got) != 0 {
			t.Errorf("a new store has %d ways", len(got))
		}
	})
	t.Run("round trip and upsert", func(t *testing.T) {
		s := open(t)
		if n, err := s.PutRailWays(ctx, ways); err != nil || n != 3 {
			t.Fatalf("first put: %d, %v; want 3 new", n, err)
		}
		if got := readWays(t, s); !reflect.DeepEqual(got, sorted) {
			t.Errorf("read back %v, want %v", got, sorted)
		}
		if n, err := s.PutRailWays(ctx, ways); err != nil || n != 0 {
			t.Errorf("same ways again: %d, %v; want 0 changes", n, err)
		}
		moved := ways[0]
		moved.Line = orb.LineString{{131.9, 43.8}, {131.95, 43.850001}}
		renoded := ways[1]
		renoded.Nodes = []int64{1, 2, 4}
		more := routes.RailWay{ID: 8, Nodes: []int64{9, 10}, Line: orb.LineString{{1, 1}, {2, 2}}}
		if n, err := s.PutRailWays(ctx, []routes.RailWay{moved, renoded, ways[2], more}); err != nil || n != 3 {
			t.Errorf("one moved, one renumbered, one unchanged, one new: %d, %v; want 3", n, err)
		}
		want := []routes.RailWay{renoded, moved, more, ways[2]}
		if got := readWays(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("after the update %v, want %v", got, want)
		}
	})
	t.Run("refused", func(t *testing.T) {
		s := open(t)
		for _, bad := range []routes.RailWay{
			{ID: 1, Nodes: []int64{1}, Line: orb.LineString{{1, 1}}},
			{ID: 1, Nodes: []int64{1, 2, 3}, Line: orb.LineString{{1, 1}, {2, 2}}},
			{ID: 1, Nodes: []int64{1, 2}, Line: orb.LineString{{1, 1}, {200, 2}}},
			{ID: 1, Nodes: []int64{1, 2}, Line: orb.LineString{{1, 1}, {math.NaN(), 2}}},
			{ID: 1, Part: -1, Nodes: []int64{1, 2}, Line: orb.LineString{{1, 1}, {2, 2}}},
		} {
			if n, err := s.PutRailWays(ctx, []routes.RailWay{ways[0], bad}); err == nil {
				t.Errorf("%+v was stored (%d)", bad, n)
			}
		}
		if got := readWays(t, s); len(got) != 0 {
			t.Errorf("a refused batch left %d ways", len(got))
		}
	})
}

func readWays(t *testing.T, s routes.RailStore) []routes.RailWay {
	t.Helper()
	var out []routes.RailWay
	for w, err := range s.RailWays(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}
