// Package export writes what is in a store as files a GIS user opens: a
// GeoPackage with every layer, a QGIS project styled and with its temporal
// controller set up, and one layer at a time as GeoJSON or CSV. Everything
// is streamed from the store: positions, which may run to millions, are
// never held in memory.
//
// The layers with geometry are the collections the server's OGC API
// Features serves (routes.Collections), with the same fields, so that a
// download and the live layers read alike and one QGIS style fits both;
// each has an id field as well, since a file has no other place for a
// feature's id. Every temporal layer has start and end fields, the active
// period, so that QGIS's temporal controller needs only to be pointed at
// them. Beside them are the tables the API serves in other ways: vessels,
// sources, and what each source claims about each shipment and leg.
package export

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
)

// Row is one feature or record of a layer: a value per field, in order, and
// the geometry of a feature. Values are nil, string, int64, float64, bool or
// time.Time. A Row is valid only until the next row is read.
type Row struct {
	Values   []any
	Geometry orb.Geometry
}

// Layer is one table of the export.
type Layer struct {
	Name        string
	Description string
	// Geometry is the GeoPackage geometry type of every feature (POINT,
	// LINESTRING, MULTILINESTRING), or empty for a table without geometry.
	Geometry string
	Fields   []gpkg.Column
	// Temporal says that the layer's features have an active period, in
	// the fields start and end.
	Temporal bool
	rows     func(ctx context.Context, st routes.Store) iter.Seq2[Row, error]
	// id makes a row's feature id, for the layers whose ids are not a
	// field of their own.
	id func(Row) string
}

// FeatureID is a row's feature id, as the API gives it; "" for a table
// whose rows have none.
func (l Layer) FeatureID(r Row) string {
	switch {
	case l.id != nil:
		return l.id(r)
	case l.Geometry != "" && len(l.Fields) > 0 && l.Fields[0].Name == "id":
		return r.Values[0].(string)
	}
	return ""
}

// Table is the layer as a GeoPackage table.
func (l Layer) Table() gpkg.Table {
	t := gpkg.Table{Name: l.Name, Description: l.Description, Columns: l.Fields}
	if l.Geometry != "" {
		t.Geometry = &gpkg.GeometryColumn{Name: "geom", Type: l.Geometry}
	}
	return t
}

// Rows reads the layer from a store.
func (l Layer) Rows(ctx context.Context, st routes.Store) iter.Seq2[Row, error] {
	return l.rows(ctx, st)
}

// Field types, as GeoPackage names them. Whole numbers are MEDIUMINT, a
// 32-bit integer, which GDAL and QGIS read as Integer: an INTEGER column
// would read as Integer64, for counts and sequence numbers that never need
// it.
const (
	text     = "TEXT"
	integer  = "MEDIUMINT"
	real     = "REAL"
	boolean  = "BOOLEAN"
	date     = "DATE"
	dateTime = "DATETIME"
)

// columnTypes are the GeoPackage types of the API's property types.
var columnTypes = map[routes.Type]string{
	routes.String: text, routes.Number: real, routes.Integer: integer, routes.Boolean: boolean, routes.DateTime: dateTime,
}

// geometryTypes are the GeoPackage geometry types of the GeoJSON ones.
var geometryTypes = map[string]string{"Point": "POINT", "LineString": "LINESTRING", "MultiLineString": "MULTILINESTRING"}

// collection makes the layer of an OGC API collection: its fields, after
// an id unless the feature ids are made from the fields (positions), and
// its rows from records.
func collection[T any](s *routes.Schema[T], idField bool, records func(ctx context.Context, st routes.Store) iter.Seq2[T, error]) Layer {
	l := Layer{Name: s.Name, Description: s.Description, Geometry: geometryTypes[s.GeometryType]}
	if idField {
		l.Fields = append(l.Fields, gpkg.Column{Name: "id", Type: text, NotNull: true})
	}
	for _, fd := range s.Fields {
		l.Fields = append(l.Fields, gpkg.Column{Name: fd.Name, Type: columnTypes[fd.Type]})
	}
	l.Temporal = slices.ContainsFunc(s.Fields, func(f routes.Field) bool { return f.Name == "start" }) &&
		slices.ContainsFunc(s.Fields, func(f routes.Field) bool { return f.Name == "end" })
	l.rows = func(ctx context.Context, st routes.Store) iter.Seq2[Row, error] {
		return func(yield func(Row, error) bool) {
			v := make([]any, 0, len(l.Fields))
			var last time.Time
			var lastBoxed any
			for x, err := range records(ctx, st) {
				if err != nil {
					yield(Row{}, err)
					return
				}
				v = v[:0]
				if idField {
					v = append(v, s.ID(x))
				}
				for i := range s.Fields {
					val := s.Value(x, i)
					// A record often has one time in several fields: box
					// it once.
					if val.Type == routes.DateTime && val.Time.Equal(last) && lastBoxed != nil {
						v = append(v, lastBoxed)
						continue
					}
					boxed := value(val)
					if val.Type == routes.DateTime {
						last, lastBoxed = val.Time, boxed
					}
					v = append(v, boxed)
				}
				if !yield(Row{Values: v, Geometry: s.Geometry(x)}, nil) {
					return
				}
			}
		}
	}
	return l
}

