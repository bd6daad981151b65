package postgis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.Tiler = (*Store)(nil)

// tileLayer is how one layer's features are selected and drawn in SQL.
type tileLayer struct {
	from  string
	id    string // the feature's slug
	cols  string // the properties, each aliased as its name in the tile
	geom  string // the geometry in EPSG:4326
	order string
	// conds are the collection's Query conditions; a tile asks its BBox and
	// During of them.
	conds func(*filter, routes.Query)
}

// rfc3339 writes a timestamptz column as routes.FormatTime does: UTC, with
// a fraction of a second only when there is one, without trailing zeros.
func rfc3339(col string) string {
	micros := "(extract(microseconds FROM " + col + ")::int % 1000000)"
	return "(to_char(" + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN ` + micros +
		" = 0 THEN '' ELSE rtrim('.' || lpad(" + micros + "::text, 6, '0'), '0') END || 'Z')"
}

// period is the four temporal properties of a feature active from start to
// end.
func period(start, end string) string {
	return rfc3339(start) + ` AS start, ` + rfc3339(end) + ` AS "end", ` +
		"floor(extract(epoch FROM " + start + "))::bigint AS start_unix, " +
		"floor(extract(epoch FROM " + end + "))::bigint AS end_unix"
}

// gapLine is a gap's segment split at the antimeridian as geo.SplitAntimeridian
// splits it: a segment whose longitudes differ by more than 180° goes the
// short way round, ending at one edge of the world and resuming at the other
// at the latitude where it meets the meridian.
const gapLine = `CASE WHEN abs(c.tx - c.fx) <= 180 THEN ST_MakeLine(g.from_geom, g.to_geom)
	ELSE ST_Collect(
		ST_MakeLine(g.from_geom, ST_SetSRID(ST_MakePoint(c.edge, c.lat), 4326)),
		ST_MakeLine(ST_SetSRID(ST_MakePoint(-c.edge, c.lat), 4326), g.to_geom)) END`

// gapCrossing computes, for a gap aliased g, its ends' coordinates and
// where its segment meets the antimeridian if it crosses.
const gapCrossing = `gaps g CROSS JOIN LATERAL (
	SELECT e.fx, e.fy, e.tx, e.ty, e.edge,
		e.fy + (e.edge - e.fx) / nullif(e.bx - e.fx, 0) * (e.ty - e.fy) AS lat
	FROM (SELECT ST_X(g.from_geom) AS fx, ST_Y(g.from_geom) AS fy, ST_X(g.to_geom) AS tx, ST_Y(g.to_geom) AS ty,
		CASE WHEN ST_X(g.to_geom) > ST_X(g.from_geom) THEN -180.0 ELSE 180.0 END AS edge,
		CASE WHEN ST_X(g.to_geom) > ST_X(g.from_geom) THEN ST_X(g.to_geom) - 360 ELSE ST_X(g.to_geom) + 360 END AS bx) e
) c`

// tileLayers are the layers, as routes.TileFields describes them.
var tileLayers = map[routes.TileLayer]tileLayer{
	routes.PlacesLayer: {
		from: "places p", id: "p.id", geom: "p.geom", order: "p.id",
		cols:  "p.id, p.name, p.kind, p.country, p.unlocode",
		conds: placeConds,
	},
	routes.LegsLayer: {
		from: "legs l", id: "l.id", geom: "l.geom", order: legs.order,
		cols: "l.id, l.shipment, l.seq, l.mode, l.origin, l.destination, l.vessel, l.carrier, " +
			"l.geometry_kind, l.confidence, " + period("l.depart_earliest", "l.arrive_latest"),
		conds: legConds,
	},
	routes.ShipmentsLayer: {
		from: "shipments s", id: "s.id", order: shipments.order,
		geom:  shipmentGeom,
		cols:  "s.id, s.title, s.status, s.confidence, " + period("s.start_time", "s.end_time"),
		conds: shipmentConds,
	},
	routes.PositionsLayer: {
		from: "positions p", id: "p.mmsi || '@' || " + rfc3339("p.time"), geom: "p.geom", order: "p.time, p.mmsi",
		cols: "p.mmsi || '@' || " + rfc3339("p.time") + " AS id, p.mmsi, " + rfc3339("p.time") + " AS time, " +
			"p.sog, p.cog, p.heading, p.nav_status, " + period("p.time", "p.time"),
		conds: positionConds,
	},
	routes.TracksLayer: {
		from: "tracks t", id: "t.id", geom: "t.geom", order: tracks.order,
		cols:  "t.id, t.mmsi, t.vessel, t.leg, t.points, " + period("t.start_time", "t.end_time"),
		conds: trackConds,
	},
	routes.GapsLayer: {
		from: gapCrossing, id: "g.id", geom: gapLine, order: gaps.order,
		cols:  "g.id, g.mmsi, g.vessel, g.dark, g.offshore_nm, " + period("g.start_time", "g.end_time"),
		conds: gapConds,
	},
	routes.ObservationsLayer: {
		from: "observations o", id: "o.id", geom: "o.geom", order: observations.order,
		cols:  "o.id, o.kind, o.subject, o.source, " + period("o.time_earliest", "o.time_latest"),
		conds: observationConds,
	},
}

// tileSQL is the statement that draws layer l into the tile given by the
// first four arguments of f: the layer's name, then z, x and y. ST_AsMVT
// skips the rows whose geometry ST_AsMVTGeom clipped away; filtering them
// in SQL would draw every geometry twice.
func tileSQL(l tileLayer, f *filter) string {
	ext, buf := strconv.Itoa(routes.TileExtent), strconv.Itoa(routes.TileBuffer)
	return "SELECT ST_AsMVT(t, $1, " + ext + ", 'geom', 'fid') FROM (SELECT " +
		"('x' || left(md5(" + l.id + "), 13))::bit(52)::bigint AS fid, " + l.cols + ", " +
		"ST_AsMVTGeom(ST_Transform(" + l.geom + ", 3857), ST_TileEnvelope($2::int, $3::int, $4::int), " +
		ext + ", " + buf + ", true) AS geom FROM " + l.from + f.where() + " ORDER BY " + l.order + ") t"
}

// tileQuery is the statement and arguments that draw q.
func tileQuery(q routes.TileQuery) (string, []any, error) {
	l, ok := tileLayers[q.Layer]
	if !ok {
		return "", nil, fmt.Errorf("tile layer %q: %w", q.Layer, routes.ErrNotFound)
	}
	if err := q.Tile.Validate(); err != nil {
		return "", nil, fmt.Errorf("tile %s: %w", q.Tile, err)
	}
	var f filter
	f.arg(string(q.Layer))
	f.arg(q.Tile.Z)
	f.arg(q.Tile.X)
	f.arg(q.Tile.Y)
	box := q.Tile.BBox()
	l.conds(&f, routes.Query{BBox: &box, During: q.During})
	return tileSQL(l, &f), f.args, nil
}

// Tile draws one vector tile with ST_AsMVT.
func (s *Store) Tile(ctx context.Context, q routes.TileQuery) ([]byte, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	sql, args, err := tileQuery(q)
	if err != nil {
		return nil, err
	}
	var mvt []byte
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(&mvt); err != nil {
		return nil, fail(fmt.Sprintf("draw tile %s/%s", q.Layer, q.Tile), err)
	}
	return mvt, nil
}

// DataVersion is the server's current snapshot: the transactions under way
// and the next to begin. Any write, committed or begun, changes it.
// Writes to other databases on the same server change it too, which costs
// a cache some hits but never serves stale data.
func (s *Store) DataVersion(ctx context.Context) (string, error) {
	if s.closed.Load() {
		return "", errClosed
	}
	var v string
	if err := s.pool.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&v); err != nil {
		return "", fail("read data version", err)
	}
	return v, nil
}
