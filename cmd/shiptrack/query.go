package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/routes"
)

const querySynopsis = `shipments|legs|positions|places|vessels [--during A/B] [--at T] [--via PLACE]
       [--vessel V] [--near PLACE|LON,LAT --within 20km] [--mode sea|rail|road|air]
       [--bbox W,S,E,N] [--shipment ID] [--limit N] [--offset N] [--format table|geojson|csv]`

// queryFlags are the filters shared by the query subjects.
type queryFlags struct {
	during, at, via, vessel, near, within, mode, bbox, shipment, kind, mmsi, format string
	limit, offset                                                                   int
}

func runQuery(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("query", querySynopsis)
	var sf storeFlags
	sf.register(fs)
	var f queryFlags
	fs.StringVar(&f.during, "during", "", "active during a date, time or interval A/B (.. for an open end)")
	fs.StringVar(&f.at, "at", "", "active at an instant or on a date")
	fs.StringVar(&f.via, "via", "", "legs starting or ending at this place id; shipments and vessels with such a leg")
	fs.StringVar(&f.vessel, "vessel", "", "sailed by this vessel id")
	fs.StringVar(&f.near, "near", "", "near this place id or LON,LAT (with --within)")
	fs.StringVar(&f.within, "within", "", "distance for --near, such as 20km, 5nm or 800m")
	fs.StringVar(&f.mode, "mode", "", "legs of this mode (sea, rail, road, air)")
	fs.StringVar(&f.bbox, "bbox", "", "intersecting the box W,S,E,N in degrees")
	fs.StringVar(&f.shipment, "shipment", "", "legs of this shipment id")
	fs.StringVar(&f.kind, "kind", "", "places of this kind")
	fs.StringVar(&f.mmsi, "mmsi", "", "positions of this MMSI")
	fs.IntVar(&f.limit, "limit", 0, "at most this many (0: all)")
	fs.IntVar(&f.offset, "offset", 0, "skip this many")
	fs.StringVar(&f.format, "format", "table", "table, geojson or csv")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"query takes one subject: shipments, legs, positions, places or vessels"}
	}
	subject := fs.Arg(0)
	out, ok := outputs[subject]
	if !ok {
		return usageError{fmt.Sprintf("unknown subject %q: want shipments, legs, positions, places or vessels", subject)}
	}
	if f.format != "table" && f.format != "geojson" && f.format != "csv" {
		return usageError{fmt.Sprintf("--format %q: want table, geojson or csv", f.format)}
	}
	st, err := sf.open(ctx, e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := f.query(ctx, st)
	if err != nil {
		return err
	}
	return out(ctx, st, q, f.format, e.stdout)
}

// query turns the flags into a routes.Query, checking every value and that
// every id names something.
func (f *queryFlags) query(ctx context.Context, st routes.Store) (routes.Query, error) {
	q := routes.Query{Limit: f.limit, Offset: f.offset, MMSI: f.mmsi}
	if f.limit < 0 || f.offset < 0 {
		return q, usageError{"--limit and --offset must not be negative"}
	}
	if f.during != "" && f.at != "" {
		return q, usageError{"give --during or --at, not both"}
	}
	for _, t := range []struct{ flag, value string }{{"during", f.during}, {"at", f.at}} {
		if t.value == "" {
			continue
		}
		iv, err := routes.ParseInterval(t.value)
		if err != nil {
			return q, usageError{fmt.Sprintf("--%s: %v", t.flag, err)}
		}
		if t.flag == "at" && strings.Contains(t.value, "/") {
			return q, usageError{"--at takes one instant or date; use --during for an interval"}
		}
		q.During = iv
	}
	if f.bbox != "" {
		b, err := routes.ParseBBox(f.bbox)
		if err != nil {
			return q, usageError{fmt.Sprintf("--bbox: %v", err)}
		}
		q.BBox = &b
	}
	if f.mode != "" {
		q.Mode = routes.Mode(f.mode)
		if !slices.Contains(routes.Modes, q.Mode) {
			return q, usageError{fmt.Sprintf("--mode %q: want one of %v", f.mode, routes.Modes)}
		}
	}
	if f.kind != "" {
		q.Kind = routes.PlaceKind(f.kind)
		if !slices.Contains(routes.PlaceKinds, q.Kind) {
			return q, usageError{fmt.Sprintf("--kind %q: want one of %v", f.kind, routes.PlaceKinds)}
		}
	}
	if err := exists(ctx, "via", "place", f.via, st.Place); err != nil {
		return q, err
	}
	q.Via = f.via
	if err := exists(ctx, "vessel", "vessel", f.vessel, st.Vessel); err != nil {
		return q, err
	}
	q.Vessel = f.vessel
	if err := exists(ctx, "shipment", "shipment", f.shipment, st.Shipment); err != nil {
		return q, err
	}
	q.Shipment = f.shipment
	switch {
	case f.near != "" && f.within == "":
		return q, usageError{"--near needs --within, such as --within 20km"}
	case f.near == "" && f.within != "":
		return q, usageError{"--within needs --near PLACE or --near LON,LAT"}
	case f.near != "":
		p, err := resolvePoint(ctx, st, "near", f.near)
		if err != nil {
			return q, err
		}
		m, err := routes.ParseDistance(f.within)
		if err != nil {
			return q, usageError{fmt.Sprintf("--within: %v", err)}
		}
		q.Near = &routes.Near{Point: p, Meters: m}
	}
	return q, nil
}

