package routes

import (
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes/cql2"
)

// The feature collections shiptrack serves through OGC API Features: each
// record type as flat features of one geometry type, with the properties a
// GIS reads as typed fields and the queryables a filter or an order may name.

// Type is the type of a feature property.
type Type string

// The property types, as JSON Schema names them (a time is a string of
// format date-time).
const (
	String   Type = "string"
	Number   Type = "number"
	Integer  Type = "integer"
	Boolean  Type = "boolean"
	DateTime Type = "date-time"
	Geometry Type = "geometry"
)

// Value is one property of one record. The zero Value is null.
type Value struct {
	Type Type
	Str  string
	Num  float64
	Bool bool
	Time time.Time
}

// IsNull reports whether v holds nothing.
func (v Value) IsNull() bool { return v.Type == "" }

// text is a string value; an empty one is null, as the stores keep it.
func text(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{Type: String, Str: s}
}

func num(f float64) Value       { return Value{Type: Number, Num: f} }
func integer(i int) Value       { return Value{Type: Integer, Num: float64(i)} }
func boolean(b bool) Value      { return Value{Type: Boolean, Bool: b} }
func instant(t time.Time) Value { return Value{Type: DateTime, Time: t} }

// optional writes a missing number as null.
func optional[N int | float64](p *N) Value {
	if p == nil {
		return Value{}
	}
	return Value{Type: Number, Num: float64(*p)}
}

// Field is one property of a collection's features.
type Field struct {
	Name        string
	Type        Type
	Description string
	// Enum lists the values a string may take, when they are fixed.
	Enum []string
	// Queryable fields may be named in a filter and in sortby.
	Queryable bool
}

// Collection describes one feature collection.
type Collection struct {
	Name        string
	Title       string
	Description string
	// GeometryType is the GeoJSON type of every feature's geometry.
	GeometryType string
	Fields       []Field
}

