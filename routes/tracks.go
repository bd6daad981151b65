package routes

import (
	"cmp"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	thin "github.com/paulmach/orb/simplify"

	"github.com/shiptrack/shiptrack/geo"
)

// How positions become tracks, gaps and voyages. The gap and dark
// thresholds are Global Fishing Watch's: its gap events are silences of 6
// hours or more, and it counts a silence of 12 hours or more that begins
// more than 50 nautical miles from shore as likely intentional AIS disabling
// (GFW technical documentation, "Gaps"; Welch et al., "Hot spots of unseen
// fishing vessels", Science Advances 8(44), 2022). Shore distance matters
// because near the coast a silence is more often poor reception or a vessel
// moored with its transponder off.
const (
	// GapMinimum is the silence that a Gap, which splits a track, exceeds.
	GapMinimum = 6 * time.Hour
	// DarkMinimum is the shortest gap that can be Dark.
	DarkMinimum = 12 * time.Hour
	// DarkOffshoreNm is how far from shore, in nautical miles, a gap must
	// begin to be Dark.
	DarkOffshoreNm = 50.0

	// PortRadius is how close to a port place, in metres, a vessel must be
	// for a stop to count as a port stop. Berths and anchorages lie some
	// kilometres from a port's reference point.
	PortRadius = 10_000
	// PortStopMinimum is how long a vessel must stay slow within PortRadius
	// of one port for a port stop.
	PortStopMinimum = 2 * time.Hour
	// PortStopKnots is the speed over ground below which a vessel counts as
	// stopped. Without a reported speed, the speed implied by the previous
	// position is used.
	PortStopKnots = 1.0

	// MaxKnots is the speed above which a position is taken for a bad fix
	// (a GPS jump, a spoofed or garbled report) and left out of tracks:
	// faster than all but a few fast craft sail, between reports more than
	// jumpMetres apart. It stays among the positions.
	MaxKnots = 50.0
	// jumpMetres is how far a position must lie from the one before to be
	// judged by its speed: a short hop is timing jitter, not a bad fix.
	jumpMetres = 2000
	// maxJumps is how many bad fixes in a row are left out before the
	// track follows them: the fix judged good may have been the bad one.
	maxJumps = 3

	// trackTolerance is the Douglas-Peucker tolerance, in degrees (about 20
	// m), by which a track's line is thinned: a vessel reporting every few
	// seconds would otherwise give lines of tens of thousands of vertices.
	trackTolerance = 0.0002
)

// ShoreDistance is the distance in metres from a point to the nearest
// coast; 0 on land.
type ShoreDistance func(orb.Point) float64

// TrackOptions is what DeriveTracks needs besides the positions.
type TrackOptions struct {
	// Ports are the places where a stop ends one voyage and begins another.
	Ports []Place
	// Shore measures the distance from shore of a gap's start. Without it
	// no gap is flagged Dark and OffshoreNm is 0.
	Shore ShoreDistance
	// Vessel is the vessel id that the MMSI belongs to, if known.
	Vessel string
}

// Voyage is a vessel's passage from one port stop to the next: one track,
// or several separated by gaps.
type Voyage struct {
	// From and To are the ids of the ports where the voyage began and ended;
	// empty where the positions begin or end away from a port stop.
	From, To string
	Tracks   []Track
}

// Start is when the voyage left: the start of its first track.
func (v Voyage) Start() time.Time { return v.Tracks[0].Start }

// End is when the voyage arrived: the end of its last track.
func (v Voyage) End() time.Time { return v.Tracks[len(v.Tracks)-1].End }

// Geometry is the voyage's tracks as one multi-line, in order; the gaps
// between them are not drawn.
func (v Voyage) Geometry() orb.MultiLineString {
	var ml orb.MultiLineString
	for _, t := range v.Tracks {
		ml = append(ml, t.Geometry...)
	}
	return ml
}

// Derived is what one vessel's positions become.
type Derived struct {
	Voyages []Voyage
	Gaps    []Gap
}

