package network

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

func newRail(t *testing.T, ways []routes.RailWay) *Rail {
	t.Helper()
	r, err := NewRail(ways)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// station is a station of the schematic network by id.
func station(t *testing.T, id string) orb.Point {
	t.Helper()
	var fc struct {
		Features []struct {
			ID       string
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(schematicData, &fc); err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		if f.ID == id && f.Geometry.Type == "Point" {
			var p orb.Point
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	t.Fatalf("no station %q", id)
	return orb.Point{}
}

// passes reports where along line, as a vertex index, it passes within
// 1 km of p, or -1.
func passes(line orb.LineString, p orb.Point) int {
	for i, q := range line {
		if geo.Distance(p, q) < 1000 {
			return i
		}
	}
	return -1
}

// The case's rail leg: from the pier at Dunay to the depot near Tikhoretsk,
// along the Trans-Siberian and down the Volga, not a straight line.
func TestRailDunayTikhoretskFollowsTheTransSiberian(t *testing.T) {
	r := newRail(t, nil)
	dunay := orb.Point{132.3375, 42.8803}     // places.json
	tikhoretsk := orb.Point{40.1253, 45.8547} // places.json
	got, err := r.Route(context.Background(), dunay, tikhoretsk, routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Network != "rail:schematic" || got.FromSnapKm > 0.01 || got.ToSnapKm > 0.01 {
		t.Errorf("network %q, snaps %.3f and %.3f km; want the schematic network with both ends on stations", got.Network, got.FromSnapKm, got.ToSnapKm)
	}
	line := geo.Join(got.Line)
	last := -1
	for _, want := range [][]string{
		{"smolyaninovo"}, {"ussuriysk"}, {"khabarovsk"}, {"skovorodino"}, {"chita"}, {"ulan-ude"}, {"irkutsk"},
		{"krasnoyarsk"}, {"novosibirsk"}, {"omsk"}, {"yekaterinburg", "chelyabinsk"}, {"ufa"},
		{"samara", "saratov"}, {"volgograd", "rostov"},
	} {
		at := -1
		for _, id := range want {
			if i := passes(line, station(t, id)); i >= 0 {
				at = i
			}
		}
		if at < 0 {
			t.Errorf("the route does not pass %s", strings.Join(want, " or "))
			continue
		}
		if at < last {
			t.Errorf("the route passes %s out of order", strings.Join(want, " or "))
		}
		last = at
	}
	// The answer names the stations it passes, in order, and no waypoints.
	if n := len(got.Stations); n < 2 || got.Stations[0] != "Dunay" || got.Stations[n-1] != "Tikhoretsk" {
		t.Errorf("stations %q; want Dunay first and Tikhoretsk last", got.Stations)
	}
	last = -1
	for _, want := range []string{"Ussuriysk", "Khabarovsk", "Chita", "Irkutsk", "Novosibirsk", "Omsk", "Samara", "Volgograd"} {
		i := slices.Index(got.Stations, want)
		if i < 0 || i < last {
			t.Errorf("stations %q: %s missing or out of order", got.Stations, want)
		}
		last = i
	}
	for p, name := range r.schematic.names {
		if !r.schematic.stations[p] && slices.Contains(got.Stations, name) {
			t.Errorf("stations %q name the waypoint %s", got.Stations, name)
		}
	}
	straight := geo.Distance(dunay, tikhoretsk) / 1000
	if got.LengthKm < 1.2*straight || got.LengthKm > 2*straight {
		t.Errorf("length %.0f km; the great circle is %.0f km", got.LengthKm, straight)
	}
	if want := geo.Length(got.Line) / 1000; math.Abs(got.LengthKm-want) > 1e-6 {
		t.Errorf("LengthKm %.3f, the line's geodesic length %.3f", got.LengthKm, want)
	}
	t.Logf("Dunay → Tikhoretsk: %.0f km by rail, %.0f km great circle", got.LengthKm, straight)
}

// The published Trans-Siberian length, Moscow (Yaroslavsky) to Vladivostok,
// is 9,288 km. The schematic lines run straight between stations, so they
// come out shorter than the track; this bounds by how much.
func TestRailMoscowVladivostokAgainstThePublishedLength(t *testing.T) {
	r := newRail(t, nil)
	got, err := r.Route(context.Background(), station(t, "moscow"), station(t, "vladivostok"), routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ratio := got.LengthKm / 9288
	t.Logf("Moscow → Vladivostok: %.0f km, %.1f%% of the published 9,288 km", got.LengthKm, 100*ratio)
	if ratio < 0.8 || ratio > 1.02 {
		t.Errorf("Moscow → Vladivostok is %.0f km, %.2f of the published 9,288 km", got.LengthKm, ratio)
	}
	line := geo.Join(got.Line)
	for _, id := range []string{"yaroslavl", "perm", "yekaterinburg", "tyumen", "omsk", "irkutsk", "khabarovsk"} {
		if passes(line, station(t, id)) < 0 {
			t.Errorf("Moscow → Vladivostok does not pass %s", id)
		}
	}
}

// Every edge of the schematic network is a plausible piece of track: no
// longer than maxEdgeKm, and inside Russia, except the line in North Korea
// from the Tumangang bridge to Rajin.
func TestRailSchematicEdgesStayInRussia(t *testing.T) {
	const maxEdgeKm = 300
	countries := readCountries(t, "Russia", "North Korea")
	s, err := loadSchematic()
	if err != nil {
		t.Fatal(err)
	}
	inKorea := map[orb.Point]bool{}
	for _, id := range []string{"tumangang", "sonbong", "rajin"} {
		inKorea[station(t, id)] = true
	}
	crossings := 0
	for _, e := range s.g.edges {
		a, b := e.line[0], e.line[len(e.line)-1]
		name := s.names[a] + " – " + s.names[b]
		if km := geo.Distance(a, b) / 1000; km > maxEdgeKm {
			t.Errorf("%s is %.0f km long, more than %d km", name, km, maxEdgeKm)
		}
		allowed := []string{"Russia"}
		switch {
		case inKorea[a] && inKorea[b]:
			// Tumangang station lies on the border river, on the Russian
			// side of it at this scale.
			allowed = []string{"North Korea", "Russia"}
		case inKorea[a] || inKorea[b]:
			allowed = []string{"Russia", "North Korea"}
			crossings++
		}
		km := geo.Distance(a, b) / 1000
		n := int(km) + 1 // a sample every km or so
		for i := 0; i <= n; i++ {
			f := float64(i) / float64(n)
			p := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
			in := false
			for _, c := range allowed {
				in = in || countries[c].contains(p)
			}
			if !in {
				t.Errorf("%s leaves %s at %.4f,%.4f", name, strings.Join(allowed, " and "), p[0], p[1])
				break
			}
		}
	}
	if crossings != 1 {
		t.Errorf("%d edges cross between Russia and North Korea; want one, Khasan – Tumangang", crossings)
	}
}

func TestRailBadInput(t *testing.T) {
	r := newRail(t, nil)
	vladivostok := station(t, "vladivostok")
	for _, c := range []struct {
		name       string
		from, to   orb.Point
		avoid      []string
		param      string
		unroutable bool
		msg        string
	}{
		{"far from any rail", orb.Point{150, 30}, vladivostok, nil, "from", true, "km from the nearest point of the rail network"},
		{"far from any rail at the end", vladivostok, orb.Point{2.35, 48.85}, nil, "to", true, "at most 50 km"},
		{"longitude out of range", orb.Point{200, 43}, vladivostok, nil, "from", false, "longitude"},
		{"latitude out of range", vladivostok, orb.Point{131, -95}, nil, "to", false, "latitude"},
		{"not a number", orb.Point{math.NaN(), 43}, vladivostok, nil, "from", false, "longitude"},
		{"from equals to", vladivostok, vladivostok, nil, "to", false, "same point"},
		{"both ends at one station", vladivostok, orb.Point{vladivostok[0] + 0.01, vladivostok[1]}, nil, "to", true, "both ends are nearest to Vladivostok"},
		{"avoid", vladivostok, station(t, "khabarovsk"), []string{"suez"}, "avoid", false, `"suez"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.Route(context.Background(), c.from, c.to, routes.RouteOptions{Avoid: c.avoid})
			if err == nil {
				t.Fatalf("got a route of %.0f km; want an error", got.LengthKm)
			}
			var ie *routes.RouteInputError
			if !errors.As(err, &ie) || ie.Param != c.param {
				t.Errorf("error %v does not name %q", err, c.param)
			}
			if errors.Is(err, routes.ErrUnroutable) != c.unroutable {
				t.Errorf("error %v: unroutable %v, want %v", err, !c.unroutable, c.unroutable)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
			if len(got.Line) > 0 {
				t.Errorf("a line came with the error")
			}
		})
	}
}

func TestParseSchematicRefusesBrokenData(t *testing.T) {
	const station = `{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"station","name":"A","source":"s"}}`
	const other = `{"type":"Feature","id":"b","geometry":{"type":"Point","coordinates":[1,3]},"properties":{"kind":"station","name":"B","source":"s"}}`
	line := func(coords, stations string) string {
		return `{"type":"Feature","id":"l","geometry":{"type":"LineString","coordinates":` + coords + `},"properties":{"kind":"line","stations":` + stations + `}}`
	}
	fc := func(fs ...string) []byte {
		return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"coordinate differs from the station", fc(station, other, line(`[[1,2],[1,3.5]]`, `["a","b"]`)), `not station "b"`},
		{"unknown station", fc(station, line(`[[1,2],[1,3]]`, `["a","c"]`)), `unknown station "c"`},
		{"no source", fc(strings.Replace(station, `"source":"s"`, `"source":""`, 1)), "no source"},
		{"station twice", fc(station, station), "appears twice"},
		{"stations missing", fc(station, other, line(`[[1,2],[1,3]]`, `"a"`)), "one station per coordinate"},
		{"no lines", fc(station), "no lines"},
		{"not GeoJSON", []byte(`{"type":`), "unexpected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSchematic(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// A small OpenStreetMap network: a line west to east with a branch north
// from its middle, drawn as three ways that share nodes, and a separate line
// nowhere near the others.
func osmWays() []routes.RailWay {
	return []routes.RailWay{
		{ID: 1, Nodes: []int64{10, 11, 12}, Line: orb.LineString{{131.90, 43.80}, {131.95, 43.80}, {132.00, 43.80}}},
		{ID: 2, Nodes: []int64{12, 13, 14}, Line: orb.LineString{{132.00, 43.80}, {132.05, 43.80}, {132.10, 43.80}}},
		{ID: 3, Nodes: []int64{12, 20, 21}, Line: orb.LineString{{132.00, 43.80}, {132.00, 43.85}, {132.00, 43.90}}},
		{ID: 4, Nodes: []int64{30, 31}, Line: orb.LineString{{132.30, 43.80}, {132.35, 43.80}}},
	}
}

func TestRailPrefersOSMWhereItCoversBothEnds(t *testing.T) {
	r := newRail(t, osmWays())
	ctx := context.Background()
	got, err := r.Route(ctx, orb.Point{131.95, 43.801}, orb.Point{132.00, 43.90}, routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := orb.LineString{{131.95, 43.80}, {132.00, 43.80}, {132.00, 43.85}, {132.00, 43.90}}
	if got.Network != "rail:osm" || !got.Line[0].Equal(want) {
		t.Errorf("got %s %v; want rail:osm %v", got.Network, got.Line, want)
	}
	if got.FromSnapKm < 0.1 || got.FromSnapKm > 0.12 || got.ToSnapKm != 0 {
		t.Errorf("snaps %.3f and %.3f km; want about 0.111 and 0", got.FromSnapKm, got.ToSnapKm)
	}
	// Backwards, the same track reversed.
	back, err := r.Route(ctx, orb.Point{132.00, 43.90}, orb.Point{131.95, 43.801}, routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rev := reversedLine(want); !back.Line[0].Equal(rev) {
		t.Errorf("backwards: %v, want %v", back.Line, rev)
	}
	// Within one way.
	one, err := r.Route(ctx, orb.Point{132.05, 43.80}, orb.Point{132.10, 43.80}, routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (orb.LineString{{132.05, 43.80}, {132.10, 43.80}}); !one.Line[0].Equal(want) {
		t.Errorf("within a way: %v, want %v", one.Line, want)
	}
	// One end beyond the extract: the schematic network answers.
	far, err := r.Route(ctx, orb.Point{131.95, 43.80}, station(t, "khabarovsk"), routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if far.Network != "rail:schematic" {
		t.Errorf("with Khabarovsk outside the extract, %s answered", far.Network)
	}
	// Ends on disconnected track: the schematic network is asked, and both
	// ends are nearest to one station there: no route, rather than a
	// straight line.
	if apart, err := r.Route(ctx, orb.Point{131.90, 43.80}, orb.Point{132.35, 43.80}, routes.RouteOptions{}); !errors.Is(err, routes.ErrUnroutable) {
		t.Errorf("across disconnected OSM track: %s %v, %v; want ErrUnroutable", apart.Network, apart.Line, err)
	}
}

func TestOSMGraphJunctions(t *testing.T) {
	g := osmGraph(osmWays())
	// Junctions: 10 and 12 and 14 and 21 (ends and the meeting node), 30, 31.
	if len(g.nodes) != 6 {
		t.Errorf("%d nodes, want 6: %v", len(g.nodes), g.nodes)
	}
	if len(g.edges) != 4 {
		t.Errorf("%d edges, want 4", len(g.edges))
	}
	// A way that loops back on itself is cut where it meets itself.
	loop := osmGraph([]routes.RailWay{{ID: 5, Nodes: []int64{1, 2, 3, 1}, Line: orb.LineString{{0, 0}, {0, 1}, {1, 1}, {0, 0}}}})
	if len(loop.edges) != 1 || loop.edges[0].a != loop.edges[0].b {
		t.Errorf("loop: %d edges %+v", len(loop.edges), loop.edges)
	}
}

// country is a country's polygons from Natural Earth 1:10m, for tests.
type country []orb.Polygon

func (c country) contains(p orb.Point) bool {
	for _, poly := range c {
		if ringContains(poly[0], p) {
			inHole := false
			for _, h := range poly[1:] {
				inHole = inHole || ringContains(h, p)
			}
			if !inHole {
				return true
			}
		}
	}
	return false
}

// ringContains is the even-odd rule in longitude and latitude.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[j], r[i]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// readCountries reads the named countries from world-atlas's TopoJSON, which
// scripts/setup installs under node_modules.
func readCountries(t *testing.T, names ...string) map[string]country {
	t.Helper()
	raw, err := os.ReadFile("../../node_modules/world-atlas/countries-10m.json")
	if err != nil {
		t.Fatalf("%v (run scripts/setup to install the npm assets)", err)
	}
	var topo struct {
		Transform struct{ Scale, Translate [2]float64 }
		Objects   struct {
			Countries struct {
				Geometries []struct {
					Type       string
					Arcs       json.RawMessage
					Properties struct{ Name string }
				}
			}
		}
		Arcs [][][2]int
	}
	if err := json.Unmarshal(raw, &topo); err != nil {
		t.Fatal(err)
	}
	arcs := make([][]orb.Point, len(topo.Arcs))
	for i, a := range topo.Arcs {
		var x, y int
		for _, d := range a {
			x, y = x+d[0], y+d[1]
			arcs[i] = append(arcs[i], orb.Point{float64(x)*topo.Transform.Scale[0] + topo.Transform.Translate[0],
				float64(y)*topo.Transform.Scale[1] + topo.Transform.Translate[1]})
		}
	}
	ring := func(ids []int) orb.Ring {
		var r orb.Ring
		for _, id := range ids {
			a := arcs[max(id, ^id)]
			if id < 0 {
				a = reversedLine(a)
			}
			if len(r) > 0 {
				a = a[1:]
			}
			r = append(r, a...)
		}
		return r
	}
	out := map[string]country{}
	for _, g := range topo.Objects.Countries.Geometries {
		for _, n := range names {
			if g.Properties.Name != n {
				continue
			}
			var polys [][][]int
			if g.Type == "Polygon" {
				var p [][]int
				if err := json.Unmarshal(g.Arcs, &p); err != nil {
					t.Fatal(err)
				}
				polys = [][][]int{p}
			} else if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				t.Fatal(err)
			}
			for _, p := range polys {
				var poly orb.Polygon
				for _, r := range p {
					poly = append(poly, ring(r))
				}
				out[n] = append(out[n], poly)
			}
		}
	}
	for _, n := range names {
		if len(out[n]) == 0 {
			t.Fatalf("no country %q in countries-10m.json", n)
		}
	}
	return out
}

// A server asks one router from many goroutines at once.
func TestRailConcurrentRoutes(t *testing.T) {
	r := newRail(t, osmWays())
	from, to := station(t, "dunay"), station(t, "tikhoretsk")
	want, err := r.Route(context.Background(), from, to, routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 20 {
				got, err := r.Route(context.Background(), from, to, routes.RouteOptions{})
				if err == nil && !got.Line.Equal(want.Line) {
					err = errors.New("a concurrent route differs")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestRailCancelled(t *testing.T) {
	r := newRail(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Route(ctx, station(t, "dunay"), station(t, "tikhoretsk"), routes.RouteOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled route: %v", err)
	}
}
