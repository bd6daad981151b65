package geo

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geos"
)

// geosContext is shared; go-geos serialises calls on a context.
var geosContext = geos.NewContext()

// CheckCoordinates reports the first coordinate that is not a finite
// longitude in [-180, 180] and latitude in [-90, 90].
func CheckCoordinates(g orb.Geometry) error {
	var err error
	each(g, func(i int, p orb.Point) bool {
		switch {
		case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
			err = fmt.Errorf("coordinate %d is not a finite number", i)
		case p[0] < -180 || p[0] > 180:
			err = fmt.Errorf("coordinate %d: longitude %v is outside [-180, 180]", i, p[0])
		case p[1] < -90 || p[1] > 90:
			err = fmt.Errorf("coordinate %d: latitude %v is outside [-90, 90]", i, p[1])
		}
		return err == nil
	})
	return err
}

// Validate checks that a geometry has valid coordinates and is valid by the
// OGC Simple Features rules as GEOS applies them (a polygon must not cross
// itself, a line needs two distinct points), and says why not.
func Validate(g orb.Geometry) error {
	if g == nil {
		return errors.New("geometry is missing")
	}
	if err := CheckCoordinates(g); err != nil {
		return err
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return fmt.Errorf("encode geometry: %w", err)
	}
	gg, err := geosContext.NewGeomFromWKB(b)
	if err != nil {
		return fmt.Errorf("read geometry: %w", err)
	}
	defer gg.Destroy()
	if !gg.IsValid() {
		return fmt.Errorf("invalid geometry: %s", gg.IsValidReason())
	}
	return nil
}

// each calls f with every point of g in order until f returns false.
func each(g orb.Geometry, f func(int, orb.Point) bool) {
	i := 0
	visit := func(ps []orb.Point) bool {
		for _, p := range ps {
			if !f(i, p) {
				return false
			}
			i++
		}
		return true
	}
	switch g := g.(type) {
	case orb.Point:
		visit([]orb.Point{g})
	case orb.MultiPoint:
		visit(g)
	case orb.LineString:
		visit(g)
	case orb.MultiLineString:
		for _, ls := range g {
			if !visit(ls) {
				return
			}
		}
	case orb.Ring:
		visit(g)
	case orb.Polygon:
		for _, r := range g {
			if !visit(r) {
				return
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				if !visit(r) {
					return
				}
			}
		}
	case orb.Collection:
		more := true
		for _, c := range g {
			each(c, func(_ int, p orb.Point) bool { more = f(i, p); i++; return more })
			if !more {
				return
			}
		}
	case orb.Bound:
		visit([]orb.Point{g.Min, g.Max})
	}
}
