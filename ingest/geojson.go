package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// A GeoJSON file is an RFC 7946 FeatureCollection whose features are places
// and legs:
//
//   - a Point feature is a place: its properties are the place's fields
//     (id, name, kind, country, unlocode, aliases, note), its coordinates the
//     place's longitude and latitude;
//   - a LineString or MultiLineString feature is a leg: its properties are
//     the leg's fields (id, shipment, seq, mode, origin, destination, depart,
//     arrive, ...), its geometry the leg's line, reported unless
//     geometry_kind says otherwise.
//
// A record's id is its "id" property or, failing that, the feature's string
// "id" (a numeric feature id is a row number, not a slug); a place with
// neither gets the slug of its name. A leg's "shipment" property names its
// shipment: one in the file's "shipments" member, one read in the same
// ingest, or one in the store, whose legs of the same ids the file's legs
// replace. The collection may carry the records the features refer to as
// foreign members "shipments" (without their legs), "vessels" and
// "sources", written as in a shipment document. Other foreign members are
// ignored; a "crs" other than WGS 84 longitude, latitude is refused.

// envelope is a FeatureCollection as read, its features not yet looked into.
type envelope struct {
	Type      string            `json:"type"`
	Features  []feature         `json:"features"`
	Shipments []routes.Shipment `json:"shipments"`
	Vessels   []routes.Vessel   `json:"vessels"`
	Sources   []routes.Source   `json:"sources"`
	CRS       json.RawMessage   `json:"crs"`
}

type feature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// The shapes of a FeatureCollection and of the properties of its features.
var (
	envelopeShape = func() *shape {
		s := shapeOf(reflect.TypeFor[envelope]())
		s.open = true
		s.fields["features"].elem.open = true
		return s
	}()
	placeShape = shapeOf(reflect.TypeFor[routes.Place]())
	// legPropertiesShape is a leg without "geometry": a feature's line is
	// its geometry.
	legPropertiesShape = func() *shape {
		s := shapeOf(legType) // a shape of its own: documentShape's is not touched
		delete(s.fields, "geometry")
		return s
	}()
)