// exists checks that id, when given, names a record.
func exists[T any](ctx context.Context, flag, noun, id string, get func(context.Context, string) (T, error)) error {
	if id == "" {
		return nil
	}
	_, err := get(ctx, id)
	if errors.Is(err, routes.ErrNotFound) {
		return usageError{fmt.Sprintf("--%s: unknown %s %q", flag, noun, id)}
	}
	if err != nil {
		return fmt.Errorf("--%s %s: %w", flag, id, err)
	}
	return nil
}

// resolvePoint reads a place id or "LON,LAT".
func resolvePoint(ctx context.Context, st routes.Store, flag, s string) (orb.Point, error) {
	if pt, isPair, err := routes.ParseLonLat(s); isPair {
		if err != nil {
			return orb.Point{}, usageError{fmt.Sprintf("--%s: %v", flag, err)}
		}
		return pt, nil
	}
	p, err := st.Place(ctx, s)
	if errors.Is(err, routes.ErrNotFound) {
		return orb.Point{}, usageError{fmt.Sprintf("--%s: unknown place %q", flag, s)}
	}
	if err != nil {
		return orb.Point{}, fmt.Errorf("--%s %s: %w", flag, s, err)
	}
	return p.Point(), nil
}

// output writes the answer to a query in a format.
type output func(ctx context.Context, st routes.Store, q routes.Query, format string, w io.Writer) error

var outputs = map[string]output{
	"shipments": outputShipments,
	"legs":      outputLegs,
	"positions": outputPositions,
	"places":    outputPlaces,
	"vessels":   outputVessels,
}

// table is one answer laid out three ways: rows for CSV, features for
// GeoJSON, and for a person either the CSV rows without their WKT or, when
// set, columns of their own.
type table struct {
	header   []string
	rows     [][]string
	features []*geojson.Feature
	matched  int
	// human is the layout for a person, when the CSV's is too wide to read.
	human *grid
}

// grid is rows under a header.
type grid struct {
	header []string
	rows   [][]string
}

func (t *table) write(format string, w io.Writer) error {
	switch format {
	case "geojson":
		fc := geojson.NewFeatureCollection()
		fc.Features = t.features
		fc.ExtraMembers = geojson.Properties{"numberMatched": t.matched, "numberReturned": len(t.features)}
		enc := json.NewEncoder(w)
		return enc.Encode(fc)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(t.header)
		cw.WriteAll(t.rows)
		return cw.Error()
	}
	g := t.human
	if g == nil { // the CSV's columns without the WKT
		g = &grid{header: t.header[:len(t.header)-1]}
		for _, r := range t.rows {
			g.rows = append(g.rows, r[:len(r)-1])
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(g.header, "\t")))
	for _, r := range g.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(t.rows) < t.matched {
		fmt.Fprintf(w, "(%d of %d; use --limit and --offset for more)\n", len(t.rows), t.matched)
	}
	return nil
}

func km(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

func outputShipments(ctx context.Context, st routes.Store, q routes.Query, format string, w io.Writer) error {
	q.Shipment = ""
	page, err := st.Shipments(ctx, q)
	if err != nil {
		return fmt.Errorf("query shipments: %w", err)
	}
	refs, err := routes.LoadRefs(ctx, st)
	if err != nil {
		return err
	}
	t := &table{header: []string{"id", "title", "status", "confidence", "start", "end", "km", "nm", "cargo", "wkt"}, matched: page.Matched,
		human: &grid{header: []string{"id", "active", "route", "km", "status/confidence", "title"}}}
	for _, s := range page.Items {
		full, err := st.Shipment(ctx, s.ID) // with legs, for the geometry
		if err != nil {
			return fmt.Errorf("read shipment %s: %w", s.ID, err)
		}
		f := routes.ShipmentFeature(full, refs)
		t.features = append(t.features, f)
		t.rows = append(t.rows, []string{s.ID, s.Title, string(s.Status), string(s.Confidence),
			routes.FormatTime(s.Start), routes.FormatTime(s.End), km(s.LengthKm), km(s.LengthKm / routes.NauticalMile),
			cargoText(s.Cargo), wkt.MarshalString(f.Geometry)})
		t.human.rows = append(t.human.rows, []string{s.ID, routes.Window{Earliest: s.Start, Latest: s.End}.String(),
			legStops(full.Legs), km(s.LengthKm), string(s.Status) + "/" + string(s.Confidence), clip(s.Title, 40)})
	}
	return t.write(format, w)
}

// legStops writes a route as a person scans it, each stop and the mode
// between: "najin –sea→ dunay –rail→ tikhoretsk".
func legStops(legs []routes.Leg) string {
	var b strings.Builder
	for i, l := range legs {
		if i == 0 || l.Origin != legs[i-1].Destination {
			if i > 0 {
				b.WriteString(" … ")
			}
			b.WriteString(l.Origin)
		}
		fmt.Fprintf(&b, " –%s→ %s", l.Mode, l.Destination)
	}
	return b.String()
}

// clip shortens s to n characters, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func cargoText(c routes.Cargo) string {
	var parts []string
	if c.Qualifier != "" {
		parts = append(parts, c.Qualifier)
	}
	if c.Quantity != 0 {
		parts = append(parts, strconv.FormatFloat(c.Quantity, 'f', -1, 64))
	}
	if c.Unit != "" {
		parts = append(parts, c.Unit)
	}
	if len(parts) == 0 {
		return c.Description
	}
	return strings.Join(parts, " ") + " (" + c.Description + ")"
}

