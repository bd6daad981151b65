// Package export writes what is in a store as files a GIS user opens: a
// GeoPackage with every layer, a QGIS project styled and with its temporal
// controller set up, and one layer at a time as GeoJSON or CSV. Everything
// is streamed from the store: positions, which may run to millions, are
// never held in memory.
//
// Every format carries the same layers with the same columns, flat, as a GIS
// reads them best: a window is two columns (depart_earliest and
// depart_latest), a list is a JSON array in a text column, claims are rows
// of their own tables. Every temporal layer has start and end columns, the
// active period, so that QGIS's temporal controller needs only to be pointed
// at them.
package export

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
)

// Row is one feature or record of a layer: a value per field, in order, and
// the geometry of a feature. Values are nil, string, int64, float64, bool or
// time.Time. A Row's Values are valid only until the next row is read.
type Row struct {
	// ID is the feature id; empty for tables whose rows have none, and for
	// positions, whose id Layer.FeatureID makes only when it is asked for.
	ID       string
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
	rows     func(ctx context.Context, s *source) iter.Seq2[Row, error]
	// id makes a row's feature id when it is not in Row.ID.
	id func(Row) string
}

// FeatureID is a row's feature id, or "" when its rows have none.
func (l Layer) FeatureID(r Row) string {
	if l.id != nil {
		return l.id(r)
	}
	return r.ID
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
	return l.rows(ctx, &source{store: st})
}

// Field types, as GeoPackage names them. Small whole numbers are
// MEDIUMINT, a 32-bit integer, which GDAL and QGIS read as Integer; an
// INTEGER column would be a 64-bit Integer64.
const (
	text     = "TEXT"
	integer  = "MEDIUMINT"
	real     = "REAL"
	boolean  = "BOOLEAN"
	date     = "DATE"
	dateTime = "DATETIME"
)

func f(name, typ string) gpkg.Column { return gpkg.Column{Name: name, Type: typ} }
func req(name, typ string) gpkg.Column {
	return gpkg.Column{Name: name, Type: typ, NotNull: true}
}

// period is the pair of fields every temporal layer has.
var period = []gpkg.Column{req("start", dateTime), req("end", dateTime)}

