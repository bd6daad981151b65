package network

import (
	"context"
	_ "embed" // the schematic network
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// RailSnapKm is how far, in km, a route's end may lie from the rail network.
// A port or a town centre lies a few km from its station; a point further
// away than this is not on the railway.
const RailSnapKm = 50

// osmCoverKm is how close both ends must be to the OpenStreetMap track for
// that network to answer. Further out the extract does not cover them, and
// the schematic network answers instead.
const osmCoverKm = 10

// Rail routes along railway track. It prefers the network built from
// OpenStreetMap ways that were ingested into the store, where that covers
// both ends and joins them; otherwise it answers from the schematic network
// bundled in the binary (data/rail-schematic.geojson): stations of the
// corridor from the North Korean border by the Trans-Siberian to Moscow and
// south to Krasnodar Krai, joined by straight lines.
type Rail struct {
	schematic *schematicNet
	osm       *railGraph // nil when no ways were ingested
}

var _ routes.Router = (*Rail)(nil)

// NewRail returns a rail router over the schematic network and, when ways
// holds any, the network they make.
func NewRail(ways []routes.RailWay) (*Rail, error) {
	s, err := loadSchematic()
	if err != nil {
		return nil, err
	}
	r := &Rail{schematic: s}
	if len(ways) > 0 {
		r.osm = osmGraph(ways)
	}
	return r, nil
}

// LoadRail returns a rail router over the schematic network and the ways
// stored in st.
func LoadRail(ctx context.Context, st routes.RailStore) (*Rail, error) {
	var ways []routes.RailWay
	for w, err := range st.RailWays(ctx) {
		if err != nil {
			return nil, fmt.Errorf("read the rail ways: %w", err)
		}
		ways = append(ways, w)
	}
	return NewRail(ways)
}

// Route finds the way along the track from one point to another. Each end
// snaps to the nearest vertex of the track; the line runs between the
// snapped points.
func (r *Rail) Route(ctx context.Context, from, to orb.Point, opts routes.RouteOptions) (routes.ComputedRoute, error) {
	if len(opts.Avoid) > 0 {
		return routes.ComputedRoute{}, &routes.RouteInputError{Param: "avoid",
			Err: fmt.Errorf("%q is not a passage rail routes can avoid: they avoid none", opts.Avoid[0])}
	}
	if err := routes.CheckRouteEnds(from, to); err != nil {
		return routes.ComputedRoute{}, err
	}
	if r.osm != nil {
		s, sKm, okS := r.osm.nearest(from, osmCoverKm)
		t, tKm, okT := r.osm.nearest(to, osmCoverKm)
		if okS && okT && s != t {
			line, ok, err := r.osm.path(ctx, s, t)
			if err != nil {
				return routes.ComputedRoute{}, err
			}
			if ok {
				return computed(line, sKm, tKm, "rail:osm"), nil
			}
		}
	}
	g := r.schematic.g
	s, sKm, err := r.schematic.snap("from", from)
	if err != nil {
		return routes.ComputedRoute{}, err
	}
	t, tKm, err := r.schematic.snap("to", to)
	if err != nil {
		return routes.ComputedRoute{}, err
	}
	if g.point(s) == g.point(t) {
		return routes.ComputedRoute{}, &routes.RouteInputError{Param: "to", Err: fmt.Errorf(
			"%w: both ends are nearest to %s on the rail network", routes.ErrUnroutable, r.schematic.name(s))}
	}
	line, ok, err := g.path(ctx, s, t)
	if err != nil {
		return routes.ComputedRoute{}, err
	}
	if !ok {
		return routes.ComputedRoute{}, fmt.Errorf("%w: the rail network does not join %s and %s",
			routes.ErrUnroutable, r.schematic.name(s), r.schematic.name(t))
	}
	route := computed(line, sKm, tKm, "rail:schematic")
	route.Stations = r.schematic.stationsOn(line)
	return route, nil
}

func computed(line orb.LineString, fromKm, toKm float64, network string) routes.ComputedRoute {
	ml := geo.SplitAntimeridian(line)
	return routes.ComputedRoute{Line: ml, LengthKm: geo.Length(ml) / 1000,
		FromSnapKm: fromKm, ToSnapKm: toKm, Network: network}
}

// schematicNet is the bundled network with the names of its stations and
// waypoints, for messages, and which of them are stations.
type schematicNet struct {
	g        *railGraph
	names    map[orb.Point]string
	stations map[orb.Point]bool
}

//go:embed data/rail-schematic.geojson
var schematicData []byte

var loadSchematic = sync.OnceValues(func() (*schematicNet, error) {
	s, err := parseSchematic(schematicData)
	if err != nil {
		return nil, fmt.Errorf("the bundled rail network: %w", err)
	}
	return s, nil
})

// snap finds the network's vertex nearest p; an end further than RailSnapKm
// is an error naming param and the nearest station.
func (s *schematicNet) snap(param string, p orb.Point) (railVertex, float64, error) {
	v, km, ok := s.g.nearest(p, RailSnapKm)
	if ok {
		return v, km, nil
	}
	// The schematic network is small: a scan finds the nearest at any range.
	best, bestKm := railVertex{}, math.Inf(1)
	for i, e := range s.g.edges {
		for j, q := range e.line {
			if d := geo.Distance(p, q) / 1000; d < bestKm {
				best, bestKm = railVertex{int32(i), int32(j)}, d
			}
		}
	}
	return railVertex{}, 0, &routes.RouteInputError{Param: param, Err: fmt.Errorf(
		"%w: %v,%v is %.0f km from the nearest point of the rail network (%s); at most %d km is allowed",
		routes.ErrUnroutable, p[0], p[1], bestKm, s.name(best), RailSnapKm)}
}

// stationsOn names the stations that are vertices of line, in order.
// Schematic lines run straight between stations and waypoints, so every
// station the route passes is one of its vertices.
func (s *schematicNet) stationsOn(line orb.LineString) []string {
	var names []string
	for _, p := range line {
		if s.stations[p] {
			names = append(names, s.names[p])
		}
	}
	return names
}

func (s *schematicNet) name(v railVertex) string {
	p := s.g.point(v)
	if n, ok := s.names[p]; ok {
		return n
	}
	return fmt.Sprintf("%v,%v", p[0], p[1])
}

// parseSchematic reads the schematic network: a GeoJSON FeatureCollection of
// stations (Points with a kind "station" or "waypoint", a name and the source
// of their coordinates) and lines (LineStrings with a kind "line" whose
// "stations" property lists the stations they pass, in order, and whose
// coordinates are those stations'). Each line runs straight between its
// stations; lines meet where they share a station.
func parseSchematic(data []byte) (*schematicNet, error) {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, err
	}
	type station struct {
		node int32
		p    orb.Point
	}
	stations := map[string]station{}
	s := &schematicNet{names: map[orb.Point]string{}, stations: map[orb.Point]bool{}}
	var nodes []orb.Point
	for i, f := range fc.Features {
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			continue
		}
		id, _ := f.ID.(string)
		name := f.Properties.MustString("name", "")
		switch {
		case id == "" || name == "":
			return nil, fmt.Errorf("features[%d]: a station needs an id and a name", i)
		case f.Properties.MustString("source", "") == "":
			return nil, fmt.Errorf("station %q: no source for its coordinates", id)
		case !slices.Contains([]string{"station", "waypoint"}, f.Properties.MustString("kind", "")):
			return nil, fmt.Errorf("station %q: kind is neither station nor waypoint", id)
		}
		if _, dup := stations[id]; dup {
			return nil, fmt.Errorf("station %q appears twice", id)
		}
		stations[id] = station{int32(len(nodes)), p}
		nodes = append(nodes, p)
		s.names[p] = name
		s.stations[p] = f.Properties.MustString("kind", "") == "station"
	}
	var edges []railEdge
	for i, f := range fc.Features {
		ls, ok := f.Geometry.(orb.LineString)
		if !ok {
			if _, pt := f.Geometry.(orb.Point); !pt {
				return nil, fmt.Errorf("features[%d]: a %s is neither a station nor a line", i, f.Geometry.GeoJSONType())
			}
			continue
		}
		var ids []string
		raw, _ := json.Marshal(f.Properties["stations"])
		if err := json.Unmarshal(raw, &ids); err != nil || len(ids) < 2 || len(ids) != len(ls) {
			return nil, fmt.Errorf("line %v: stations must list one station per coordinate, at least two", f.ID)
		}
		for j, id := range ids {
			st, ok := stations[id]
			if !ok {
				return nil, fmt.Errorf("line %v: unknown station %q", f.ID, id)
			}
			if st.p != ls[j] {
				return nil, fmt.Errorf("line %v: coordinate %d is %v, not station %q's %v", f.ID, j, ls[j], id, st.p)
			}
			if j > 0 {
				prev := stations[ids[j-1]]
				edges = append(edges, railEdge{a: prev.node, b: st.node, line: orb.LineString{prev.p, st.p}})
			}
		}
	}
	if len(edges) == 0 {
		return nil, errors.New("no lines")
	}
	s.g = newRailGraph(nodes, edges)
	return s, nil
}

