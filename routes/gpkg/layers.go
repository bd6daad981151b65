package gpkg

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// The store's tables. Each is written and read column by column in the order
// given here: the row and scan functions beside each table follow it. Times
// are DATETIME and every temporal layer has "start" and "end" columns (a
// single "time" for positions) so that QGIS's temporal controller needs only
// to be pointed at them.

func col(name, typ string) Column      { return Column{Name: name, Type: typ} }
func required(name, typ string) Column { return Column{Name: name, Type: typ, NotNull: true} }
func idColumn() Column                 { return Column{Name: "id", Type: "TEXT", NotNull: true, Unique: true} }

func geom(typ string) *GeometryColumn { return &GeometryColumn{Name: "geom", Type: typ} }

var (
	placesTable = Table{
		Name:        "places",
		Description: "Ports, rail stations, rail terminals, depots and border crossings",
		Geometry:    geom("POINT"),
		Columns: []Column{idColumn(), required("name", "TEXT"), required("kind", "TEXT"),
			required("country", "TEXT"), col("unlocode", "TEXT"), col("aliases", "TEXT"), col("note", "TEXT")},
	}
	vesselsTable = Table{
		Name:        "vessels",
		Description: "Ships",
		Columns: []Column{idColumn(), required("name", "TEXT"), col("imo", "TEXT"), col("mmsi", "TEXT"),
			col("flag", "TEXT"), col("type", "TEXT"), col("owner", "TEXT"), col("former_names", "TEXT"),
			col("confidence", "TEXT"), col("note", "TEXT")},
	}
	sourcesTable = Table{
		Name:        "sources",
		Description: "Documents that reported shipments",
		Columns: []Column{idColumn(), required("publisher", "TEXT"), required("title", "TEXT"), col("url", "TEXT"),
			required("published", "DATE"), required("kind", "TEXT")},
	}
	shipmentsTable = Table{
		Name:        "shipments",
		Description: "Reported movements of cargo, with every leg's line",
		Geometry:    geom("MULTILINESTRING"),
		Columns: []Column{idColumn(), required("title", "TEXT"), col("summary", "TEXT"),
			required("cargo_description", "TEXT"), col("cargo_quantity", "REAL"), col("cargo_unit", "TEXT"),
			col("cargo_qualifier", "TEXT"), required("status", "TEXT"), required("confidence", "TEXT"),
			required("start", "DATETIME"), required("end", "DATETIME"), required("length_km", "REAL")},
	}
	shipmentClaimsTable = Table{
		Name:        "shipment_claims",
		Description: "What each source says about a shipment",
		Columns: []Column{required("shipment", "TEXT"), required("seq", "INTEGER"),
			required("source", "TEXT"), required("claim", "TEXT")},
		Unique: [][]string{{"shipment", "seq"}},
	}
	legsTable = Table{
		Name:        "legs",
		Description: "Stages of shipments, one mode each",
		Geometry:    geom("MULTILINESTRING"),
		Columns: []Column{idColumn(), required("shipment", "TEXT"), required("seq", "INTEGER"),
			required("mode", "TEXT"), required("origin", "TEXT"), required("destination", "TEXT"),
			col("via", "TEXT"), col("vessel", "TEXT"), col("carrier", "TEXT"),
			required("depart_earliest", "DATETIME"), required("depart_latest", "DATETIME"),
			required("arrive_earliest", "DATETIME"), required("arrive_latest", "DATETIME"),
			required("start", "DATETIME"), required("end", "DATETIME"),
			required("geometry_kind", "TEXT"), required("length_km", "REAL"),
			col("confidence", "TEXT"), col("note", "TEXT")},
	}
	legClaimsTable = Table{
		Name:        "leg_claims",
		Description: "What each source says about a leg",
		Columns: []Column{required("leg", "TEXT"), required("seq", "INTEGER"),
			required("source", "TEXT"), required("claim", "TEXT")},
		Unique: [][]string{{"leg", "seq"}},
	}
	positionsTable = Table{
		Name:        "positions",
		Description: "AIS position reports",
		Geometry:    geom("POINT"),
		Columns: []Column{required("mmsi", "TEXT"), required("time", "DATETIME"), col("sog", "REAL"),
			col("cog", "REAL"), col("heading", "INTEGER"), col("nav_status", "INTEGER")},
		Unique: [][]string{{"mmsi", "time"}},
	}
	tracksTable = Table{
		Name:        "tracks",
		Description: "Voyage lines derived from AIS positions",
		Geometry:    geom("MULTILINESTRING"),
		Columns: []Column{idColumn(), required("mmsi", "TEXT"), col("vessel", "TEXT"),
			required("start", "DATETIME"), required("end", "DATETIME"), required("points", "INTEGER"),
			required("length_km", "REAL"), col("leg", "TEXT")},
	}
	gapsTable = Table{
		Name:        "gaps",
		Description: "Silences in a vessel's AIS, from the last position before to the first after",
		Geometry:    geom("LINESTRING"),
		Columns: []Column{idColumn(), required("mmsi", "TEXT"), col("vessel", "TEXT"),
			required("start", "DATETIME"), required("end", "DATETIME"), required("dark", "BOOLEAN"),
			required("offshore_nm", "REAL")},
	}
	observationsTable = Table{
		Name:        "observations",
		Description: "Dated sightings that are not AIS",
		Geometry:    geom("POINT"),
		Columns: []Column{idColumn(), required("start", "DATETIME"), required("end", "DATETIME"),
			required("kind", "TEXT"), required("subject", "TEXT"), required("source", "TEXT"), col("note", "TEXT")},
	}

	// tables are all of them, in the order they are created.
	tables = []Table{placesTable, vesselsTable, sourcesTable, shipmentsTable, shipmentClaimsTable,
		legsTable, legClaimsTable, positionsTable, tracksTable, gapsTable, observationsTable}

	// indexes serve the lookups and orders the store asks for; the UNIQUE
	// constraints above index id, (mmsi, time) and the claims already.
	indexes = []string{
		`CREATE INDEX legs_shipment ON legs (shipment)`,
		`CREATE INDEX positions_time ON positions (time, mmsi)`,
		`CREATE INDEX tracks_start ON tracks (start, id)`,
		`CREATE INDEX tracks_mmsi ON tracks (mmsi)`,
		`CREATE INDEX gaps_start ON gaps (start, id)`,
		`CREATE INDEX gaps_mmsi ON gaps (mmsi)`,
		`CREATE INDEX observations_start ON observations (start, id)`,
	}
)