// value is a property's value as a Row holds it.
func value(v routes.Value) any {
	switch v.Type {
	case routes.String:
		return v.Str
	case routes.Number:
		return v.Num
	case routes.Integer:
		return int64(v.Num)
	case routes.Boolean:
		return v.Bool
	case routes.DateTime:
		return v.Time
	}
	return nil
}

// Layers are every layer and table of an export, features first, in the
// order a map draws them from the top.
var Layers = []Layer{
	collection(routes.PlaceSchema, true, func(ctx context.Context, st routes.Store) iter.Seq2[routes.Place, error] {
		return list(ctx, "places", st.Places)
	}),
	collection(routes.ObservationSchema, true, func(ctx context.Context, st routes.Store) iter.Seq2[routes.Observation, error] {
		return list(ctx, "observations", st.Observations)
	}),
	positions(collection(routes.PositionSchema, false, func(ctx context.Context, st routes.Store) iter.Seq2[routes.Position, error] {
		return wrapErrors("positions", st.Positions(ctx, routes.Query{}))
	})),
	collection(routes.GapSchema, true, func(ctx context.Context, st routes.Store) iter.Seq2[routes.Gap, error] {
		return list(ctx, "gaps", st.Gaps)
	}),
	collection(routes.TrackSchema, true, func(ctx context.Context, st routes.Store) iter.Seq2[routes.Track, error] {
		return list(ctx, "tracks", st.Tracks)
	}),
	collection(routes.LegSchema, true, func(ctx context.Context, st routes.Store) iter.Seq2[routes.Leg, error] {
		return list(ctx, "legs", st.Legs)
	}),
	collection(routes.ShipmentSchema, true, shipmentsWithLegs),
	{
		Name: "vessels", Description: "Ships",
		Fields: []gpkg.Column{req("id", text), req("name", text), f("imo", text), f("mmsi", text), f("flag", text),
			f("type", text), f("owner", text), f("former_names", text), f("confidence", text), f("note", text)},
		rows: func(ctx context.Context, st routes.Store) iter.Seq2[Row, error] {
			return table(list(ctx, "vessels", st.Vessels), func(x routes.Vessel, v []any, row func([]any) bool) bool {
				return row(append(v, x.ID, x.Name, null(x.IMO), null(x.MMSI), null(x.Flag), null(x.Type),
					null(x.Owner), null(strings.Join(x.FormerNames, ", ")), null(string(x.Confidence)), null(x.Note)))
			})
		},
	},
	{
		Name: "sources", Description: "Documents that reported shipments",
		Fields: []gpkg.Column{req("id", text), req("publisher", text), req("title", text), f("url", text),
			req("published", date), req("kind", text)},
		rows: func(ctx context.Context, st routes.Store) iter.Seq2[Row, error] {
			return table(list(ctx, "sources", st.Sources), func(x routes.Source, v []any, row func([]any) bool) bool {
				return row(append(v, x.ID, x.Publisher, x.Title, null(x.URL), x.Published, string(x.Kind)))
			})
		},
	},
	{
		Name: "shipment_claims", Description: "What each source says about a shipment",
		Fields: claimColumns("shipment"),
		rows: func(ctx context.Context, st routes.Store) iter.Seq2[Row, error] {
			return claims(list(ctx, "shipments", st.Shipments), func(x routes.Shipment) (string, []routes.Claim) {
				return x.ID, x.Sources
			})
		},
	},
	{
		Name: "leg_claims", Description: "What each source says about a leg",
		Fields: claimColumns("leg"),
		rows: func(ctx context.Context, st routes.Store) iter.Seq2[Row, error] {
			return claims(list(ctx, "legs", st.Legs), func(x routes.Leg) (string, []routes.Claim) { return x.ID, x.Sources })
		},
	},
}