// Layers are every layer and table of an export, features first, in the
// order a map draws them from the top.
var Layers = []Layer{
	{
		Name: "places", Description: "Ports, rail stations, rail terminals, depots and border crossings",
		Geometry: "POINT",
		Fields: []gpkg.Column{req("id", text), req("name", text), req("kind", text), req("country", text),
			f("unlocode", text), f("aliases", text), f("note", text)},
		rows: placeRows,
	},
	{
		Name: "observations", Description: "Dated sightings that are not AIS: satellite images, photos, port calls",
		Geometry: "POINT", Temporal: true,
		Fields: slices.Concat([]gpkg.Column{req("id", text), req("time_earliest", dateTime), req("time_latest", dateTime)},
			period, []gpkg.Column{req("kind", text), req("subject", text), req("source", text), f("note", text)}),
		rows: observationRows,
	},
	{
		Name: "positions", Description: "AIS position reports",
		Geometry: "POINT", Temporal: true,
		Fields: slices.Concat([]gpkg.Column{req("mmsi", text), req("time", dateTime)}, period,
			[]gpkg.Column{f("sog", real), f("cog", real), f("heading", integer), f("nav_status", integer)}),
		rows: positionRows, id: positionID,
	},
	{
		Name: "gaps", Description: "Silences in a vessel's AIS, from the last position before to the first after",
		Geometry: "LINESTRING", Temporal: true,
		Fields: slices.Concat([]gpkg.Column{req("id", text), req("mmsi", text), f("vessel", text), f("vessel_name", text)},
			period, []gpkg.Column{req("dark", boolean), req("offshore_nm", real)}),
		rows: gapRows,
	},
	{
		Name: "tracks", Description: "Voyage lines derived from AIS positions",
		Geometry: "MULTILINESTRING", Temporal: true,
		Fields: slices.Concat([]gpkg.Column{req("id", text), req("mmsi", text), f("vessel", text), f("vessel_name", text)},
			period, []gpkg.Column{req("points", integer), req("length_km", real), req("length_nm", real), f("leg", text)}),
		rows: trackRows,
	},
	{
		Name: "legs", Description: "Stages of shipments, one mode each, with where each line came from",
		Geometry: "MULTILINESTRING", Temporal: true,
		Fields: slices.Concat([]gpkg.Column{req("id", text), req("shipment", text), req("seq", integer), req("mode", text),
			req("origin", text), f("origin_name", text), req("destination", text), f("destination_name", text),
			f("via", text), f("vessel", text), f("vessel_name", text), f("carrier", text),
			req("depart_earliest", dateTime), req("depart_latest", dateTime),
			req("arrive_earliest", dateTime), req("arrive_latest", dateTime)},
			period, []gpkg.Column{req("geometry_kind", text), req("length_km", real), req("length_nm", real),
				f("confidence", text), f("note", text)}),
		rows: legRows,
	},
	{
		Name: "shipments", Description: "Reported movements of cargo, with every leg's line",
		Geometry: "MULTILINESTRING", Temporal: true,
		Fields: slices.Concat([]gpkg.Column{req("id", text), req("title", text), f("summary", text),
			req("cargo_description", text), f("cargo_quantity", real), f("cargo_unit", text), f("cargo_qualifier", text),
			req("status", text), req("confidence", text)},
			period, []gpkg.Column{req("legs", integer), req("length_km", real), req("length_nm", real)}),
		rows: shipmentRows,
	},
	{
		Name: "vessels", Description: "Ships",
		Fields: []gpkg.Column{req("id", text), req("name", text), f("imo", text), f("mmsi", text), f("flag", text),
			f("type", text), f("owner", text), f("former_names", text), f("confidence", text), f("note", text)},
		rows: vesselRows,
	},
	{
		Name: "sources", Description: "Documents that reported shipments",
		Fields: []gpkg.Column{req("id", text), req("publisher", text), req("title", text), f("url", text),
			req("published", date), req("kind", text)},
		rows: sourceRows,
	},
	{
		Name: "shipment_claims", Description: "What each source says about a shipment",
		Fields: []gpkg.Column{req("shipment", text), req("seq", integer), req("source", text), req("claim", text)},
		rows:   shipmentClaimRows,
	},
	{
		Name: "leg_claims", Description: "What each source says about a leg",
		Fields: []gpkg.Column{req("leg", text), req("seq", integer), req("source", text), req("claim", text)},
		rows:   legClaimRows,
	},
}

// LayerNamed returns the layer with the given name.
func LayerNamed(name string) (Layer, bool) {
	for _, l := range Layers {
		if l.Name == name {
			return l, true
		}
	}
	return Layer{}, false
}

// LayerNames lists the layers' names.
func LayerNames() []string {
	names := make([]string, len(Layers))
	for i, l := range Layers {
		names[i] = l.Name
	}
	return names
}

// source reads a store for the layers, loading the small tables that rows
// refer to once.
type source struct {
	store routes.Store
	refs  *routes.Refs
	legs  []routes.Leg
}

func (s *source) loadRefs(ctx context.Context) (*routes.Refs, error) {
	if s.refs == nil {
		r, err := routes.LoadRefs(ctx, s.store)
		if err != nil {
			return nil, err
		}
		s.refs = r
	}
	return s.refs, nil
}

// vesselByMMSI maps MMSIs to vessels, for tracks and gaps.
func (s *source) vesselByMMSI(ctx context.Context) (map[string]routes.Vessel, error) {
	refs, err := s.loadRefs(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]routes.Vessel{}
	for _, v := range refs.Vessels {
		if v.MMSI != "" {
			m[v.MMSI] = v
		}
	}
	return m, nil
}

// list yields the items of a page read whole: the store's small tables.
func list[T any](ctx context.Context, read func(context.Context, routes.Query) (routes.Page[T], error), what string,
	row func(T, []any) Row) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		page, err := read(ctx, routes.Query{})
		if err != nil {
			yield(Row{}, fmt.Errorf("read %s: %w", what, err))
			return
		}
		var vals []any
		for _, it := range page.Items {
			r := row(it, vals[:0])
			vals = r.Values
			if !yield(r, nil) {
				return
			}
		}
	}
}

// withRefs runs rows once the references are loaded.
func withRefs(ctx context.Context, s *source, rows func(*routes.Refs) iter.Seq2[Row, error]) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		refs, err := s.loadRefs(ctx)
		if err != nil {
			yield(Row{}, fmt.Errorf("read references: %w", err))
			return
		}
		for r, err := range rows(refs) {
			if !yield(r, err) {
				return
			}
		}
	}
}