// columnList is the table's columns, quoted and comma-separated, with the
// geometry last.
func (t Table) columnList() string {
	names := make([]string, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		names = append(names, quoteIdent(c.Name))
	}
	if t.Geometry != nil {
		names = append(names, quoteIdent(t.Geometry.Name))
	}
	return strings.Join(names, ", ")
}

func (t Table) width() int {
	if t.Geometry != nil {
		return len(t.Columns) + 1
	}
	return len(t.Columns)
}

// selectSQL reads every column of the table.
func (t Table) selectSQL() string {
	return "SELECT " + t.columnList() + " FROM " + quoteIdent(t.Name)
}

// insertSQL writes every column of a new row.
func (t Table) insertSQL() string {
	return "INSERT INTO " + quoteIdent(t.Name) + " (" + t.columnList() + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", t.width()), ", ") + ")"
}

// updateSQL rewrites every column of the row with the id given last.
func (t Table) updateSQL() string {
	sets := make([]string, 0, t.width())
	for _, c := range t.Columns {
		sets = append(sets, quoteIdent(c.Name)+" = ?")
	}
	if t.Geometry != nil {
		sets = append(sets, quoteIdent(t.Geometry.Name)+" = ?")
	}
	return "UPDATE " + quoteIdent(t.Name) + " SET " + strings.Join(sets, ", ") + " WHERE id = ?"
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func blob(g orb.Geometry) (any, error) { return EncodeGeometry(g, WGS84) }

func placeRow(p routes.Place) ([]any, error) {
	g, err := blob(p.Point())
	return []any{p.ID, p.Name, string(p.Kind), p.Country, nullText(p.UNLOCODE), jsonList(p.Aliases),
		nullText(p.Note), g}, err
}

func scanPlace(s scanner) (routes.Place, error) {
	var p routes.Place
	var pt orb.Point
	err := s.Scan(&p.ID, &p.Name, textAs[routes.PlaceKind]{&p.Kind}, &p.Country, text{&p.UNLOCODE},
		list{&p.Aliases}, text{&p.Note}, geometry[orb.Point]{&pt})
	p.Lon, p.Lat = pt[0], pt[1]
	return p, err
}

func vesselRow(v routes.Vessel) ([]any, error) {
	return []any{v.ID, v.Name, nullText(v.IMO), nullText(v.MMSI), nullText(v.Flag), nullText(v.Type),
		nullText(v.Owner), jsonList(v.FormerNames), nullText(string(v.Confidence)), nullText(v.Note)}, nil
}

func scanVessel(s scanner) (routes.Vessel, error) {
	var v routes.Vessel
	err := s.Scan(&v.ID, &v.Name, text{&v.IMO}, text{&v.MMSI}, text{&v.Flag}, text{&v.Type}, text{&v.Owner},
		list{&v.FormerNames}, textAs[routes.Confidence]{&v.Confidence}, text{&v.Note})
	return v, err
}

func sourceRow(s routes.Source) ([]any, error) {
	return []any{s.ID, s.Publisher, s.Title, nullText(s.URL), s.Published, string(s.Kind)}, nil
}

func scanSource(s scanner) (routes.Source, error) {
	var src routes.Source
	err := s.Scan(&src.ID, &src.Publisher, &src.Title, text{&src.URL}, date{&src.Published},
		textAs[routes.SourceKind]{&src.Kind})
	return src, err
}

// shipmentRow writes a shipment whose legs are loaded and derived fields
// filled; its line is every part of every leg's line.
func shipmentRow(s routes.Shipment) ([]any, error) {
	g, err := blob(routes.ShipmentLine(s))
	return []any{s.ID, s.Title, nullText(s.Summary), s.Cargo.Description, nullFloat(s.Cargo.Quantity),
		nullText(s.Cargo.Unit), nullText(s.Cargo.Qualifier), string(s.Status), string(s.Confidence),
		FormatDateTime(s.Start), FormatDateTime(s.End), s.LengthKm, g}, err
}

// shipmentColumns are the shipment columns read back: the derived ones are
// recomputed from the legs, so that they are exactly what routes.Derive says.
const shipmentColumns = `"id", "title", "summary", "cargo_description", "cargo_quantity", "cargo_unit", "cargo_qualifier", "status", "confidence"`

func scanShipment(s scanner) (routes.Shipment, error) {
	var sh routes.Shipment
	err := s.Scan(&sh.ID, &sh.Title, text{&sh.Summary}, &sh.Cargo.Description, number{&sh.Cargo.Quantity},
		text{&sh.Cargo.Unit}, text{&sh.Cargo.Qualifier}, textAs[routes.Status]{&sh.Status},
		textAs[routes.Confidence]{&sh.Confidence})
	return sh, err
}

func legRow(l routes.Leg) ([]any, error) {
	g, err := blob(l.Geometry)
	return []any{l.ID, l.Shipment, l.Seq, string(l.Mode), l.Origin, l.Destination, jsonList(l.Via),
		nullText(l.Vessel), nullText(l.Carrier),
		FormatDateTime(l.Depart.Earliest), FormatDateTime(l.Depart.Latest),
		FormatDateTime(l.Arrive.Earliest), FormatDateTime(l.Arrive.Latest),
		FormatDateTime(l.Start()), FormatDateTime(l.End()),
		string(l.GeometryKind), l.LengthKm, nullText(string(l.Confidence)), nullText(l.Note), g}, err
}

func scanLeg(s scanner) (routes.Leg, error) {
	var l routes.Leg
	var start, end any // equal to the windows' ends; written for QGIS
	err := s.Scan(&l.ID, &l.Shipment, &l.Seq, textAs[routes.Mode]{&l.Mode}, &l.Origin, &l.Destination,
		list{&l.Via}, text{&l.Vessel}, text{&l.Carrier},
		dateTime{&l.Depart.Earliest}, dateTime{&l.Depart.Latest},
		dateTime{&l.Arrive.Earliest}, dateTime{&l.Arrive.Latest}, &start, &end,
		textAs[routes.GeometryKind]{&l.GeometryKind}, number{&l.LengthKm},
		textAs[routes.Confidence]{&l.Confidence}, text{&l.Note}, geometry[orb.MultiLineString]{&l.Geometry})
	return l, err
}

func positionRow(p routes.Position) ([]any, error) {
	g, err := blob(p.Point())
	var heading, status any
	if p.Heading != nil {
		heading = *p.Heading
	}
	if p.NavStatus != nil {
		status = *p.NavStatus
	}
	var sog, cog any
	if p.SOG != nil {
		sog = *p.SOG
	}
	if p.COG != nil {
		cog = *p.COG
	}
	return []any{p.MMSI, FormatDateTime(p.Time), sog, cog, heading, status, g}, err
}

func scanPosition(s scanner) (routes.Position, error) {
	var p routes.Position
	var pt orb.Point
	err := s.Scan(&p.MMSI, dateTime{&p.Time}, optNumber{&p.SOG}, optNumber{&p.COG}, optInt{&p.Heading},
		optInt{&p.NavStatus}, geometry[orb.Point]{&pt})
	p.Lon, p.Lat = pt[0], pt[1]
	return p, err
}

func trackRow(t routes.Track) ([]any, error) {
	g, err := blob(t.Geometry)
	return []any{t.ID, t.MMSI, nullText(t.Vessel), FormatDateTime(t.Start), FormatDateTime(t.End), t.Points,
		t.LengthKm, nullText(t.Leg), g}, err
}

func scanTrack(s scanner) (routes.Track, error) {
	var t routes.Track
	err := s.Scan(&t.ID, &t.MMSI, text{&t.Vessel}, dateTime{&t.Start}, dateTime{&t.End}, &t.Points,
		number{&t.LengthKm}, text{&t.Leg}, geometry[orb.MultiLineString]{&t.Geometry})
	return t, err
}

func gapRow(g routes.Gap) ([]any, error) {
	b, err := blob(routes.GapLine(g))
	return []any{g.ID, g.MMSI, nullText(g.Vessel), FormatDateTime(g.Start), FormatDateTime(g.End), g.Dark,
		g.OffshoreNm, b}, err
}

func scanGap(s scanner) (routes.Gap, error) {
	var g routes.Gap
	var ls orb.LineString
	err := s.Scan(&g.ID, &g.MMSI, text{&g.Vessel}, dateTime{&g.Start}, dateTime{&g.End}, &g.Dark,
		number{&g.OffshoreNm}, geometry[orb.LineString]{&ls})
	if err == nil && len(ls) != 2 {
		return g, fmt.Errorf("gap %q: line has %d points, want 2", g.ID, len(ls))
	}
	if err == nil {
		g.From, g.To = ls[0], ls[1]
	}
	return g, err
}

func observationRow(o routes.Observation) ([]any, error) {
	g, err := blob(o.Point())
	return []any{o.ID, FormatDateTime(o.Time.Earliest), FormatDateTime(o.Time.Latest), string(o.Kind), o.Subject,
		o.Source, nullText(o.Note), g}, err
}

func scanObservation(s scanner) (routes.Observation, error) {
	var o routes.Observation
	var pt orb.Point
	err := s.Scan(&o.ID, dateTime{&o.Time.Earliest}, dateTime{&o.Time.Latest},
		textAs[routes.ObservationKind]{&o.Kind}, &o.Subject, &o.Source, text{&o.Note}, geometry[orb.Point]{&pt})
	o.Lon, o.Lat = pt[0], pt[1]
	return o, err
}
