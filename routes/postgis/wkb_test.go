package postgis

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/shiptrack/shiptrack/routes"
)

// TestLines wants every double of a line back bit for bit, in either byte
// order.
func TestLines(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var cases []orb.MultiLineString
	for range 500 {
		ml := make(orb.MultiLineString, 1+r.IntN(3))
		for i := range ml {
			ml[i] = make(orb.LineString, 2+r.IntN(60))
			for k := range ml[i] {
				ml[i][k] = orb.Point{r.Float64()*360 - 180, math.Float64frombits(r.Uint64())}
			}
		}
		cases = append(cases, ml)
	}
	cases = append(cases, orb.MultiLineString{{{math.Copysign(0, -1), 5e-324}, {180, -90}}, {}})
	for _, ml := range cases {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			b, err := wkb.Marshal(ml, order)
			if err != nil {
				t.Fatal(err)
			}
			got, err := linesInto(b, nil)
			if err != nil {
				t.Fatalf("linesInto(%v) = %v", order, err)
			}
			if !sameBits(got, ml) {
				t.Fatalf("linesInto(%v) = %v; want %v", order, got, ml)
			}
		}
	}
	if got, err := linesInto(mustWKB(t, orb.MultiLineString{}), nil); got != nil || err != nil {
		t.Errorf("empty = %v, %v; want nil", got, err)
	}
}

// TestLinesRefuses wants an error, and no panic, for what is not a
// MultiLineString in WKB.
func TestLinesRefuses(t *testing.T) {
	good := mustWKB(t, orb.MultiLineString{{{130, 42}, {131, 43}}})
	withCount := func(n uint32, at int) []byte {
		b := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(b[at:], n)
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"nothing", nil, "cut short"},
		{"a header cut", good[:7], "cut short"},
		{"a line cut", good[:len(good)-1], "cut short"},
		{"a line's header cut", good[:12], "cut short"},
		{"bytes after", append(append([]byte(nil), good...), 0), "bytes after"},
		{"a byte order of 2", append([]byte{2}, good[1:]...), "no WKB byte order"},
		{"a point", mustWKB(t, orb.Point{130, 42}), "want a MultiLineString, got a Point"},
		{"a line alone", mustWKB(t, orb.LineString{{130, 42}, {131, 43}}), "got a LineString"},
		{"an unknown type", withCount(99, 1), "got WKB type 99"},
		{"a point inside", withCount(1, 10), "want a LineString, got a Point"},
		{"too many lines", withCount(math.MaxUint32, 5), "cut short"},
		{"too many points", withCount(1<<28, 14), "cut short"},
	} {
		got, err := linesInto(c.b, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: linesInto = %v, %v; want an error saying %q", c.name, got, err, c.want)
		}
	}
}

// FuzzLines wants linesInto to agree with orb's reader on whatever it accepts,
// and never to panic.
func FuzzLines(f *testing.F) {
	for _, g := range []orb.Geometry{orb.MultiLineString{{{130, 42}, {131, 43}}, {{1, 2}, {3, 4}, {5, 6}}},
		orb.MultiLineString{}, orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}} {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			b, err := wkb.Marshal(g, order)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := linesInto(b, nil)
		if err != nil {
			return
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			t.Fatalf("linesInto accepts what orb refuses (%v): %v", err, got)
		}
		want, _ := g.(orb.MultiLineString)
		if len(want) == 0 {
			want = nil
		}
		if !sameBits(got, want) {
			t.Fatalf("linesInto = %v; orb reads %v", got, want)
		}
	})
}

func mustWKB(t *testing.T, g orb.Geometry) []byte {
	t.Helper()
	b, err := wkb.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameBits compares lines double by double, bit for bit, so that NaN
// equals itself and -0 differs from 0.
func sameBits(a, b orb.MultiLineString) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for k := range a[i] {
			for j := range 2 {
				if math.Float64bits(a[i][k][j]) != math.Float64bits(b[i][k][j]) {
					return false
				}
			}
		}
	}
	return true
}

// TestTransientLines reads legs with and without Transient: the same legs,
// each whole while it is the current one, and with Transient the lines in
// one buffer.
func TestTransientLines(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	prepareAndApply(t, s, caseDoc())
	loadLegs(t, s, 5)
	var want []routes.Leg
	for l, err := range s.LegItems(ctx, routes.FeatureQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, l)
	}
	var got []routes.Leg
	var last *orb.Point
	reused := false
	for l, err := range s.LegItems(ctx, routes.FeatureQuery{Transient: true}) {
		if err != nil {
			t.Fatal(err)
		}
		reused = reused || last == &l.Geometry[0][0]
		last = &l.Geometry[0][0]
		l.Geometry = l.Geometry.Clone()
		got = append(got, l)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("transient legs differ:\n%+v\nwant %+v", got, want)
	}
	if !reused {
		t.Error("transient legs each have memory of their own; want one buffer")
	}
}