// null is s, or nil when it is empty.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonList is a list as a JSON array, or nil when it is empty.
func jsonList(xs []string) any {
	if len(xs) == 0 {
		return nil
	}
	b, _ := json.Marshal(xs) // a []string always marshals
	return string(b)
}

// optFloat and optInt are a pointer's value, or nil.
func optFloat(x *float64) any {
	if x == nil {
		return nil
	}
	return *x
}

func optInt(x *int) any {
	if x == nil {
		return nil
	}
	return int64(*x)
}

// round3 keeps lengths to the metre, as the API writes them.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func placeRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return list(ctx, s.store.Places, "places", func(p routes.Place, v []any) Row {
		return Row{ID: p.ID, Geometry: p.Point(), Values: append(v, p.ID, p.Name, string(p.Kind), p.Country,
			null(p.UNLOCODE), jsonList(p.Aliases), null(p.Note))}
	})
}

func vesselRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return list(ctx, s.store.Vessels, "vessels", func(x routes.Vessel, v []any) Row {
		return Row{ID: x.ID, Values: append(v, x.ID, x.Name, null(x.IMO), null(x.MMSI), null(x.Flag), null(x.Type),
			null(x.Owner), jsonList(x.FormerNames), null(string(x.Confidence)), null(x.Note))}
	})
}

func sourceRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return list(ctx, s.store.Sources, "sources", func(x routes.Source, v []any) Row {
		return Row{ID: x.ID, Values: append(v, x.ID, x.Publisher, x.Title, null(x.URL), x.Published, string(x.Kind))}
	})
}

// allLegs reads every leg once, for the shipments' lines and the legs layer.
func (s *source) allLegs(ctx context.Context) ([]routes.Leg, error) {
	if s.legs == nil {
		page, err := s.store.Legs(ctx, routes.Query{})
		if err != nil {
			return nil, fmt.Errorf("read legs: %w", err)
		}
		s.legs = page.Items
	}
	return s.legs, nil
}

func legRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return withRefs(ctx, s, func(refs *routes.Refs) iter.Seq2[Row, error] {
		return list(ctx, s.store.Legs, "legs", func(l routes.Leg, v []any) Row {
			return Row{ID: l.ID, Geometry: l.Geometry, Values: append(v, l.ID, l.Shipment, int64(l.Seq), string(l.Mode),
				l.Origin, null(refs.Places[l.Origin].Name), l.Destination, null(refs.Places[l.Destination].Name),
				jsonList(l.Via), null(l.Vessel), null(refs.Vessels[l.Vessel].Name), null(l.Carrier),
				l.Depart.Earliest, l.Depart.Latest, l.Arrive.Earliest, l.Arrive.Latest, l.Start(), l.End(),
				string(l.GeometryKind), round3(l.LengthKm), round3(l.LengthNm()), null(string(l.Confidence)), null(l.Note))}
		})
	})
}

func shipmentRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		legs, err := s.allLegs(ctx)
		if err != nil {
			yield(Row{}, err)
			return
		}
		lines := map[string]orb.MultiLineString{}
		counts := map[string]int64{}
		// Legs come by start; a shipment's line runs in seq order.
		byShipment := slices.Clone(legs)
		slices.SortStableFunc(byShipment, func(a, b routes.Leg) int { return a.Seq - b.Seq })
		for _, l := range byShipment {
			lines[l.Shipment] = append(lines[l.Shipment], l.Geometry...)
			counts[l.Shipment]++
		}
		rows := list(ctx, s.store.Shipments, "shipments", func(x routes.Shipment, v []any) Row {
			line := lines[x.ID]
			if line == nil {
				line = orb.MultiLineString{}
			}
			var qty any
			if x.Cargo.Quantity != 0 {
				qty = x.Cargo.Quantity
			}
			return Row{ID: x.ID, Geometry: line, Values: append(v, x.ID, x.Title, null(x.Summary), x.Cargo.Description,
				qty, null(x.Cargo.Unit), null(x.Cargo.Qualifier), string(x.Status), string(x.Confidence),
				x.Start, x.End, counts[x.ID], round3(x.LengthKm), round3(x.LengthKm/routes.NauticalMile))}
		})
		for r, err := range rows {
			if !yield(r, err) {
				return
			}
		}
	}
}

