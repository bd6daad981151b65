package routes

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Query selects items from a Store. The zero Query selects everything. Each
// list applies the fields that make sense for what it holds and ignores the
// rest; see the field comments. Where a list matches through legs (shipments,
// vessels, and places by During, Vessel, Mode or Shipment), one and the same
// leg must meet every leg condition.
type Query struct {
	// During keeps items whose active period intersects it (both closed):
	// legs by [depart.earliest, arrive.latest], shipments by the span of their
	// legs, vessels by the legs they sail, places by the legs that start or
	// end there, positions by time, tracks and gaps by [start, end],
	// observations by their time window.
	During Interval
	// BBox keeps items whose geometry intersects it, touching included: a
	// place's, position's or observation's point, a leg's or track's line, a
	// gap's segment from where the silence began to where it ended, and
	// shipments and vessels with such a leg.
	BBox *BBox
	// Near keeps positions, places and observations within a geodesic
	// distance of a point.
	Near *Near
	// Via keeps legs that start or end at this place id (not places a leg
	// only passes), and shipments and vessels with such a leg.
	Via string
	// Vessel keeps legs sailed by this vessel id, shipments with such a leg,
	// the places such a leg starts or ends at, and positions, tracks and gaps
	// of the vessel's MMSI.
	Vessel string
	// MMSI keeps positions, tracks and gaps of this MMSI.
	MMSI string
	// Mode keeps legs of this mode, shipments and vessels with such a leg,
	// and the places such a leg starts or ends at.
	Mode Mode
	// Shipment keeps legs of this shipment id and the places they start or
	// end at.
	Shipment string
	// Kind keeps places of this kind.
	Kind PlaceKind
	// Limit is the most items returned; zero means no limit.
	Limit int
	// Offset skips this many matching items.
	Offset int
}

// BBox is a bounding box in degrees: [west, south, east, north]. West greater
// than east is a box that crosses the antimeridian, as RFC 7946 allows.
type BBox struct {
	West, South, East, North float64
}

// ParseBBox reads "W,S,E,N".
func ParseBBox(s string) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BBox{}, fmt.Errorf("want four numbers west,south,east,north; got %d", len(parts))
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return BBox{}, fmt.Errorf("%q is not a number", p)
		}
		v[i] = f
	}
	b := BBox{West: v[0], South: v[1], East: v[2], North: v[3]}
	return b, b.Validate()
}

// Validate checks ranges and order.
func (b BBox) Validate() error {
	switch {
	case b.West < -180 || b.West > 180 || b.East < -180 || b.East > 180:
		return errors.New("longitudes must lie in [-180, 180]")
	case b.South < -90 || b.South > 90 || b.North < -90 || b.North > 90:
		return errors.New("latitudes must lie in [-90, 90]")
	case b.South > b.North:
		return errors.New("south is above north")
	}
	return nil
}

// Bounds returns the box as one or, when it crosses the antimeridian, two
// planar rectangles.
func (b BBox) Bounds() []orb.Bound {
	if b.West <= b.East {
		return []orb.Bound{{Min: orb.Point{b.West, b.South}, Max: orb.Point{b.East, b.North}}}
	}
	return []orb.Bound{
		{Min: orb.Point{b.West, b.South}, Max: orb.Point{180, b.North}},
		{Min: orb.Point{-180, b.South}, Max: orb.Point{b.East, b.North}},
	}
}

// String writes "W,S,E,N".
func (b BBox) String() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	return f(b.West) + "," + f(b.South) + "," + f(b.East) + "," + f(b.North)
}

// Near is a circle on the ellipsoid: everything within Meters of Point,
// measured geodesically.
type Near struct {
	Point  orb.Point
	Meters float64
}

// ParseDistance reads a distance such as "20km", "5nm", "800m" or "12.5 km"
// and returns it in metres. A bare number is metres.
func ParseDistance(in string) (float64, error) {
	s := strings.TrimSpace(strings.ToLower(in))
	units := []struct {
		suffix string
		meters float64
	}{{"km", 1000}, {"nm", NauticalMile * 1000}, {"m", 1}}
	scale := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, scale = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.meters
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a distance such as 20km, 5nm or 800m", in)
	}
	if f < 0 {
		return 0, fmt.Errorf("distance %q is negative", in)
	}
	if math.IsInf(f*scale, 0) {
		return 0, fmt.Errorf("distance %q is too large", in)
	}
	return f * scale, nil
}
