package network

import (
	"bytes"
	"compress/gzip"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// smallGraph is three nodes in a row and a canal.
func smallGraph() *graph {
	pts := []orb.Point{{130.3, 42.2}, {131.0, 42.4}, {-179.9999999, -60.5}, {32.32, 31.32}, {32.58, 29.88}}
	g := newGraph(pts, []float32{400, 12000, 0, 4600, 3100}, []edge{{0, 1, 0}, {1, 2, 1 << 5}, {3, 4, 1}})
	g.landmarks = []int32{0, 4}
	g.marks = []uint16{0, noMark, 57, noMark, 12000, noMark, noMark, 0, noMark, 120}
	return g
}

func TestGraphRoundTrip(t *testing.T) {
	g := smallGraph()
	var buf bytes.Buffer
	if err := g.encode(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := decodeGraph(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.pts, g.pts) || !slices.Equal(got.clear, g.clear) || !slices.Equal(got.off, g.off) ||
		!slices.Equal(got.to, g.to) || !slices.Equal(got.mask, g.mask) || !slices.Equal(got.cost, g.cost) ||
		!slices.Equal(got.landmarks, g.landmarks) || !slices.Equal(got.marks, g.marks) {
		t.Errorf("decode(encode(g)) differs:\n got %+v\nwant %+v", got, g)
	}
	// A canal's cost is its course, longer than the straight line.
	for k := got.off[3]; k < got.off[4]; k++ {
		if got.to[k] == 4 && got.cost[k] < 180_000 {
			t.Errorf("the Suez edge costs %.0f m; its course is about 184 km", got.cost[k])
		}
	}
}

// TestDecodeBadData: a damaged network file is refused with a reason, never
// half read.
func TestDecodeBadData(t *testing.T) {
	var buf bytes.Buffer
	if err := smallGraph().encode(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(b)
		zw.Close()
		return out.Bytes()
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("hello"), "gunzip"},
		{"empty", gz(nil), "not a shiptrack sea network"},
		{"another file", gz([]byte(`{"type":"Topology"}`)), "not a shiptrack sea network"},
		{"truncated", gz(raw[:len(raw)/2]), "truncated"},
		{"trailing bytes", gz(append(slices.Clone(raw), 7)), "after the last landmark"},
		{"huge node count", gz(append([]byte(fileMagic), 0xff, 0xff, 0xff, 0xff, 0x0f)), "node count exceeds"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, err := decodeGraph(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("decodeGraph = %v, %v; want an error saying %q", g != nil, err, c.want)
			}
		})
	}
}