// Tracks lists the tracks of every voyage, in time order.
func (d Derived) Tracks() []Track {
	var ts []Track
	for _, v := range d.Voyages {
		ts = append(ts, v.Tracks...)
	}
	return ts
}

// DeriveTracks turns one vessel's positions, in time order, into voyages,
// tracks and gaps:
//
//   - a port stop is a stretch of positions within PortRadius of one port
//     place, during which the vessel stays below PortStopKnots for at least
//     PortStopMinimum. A voyage ends at the first stopped position and the
//     next begins at the last; positions in between belong to no track;
//   - every silence longer than GapMinimum is a Gap from the last position
//     before it to the first after it, and ends a track at sea (the voyage
//     goes on in a new track). A gap of DarkMinimum or more that begins more
//     than DarkOffshoreNm from shore is Dark;
//   - a position more than 2 km and faster than MaxKnots from the last one
//     placed is a bad fix, left out of tracks (unless there are more than
//     three in a row, which the track then follows);
//   - a track needs two positions in different places; its line is thinned
//     by about 20 m and split at the antimeridian, and Points counts the
//     positions it was drawn from.
//
// Ids are the MMSI and the start time, so deriving again from the same
// positions gives the same records.
func DeriveTracks(mmsi string, ps iter.Seq2[Position, error], opt TrackOptions) (Derived, error) {
	d := deriver{mmsi: mmsi, opt: opt}
	var prev *Position
	for p, err := range ps {
		if err != nil {
			return Derived{}, err
		}
		if p.MMSI != mmsi {
			return Derived{}, fmt.Errorf("position of MMSI %s among those of %s", p.MMSI, mmsi)
		}
		if prev != nil {
			if !p.Time.After(prev.Time) {
				return Derived{}, fmt.Errorf("MMSI %s: positions out of time order at %s", mmsi, FormatTime(p.Time))
			}
			if p.Time.Sub(prev.Time) > GapMinimum {
				d.gap(*prev, p)
			}
		}
		prev = &p
		if d.badFix(p) {
			continue
		}
		d.add(p)
	}
	d.end()
	return Derived{Voyages: d.voyages, Gaps: d.gaps}, nil
}

// deriver is the state of DeriveTracks.
type deriver struct {
	mmsi    string
	opt     TrackOptions
	voyages []Voyage
	gaps    []Gap
	voyage  Voyage
	track   []trackPoint    // the track being drawn
	run     portRun         // positions near a port, not yet placed
	ports   map[int][]Place // the ports by band of latitude: see nearPort
	last    *Position       // the last position placed
	jumps   int             // bad fixes left out since
}

type trackPoint struct {
	pt orb.Point
	t  time.Time
}

// portRun is a stretch of consecutive positions near one port. Until it
// becomes a stop it keeps every position; after, only those it needs.
type portRun struct {
	port      string       // "" when there is no run
	points    []trackPoint // every position, until the run is a stop
	slowSince int          // index in points of the current slow stretch's start; -1 if moving
	stop      bool         // the run has been slow long enough to be a port stop
	last      Position
	// Once a stop: arrive is the way in, up to the first stopped position;
	// lastSlow the latest stopped position; after the positions since.
	arrive   []trackPoint
	lastSlow trackPoint
	after    []trackPoint
}

// badFix reports whether p is too far, too soon, from the last position
// placed, and so is left out of tracks; after maxJumps in a row the track
// follows.
func (d *deriver) badFix(p Position) bool {
	last := d.last
	d.last = &p
	if last == nil || p.Time.Sub(last.Time) > GapMinimum {
		d.jumps = 0
		return false
	}
	metres := geo.GreatCircle(last.Point(), p.Point())
	knots := metres / (NauticalMile * 1000) / p.Time.Sub(last.Time).Hours()
	if metres <= jumpMetres || knots <= MaxKnots || d.jumps >= maxJumps {
		d.jumps = 0
		return false
	}
	d.jumps++
	d.last = last
	return true
}

