package routes

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// legJSON is a Leg as written in a shipment document: its line, if any, is a
// GeoJSON geometry under "geometry".
type legJSON struct {
	plainLeg
	Geometry *geojson.Geometry `json:"geometry,omitempty"`
}

type plainLeg Leg

// MarshalJSON writes the leg with its line as a GeoJSON geometry.
func (l Leg) MarshalJSON() ([]byte, error) {
	v := legJSON{plainLeg: plainLeg(l)}
	if len(l.Geometry) > 0 {
		v.Geometry = geojson.NewGeometry(LineGeometry(l.Geometry))
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads a leg whose "geometry", if present, is a GeoJSON
// LineString or MultiLineString.
func (l *Leg) UnmarshalJSON(b []byte) error {
	var v legJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*l = Leg(v.plainLeg)
	l.Geometry = nil
	if v.Geometry == nil {
		return nil
	}
	switch g := v.Geometry.Geometry().(type) {
	case orb.LineString:
		l.Geometry = orb.MultiLineString{g}
	case orb.MultiLineString:
		l.Geometry = g
	default:
		return fmt.Errorf("geometry: want a LineString or MultiLineString with coordinates, got %q", v.Geometry.Type)
	}
	return nil
}

// LineGeometry is how a leg's line is written in GeoJSON: a LineString when
// it has one part, a MultiLineString when the antimeridian splits it.
func LineGeometry(ml orb.MultiLineString) orb.Geometry {
	if len(ml) == 1 {
		return ml[0]
	}
	return ml
}
