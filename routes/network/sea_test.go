package network

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

func testSea(t testing.TB) *Sea {
	t.Helper()
	s, err := LoadSea()
	if err != nil {
		t.Fatalf("LoadSea: %v", err)
	}
	return s
}

// port is a port in testdata/ports.csv: its harbour, to about a kilometre,
// from public gazetteers (UN/LOCODE gives most to the minute).
type port struct {
	id, name string
	p        orb.Point
}

func readPorts(t testing.TB) map[string]port {
	t.Helper()
	f, err := os.Open("testdata/ports.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]port)
	for _, r := range rows[1:] {
		x, err1 := strconv.ParseFloat(r[3], 64)
		y, err2 := strconv.ParseFloat(r[4], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("ports.csv: bad coordinates for %s", r[0])
		}
		out[r[0]] = port{r[0], r[1], orb.Point{x, y}}
	}
	return out
}

// route routes between two ports of testdata/ports.csv.
func route(t *testing.T, from, to string, avoid ...string) routes.ComputedRoute {
	t.Helper()
	ports := readPorts(t)
	a, ok1 := ports[from]
	b, ok2 := ports[to]
	if !ok1 || !ok2 {
		t.Fatalf("no port %q or %q in testdata/ports.csv", from, to)
	}
	r, err := testSea(t).Route(context.Background(), a.p, b.p, routes.RouteOptions{Avoid: avoid})
	if err != nil {
		t.Fatalf("Route(%s, %s, avoid %v): %v", from, to, avoid, err)
	}
	return r
}

// onCanal reports whether the piece a–b is a stretch of a canal's course,
// the one place a route may cross Natural Earth's land.
func onCanal(a, b orb.Point) bool {
	for _, p := range passages {
		for i := 1; p.canal() && i < len(p.course); i++ {
			if (p.course[i-1] == a && p.course[i] == b) || (p.course[i-1] == b && p.course[i] == a) {
				return true
			}
		}
	}
	return false
}

// landCrossings lists the pieces of a route's line that touch land.
func landCrossings(r routes.ComputedRoute) []string {
	var bad []string
	for _, ls := range r.Line {
		for i := 1; i < len(ls); i++ {
			if !onCanal(ls[i-1], ls[i]) && geo.CrossesLand(ls[i-1], ls[i]) {
				bad = append(bad, fmt.Sprintf("%v–%v", ls[i-1], ls[i]))
			}
		}
	}
	return bad
}

// portPairs are routes around the world: oceans, coasts, straits, canals,
// closed seas, both sides of the antimeridian.
var portPairs = [][2]string{
	{"hamburg", "singapore"}, {"rotterdam", "new-york"}, {"antwerp", "le-havre"}, {"felixstowe", "rotterdam"},
	{"gdansk", "st-petersburg"}, {"stockholm", "oslo"}, {"murmansk", "rotterdam"}, {"lisbon", "algeciras"},
	{"barcelona", "genoa"}, {"genoa", "piraeus"}, {"piraeus", "istanbul"}, {"istanbul", "novorossiysk"},
	{"odesa", "constanta"}, {"constanta", "port-said"}, {"port-said", "jeddah"}, {"jeddah", "djibouti"},
	{"djibouti", "jebel-ali"}, {"jebel-ali", "bandar-abbas"}, {"jebel-ali", "mumbai"}, {"karachi", "colombo"},
	{"colombo", "chennai"}, {"chennai", "chittagong"}, {"chittagong", "singapore"}, {"port-klang", "singapore"},
	{"singapore", "jakarta"}, {"jakarta", "fremantle"}, {"singapore", "hong-kong"}, {"hong-kong", "manila"},
	{"manila", "tokyo"}, {"shanghai", "busan"}, {"busan", "vladivostok"}, {"najin", "dunay"},
	{"vladivostok", "petropavlovsk"}, {"tokyo", "los-angeles"}, {"shanghai", "los-angeles"}, {"yokohama", "san-francisco"},
	{"petropavlovsk", "anchorage"}, {"anchorage", "vancouver"}, {"vancouver", "san-francisco"}, {"los-angeles", "balboa"},
	{"balboa", "callao"}, {"callao", "valparaiso"}, {"valparaiso", "buenos-aires"}, {"buenos-aires", "santos"},
	{"santos", "rio-de-janeiro"}, {"rio-de-janeiro", "lagos"}, {"lagos", "cape-town"}, {"cape-town", "durban"},
	{"durban", "mombasa"}, {"mombasa", "jebel-ali"}, {"fremantle", "melbourne"}, {"melbourne", "sydney"},
	{"sydney", "auckland"}, {"auckland", "suva"}, {"suva", "honolulu"}, {"honolulu", "los-angeles"},
	{"new-york", "colon"}, {"colon", "kingston"}, {"kingston", "miami"}, {"miami", "houston"},
	{"halifax", "new-york"}, {"reykjavik", "nuuk"}, {"reykjavik", "rotterdam"}, {"baku", "aktau"},
	{"new-york", "san-francisco"}, {"sydney", "shanghai"},
}

// TestRoutesStayAtSea routes between ports all over the world: every piece
// of every line keeps off Natural Earth's 1:10m land, canals excepted; the
// line is no shorter than the great circle and not absurdly longer; it is
// split where it crosses the antimeridian.
func TestRoutesStayAtSea(t *testing.T) {
	ports := readPorts(t)
	for _, pair := range portPairs {
		t.Run(pair[0]+"→"+pair[1], func(t *testing.T) {
			r := route(t, pair[0], pair[1])
			if bad := landCrossings(r); len(bad) > 0 {
				t.Errorf("%d pieces cross land, the first %s", len(bad), bad[0])
			}
			first, last := r.Line[0][0], r.Line[len(r.Line)-1][len(r.Line[len(r.Line)-1])-1]
			gc := geo.Distance(first, last) / 1000
			if r.LengthKm < gc*0.999 || r.LengthKm > 5*gc+1000 {
				t.Errorf("%.0f km; the great circle between its ends is %.0f km", r.LengthKm, gc)
			}
			if got := geo.Length(r.Line) / 1000; math.Abs(got-r.LengthKm) > 1e-6 {
				t.Errorf("LengthKm %.3f is not the length of the line, %.3f", r.LengthKm, got)
			}
			for _, ls := range r.Line {
				for i := 1; i < len(ls); i++ {
					if math.Abs(ls[i][0]-ls[i-1][0]) > 180 {
						t.Fatalf("a piece jumps across the antimeridian, %v–%v: not split", ls[i-1], ls[i])
					}
				}
			}
			for _, e := range []struct {
				name  string
				asked orb.Point
				at    orb.Point
				snap  float64
			}{{"from", ports[pair[0]].p, first, r.FromSnapKm}, {"to", ports[pair[1]].p, last, r.ToSnapKm}} {
				if d := geo.Distance(e.asked, e.at) / 1000; math.Abs(d-e.snap) > 1e-6 {
					t.Errorf("%s snap %.3f km; the line starts %.3f km from the point asked", e.name, e.snap, d)
				}
				if e.snap > MaxSnap/1000 {
					t.Errorf("%s moved %.1f km, more than MaxSnap", e.name, e.snap)
				}
			}
		})
	}
	if len(portPairs) < 50 {
		t.Errorf("only %d port pairs", len(portPairs))
	}
}

// TestNajinDunay is the reference case: a coastal leg round the Tumen's
// mouth and across Peter the Great Gulf, longer than the 98 nm great
// circle, which crosses Primorye.
func TestNajinDunay(t *testing.T) {
	r := route(t, "najin", "dunay")
	if nm := r.LengthKm / routes.NauticalMile; nm < 105 || nm > 140 {
		t.Errorf("Najin to Dunay is %.1f nm; want 105 to 140", nm)
	}
	if bad := landCrossings(r); len(bad) > 0 {
		t.Errorf("crosses land: %v", bad)
	}
}

// Published port-to-port distances. Sources:
//   - REFERENCE.md: Hamburg to Singapore by Suez.
//   - E. R. Johnson, Special Commissioner on Panama Canal Traffic and Tolls,
//     report to the Secretary of War, quoted in J. B. Bishop, "Panama, Past
//     and Present" (1913), p. 237.
//   - U.S. Hydrographic Office, in W. L. Merry, "San Francisco and the
//     Nicaragua Canal" (letter to Senator G. C. Perkins, 1900).
var published = []struct {
	from, to string
	avoid    []string
	nm       float64
	via      string // a passage the route must take, if any
	source   string
}{
	{"hamburg", "singapore", nil, 8377, "suez", "REFERENCE.md"},
	{"new-york", "san-francisco", nil, 5262, "panama", "Johnson 1913"},
	{"new-york", "san-francisco", []string{"panama"}, 13135, "", "Johnson 1913, by the Strait of Magellan"},
	{"new-york", "colon", nil, 1974, "", "Johnson 1913"},
	{"san-francisco", "yokohama", nil, 4536, "", "U.S. Hydrographic Office 1900"},
	{"san-francisco", "hong-kong", nil, 6060, "", "U.S. Hydrographic Office 1900"},
	{"honolulu", "yokohama", nil, 3400, "", "U.S. Hydrographic Office 1900"},
	{"honolulu", "hong-kong", nil, 4917, "", "U.S. Hydrographic Office 1900"},
}

func TestPublishedDistances(t *testing.T) {
	for _, c := range published {
		t.Run(fmt.Sprintf("%s→%s avoiding %v", c.from, c.to, c.avoid), func(t *testing.T) {
			r := route(t, c.from, c.to, c.avoid...)
			nm := r.LengthKm / routes.NauticalMile
			if math.Abs(nm-c.nm) > 0.05*c.nm {
				t.Errorf("%.0f nm; %s gives %.0f nm (%+.1f%%)", nm, c.source, c.nm, 100*(nm-c.nm)/c.nm)
			}
			if c.via != "" && !slices.Contains(r.Passages, c.via) {
				t.Errorf("goes via %v; want %s", r.Passages, c.via)
			}
			for _, a := range c.avoid {
				if slices.Contains(r.Passages, a) {
					t.Errorf("goes via %v though asked to avoid %s", r.Passages, a)
				}
			}
			t.Logf("%.0f nm; %s: %.0f nm (%+.1f%%) via %v", nm, c.source, c.nm, 100*(nm-c.nm)/c.nm, r.Passages)
		})
	}
}

// TestAcrossThePacific: Shanghai to Los Angeles goes the short way, across
// the Pacific, split at the antimeridian as RFC 7946 asks, and not through
// Suez or Panama.
func TestAcrossThePacific(t *testing.T) {
	r := route(t, "shanghai", "los-angeles")
	if len(r.Line) != 2 {
		t.Fatalf("the line has %d parts; want 2, split at the antimeridian", len(r.Line))
	}
	if end, start := r.Line[0][len(r.Line[0])-1], r.Line[1][0]; end[0] != 180 || start[0] != -180 || end[1] != start[1] {
		t.Errorf("the parts meet at %v and %v; want ±180 at one latitude", end, start)
	}
	for _, p := range []string{"suez", "panama", "malacca"} {
		if slices.Contains(r.Passages, p) {
			t.Errorf("goes via %s: %v", p, r.Passages)
		}
	}
	gc := geo.Distance(orb.Point{121.50, 31.25}, orb.Point{-118.27, 33.73}) / 1000
	if r.LengthKm > 1.1*gc {
		t.Errorf("%.0f km; the great circle is %.0f km", r.LengthKm, gc)
	}
}

func TestAvoid(t *testing.T) {
	for _, c := range []struct {
		from, to string
		avoid    []string
		via      string // taken instead
	}{
		{"hamburg", "singapore", []string{"suez"}, ""},
		{"hamburg", "singapore", []string{"malacca"}, "suez"},
		{"rotterdam", "new-york", []string{"dover"}, ""},
		{"genoa", "piraeus", []string{"messina"}, ""},
		{"shanghai", "los-angeles", []string{"korea", "la-perouse", "tsugaru"}, ""},
		{"st-petersburg", "hamburg", []string{"kiel"}, "oresund"},
	} {
		t.Run(fmt.Sprintf("%s→%s avoiding %v", c.from, c.to, c.avoid), func(t *testing.T) {
			before := route(t, c.from, c.to)
			if !slices.ContainsFunc(c.avoid, func(a string) bool { return slices.Contains(before.Passages, a) }) {
				t.Fatalf("the route goes via %v, none of %v: nothing to avoid", before.Passages, c.avoid)
			}
			after := route(t, c.from, c.to, c.avoid...)
			for _, a := range c.avoid {
				if slices.Contains(after.Passages, a) {
					t.Errorf("goes via %v though asked to avoid %s", after.Passages, a)
				}
			}
			if c.via != "" && !slices.Contains(after.Passages, c.via) {
				t.Errorf("goes via %v; want %s", after.Passages, c.via)
			}
			if after.LengthKm < before.LengthKm {
				t.Errorf("avoiding %v is shorter (%.0f km) than not (%.0f km)", c.avoid, after.LengthKm, before.LengthKm)
			}
			if bad := landCrossings(after); len(bad) > 0 {
				t.Errorf("crosses land: %v", bad[0])
			}
		})
	}
}

// TestArcticPassagesClosed: between the Atlantic and the Pacific the route
// never takes the icebound Arctic passages, though they are shorter.
func TestArcticPassagesClosed(t *testing.T) {
	r := route(t, "murmansk", "vladivostok")
	if !slices.Contains(r.Passages, "suez") {
		t.Errorf("Murmansk to Vladivostok goes via %v; want suez, not the Northern Sea Route", r.Passages)
	}
	r = route(t, "halifax", "anchorage")
	if !slices.Contains(r.Passages, "panama") {
		t.Errorf("Halifax to Anchorage goes via %v; want panama, not the Northwest Passage", r.Passages)
	}
}

func TestBadInput(t *testing.T) {
	s := testSea(t)
	ctx := context.Background()
	for _, c := range []struct {
		name       string
		from, to   orb.Point
		avoid      []string
		param      string // "" when the error names no parameter
		unroutable bool
		want       string
	}{
		{"far inland", orb.Point{37.62, 55.75}, orb.Point{130.30, 42.2333}, nil, "from", true, "lies 637 km from the sea"},
		{"far inland, the other end", orb.Point{130.30, 42.2333}, orb.Point{40.1253, 45.8547}, nil, "to", true, "from the sea"},
		{"the same point", orb.Point{130.30, 42.2333}, orb.Point{130.30, 42.2333}, nil, "to", false, "same point"},
		{"longitude out of range", orb.Point{190, 0}, orb.Point{130.30, 42.2333}, nil, "from", false, "190"},
		{"latitude out of range", orb.Point{130.30, 42.2333}, orb.Point{0, -91}, nil, "to", false, "-91"},
		{"not a number", orb.Point{math.NaN(), 0}, orb.Point{130.30, 42.2333}, nil, "from", false, "NaN"},
		{"unknown passage", orb.Point{130.30, 42.2333}, orb.Point{132.3375, 42.8803}, []string{"suez", "atlantis"}, "avoid", false, `"atlantis"`},
		{"seas no route joins", orb.Point{50, 42}, orb.Point{-30, 30}, nil, "", true, "no sea route joins"},
		{"every way avoided", orb.Point{30.75, 46.4}, orb.Point{23.6, 37.9}, []string{"bosporus"}, "", true, "without the passages avoided"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := s.Route(ctx, c.from, c.to, routes.RouteOptions{Avoid: c.avoid})
			if err == nil {
				t.Fatalf("Route = %d parts of line; want an error", len(r.Line))
			}
			if r.Line != nil {
				t.Error("an error came with a line")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			bad, ok := errors.AsType[*routes.RouteInputError](err)
			switch {
			case c.param == "" && ok:
				t.Errorf("error names parameter %q; want none", bad.Param)
			case c.param != "" && (!ok || bad.Param != c.param):
				t.Errorf("error %q does not name parameter %q", err, c.param)
			}
			if got := errors.Is(err, routes.ErrUnroutable); got != c.unroutable {
				t.Errorf("errors.Is(err, ErrUnroutable) = %v; want %v", got, c.unroutable)
			}
		})
	}
}

// TestSnap: an end on land is moved to the nearest water and the distance
// reported; an end at sea is used as given.
func TestSnap(t *testing.T) {
	s := testSea(t)
	dunay := orb.Point{132.3375, 42.8803} // the village, 1.4 km from the water
	najin := orb.Point{130.30, 42.2333}   // in the harbour
	r, err := s.Route(context.Background(), najin, dunay, routes.RouteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.FromSnapKm != 0 || r.Line[0][0] != najin {
		t.Errorf("the start at sea was moved %.3f km to %v", r.FromSnapKm, r.Line[0][0])
	}
	if r.ToSnapKm < 1.3 || r.ToSnapKm > 2 {
		t.Errorf("Dunay moved %.3f km; the village is about 1.4 km from the water", r.ToSnapKm)
	}
	if last := r.Line[0][len(r.Line[0])-1]; geo.OnLand(last) {
		t.Errorf("the line ends on land at %v", last)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := testSea(t).Route(ctx, orb.Point{9.97, 53.54}, orb.Point{103.85, 1.26}, routes.RouteOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Route with a cancelled context = %v; want context.Canceled", err)
	}
}

func TestPassageNames(t *testing.T) {
	names := Passages()
	for _, want := range []string{"suez", "panama", "kiel", "gibraltar", "dover", "bosporus", "bab-el-mandeb", "hormuz", "malacca"} {
		if !slices.Contains(names, want) {
			t.Errorf("Passages() = %v; want %s among them", names, want)
		}
	}
	if slices.Contains(names, "northern-sea-route") {
		t.Error("the closed Arctic passages are listed as avoidable")
	}
	if _, err := avoidMask([]string{"northern-sea-route"}); err != nil {
		t.Errorf("avoiding a closed passage: %v; want it accepted, as it is always avoided", err)
	}
}

// TestPassageGeometry checks the hand-drawn passages against the land: a
// gate runs from land to land, a canal from sea to sea, and each canal's
// course is about as long as published.
func TestPassageGeometry(t *testing.T) {
	lengths := map[string]float64{"suez": 193.3, "panama": 82, "kiel": 98}
	for _, p := range passages {
		if p.canal() {
			for _, e := range []orb.Point{p.course[0], p.course[len(p.course)-1]} {
				if geo.OnLand(e) {
					t.Errorf("%s: end %v is on land", p.name, e)
				}
			}
			km := geo.LineLength(p.course) / 1000
			if want := lengths[p.name]; math.Abs(km-want) > 0.1*want {
				t.Errorf("%s: course %.1f km; published length %.1f km", p.name, km, want)
			}
			continue
		}
		for _, e := range p.gate {
			// The Arctic's cuts run to the pole, where every meridian
			// meets: nothing passes round their end.
			if !geo.OnLand(e) && math.Abs(e[1]) != 90 {
				t.Errorf("%s: gate end %v is at sea, so ships could pass round it", p.name, e)
			}
		}
		if !geo.CrossesLand(p.gate[0], p.gate[1]) {
			t.Errorf("%s: the gate touches no land", p.name)
		}
	}
}

// TestNetworkEdges checks the bundled network as a whole, as the generator
// did: no edge but a canal comes near land, and each edge's passages are
// the gates it crosses.
func TestNetworkEdges(t *testing.T) {
	if testing.Short() {
		t.Skip("checks every edge")
	}
	g := testSea(t).g
	edges := g.edges()
	if len(edges) < 100_000 {
		t.Fatalf("%d edges", len(edges))
	}
	var canals int
	for i, e := range edges {
		if i > 0 && e == edges[i-1] {
			t.Fatalf("edge %v–%v is stored twice", g.pts[e.u], g.pts[e.v])
		}
		a, b := g.pts[e.u], g.pts[e.v]
		if e.mask&canalMask != 0 {
			canals++
			continue
		}
		m := math.Min(clearance, 0.5*float64(min(g.clear[e.u], g.clear[e.v])))
		if geo.LandWithin(a, b, m) {
			t.Fatalf("edge %v–%v comes within %.0f m of land", a, b, m)
		}
		if got := pathMask(a, b, allPassages); got != e.mask {
			t.Fatalf("edge %v–%v has passages %#x; its gates say %#x", a, b, e.mask, got)
		}
		if e.mask&closedMask != 0 {
			t.Fatalf("edge %v–%v goes through a closed passage", a, b)
		}
	}
	if canals != 3 {
		t.Errorf("%d canal edges; want suez, panama and kiel", canals)
	}
	for i, p := range g.pts {
		if geo.OnLand(p) {
			t.Fatalf("node %d at %v is on land", i, p)
		}
	}
}

// FuzzSeaRoute asks for routes between any two points: the answer is an
// error that says what is wrong, or a line at sea that starts and ends
// within MaxSnap of the points asked.
func FuzzSeaRoute(f *testing.F) {
	f.Add(130.30, 42.2333, 132.3375, 42.8803, "")
	f.Add(9.97, 53.54, 103.85, 1.26, "suez")
	f.Add(179.99, 60.0, -179.99, 60.0, "")
	f.Add(-180.0, -90.0, 180.0, 90.0, "")
	f.Add(0.0, 89.99, 0.0, -89.99, "bering")
	f.Add(50.0, 42.0, 29.0, 41.1, "bosporus,dardanelles")
	f.Add(math.NaN(), 0.0, 1.0, 1.0, ",")
	f.Add(32.55, 30.5, -79.75, 9.2, "panama")
	s := testSea(f)
	// inRange folds any number into [lo, hi], so that most inputs are
	// points on Earth.
	inRange := func(v, lo, hi float64) float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return lo
		}
		return lo + math.Mod(math.Abs(v), hi-lo)
	}
	f.Fuzz(func(t *testing.T, x1, y1, x2, y2 float64, avoid string) {
		opts := routes.RouteOptions{Avoid: strings.Split(avoid, ",")}
		for _, ends := range [][2]orb.Point{
			{{x1, y1}, {x2, y2}},
			{{inRange(x1, -180, 180), inRange(y1, -90, 90)}, {inRange(x2, -180, 180), inRange(y2, -90, 90)}},
		} {
			from, to := ends[0], ends[1]
			r, err := s.Route(context.Background(), from, to, opts)
			if err != nil {
				_, input := errors.AsType[*routes.RouteInputError](err)
				if !input && !errors.Is(err, routes.ErrUnroutable) {
					t.Fatalf("Route(%v, %v, %q): %v: neither bad input nor no route", from, to, avoid, err)
				}
				continue
			}
			if bad := landCrossings(r); len(bad) > 0 {
				t.Fatalf("Route(%v, %v): %d pieces cross land, the first %s", from, to, len(bad), bad[0])
			}
			if r.FromSnapKm > MaxSnap/1000 || r.ToSnapKm > MaxSnap/1000 || math.IsNaN(r.LengthKm) || r.LengthKm <= 0 {
				t.Fatalf("Route(%v, %v): snaps %v and %v km, length %v km", from, to, r.FromSnapKm, r.ToSnapKm, r.LengthKm)
			}
		}
	})
}
