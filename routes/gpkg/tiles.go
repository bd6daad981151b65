package gpkg

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.Tiler = (*Store)(nil)

// Tile draws one vector tile with paulmach/orb's MVT encoder, drawing what
// PostGIS's ST_AsMVTGeom draws: the same projection, snapping and clipping.
func (s *Store) Tile(ctx context.Context, q routes.TileQuery) ([]byte, error) {
	if err := q.Tile.Validate(); err != nil {
		return nil, fmt.Errorf("tile %s: %w", q.Tile, err)
	}
	box := q.Tile.BBox()
	lq := routes.Query{BBox: &box, During: q.During}
	var fs []*geojson.Feature
	var err error
	switch q.Layer {
	case routes.PlacesLayer:
		fs, err = features(ctx, s.Places, routes.Query{BBox: &box}, placeFeature)
	case routes.LegsLayer:
		fs, err = features(ctx, s.Legs, lq, legFeature)
	case routes.ShipmentsLayer:
		fs, err = s.shipmentFeatures(ctx, lq)
	case routes.PositionsLayer:
		fs, err = s.positionFeatures(ctx, lq)
	case routes.TracksLayer:
		fs, err = features(ctx, s.Tracks, lq, trackFeature)
	case routes.GapsLayer:
		fs, err = features(ctx, s.Gaps, lq, gapFeature)
	case routes.ObservationsLayer:
		fs, err = features(ctx, s.Observations, lq, observationFeature)
	default:
		return nil, fmt.Errorf("tile layer %q: %w", q.Layer, routes.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("draw tile %s/%s: %w", q.Layer, q.Tile, err)
	}
	return encodeTile(string(q.Layer), q.Tile, fs)
}

// DataVersion is SQLite's data_version as the store's watching connection
// sees it: it changes whenever any other connection, in this process or
// another, commits.
func (s *Store) DataVersion(ctx context.Context) (string, error) {
	if s.closed.Load() {
		return "", s.errClosed()
	}
	v, err := s.dataVersion(ctx)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(v, 10), nil
}

// features lists the records matching q and makes each a feature.
func features[T any](ctx context.Context, list func(context.Context, routes.Query) (routes.Page[T], error),
	q routes.Query, feature func(T) *geojson.Feature) ([]*geojson.Feature, error) {
	page, err := list(ctx, q)
	if err != nil {
		return nil, err
	}
	fs := make([]*geojson.Feature, 0, len(page.Items))
	for _, it := range page.Items {
		fs = append(fs, feature(it))
	}
	return fs, nil
}

// shipmentFeatures draws each shipment as every part of its legs' lines,
// in leg order.
func (s *Store) shipmentFeatures(ctx context.Context, q routes.Query) ([]*geojson.Feature, error) {
	idx, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	var fs []*geojson.Feature
	for _, listed := range idx.queryShipments(q).Items {
		sh, _ := idx.shipment(listed.ID)
		fs = append(fs, tileFeature(sh.ID, routes.ShipmentLine(sh), props{
			"title":      sh.Title,
			"status":     string(sh.Status),
			"confidence": string(sh.Confidence),
		}.period(sh.Start, sh.End)))
	}
	return fs, nil
}

// positionFeatures streams the positions in the tile.
func (s *Store) positionFeatures(ctx context.Context, q routes.Query) ([]*geojson.Feature, error) {
	var fs []*geojson.Feature
	for p, err := range s.Positions(ctx, q) {
		if err != nil {
			return nil, err
		}
		t := routes.FormatTime(p.Time)
		pr := props{"mmsi": p.MMSI, "time": t}.period(p.Time, p.Time)
		if p.SOG != nil {
			pr["sog"] = *p.SOG
		}
		if p.COG != nil {
			pr["cog"] = *p.COG
		}
		if p.Heading != nil {
			pr["heading"] = int64(*p.Heading)
		}
		if p.NavStatus != nil {
			pr["nav_status"] = int64(*p.NavStatus)
		}
		fs = append(fs, tileFeature(p.MMSI+"@"+t, p.Point(), pr))
	}
	return fs, nil
}

// props are a feature's properties in the tile.
type props map[string]any

// opt sets a property when the value is set: the tile leaves unset values
// out, as ST_AsMVT leaves out NULL.
func (p props) opt(k, v string) props {
	if v != "" {
		p[k] = v
	}
	return p
}

// period sets the four temporal properties.
func (p props) period(start, end time.Time) props {
	p["start"] = routes.FormatTime(start)
	p["end"] = routes.FormatTime(end)
	p["start_unix"] = start.Unix()
	p["end_unix"] = end.Unix()
	return p
}

func tileFeature(id string, g orb.Geometry, p props) *geojson.Feature {
	p["id"] = id
	f := geojson.NewFeature(g)
	f.ID = routes.TileFeatureID(id)
	f.Properties = geojson.Properties(p)
	return f
}

func placeFeature(p routes.Place) *geojson.Feature {
	return tileFeature(p.ID, p.Point(), props{"name": p.Name, "kind": string(p.Kind), "country": p.Country}.
		opt("unlocode", p.UNLOCODE))
}

func legFeature(l routes.Leg) *geojson.Feature {
	return tileFeature(l.ID, l.Geometry, props{
		"shipment":      l.Shipment,
		"seq":           int64(l.Seq),
		"mode":          string(l.Mode),
		"origin":        l.Origin,
		"destination":   l.Destination,
		"geometry_kind": string(l.GeometryKind),
	}.opt("vessel", l.Vessel).opt("carrier", l.Carrier).opt("confidence", string(l.Confidence)).
		period(l.Start(), l.End()))
}

func trackFeature(t routes.Track) *geojson.Feature {
	return tileFeature(t.ID, t.Geometry, props{"mmsi": t.MMSI, "points": int64(t.Points)}.
		opt("vessel", t.Vessel).opt("leg", t.Leg).period(t.Start, t.End))
}

func gapFeature(g routes.Gap) *geojson.Feature {
	return tileFeature(g.ID, geo.SplitAntimeridian(routes.GapLine(g)),
		props{"mmsi": g.MMSI, "dark": g.Dark, "offshore_nm": g.OffshoreNm}.
			opt("vessel", g.Vessel).period(g.Start, g.End))
}

func observationFeature(o routes.Observation) *geojson.Feature {
	return tileFeature(o.ID, o.Point(), props{"kind": string(o.Kind), "subject": o.Subject, "source": o.Source}.
		period(o.Time.Earliest, o.Time.Latest))
}

// encodeTile projects the features into the tile, drops those with nothing
// left in it, and encodes the rest as one layer; no features is an empty
// tile.
func encodeTile(name string, t routes.Tile, fs []*geojson.Feature) ([]byte, error) {
	kept := fs[:0]
	for _, f := range fs {
		if g := toTile(t, f.Geometry); g != nil {
			f.Geometry = g
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return []byte{}, nil
	}
	layer := &mvt.Layer{Name: name, Version: 2, Extent: routes.TileExtent, Features: kept}
	b, err := mvt.Marshal(mvt.Layers{layer})
	if err != nil {
		return nil, fmt.Errorf("encode tile %s/%s: %w", name, t, err)
	}
	return b, nil
}

// toTile draws g in tile coordinates as ST_AsMVTGeom does: Web Mercator
// scaled to the tile's extent, clipped to the tile and its buffer, snapped
// to whole units, without repeated points or points in the middle of a
// straight run. It returns nil when nothing is left.
func toTile(t routes.Tile, g orb.Geometry) orb.Geometry {
	n := float64(int(1) << t.Z)
	project := func(p orb.Point) orb.Point {
		x := ((p[0]+180)/360*n - float64(t.X)) * routes.TileExtent
		lat := p[1] * math.Pi / 180
		y := ((1-math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi)/2*n - float64(t.Y)) * routes.TileExtent
		return orb.Point{x, y}
	}
	const lo, hi = -routes.TileBuffer, routes.TileExtent + routes.TileBuffer
	box := orb.Bound{Min: orb.Point{lo, lo}, Max: orb.Point{hi, hi}}
	switch g := g.(type) {
	case orb.Point:
		p := project(g)
		if !box.Contains(p) {
			return nil
		}
		return snap(p)
	case orb.LineString:
		return toTile(t, orb.MultiLineString{g})
	case orb.MultiLineString:
		projected := make(orb.MultiLineString, 0, len(g))
		for _, ls := range g {
			pl := make(orb.LineString, len(ls))
			for i, p := range ls {
				pl[i] = project(p)
			}
			projected = append(projected, pl)
		}
		var out orb.MultiLineString
		for _, ls := range clip.MultiLineString(box, projected) {
			if s := snapLine(ls); s != nil {
				out = append(out, s)
			}
		}
		switch len(out) {
		case 0:
			return nil
		case 1:
			return out[0]
		}
		return out
	}
	panic(fmt.Sprintf("tile geometry %T", g)) // the layers hold only points and lines
}

// snap rounds to the nearest unit, halves to even as PostGIS's grid does.
func snap(p orb.Point) orb.Point {
	return orb.Point{math.RoundToEven(p[0]), math.RoundToEven(p[1])}
}

// snapLine snaps a line and drops repeated points and points between two
// neighbours on one straight run; nil when fewer than two points are left.
func snapLine(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, 0, len(ls))
	for _, p := range ls {
		p = snap(p)
		if n := len(out); n > 0 && out[n-1] == p {
			continue
		}
		if n := len(out); n >= 2 && between(out[n-2], out[n-1], p) {
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// between reports whether b lies on the straight segment from a to c.
func between(a, b, c orb.Point) bool {
	cross := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	if cross != 0 {
		return false
	}
	dot := (b[0]-a[0])*(c[0]-a[0]) + (b[1]-a[1])*(c[1]-a[1])
	return dot >= 0 && dot <= (c[0]-a[0])*(c[0]-a[0])+(c[1]-a[1])*(c[1]-a[1])
}