// Field returns the field of this name.
func (c *Collection) Field(name string) (Field, bool) {
	i := slices.IndexFunc(c.Fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return c.Fields[i], true
}

// Queryables lists the names a filter and sortby may use, geometry last.
func (c *Collection) Queryables() []Field {
	var out []Field
	for _, f := range c.Fields {
		if f.Queryable {
			out = append(out, f)
		}
	}
	return append(out, Field{Name: GeometryField, Type: Geometry, Queryable: true,
		Description: "the feature's " + c.GeometryType})
}

// GeometryField is the name filters use for a feature's geometry.
const GeometryField = "geometry"

// Schema is a Collection together with how its records of type T give
// their feature's id, geometry and property values.
type Schema[T any] struct {
	*Collection
	ID       func(T) string
	Geometry func(T) orb.Geometry
	// values[i] gives Fields[i].
	values []func(T) Value
}

// Value returns field i of x.
func (s *Schema[T]) Value(x T, i int) Value { return s.values[i](x) }

// getter returns the function that reads the named field, nil for none.
func (s *Schema[T]) getter(name string) func(T) Value {
	for i, f := range s.Fields {
		if f.Name == name {
			return s.values[i]
		}
	}
	return nil
}

// schemaField is a field with the function that reads it.
type schemaField[T any] struct {
	Field
	get func(T) Value
}

func newSchema[T any](c *Collection, id func(T) string, geom func(T) orb.Geometry, fields ...schemaField[T]) *Schema[T] {
	s := &Schema[T]{Collection: c, ID: id, Geometry: geom}
	for _, f := range fields {
		c.Fields = append(c.Fields, f.Field)
		s.values = append(s.values, f.get)
	}
	return s
}

// q is a queryable field, f one that is only shown.
func q[T any](name string, t Type, desc string, get func(T) Value, enum ...string) schemaField[T] {
	return schemaField[T]{Field{Name: name, Type: t, Description: desc, Enum: enum, Queryable: true}, get}
}

func f[T any](name string, t Type, desc string, get func(T) Value) schemaField[T] {
	return schemaField[T]{Field{Name: name, Type: t, Description: desc}, get}
}

func names[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// joined writes a list as one text field, so that GIS clients, which want
// flat attributes, can show and filter it.
func joined(xs []string) Value { return text(strings.Join(xs, ", ")) }

// claimIDs and claimTexts flatten a record's claims, building each text
// once: they are written for every feature of a page.
func claimIDs(cs []Claim) Value {
	if len(cs) == 1 {
		return text(cs[0].Source)
	}
	var sb strings.Builder
	for i, c := range cs {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c.Source)
	}
	return text(sb.String())
}

func claimTexts(cs []Claim) Value {
	n := 0
	for _, c := range cs {
		n += len(c.Source) + len(c.Claim) + 3
	}
	var sb strings.Builder
	sb.Grow(n)
	for i, c := range cs {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(c.Source)
		sb.WriteString(": ")
		sb.WriteString(c.Claim)
	}
	return text(sb.String())
}

// ShipmentLine is every part of every leg's line of a shipment whose legs
// are loaded.
func ShipmentLine(s Shipment) orb.MultiLineString {
	var ml orb.MultiLineString
	for _, l := range s.Legs {
		ml = append(ml, l.Geometry...)
	}
	return ml
}

// LegIDs lists the legs' ids, in their order.
func LegIDs(ls []Leg) []string {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	return ids
}

// GapLine is a gap drawn from where the vessel fell silent to where it was
// heard again.
func GapLine(g Gap) orb.LineString { return orb.LineString{g.From, g.To} }

const (
	startDesc = "start of the active period (RFC 3339, UTC), for temporal clients"
	endDesc   = "end of the active period (RFC 3339, UTC), for temporal clients"
)

// The collections and how each record type fills its features.
var (
	PlaceSchema = newSchema(&Collection{Name: "places", Title: "Places",
		Description:  "Ports, rail stations, rail terminals, depots and border crossings",
		GeometryType: "Point"},
		func(p Place) string { return p.ID }, func(p Place) orb.Geometry { return p.Point() },
		q("name", String, "name", func(p Place) Value { return text(p.Name) }),
		q("kind", String, "what the place is", func(p Place) Value { return text(string(p.Kind)) }, names(PlaceKinds)...),
		q("country", String, "ISO 3166-1 alpha-2 country code", func(p Place) Value { return text(p.Country) }),
		q("unlocode", String, "UN/LOCODE", func(p Place) Value { return text(p.UNLOCODE) }),
		f("aliases", String, "other names, comma-separated", func(p Place) Value { return joined(p.Aliases) }),
		q("note", String, "note", func(p Place) Value { return text(p.Note) }),
	)
	ShipmentSchema = newSchema(&Collection{Name: "shipments", Title: "Shipments",
		Description:  "Reported movements of cargo, each with every leg's line",
		GeometryType: "MultiLineString"},
		func(s Shipment) string { return s.ID }, func(s Shipment) orb.Geometry { return ShipmentLine(s) },
		q("title", String, "title", func(s Shipment) Value { return text(s.Title) }),
		q("summary", String, "summary", func(s Shipment) Value { return text(s.Summary) }),
		q("cargo_description", String, "what was carried", func(s Shipment) Value { return text(s.Cargo.Description) }),
		q("cargo_quantity", Number, "how much was carried; null when not reported", func(s Shipment) Value {
			if s.Cargo.Quantity == 0 {
				return Value{}
			}
			return num(s.Cargo.Quantity)
		}),
		q("cargo_unit", String, "unit of cargo_quantity", func(s Shipment) Value { return text(s.Cargo.Unit) }),
		q("cargo_qualifier", String, "bound on the quantity, such as \"more than\"", func(s Shipment) Value { return text(s.Cargo.Qualifier) }),
		q("status", String, "how far the reporting is established", func(s Shipment) Value { return text(string(s.Status)) }, names(Statuses)...),
		q("confidence", String, "analyst's confidence", func(s Shipment) Value { return text(string(s.Confidence)) }, names(Confidences)...),
		q("start", DateTime, startDesc, func(s Shipment) Value { return instant(s.Start) }),
		q("end", DateTime, endDesc, func(s Shipment) Value { return instant(s.End) }),
		q("length_km", Number, "geodesic length of all legs, km", func(s Shipment) Value { return num(s.LengthKm) }),
		f("length_nm", Number, "geodesic length of all legs, nautical miles", func(s Shipment) Value { return num(s.LengthKm / NauticalMile) }),
		f("legs", String, "the legs' ids in order, comma-separated", func(s Shipment) Value { return joined(LegIDs(s.Legs)) }),
		f("sources", String, "ids of the sources cited, comma-separated", func(s Shipment) Value { return claimIDs(s.Sources) }),
		f("claims", String, "what each source says, one per line", func(s Shipment) Value { return claimTexts(s.Sources) }),
	)
	LegSchema = newSchema(&Collection{Name: "legs", Title: "Legs",
		Description:  "Stages of shipments, one mode each",
		GeometryType: "MultiLineString"},
		func(l Leg) string { return l.ID }, func(l Leg) orb.Geometry { return l.Geometry },
		q("shipment", String, "the shipment's id", func(l Leg) Value { return text(l.Shipment) }),
		q("seq", Integer, "order within the shipment, from 1", func(l Leg) Value { return integer(l.Seq) }),
		q("mode", String, "how the leg moves", func(l Leg) Value { return text(string(l.Mode)) }, names(Modes)...),
		q("origin", String, "id of the place it starts from", func(l Leg) Value { return text(l.Origin) }),
		q("destination", String, "id of the place it ends at", func(l Leg) Value { return text(l.Destination) }),
		f("via", String, "ids of places a schematic line passes, comma-separated", func(l Leg) Value { return joined(l.Via) }),
		q("vessel", String, "id of the vessel, for sea legs", func(l Leg) Value { return text(l.Vessel) }),
		q("carrier", String, "operator, when no vessel is known", func(l Leg) Value { return text(l.Carrier) }),
		q("depart_earliest", DateTime, "earliest reported departure", func(l Leg) Value { return instant(l.Depart.Earliest) }),
		q("depart_latest", DateTime, "latest reported departure", func(l Leg) Value { return instant(l.Depart.Latest) }),
		q("arrive_earliest", DateTime, "earliest reported arrival", func(l Leg) Value { return instant(l.Arrive.Earliest) }),
		q("arrive_latest", DateTime, "latest reported arrival", func(l Leg) Value { return instant(l.Arrive.Latest) }),
		q("start", DateTime, startDesc, func(l Leg) Value { return instant(l.Start()) }),
		q("end", DateTime, endDesc, func(l Leg) Value { return instant(l.End()) }),
		q("geometry_kind", String, "where the line came from", func(l Leg) Value { return text(string(l.GeometryKind)) }, names(GeometryKinds)...),
		q("length_km", Number, "geodesic length, km", func(l Leg) Value { return num(l.LengthKm) }),
		f("length_nm", Number, "geodesic length, nautical miles", func(l Leg) Value { return num(l.LengthNm()) }),
		q("confidence", String, "analyst's confidence", func(l Leg) Value { return text(string(l.Confidence)) }, names(Confidences)...),
		q("note", String, "note", func(l Leg) Value { return text(l.Note) }),
		f("sources", String, "ids of the sources cited, comma-separated", func(l Leg) Value { return claimIDs(l.Sources) }),
		f("claims", String, "what each source says, one per line", func(l Leg) Value { return claimTexts(l.Sources) }),
	)
	PositionSchema = newSchema(&Collection{Name: "positions", Title: "AIS positions",
		Description:  "AIS position reports",
		GeometryType: "Point"},
		PositionID, func(p Position) orb.Geometry { return p.Point() },
		q("mmsi", String, "the vessel's MMSI", func(p Position) Value { return text(p.MMSI) }),
		q("time", DateTime, "time of the report", func(p Position) Value { return instant(p.Time) }),
		q("start", DateTime, "time of the report, for temporal clients", func(p Position) Value { return instant(p.Time) }),
		q("end", DateTime, "time of the report, for temporal clients", func(p Position) Value { return instant(p.Time) }),
		q("sog", Number, "speed over ground, knots", func(p Position) Value { return optional(p.SOG) }),
		q("cog", Number, "course over ground, degrees", func(p Position) Value { return optional(p.COG) }),
		q("heading", Integer, "true heading, degrees", func(p Position) Value { return intOrNull(p.Heading) }),
		q("nav_status", Integer, "AIS navigational status, 0–15", func(p Position) Value { return intOrNull(p.NavStatus) }),
	)
	TrackSchema = newSchema(&Collection{Name: "tracks", Title: "Tracks",
		Description:  "Voyage lines derived from AIS positions",
		GeometryType: "MultiLineString"},
		func(t Track) string { return t.ID }, func(t Track) orb.Geometry { return t.Geometry },
		q("mmsi", String, "the vessel's MMSI", func(t Track) Value { return text(t.MMSI) }),
		q("vessel", String, "id of the vessel, when known", func(t Track) Value { return text(t.Vessel) }),
		q("start", DateTime, startDesc, func(t Track) Value { return instant(t.Start) }),
		q("end", DateTime, endDesc, func(t Track) Value { return instant(t.End) }),
		q("points", Integer, "number of positions", func(t Track) Value { return integer(t.Points) }),
		q("length_km", Number, "geodesic length, km", func(t Track) Value { return num(t.LengthKm) }),
		q("leg", String, "id of the reported leg it was matched to", func(t Track) Value { return text(t.Leg) }),
	)
	GapSchema = newSchema(&Collection{Name: "gaps", Title: "AIS gaps",
		Description:  "Silences in a vessel's AIS, drawn from the last position before to the first after",
		GeometryType: "LineString"},
		func(g Gap) string { return g.ID }, func(g Gap) orb.Geometry { return GapLine(g) },
		q("mmsi", String, "the vessel's MMSI", func(g Gap) Value { return text(g.MMSI) }),
		q("vessel", String, "id of the vessel, when known", func(g Gap) Value { return text(g.Vessel) }),
		q("start", DateTime, "when the silence began", func(g Gap) Value { return instant(g.Start) }),
		q("end", DateTime, "when the silence ended", func(g Gap) Value { return instant(g.End) }),
		q("dark", Boolean, "long and far enough from shore to count as switching off", func(g Gap) Value { return boolean(g.Dark) }),
		q("offshore_nm", Number, "distance from shore where it began, nautical miles", func(g Gap) Value { return num(g.OffshoreNm) }),
	)
	ObservationSchema = newSchema(&Collection{Name: "observations", Title: "Observations",
		Description:  "Dated sightings that are not AIS",
		GeometryType: "Point"},
		func(o Observation) string { return o.ID }, func(o Observation) orb.Geometry { return o.Point() },
		q("kind", String, "how it was made", func(o Observation) Value { return text(string(o.Kind)) },
			names(ObservationKinds)...),
		q("subject", String, "id of the vessel, place or shipment seen", func(o Observation) Value { return text(o.Subject) }),
		q("source", String, "id of the source", func(o Observation) Value { return text(o.Source) }),
		q("time_earliest", DateTime, "earliest time it may have been made", func(o Observation) Value { return instant(o.Time.Earliest) }),
		q("time_latest", DateTime, "latest time it may have been made", func(o Observation) Value { return instant(o.Time.Latest) }),
		q("start", DateTime, startDesc, func(o Observation) Value { return instant(o.Time.Earliest) }),
		q("end", DateTime, endDesc, func(o Observation) Value { return instant(o.Time.Latest) }),
		q("note", String, "note", func(o Observation) Value { return text(o.Note) }),
	)

	// Collections are every collection, in the order they are listed.
	Collections = []*Collection{PlaceSchema.Collection, LegSchema.Collection, ShipmentSchema.Collection,
		PositionSchema.Collection, TrackSchema.Collection, GapSchema.Collection, ObservationSchema.Collection}
)

func intOrNull(p *int) Value {
	if p == nil {
		return Value{}
	}
	return integer(*p)
}

// PositionID is a position's feature id, mmsi@time: unique, because
// positions are deduplicated on the pair.
func PositionID(p Position) string { return p.MMSI + "@" + FormatTime(p.Time) }

// CollectionByName returns the collection of this name.
func CollectionByName(name string) (*Collection, bool) {
	i := slices.IndexFunc(Collections, func(c *Collection) bool { return c.Name == name })
	if i < 0 {
		return nil, false
	}
	return Collections[i], true
}

// SortKey orders items by one queryable field. Nulls come last in
// ascending order and first in descending order, as in PostgreSQL.
type SortKey struct {
	Field      string
	Descending bool
}

// FeatureQuery selects the items of one collection: Query's During, BBox,
// Limit and Offset as for the Store's lists, a filter on the collection's
// queryables, and an order that comes before the list's own.
type FeatureQuery struct {
	Query
	// Filter is a CQL2 expression that Collection.CheckFilter has returned;
	// nil keeps every item.
	Filter cql2.Expr
	SortBy []SortKey
	// Transient says the caller is done with each item before it asks for
	// the next, as a writer of pages is, so that a store may reuse the
	// memory of one item's geometry for the next. The rest of an item is
	// always the caller's to keep.
	Transient bool
}

// Extent is how far a collection's items reach in space and time. Empty
// is true for a collection without items.
type Extent struct {
	Empty      bool
	Bound      orb.Bound
	Start, End time.Time
}

// FeatureStore serves feature collections: the items of each, filtered,
// ordered and streamed as they are read, so that memory does not grow with
// the number of items. Every Store shiptrack has implements it, with
// answers identical to one another.
type FeatureStore interface {
	PlaceItems(ctx context.Context, q FeatureQuery) iter.Seq2[Place, error]
	// ShipmentItems yields shipments with their legs in order.
	ShipmentItems(ctx context.Context, q FeatureQuery) iter.Seq2[Shipment, error]
	LegItems(ctx context.Context, q FeatureQuery) iter.Seq2[Leg, error]
	PositionItems(ctx context.Context, q FeatureQuery) iter.Seq2[Position, error]
	TrackItems(ctx context.Context, q FeatureQuery) iter.Seq2[Track, error]
	GapItems(ctx context.Context, q FeatureQuery) iter.Seq2[Gap, error]
	ObservationItems(ctx context.Context, q FeatureQuery) iter.Seq2[Observation, error]
	// CountItems counts the items of the named collection matching q,
	// ignoring Limit and Offset.
	CountItems(ctx context.Context, collection string, q FeatureQuery) (int, error)
	// Extent measures the named collection.
	Extent(ctx context.Context, collection string) (Extent, error)
}