func outputLegs(ctx context.Context, st routes.Store, q routes.Query, format string, w io.Writer) error {
	page, err := st.Legs(ctx, q)
	if err != nil {
		return fmt.Errorf("query legs: %w", err)
	}
	refs, err := routes.LoadRefs(ctx, st)
	if err != nil {
		return err
	}
	t := &table{header: []string{"id", "shipment", "seq", "mode", "origin", "destination", "vessel",
		"depart", "arrive", "km", "nm", "geometry", "wkt"}, matched: page.Matched}
	for _, l := range page.Items {
		t.features = append(t.features, routes.LegFeature(l, refs))
		t.rows = append(t.rows, []string{l.ID, l.Shipment, strconv.Itoa(l.Seq), string(l.Mode), l.Origin, l.Destination,
			l.Vessel, l.Depart.String(), l.Arrive.String(), km(l.LengthKm), km(l.LengthNm()), string(l.GeometryKind),
			wkt.MarshalString(routes.LineGeometry(l.Geometry))})
	}
	return t.write(format, w)
}

func outputPlaces(ctx context.Context, st routes.Store, q routes.Query, format string, w io.Writer) error {
	page, err := st.Places(ctx, q)
	if err != nil {
		return fmt.Errorf("query places: %w", err)
	}
	t := &table{header: []string{"id", "name", "kind", "country", "unlocode", "lon", "lat", "wkt"}, matched: page.Matched}
	for _, p := range page.Items {
		t.features = append(t.features, routes.PlaceFeature(p))
		t.rows = append(t.rows, []string{p.ID, p.Name, string(p.Kind), p.Country, p.UNLOCODE,
			strconv.FormatFloat(p.Lon, 'f', -1, 64), strconv.FormatFloat(p.Lat, 'f', -1, 64), wkt.MarshalString(p.Point())})
	}
	return t.write(format, w)
}

func outputVessels(ctx context.Context, st routes.Store, q routes.Query, format string, w io.Writer) error {
	if q.Near != nil {
		return outputApproaches(ctx, st, q, format, w)
	}
	page, err := st.Vessels(ctx, q)
	if err != nil {
		return fmt.Errorf("query vessels: %w", err)
	}
	t := &table{header: []string{"id", "name", "imo", "mmsi", "flag", "owner", "confidence", "wkt"}, matched: page.Matched}
	for _, v := range page.Items {
		t.features = append(t.features, routes.VesselFeature(v))
		t.rows = append(t.rows, []string{v.ID, v.Name, v.IMO, v.MMSI, v.Flag, v.Owner, string(v.Confidence), ""})
	}
	return t.write(format, w)
}

// outputPositions streams: there may be millions, so nothing is held.
func outputPositions(ctx context.Context, st routes.Store, q routes.Query, format string, w io.Writer) error {
	header := []string{"mmsi", "time", "lon", "lat", "sog", "cog", "heading", "nav_status"}
	var (
		cw    *csv.Writer
		tw    *tabwriter.Writer
		first = true
		n     int
	)
	switch format {
	case "csv":
		cw = csv.NewWriter(w)
		cw.Write(header)
	case "geojson":
		io.WriteString(w, `{"type":"FeatureCollection","features":[`)
	default:
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(header, "\t")))
	}
	for p, err := range st.Positions(ctx, q) {
		if err != nil {
			return fmt.Errorf("query positions: %w", err)
		}
		n++
		switch format {
		case "geojson":
			b, err := json.Marshal(routes.PositionFeature(p))
			if err != nil {
				return err
			}
			if !first {
				io.WriteString(w, ",")
			}
			first = false
			w.Write(b)
		default:
			row := []string{p.MMSI, routes.FormatTime(p.Time), strconv.FormatFloat(p.Lon, 'f', -1, 64),
				strconv.FormatFloat(p.Lat, 'f', -1, 64), optFloat(p.SOG), optFloat(p.COG), optInt(p.Heading), optInt(p.NavStatus)}
			if cw != nil {
				cw.Write(row)
			} else {
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			}
		}
	}
	switch {
	case cw != nil:
		cw.Flush()
		return cw.Error()
	case tw != nil:
		return tw.Flush()
	}
	_, err := fmt.Fprintf(w, `],"numberReturned":%d}`+"\n", n)
	return err
}

func optFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func optInt(i *int) string {
	if i == nil {
		return ""
	}
	return strconv.Itoa(*i)
}