// add places one position.
func (d *deriver) add(p Position) {
	port := d.nearPort(p.Point())
	if d.run.port != "" {
		if port == d.run.port {
			d.run.extend(p)
			return
		}
		d.closeRun()
	}
	if port != "" {
		d.run = portRun{port: port, slowSince: -1}
		d.run.extend(p)
		return
	}
	d.point(trackPoint{p.Point(), p.Time})
}

// extend adds a position to the run.
func (r *portRun) extend(p Position) {
	slow := false
	switch {
	case p.SOG != nil:
		slow = *p.SOG < PortStopKnots
	case r.last.MMSI != "":
		hours := p.Time.Sub(r.last.Time).Hours()
		slow = hours > 0 && geo.GreatCircle(r.last.Point(), p.Point())/(NauticalMile*1000)/hours < PortStopKnots
	}
	r.last = p
	tp := trackPoint{p.Point(), p.Time}
	if r.stop {
		if slow {
			r.lastSlow, r.after = tp, r.after[:0]
		} else {
			r.after = append(r.after, tp)
		}
		return
	}
	r.points = append(r.points, tp)
	switch {
	case !slow:
		r.slowSince = -1
	case r.slowSince < 0:
		r.slowSince = len(r.points) - 1
	case p.Time.Sub(r.points[r.slowSince].t) >= PortStopMinimum:
		r.stop = true
		r.arrive = r.points[:r.slowSince+1]
		r.lastSlow = tp
		r.points = nil
	}
}

// closeRun places the run's positions: a stop ends the voyage, a run
// that was not one is just part of the track.
func (d *deriver) closeRun() {
	r := d.run
	d.run = portRun{}
	if !r.stop {
		for _, tp := range r.points {
			d.point(tp)
		}
		return
	}
	for _, tp := range r.arrive {
		d.point(tp)
	}
	d.endVoyage(r.port)
	d.voyage.From = r.port
	d.point(r.lastSlow)
	for _, tp := range r.after {
		d.point(tp)
	}
}

// point adds a position to the track, first ending the track if a silence
// came before it.
func (d *deriver) point(tp trackPoint) {
	if n := len(d.track); n > 0 && tp.t.Sub(d.track[n-1].t) > GapMinimum {
		d.endTrack()
	}
	d.track = append(d.track, tp)
}

// endTrack finishes the track being drawn, if it has a line: two
// positions at least, not all in one place.
func (d *deriver) endTrack() {
	pts := d.track
	d.track = nil
	moved := false
	for _, tp := range pts[min(1, len(pts)):] {
		if tp.pt != pts[0].pt {
			moved = true
			break
		}
	}
	if !moved {
		return
	}
	ls := make(orb.LineString, len(pts))
	for i, tp := range pts {
		ls[i] = tp.pt
	}
	var ml orb.MultiLineString
	for _, part := range geo.SplitAntimeridian(ls) {
		if len(part) > 2 {
			part = thin.DouglasPeucker(trackTolerance).LineString(part)
		}
		ml = append(ml, part)
	}
	start, end := pts[0].t.UTC(), pts[len(pts)-1].t.UTC()
	d.voyage.Tracks = append(d.voyage.Tracks, Track{
		ID:       d.mmsi + "-" + idTime(start),
		MMSI:     d.mmsi,
		Vessel:   d.opt.Vessel,
		Start:    start,
		End:      end,
		Points:   len(pts),
		Geometry: ml,
		LengthKm: geo.Length(ml) / 1000,
	})
}

// endVoyage finishes the voyage, arriving at port (or "" at sea).
func (d *deriver) endVoyage(port string) {
	d.endTrack()
	if len(d.voyage.Tracks) > 0 {
		d.voyage.To = port
		d.voyages = append(d.voyages, d.voyage)
	}
	d.voyage = Voyage{}
}

// end places what is left when the positions run out. A vessel still in
// port has arrived but not left.
func (d *deriver) end() {
	if r := d.run; r.port != "" && r.stop {
		d.run = portRun{}
		for _, tp := range r.arrive {
			d.point(tp)
		}
		d.endVoyage(r.port)
		return
	}
	if d.run.port != "" {
		d.closeRun()
	}
	d.endVoyage("")
}

