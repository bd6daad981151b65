package routes

import (
	"cmp"
	"iter"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/geo"
)

// Approach is how close one vessel came to a point, over the positions
// asked about: the answer to "which vessels came within 20 km of Dunay in
// September 2023".
type Approach struct {
	MMSI string
	// Closest is the position nearest the point; the earliest of equals.
	Closest Position
	// Meters is Closest's geodesic distance from the point.
	Meters float64
	// First and Last are the times of the first and last positions.
	First, Last time.Time
	// Positions counts the positions.
	Positions int
}

// Approaches reads positions, as Store.Positions streams them (by time,
// then MMSI), and returns each MMSI's closest approach to p, ordered by the
// time the vessel was first seen, then MMSI. Memory grows with the number of
// vessels, not of positions. Ask the store for the positions within the
// distance (Query.Near) and the interval wanted: every position read counts.
func Approaches(ps iter.Seq2[Position, error], p orb.Point) ([]Approach, error) {
	byMMSI := map[string]*Approach{}
	for pos, err := range ps {
		if err != nil {
			return nil, err
		}
		d := geo.Distance(p, pos.Point())
		a, ok := byMMSI[pos.MMSI]
		if !ok {
			byMMSI[pos.MMSI] = &Approach{MMSI: pos.MMSI, Closest: pos, Meters: d, First: pos.Time, Last: pos.Time, Positions: 1}
			continue
		}
		a.Positions++
		if pos.Time.Before(a.First) {
			a.First = pos.Time
		}
		if pos.Time.After(a.Last) {
			a.Last = pos.Time
		}
		if d < a.Meters || d == a.Meters && pos.Time.Before(a.Closest.Time) {
			a.Closest, a.Meters = pos, d
		}
	}
	out := make([]Approach, 0, len(byMMSI))
	for _, a := range byMMSI {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b Approach) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		return cmp.Compare(a.MMSI, b.MMSI)
	})
	return out, nil
}

// VesselsByMMSI indexes the vessels refs know by their MMSI. When two share
// one, the first by id wins, so the answer does not depend on map order.
func VesselsByMMSI(refs *Refs) map[string]Vessel {
	out := map[string]Vessel{}
	if refs == nil {
		return out
	}
	for _, v := range refs.Vessels {
		if v.MMSI == "" {
			continue
		}
		if w, ok := out[v.MMSI]; !ok || v.ID < w.ID {
			out[v.MMSI] = v
		}
	}
	return out
}

// ApproachFeature is an approach as a GeoJSON Point feature at the closest
// position. byMMSI (from VesselsByMMSI) names the vessel: the feature's id is
// the vessel's id when its MMSI is known, else the MMSI. start and end are
// the first and last times seen.
func ApproachFeature(a Approach, byMMSI map[string]Vessel) *geojson.Feature {
	f := geojson.NewFeature(a.Closest.Point())
	f.ID = a.MMSI
	var vessel, name, imo, flag any
	if v, ok := byMMSI[a.MMSI]; ok {
		f.ID = v.ID
		vessel, name, imo, flag = v.ID, v.Name, nullable(v.IMO), nullable(v.Flag)
	}
	f.Properties = geojson.Properties{
		"mmsi":         a.MMSI,
		"vessel":       vessel,
		"name":         name,
		"imo":          imo,
		"flag":         flag,
		"closest_km":   round3(a.Meters / 1000),
		"closest_time": FormatTime(a.Closest.Time),
		"start":        FormatTime(a.First),
		"end":          FormatTime(a.Last),
		"positions":    a.Positions,
	}
	return f
}

// Paginate cuts the page that limit and offset select (limit 0: no limit)
// from a whole answer computed in memory, counting every item as matched.
func Paginate[T any](all []T, limit, offset int) Page[T] {
	p := Page[T]{Matched: len(all)}
	if offset >= len(all) {
		return p
	}
	p.Items = all[offset:]
	if limit > 0 && limit < len(p.Items) {
		p.Items = p.Items[:limit]
	}
	return p
}