// wgs84 are the names a "crs" member may give for RFC 7946's coordinates.
var wgs84 = []string{"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}

// geoFile is a GeoJSON file as read.
type geoFile struct {
	env   *docFile
	recs  records
	props []*docFile // each feature's properties, nil where it has none
	// Where each record came from: the feature index of each place, of each
	// loose leg and of each leg of each of the file's shipments.
	placeAt []int
	looseAt []int
	legAt   [][]int
	// idFrom says where each feature's id came from.
	idFrom []idSource
}

// idSource is where a record's id came from.
type idSource uint8

const (
	idProperty idSource = iota // its "id" property, or nowhere
	idFeature                  // the feature's "id"
	idName                     // derived from its name
)

func parseGeoJSON(name string, data []byte) (parsed, Errors) {
	var env envelope
	f := &geoFile{env: &docFile{name: name, root: envelopeShape, what: "a GeoJSON FeatureCollection: a JSON object"}}
	if errs := f.env.parse(data, &env); len(errs) > 0 {
		return nil, errs
	}
	var errs Errors
	fail := func(path, msg string) {
		if len(errs) < maxFileErrors {
			errs = append(errs, f.env.problem(path, msg))
		}
	}
	switch {
	case env.Type == "Feature" || geometryTypes[env.Type]:
		fail("type", fmt.Sprintf("want a FeatureCollection, got a %s: put it in {\"type\": \"FeatureCollection\", \"features\": [...]}", env.Type))
	case env.Type != "FeatureCollection":
		fail("type", fmt.Sprintf("want \"FeatureCollection\", got %q", env.Type))
	case env.Features == nil:
		fail("", "a FeatureCollection needs \"features\", an array")
	}
	if len(env.CRS) > 0 && string(env.CRS) != "null" {
		var crs struct{ Properties struct{ Name string } }
		json.Unmarshal(env.CRS, &crs)
		if !containsFold(wgs84, crs.Properties.Name) {
			fail("crs", fmt.Sprintf("coordinates must be WGS 84 longitude, latitude as RFC 7946 says (OGC CRS84); this file declares %q", crs.Properties.Name))
		}
	}
	ships := map[string]int{}
	for i, s := range env.Shipments {
		if len(s.Legs) > 0 {
			fail(fmt.Sprintf("shipments[%d].legs", i), "a GeoJSON file gives a shipment's legs as LineString features whose \"shipment\" property names it")
		}
		if _, dup := ships[s.ID]; !dup {
			ships[s.ID] = i
		}
	}
	f.recs.Shipments, f.recs.Vessels, f.recs.Sources = env.Shipments, env.Vessels, env.Sources
	f.legAt = make([][]int, len(env.Shipments))
	f.props = make([]*docFile, len(env.Features))
	f.idFrom = make([]idSource, len(env.Features))
	for j, ft := range env.Features {
		if len(errs) >= maxFileErrors {
			break
		}
		path := fmt.Sprintf("features[%d]", j)
		if ft.Type != "Feature" {
			fail(path+".type", fmt.Sprintf("want \"Feature\", got %q", ft.Type))
			continue
		}
		g, err := readGeometry(ft.Geometry)
		if err != nil {
			fail(path+".geometry"+err.at, err.msg)
			continue
		}
		var perrs Errors
		switch g := g.(type) {
		case orb.Point:
			var pl routes.Place
			perrs = f.properties(j, ft.Properties, placeShape, "the properties of a place: a JSON object", &pl)
			if len(perrs) > 0 {
				break
			}
			var given struct{ Lon, Lat *float64 }
			json.Unmarshal(ft.Properties, &given)
			for i, c := range []*float64{given.Lon, given.Lat} {
				if c != nil && math.Abs(*c-g[i]) > 1e-7 {
					perrs = append(perrs, f.shift(j, f.props[j].problem([]string{"lon", "lat"}[i],
						fmt.Sprintf("%v differs from the feature's coordinates %v", *c, [2]float64(g)))))
				}
			}
			pl.Lon, pl.Lat = g[0], g[1]
			pl.ID = f.id(j, ft.ID, pl.ID, pl.Name, &perrs)
			f.recs.Places = append(f.recs.Places, pl)
			f.placeAt = append(f.placeAt, j)
		case orb.MultiLineString:
			var l routes.Leg
			perrs = f.properties(j, ft.Properties, legPropertiesShape, "the properties of a leg: a JSON object", &l)
			if len(perrs) > 0 {
				break
			}
			l.Geometry = g
			l.ID = f.id(j, ft.ID, l.ID, "", &perrs)
			if k, ok := ships[l.Shipment]; ok && l.Shipment != "" {
				f.recs.Shipments[k].Legs = append(f.recs.Shipments[k].Legs, l)
				f.legAt[k] = append(f.legAt[k], j)
			} else {
				f.recs.Legs = append(f.recs.Legs, l)
				f.looseAt = append(f.looseAt, j)
			}
		}
		for _, e := range perrs {
			if len(errs) < maxFileErrors {
				errs = append(errs, e)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

// properties reads feature j's properties into v, checked against s.
func (f *geoFile) properties(j int, raw json.RawMessage, s *shape, what string, v any) Errors {
	if len(raw) == 0 || string(raw) == "null" {
		return nil // every required field is then reported missing
	}
	p := &docFile{name: f.env.name, root: s, what: what}
	f.props[j] = p
	var errs Errors
	for _, e := range p.parse(raw, v) {
		errs = append(errs, f.shift(j, e))
	}
	return errs
}

// shift turns a problem found in feature j's properties, read on their own,
// into one in the file.
func (f *geoFile) shift(j int, e FileError) FileError {
	n := f.env.find(fmt.Sprintf("features[%d].properties", j))
	line, col := position(f.env.data, int(f.env.nodes[n].start))
	if e.Line == 1 {
		e.Column += col - 1
	}
	if e.Line > 0 {
		e.Line += line - 1
	}
	prefix := fmt.Sprintf("features[%d].properties", j)
	if e.Field == "" {
		e.Field = prefix
	} else {
		e.Field = prefix + "." + e.Field
	}
	return e
}

// id is the id of feature j: its "id" property, else the feature's string
// id, else the slug of name.
func (f *geoFile) id(j int, featureID json.RawMessage, prop, name string, errs *Errors) string {
	var fid string
	if json.Unmarshal(featureID, &fid) != nil {
		fid = "" // absent, or a number: a row number, not an id
	}
	switch {
	case prop != "" && fid != "" && prop != fid:
		*errs = append(*errs, f.env.problem(fmt.Sprintf("features[%d].id", j),
			fmt.Sprintf("%q differs from the \"id\" property %q", fid, prop)))
		return prop
	case prop != "":
		return prop
	case fid != "":
		f.idFrom[j] = idFeature
		return fid
	case name != "":
		f.idFrom[j] = idName
		return slugify(name)
	}
	return ""
}

func (f *geoFile) records() *records { return &f.recs }

func (f *geoFile) problem(path, msg string) FileError {
	list, rest, _ := strings.Cut(path, "[")
	num, tail, _ := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	switch {
	case err != nil:
	case list == "places" && i < len(f.placeAt):
		j := f.placeAt[i]
		switch tail {
		case ".lon", ".lat":
			e := f.env.problem(fmt.Sprintf("features[%d].geometry", j), msg)
			e.Field += map[string]string{".lon": ".coordinates[0]", ".lat": ".coordinates[1]"}[tail]
			return e
		}
		return f.featureProblem(j, tail, msg)
	case list == "legs" && i < len(f.looseAt):
		return f.featureProblem(f.looseAt[i], tail, msg)
	case list == "shipments" && i < len(f.legAt):
		var m int
		if n, _ := fmt.Sscanf(tail, ".legs[%d]", &m); n == 1 && m < len(f.legAt[i]) {
			_, legTail, _ := strings.Cut(tail, "]")
			return f.featureProblem(f.legAt[i][m], legTail, msg)
		}
	}
	return f.env.problem(path, msg)
}

// featureProblem places a message about the field tail (".name") of the
// record feature j holds.
func (f *geoFile) featureProblem(j int, tail, msg string) FileError {
	feature := fmt.Sprintf("features[%d]", j)
	switch {
	case tail == ".geometry":
		return f.env.problem(feature+".geometry", msg)
	case tail == ".id" && f.idFrom[j] == idFeature:
		return f.env.problem(feature+".id", msg)
	case tail == ".id" && f.idFrom[j] == idName:
		tail, msg = ".name", msg+" (the id was made from the name: give the feature an \"id\" property)"
	}
	if p := f.props[j]; p != nil {
		return f.shift(j, p.problem(strings.TrimPrefix(tail, "."), msg))
	}
	return f.env.problem(feature+".properties"+tail, msg)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// geometryTypes are the types of RFC 7946 geometry objects.
var geometryTypes = map[string]bool{"Point": true, "MultiPoint": true, "LineString": true, "MultiLineString": true,
	"Polygon": true, "MultiPolygon": true, "GeometryCollection": true}

// geometryError is a geometry that cannot be a place's or a leg's: at is
// the path below "geometry" of the value at fault.
type geometryError struct{ at, msg string }

// readGeometry reads a feature's geometry as a place's Point or a leg's
// MultiLineString, strictly: every position two or three finite numbers,
// every line two positions or more. A geometry of another type is refused,
// and said to be invalid too when it is, so that a self-intersecting polygon
// is reported as such.
func readGeometry(raw json.RawMessage) (orb.Geometry, *geometryError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, &geometryError{msg: "is required: a Point for a place, a LineString or MultiLineString for a leg"}
	}
	// Members are looked up by their exact names: the standard decoder
	// would take "Type" for "type".
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, &geometryError{msg: "want a GeoJSON geometry object: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	var g struct {
		Type        string
		Coordinates json.RawMessage
	}
	if err := json.Unmarshal(members["type"], &g.Type); err != nil {
		return nil, &geometryError{at: ".type", msg: "is required: the geometry's type, a string such as \"Point\""}
	}
	g.Coordinates = members["coordinates"]
	if !geometryTypes[g.Type] {
		return nil, &geometryError{at: ".type", msg: fmt.Sprintf("%q is not a GeoJSON geometry type", g.Type)}
	}
	if g.Type == "GeometryCollection" {
		return nil, &geometryError{at: ".type", msg: wrongType(g.Type, "")}
	}
	depth := map[string]int{"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}[g.Type]
	dec := json.NewDecoder(bytes.NewReader(g.Coordinates))
	dec.UseNumber()
	var tree any
	if len(g.Coordinates) == 0 || dec.Decode(&tree) != nil {
		return nil, &geometryError{at: ".coordinates", msg: "is required: an array of positions"}
	}
	c, err := coordinates(tree, depth, "")
	if err != nil {
		return nil, &geometryError{at: ".coordinates" + err.at, msg: err.msg}
	}
	switch g.Type {
	case "Point":
		return c.(orb.Point), nil
	case "LineString":
		return orb.MultiLineString{orb.LineString(c.([]orb.Point))}, nil
	case "MultiLineString":
		var ml orb.MultiLineString
		for _, l := range c.([]any) {
			ml = append(ml, orb.LineString(l.([]orb.Point)))
		}
		return ml, nil
	}
	var shape orb.Geometry
	switch g.Type {
	case "MultiPoint":
		shape = orb.MultiPoint(c.([]orb.Point))
	case "Polygon":
		shape = polygon(c.([]any))
	case "MultiPolygon":
		var mp orb.MultiPolygon
		for _, p := range c.([]any) {
			mp = append(mp, polygon(p.([]any)))
		}
		shape = mp
	}
	reason := ""
	if err := geo.Validate(shape); err != nil {
		reason = err.Error()
	}
	return nil, &geometryError{msg: wrongType(g.Type, reason)}
}

func polygon(rings []any) orb.Polygon {
	var p orb.Polygon
	for _, r := range rings {
		p = append(p, orb.Ring(r.([]orb.Point)))
	}
	return p
}

func wrongType(typ, invalid string) string {
	msg := fmt.Sprintf("a %s is neither a place (a Point) nor a leg (a LineString or MultiLineString)", typ)
	if invalid != "" {
		msg += "; it is also " + invalid
	}
	return msg
}

// coordinates reads a tree of arrays of positions depth levels deep: a
// position (orb.Point) at depth 0, a list of positions ([]orb.Point) at
// depth 1, and lists of those ([]any) above.
func coordinates(v any, depth int, at string) (any, *geometryError) {
	arr, ok := v.([]any)
	if !ok {
		return nil, &geometryError{at: at, msg: fmt.Sprintf("want an array, got %s", jsonKind(v))}
	}
	switch depth {
	case 0:
		if len(arr) < 2 || len(arr) > 3 {
			return nil, &geometryError{at: at, msg: fmt.Sprintf("a position has 2 numbers, longitude and latitude (or 3, with altitude); got %d", len(arr))}
		}
		var p orb.Point
		for i, c := range arr {
			n, ok := c.(json.Number)
			if !ok {
				return nil, &geometryError{at: fmt.Sprintf("%s[%d]", at, i), msg: fmt.Sprintf("want a number, got %s", jsonKind(c))}
			}
			x, err := strconv.ParseFloat(string(n), 64)
			if err != nil || math.IsInf(x, 0) {
				return nil, &geometryError{at: fmt.Sprintf("%s[%d]", at, i), msg: fmt.Sprintf("%s is not a finite number", n)}
			}
			if i < 2 {
				p[i] = x
			}
		}
		return p, nil
	case 1:
		ps := make([]orb.Point, len(arr))
		for i, c := range arr {
			p, err := coordinates(c, 0, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			ps[i] = p.(orb.Point)
		}
		return ps, nil
	}
	out := make([]any, len(arr))
	for i, c := range arr {
		sub, err := coordinates(c, depth-1, fmt.Sprintf("%s[%d]", at, i))
		if err != nil {
			return nil, err
		}
		out[i] = sub
	}
	return out, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "true or false"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	}
	return "an object"
}