// gap records a silence between two positions.
func (d *deriver) gap(from, to Position) {
	g := Gap{
		ID:     d.mmsi + "-gap-" + idTime(from.Time.UTC()),
		MMSI:   d.mmsi,
		Vessel: d.opt.Vessel,
		Start:  from.Time.UTC(),
		End:    to.Time.UTC(),
		From:   from.Point(),
		To:     to.Point(),
	}
	if d.opt.Shore != nil {
		g.OffshoreNm = d.opt.Shore(g.From) / (NauticalMile * 1000)
		g.Dark = g.End.Sub(g.Start) >= DarkMinimum && g.OffshoreNm > DarkOffshoreNm
	}
	d.gaps = append(d.gaps, g)
}

// latBand is the height in degrees of the bands ports are filed in: a
// degree of latitude is at least 110 km, so a port within PortRadius of a
// point lies in the point's band or the next one up or down.
const latBand = PortRadius / 110_000.0

// nearPort is the id of the nearest port within PortRadius of pt, or "".
func (d *deriver) nearPort(pt orb.Point) string {
	if d.ports == nil {
		d.ports = map[int][]Place{}
		for _, pl := range d.opt.Ports {
			b := int(math.Floor(pl.Lat / latBand))
			d.ports[b] = append(d.ports[b], pl)
		}
	}
	best, bestD := "", math.Inf(1)
	b := int(math.Floor(pt[1] / latBand))
	for band := b - 1; band <= b+1; band++ {
		for _, pl := range d.ports[band] {
			if dist := geo.GreatCircle(pl.Point(), pt); dist <= PortRadius && (dist < bestD || dist == bestD && pl.ID < best) {
				best, bestD = pl.ID, dist
			}
		}
	}
	return best
}

// idTime writes a time for an id: 20230907t120000z, or with microseconds
// when it has them.
func idTime(t time.Time) string {
	if t.Nanosecond() != 0 {
		return t.Format("20060102t150405.000000z")
	}
	return t.Format("20060102t150405z")
}

// MatchLegs finds, for each leg, the voyage that observed it: the first
// voyage (by start) that begins within EndpointTolerance of the leg's
// origin during its departure window and ends within EndpointTolerance of
// its destination during its arrival window. Only sea legs match, and a
// voyage observes at most one leg: the legs with the narrowest windows
// choose first, as they say most precisely which voyage they mean. places
// resolves the legs' origins and destinations; legs whose places it lacks
// match nothing. The result maps leg ids to indexes into voyages.
func MatchLegs(voyages []Voyage, legs []Leg, places map[string]Place) map[string]int {
	order := make([]int, len(voyages))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return voyages[a].Start().Compare(voyages[b].Start()) })
	legs = slices.Clone(legs)
	slices.SortStableFunc(legs, func(a, b Leg) int {
		return cmp.Or(cmp.Compare(a.Depart.Duration()+a.Arrive.Duration(), b.Depart.Duration()+b.Arrive.Duration()),
			a.Start().Compare(b.Start()), cmp.Compare(a.ID, b.ID))
	})
	taken := make([]bool, len(voyages))
	out := map[string]int{}
	for _, l := range legs {
		origin, ok1 := places[l.Origin]
		dest, ok2 := places[l.Destination]
		if l.Mode != Sea || !ok1 || !ok2 {
			continue
		}
		for _, i := range order {
			v := voyages[i]
			if taken[i] || len(v.Tracks) == 0 || !within(l.Depart, v.Start()) || !within(l.Arrive, v.End()) {
				continue
			}
			// Only now join the line: most voyages fail on time alone.
			line := geo.Join(v.Geometry())
			if len(line) > 0 && geo.Distance(line[0], origin.Point()) <= EndpointTolerance &&
				geo.Distance(line[len(line)-1], dest.Point()) <= EndpointTolerance {
				taken[i] = true
				out[l.ID] = i
				break
			}
		}
	}
	return out
}

// within reports whether t lies in the window, ends included.
func within(w Window, t time.Time) bool { return !t.Before(w.Earliest) && !t.After(w.Latest) }
