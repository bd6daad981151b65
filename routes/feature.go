package routes

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb/geojson"
)

// Refs resolves the ids a feature refers to, so that features can carry the
// names, links and claims a reader wants without a second request. Any map may
// be nil; ids that do not resolve are written bare.
type Refs struct {
	Places  map[string]Place
	Vessels map[string]Vessel
	Sources map[string]Source
}

// round3 keeps lengths to the metre: more digits are noise to a reader.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// PlaceFeature is a place as a GeoJSON Point feature.
func PlaceFeature(p Place) *geojson.Feature {
	f := geojson.NewFeature(p.Point())
	f.ID = p.ID
	f.Properties = geojson.Properties{
		"name":     p.Name,
		"kind":     p.Kind,
		"country":  p.Country,
		"unlocode": nullable(p.UNLOCODE),
		"aliases":  nonNil(p.Aliases),
		"note":     nullable(p.Note),
	}
	return f
}

// VesselFeature is a vessel as a GeoJSON feature without geometry.
func VesselFeature(v Vessel) *geojson.Feature {
	f := &geojson.Feature{Type: "Feature", ID: v.ID}
	f.Properties = geojson.Properties{
		"name":         v.Name,
		"imo":          nullable(v.IMO),
		"mmsi":         nullable(v.MMSI),
		"flag":         nullable(v.Flag),
		"type":         nullable(v.Type),
		"owner":        nullable(v.Owner),
		"former_names": nonNil(v.FormerNames),
		"confidence":   nullable(string(v.Confidence)),
		"note":         nullable(v.Note),
	}
	return f
}

// claims writes each claim with its source's details when refs know them.
func claims(cs []Claim, refs *Refs) []map[string]any {
	out := make([]map[string]any, 0, len(cs))
	for _, c := range cs {
		m := map[string]any{"source": c.Source, "claim": c.Claim}
		if refs != nil {
			if s, ok := refs.Sources[c.Source]; ok {
				m["publisher"] = s.Publisher
				m["title"] = s.Title
				m["url"] = nullable(s.URL)
				m["published"] = s.Published
				m["kind"] = s.Kind
			}
		}
		out = append(out, m)
	}
	return out
}

// ShipmentFeature is a shipment as a GeoJSON feature whose geometry is every
// part of every leg's line, when the shipment's legs are loaded, and null
// otherwise.
func ShipmentFeature(s Shipment, refs *Refs) *geojson.Feature {
	f := &geojson.Feature{Type: "Feature", ID: s.ID}
	if len(s.Legs) > 0 {
		f.Geometry = ShipmentLine(s)
	}
	f.Properties = geojson.Properties{
		"title":      s.Title,
		"summary":    nullable(s.Summary),
		"cargo":      cargo(s.Cargo),
		"status":     s.Status,
		"confidence": s.Confidence,
		"start":      FormatTime(s.Start),
		"end":        FormatTime(s.End),
		"length_km":  round3(s.LengthKm),
		"length_nm":  round3(s.LengthKm / NauticalMile),
		"sources":    claims(s.Sources, refs),
	}
	if !s.Start.IsZero() { // a stored shipment has legs, so an extent
		f.BBox = geojson.NewBBox(s.Bound)
	}
	if len(s.Legs) > 0 {
		f.Properties["legs"] = LegIDs(s.Legs)
	}
	return f
}

func cargo(c Cargo) map[string]any {
	m := map[string]any{"description": c.Description, "quantity": nil, "unit": nullable(c.Unit), "qualifier": nullable(c.Qualifier)}
	if c.Quantity != 0 {
		m["quantity"] = c.Quantity
	}
	return m
}

// LegFeature is a leg as a GeoJSON LineString feature (MultiLineString when
// the antimeridian splits it). Besides the depart and arrive windows it
// carries start and end, the active period, so temporal clients need no
// configuration.
func LegFeature(l Leg, refs *Refs) *geojson.Feature {
	f := geojson.NewFeature(LineGeometry(l.Geometry))
	f.ID = l.ID
	f.BBox = geojson.NewBBox(l.Geometry.Bound())
	f.Properties = geojson.Properties{
		"shipment":      l.Shipment,
		"seq":           l.Seq,
		"mode":          l.Mode,
		"origin":        l.Origin,
		"destination":   l.Destination,
		"via":           nonNil(l.Via),
		"vessel":        nullable(l.Vessel),
		"carrier":       nullable(l.Carrier),
		"depart":        l.Depart,
		"arrive":        l.Arrive,
		"start":         FormatTime(l.Start()),
		"end":           FormatTime(l.End()),
		"geometry_kind": l.GeometryKind,
		"length_km":     round3(l.LengthKm),
		"length_nm":     round3(l.LengthNm()),
		"confidence":    nullable(string(l.Confidence)),
		"sources":       claims(l.Sources, refs),
		"note":          nullable(l.Note),
	}
	if refs != nil {
		if p, ok := refs.Places[l.Origin]; ok {
			f.Properties["origin_name"] = p.Name
		}
		if p, ok := refs.Places[l.Destination]; ok {
			f.Properties["destination_name"] = p.Name
		}
		if v, ok := refs.Vessels[l.Vessel]; ok {
			f.Properties["vessel_name"] = v.Name
		}
	}
	return f
}

// nullable writes an empty string as JSON null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nonNil writes a nil slice as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// LoadRefs reads every place, vessel and source from a store into Refs. The
// reference tables are small; reading them whole is cheaper than a lookup
// per feature.
func LoadRefs(ctx context.Context, s Store) (*Refs, error) {
	places, err := s.Places(ctx, Query{})
	if err != nil {
		return nil, fmt.Errorf("load places: %w", err)
	}
	vessels, err := s.Vessels(ctx, Query{})
	if err != nil {
		return nil, fmt.Errorf("load vessels: %w", err)
	}
	sources, err := s.Sources(ctx, Query{})
	if err != nil {
		return nil, fmt.Errorf("load sources: %w", err)
	}
	r := &Refs{Places: map[string]Place{}, Vessels: map[string]Vessel{}, Sources: map[string]Source{}}
	for _, p := range places.Items {
		r.Places[p.ID] = p
	}
	for _, v := range vessels.Items {
		r.Vessels[v.ID] = v
	}
	for _, src := range sources.Items {
		r.Sources[src.ID] = src
	}
	return r, nil
}

// PositionFeature is an AIS position as a GeoJSON Point feature. Its id is
// mmsi@time, unique because positions are deduplicated on the pair.
func PositionFeature(p Position) *geojson.Feature {
	f := geojson.NewFeature(p.Point())
	t := FormatTime(p.Time)
	f.ID = p.MMSI + "@" + t
	f.Properties = geojson.Properties{
		"mmsi":       p.MMSI,
		"time":       t,
		"start":      t,
		"end":        t,
		"sog":        p.SOG,
		"cog":        p.COG,
		"heading":    p.Heading,
		"nav_status": p.NavStatus,
	}
	return f
}