// positions gives the positions layer the API's feature ids, mmsi@time
// (routes.PositionID), made only when asked for: a file has no use for a
// million of them, the fid is the feature's id there.
func positions(l Layer) Layer {
	mmsi, at := fieldIndex(l, "mmsi"), fieldIndex(l, "time")
	l.id = func(r Row) string {
		return routes.PositionID(routes.Position{MMSI: r.Values[mmsi].(string), Time: r.Values[at].(time.Time)})
	}
	return l
}

func f(name, typ string) gpkg.Column   { return gpkg.Column{Name: name, Type: typ} }
func req(name, typ string) gpkg.Column { return gpkg.Column{Name: name, Type: typ, NotNull: true} }

func claimColumns(owner string) []gpkg.Column {
	return []gpkg.Column{req(owner, text), req("seq", integer), req("source", text), req("claim", text)}
}

// LayerNamed returns the layer with the given name.
func LayerNamed(name string) (Layer, bool) {
	i := slices.IndexFunc(Layers, func(l Layer) bool { return l.Name == name })
	if i < 0 {
		return Layer{}, false
	}
	return Layers[i], true
}

// LayerNames lists the layers' names.
func LayerNames() []string {
	names := make([]string, len(Layers))
	for i, l := range Layers {
		names[i] = l.Name
	}
	return names
}

// list yields the items of one of the store's lists, read whole: the
// store's small tables.
func list[T any](ctx context.Context, what string, read func(context.Context, routes.Query) (routes.Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		page, err := read(ctx, routes.Query{})
		if err != nil {
			var zero T
			yield(zero, fmt.Errorf("read %s: %w", what, err))
			return
		}
		for _, it := range page.Items {
			if !yield(it, nil) {
				return
			}
		}
	}
}

// wrapErrors says what was being read when a stream fails.
func wrapErrors[T any](what string, seq iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for x, err := range seq {
			if err != nil {
				err = fmt.Errorf("read %s: %w", what, err)
			}
			if !yield(x, err) || err != nil {
				return
			}
		}
	}
}

// shipmentsWithLegs yields the shipments, each with its legs in order, as
// its line and its list of legs need them.
func shipmentsWithLegs(ctx context.Context, st routes.Store) iter.Seq2[routes.Shipment, error] {
	return func(yield func(routes.Shipment, error) bool) {
		legs, err := st.Legs(ctx, routes.Query{})
		if err != nil {
			yield(routes.Shipment{}, fmt.Errorf("read legs: %w", err))
			return
		}
		byShipment := map[string][]routes.Leg{}
		for _, l := range legs.Items {
			byShipment[l.Shipment] = append(byShipment[l.Shipment], l)
		}
		for sh, err := range list(ctx, "shipments", st.Shipments) {
			if err == nil {
				sh.Legs = byShipment[sh.ID]
				slices.SortStableFunc(sh.Legs, func(a, b routes.Leg) int { return a.Seq - b.Seq })
			}
			if !yield(sh, err) || err != nil {
				return
			}
		}
	}
}

// table makes the rows of a table without geometry: rowsOf hands each
// record's rows, made in v, to row, and stops when row says so.
func table[T any](records iter.Seq2[T, error], rowsOf func(x T, v []any, row func([]any) bool) bool) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		var v []any
		for x, err := range records {
			if err != nil {
				yield(Row{}, err)
				return
			}
			more := rowsOf(x, v[:0], func(r []any) bool {
				v = r
				return yield(Row{Values: r}, nil)
			})
			if !more {
				return
			}
		}
	}
}

// claims yields the claims of each owner, numbered from 1 in order.
func claims[T any](records iter.Seq2[T, error], owner func(T) (string, []routes.Claim)) iter.Seq2[Row, error] {
	return table(records, func(x T, v []any, row func([]any) bool) bool {
		id, cs := owner(x)
		for i, c := range cs {
			if !row(append(v[:0], id, int64(i+1), c.Source, c.Claim)) {
				return false
			}
		}
		return true
	})
}

// null is s, or nil when it is empty, as the API writes an empty text.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