// claimRows yields the claims of each owner, numbered from 1 in order.
func claimRows[T any](items []T, owner func(T) (string, []routes.Claim)) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		var v []any
		for _, it := range items {
			id, cs := owner(it)
			for i, c := range cs {
				v = append(v[:0], id, int64(i+1), c.Source, c.Claim)
				if !yield(Row{Values: v}, nil) {
					return
				}
			}
		}
	}
}

func shipmentClaimRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		page, err := s.store.Shipments(ctx, routes.Query{})
		if err != nil {
			yield(Row{}, fmt.Errorf("read shipments: %w", err))
			return
		}
		for r, err := range claimRows(page.Items, func(x routes.Shipment) (string, []routes.Claim) { return x.ID, x.Sources }) {
			if !yield(r, err) {
				return
			}
		}
	}
}

func legClaimRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		legs, err := s.allLegs(ctx)
		if err != nil {
			yield(Row{}, err)
			return
		}
		for r, err := range claimRows(legs, func(l routes.Leg) (string, []routes.Claim) { return l.ID, l.Sources }) {
			if !yield(r, err) {
				return
			}
		}
	}
}

// positionID is a position's feature id, as the API writes it: mmsi@time.
func positionID(r Row) string {
	return r.Values[0].(string) + "@" + routes.FormatTime(r.Values[1].(time.Time))
}

func positionRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		v := make([]any, 0, 8)
		for p, err := range s.store.Positions(ctx, routes.Query{}) {
			if err != nil {
				yield(Row{}, fmt.Errorf("read positions: %w", err))
				return
			}
			t := any(p.Time) // boxed once for the three columns it fills
			v = append(v[:0], p.MMSI, t, t, t, optFloat(p.SOG), optFloat(p.COG), optInt(p.Heading), optInt(p.NavStatus))
			if !yield(Row{Values: v, Geometry: p.Point()}, nil) {
				return
			}
		}
	}
}

func trackRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return withVessels(ctx, s, func(byMMSI map[string]routes.Vessel) iter.Seq2[Row, error] {
		return list(ctx, s.store.Tracks, "tracks", func(t routes.Track, v []any) Row {
			return Row{ID: t.ID, Geometry: t.Geometry, Values: append(v, t.ID, t.MMSI, null(t.Vessel),
				vesselName(s, byMMSI, t.Vessel, t.MMSI), t.Start, t.End, int64(t.Points), round3(t.LengthKm),
				round3(t.LengthKm/routes.NauticalMile), null(t.Leg))}
		})
	})
}

func gapRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return withVessels(ctx, s, func(byMMSI map[string]routes.Vessel) iter.Seq2[Row, error] {
		return list(ctx, s.store.Gaps, "gaps", func(g routes.Gap, v []any) Row {
			return Row{ID: g.ID, Geometry: orb.LineString{g.From, g.To}, Values: append(v, g.ID, g.MMSI, null(g.Vessel),
				vesselName(s, byMMSI, g.Vessel, g.MMSI), g.Start, g.End, g.Dark, g.OffshoreNm)}
		})
	})
}

func withVessels(ctx context.Context, s *source, rows func(map[string]routes.Vessel) iter.Seq2[Row, error]) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		m, err := s.vesselByMMSI(ctx)
		if err != nil {
			yield(Row{}, fmt.Errorf("read vessels: %w", err))
			return
		}
		for r, err := range rows(m) {
			if !yield(r, err) {
				return
			}
		}
	}
}

// vesselName names the vessel of a track or gap: the one it names, or else
// the one with its MMSI.
func vesselName(s *source, byMMSI map[string]routes.Vessel, id, mmsi string) any {
	if v, ok := s.refs.Vessels[id]; ok {
		return v.Name
	}
	return null(byMMSI[mmsi].Name)
}

func observationRows(ctx context.Context, s *source) iter.Seq2[Row, error] {
	return list(ctx, s.store.Observations, "observations", func(o routes.Observation, v []any) Row {
		return Row{ID: o.ID, Geometry: o.Point(), Values: append(v, o.ID, o.Time.Earliest, o.Time.Latest,
			o.Time.Earliest, o.Time.Latest, string(o.Kind), o.Subject, o.Source, null(o.Note))}
	})
}