// osmGraph joins OpenStreetMap ways into a graph. A node where ways meet,
// or where one ends, is a junction; the track between junctions is one edge
// with its whole line.
func osmGraph(ways []routes.RailWay) *railGraph {
	// A node id seen more than once — in two ways, twice in one, or at a
	// way's end, counted twice — is a junction. Sorting every id once keeps
	// memory to a slice of ids, where a map would take several times more.
	var all []int64
	for _, w := range ways {
		if len(w.Nodes) < 2 {
			continue
		}
		all = append(all, w.Nodes[0], w.Nodes[len(w.Nodes)-1])
		all = append(all, w.Nodes...)
	}
	slices.Sort(all)
	var junctions []int64
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] && (len(junctions) == 0 || junctions[len(junctions)-1] != all[i]) {
			junctions = append(junctions, all[i])
		}
	}
	all = nil
	nodes := make([]orb.Point, len(junctions))
	var edges []railEdge
	for _, w := range ways {
		if len(w.Nodes) < 2 || len(w.Nodes) != len(w.Line) {
			continue
		}
		start := 0
		for i := 1; i < len(w.Nodes); i++ {
			j, ok := slices.BinarySearch(junctions, w.Nodes[i])
			if !ok {
				continue
			}
			a, _ := slices.BinarySearch(junctions, w.Nodes[start])
			nodes[a], nodes[j] = w.Line[start], w.Line[i]
			edges = append(edges, railEdge{a: int32(a), b: int32(j), line: slices.Clone(w.Line[start : i+1])})
			start = i
		}
	}
	return newRailGraph(nodes, edges)
}
