package export

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	_ "embed"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// The QGIS export is a GeoPackage and a project that opens it, styled and
// with the temporal controller set up, so that a QGIS user goes from a
// download to an animated map with nothing to configure:
//
//	shiptrack.gpkg      every layer (see GeoPackage)
//	shiptrack.qgz       the project on shiptrack.gpkg, by relative path
//	shiptrack-ogc.qgz   the same layers and styles on a shiptrack server's
//	                    OGC API Features, when one is named
//
// The project is generated from project.qgs.tmpl, not copied from a file
// QGIS saved. Every layer with an active period has its temporal properties
// on start and end ("field start and end date/time", both ends included);
// the project's time range and the temporal controller's range are the span
// of the data, and the controller opens in animated mode, a day a frame.
// The default view is the extent of the data.

// File names of the QGIS export.
const (
	GeoPackageFile = "shiptrack.gpkg"
	ProjectFile    = "shiptrack.qgz"
	OGCProjectFile = "shiptrack-ogc.qgz"
)

// QGISOptions configure a QGIS export.
type QGISOptions struct {
	// OGCAPI is the URL of a shiptrack server's OGC API Features landing
	// page, such as http://127.0.0.1:8080/ogc. When set, the export has a
	// second project whose layers are that server's collections.
	OGCAPI string
}

//go:embed project.qgs.tmpl
var projectTemplate string

var projectTmpl = template.Must(template.New("project").Funcs(template.FuncMap{
	"attr":     escapeXML,
	"text":     escapeXML,
	"num":      func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) },
	"symbolAt": func(i int, s symbol) namedSymbol { return namedSymbol{Name: strconv.Itoa(i), Symbol: s} },
}).Parse(projectTemplate))

// escapeXML escapes s for an XML attribute value or element text.
func escapeXML(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder never fail
	return b.String()
}

// project is what project.qgs.tmpl draws.
type project struct {
	Title, Abstract string
	Layers          []projectLayer // the map's layers, top first
	Tables          []projectLayer // tables without geometry
	Relations       []relation
	Extent          orb.Bound
	// Start and End are the time range, ISO 8601 in UTC to the
	// millisecond; empty when no feature has a time.
	Start, End string
}

type projectLayer struct {
	ID, Name, Abstract string
	Provider, Source   string
	Geometry, WKBType  string
	Extent             *orb.Bound
	Temporal           *temporal
	Style              style
	Hidden             bool
	// Display is the expression QGIS shows a feature by.
	Display string
}

type temporal struct{ Start, End string }

type relation struct {
	ID, Name        string
	From, FromField string // the referencing layer and field
	To, ToField     string // the referenced layer and field
}

// style is a layer's renderer and labels. Exactly one of Rules,
// Categories and Single is set for a layer with geometry.
type style struct {
	Rules      []rule
	Field      string // for Categories
	Categories []category
	Single     symbol
	Labels     []label
}

type rule struct {
	Label, Filter string
	Symbol        symbol
}

type category struct {
	Value, Label string
	Symbol       symbol
}

type label struct {
	Filter, Description string
	Field               string
	Size                float64
	Bold, Italic        bool
	Color               string
	Priority            int
}

// symbol is a QGIS symbol of one layer: Type is line or marker, Class the
// symbol layer's class, Options its properties.
type symbol struct {
	Type, Class string
	Options     []option
}

type namedSymbol struct {
	Name   string
	Symbol symbol
}

type option struct{ Name, Value string }

// line is a simple line symbol; dash is a custom dash pattern in mm ("" for
// a solid line).
func line(color string, width float64, dash string) symbol {
	s := symbol{Type: "line", Class: "SimpleLine", Options: []option{
		{"line_color", color}, {"line_width", strconv.FormatFloat(width, 'g', -1, 64)}, {"line_width_unit", "MM"},
		{"line_style", "solid"}, {"capstyle", "round"}, {"joinstyle", "round"},
		{"use_custom_dash", "0"}, {"customdash", "5;2"}, {"customdash_unit", "MM"},
	}}
	if dash != "" {
		s.Options[3].Value = "dash"
		s.Options[4].Value = "flat"
		s.Options[6].Value = "1"
		s.Options[7].Value = dash
	}
	return s
}

// marker is a simple marker symbol of a shape (circle, square, diamond,
// triangle, star, cross_fill ...).
func marker(shape, color string, size float64) symbol {
	return symbol{Type: "marker", Class: "SimpleMarker", Options: []option{
		{"name", shape}, {"color", color}, {"size", strconv.FormatFloat(size, 'g', -1, 64)}, {"size_unit", "MM"},
		{"outline_color", "255,255,255,255"}, {"outline_style", "solid"}, {"outline_width", "0.3"}, {"outline_width_unit", "MM"},
	}}
}

// Colours, as QGIS writes them: r,g,b,alpha. Sea and rail are far apart in
// hue, so that a reader tells them apart at a glance.
var modeColors = []struct {
	mode  routes.Mode
	color string
}{
	{routes.Sea, "31,120,180,255"},   // blue
	{routes.Rail, "217,95,2,255"},    // orange
	{routes.Road, "117,112,179,255"}, // violet
	{routes.Air, "231,41,138,255"},   // magenta
}

// SeaColor and RailColor are the colours of sea and rail legs, for tests
// that look for them in a rendered map.
const (
	SeaColor  = "31,120,180"
	RailColor = "217,95,2"
)

// kindLines are how each kind of leg line is drawn: observed and reported
// lines solid, modeled and schematic dashed (schematic the sparser), so that
// a line's certainty shows in the map.
var kindLines = []struct {
	kind  routes.GeometryKind
	width float64
	dash  string
}{
	{routes.Observed, 1.0, ""},
	{routes.Reported, 0.8, ""},
	{routes.Modeled, 0.8, "4;1.5"},
	{routes.Schematic, 0.7, "2;2"},
}

func legStyle() style {
	var s style
	for _, m := range modeColors {
		for _, k := range kindLines {
			s.Rules = append(s.Rules, rule{
				Label:  fmt.Sprintf("%s, %s", m.mode, k.kind),
				Filter: fmt.Sprintf(`"mode" = '%s' AND "geometry_kind" = '%s'`, m.mode, k.kind),
				Symbol: line(m.color, k.width, k.dash),
			})
		}
	}
	s.Rules = append(s.Rules, rule{Label: "other", Filter: "ELSE", Symbol: line("120,120,120,255", 0.6, "1;2")})
	return s
}

func placeStyle() style {
	return style{
		Field: "kind",
		Categories: []category{
			{string(routes.Port), "port", marker("circle", "23,55,94,255", 3.2)},
			{string(routes.Depot), "depot", marker("square", "178,24,43,255", 3.4)},
			{string(routes.RailTerminal), "rail terminal", marker("triangle", "217,95,2,255", 2.6)},
			{string(routes.RailStation), "rail station", marker("diamond", "110,110,110,255", 1.8)},
			{string(routes.BorderCrossing), "border crossing", marker("cross_fill", "118,42,131,255", 3)},
		},
		Labels: []label{
			{Filter: `"kind" IN ('port', 'depot')`, Description: "ports and depots", Field: "name", Size: 9, Bold: true,
				Color: "30,30,30,255", Priority: 8},
			{Filter: `"kind" IN ('rail_terminal', 'border_crossing')`, Description: "terminals and crossings", Field: "name",
				Size: 8, Color: "60,60,60,255", Priority: 5},
			{Filter: `"kind" = 'rail_station'`, Description: "rail stations", Field: "name", Size: 7, Italic: true,
				Color: "100,100,100,255", Priority: 2},
		},
	}
}

// layerStyles are the styles of the layers with geometry.
var layerStyles = map[string]func() style{
	"places": placeStyle,
	"legs":   legStyle,
	"observations": func() style {
		return style{Single: marker("star", "255,217,47,255", 4.2),
			Labels: []label{{Filter: "TRUE", Description: "observations", Field: "kind", Size: 7, Italic: true,
				Color: "90,70,0,255", Priority: 3}}}
	},
	"positions": func() style { return style{Single: marker("circle", "27,158,119,200", 1.2)} },
	"tracks":    func() style { return style{Single: line("27,158,119,255", 0.6, "")} },
	"gaps": func() style {
		return style{Rules: []rule{
			{Label: "dark: transponder off, offshore", Filter: `"dark"`, Symbol: line("178,24,43,255", 0.6, "1;1.5")},
			{Label: "silence", Filter: "ELSE", Symbol: line("150,150,150,255", 0.5, "1;1.5")},
		}}
	},
	// A wide pale band under the legs: the shipment as a whole.
	"shipments": func() style { return style{Single: line("160,160,160,90", 2.6, "")} },
}

// displays are the expressions QGIS names features by.
var displays = map[string]string{
	"places": `"name"`, "legs": `"id"`, "shipments": `"title"`, "vessels": `"name"`, "sources": `"title"`,
	"observations": `"id"`, "tracks": `"id"`, "gaps": `"id"`, "positions": `"mmsi" || ' ' || "time"`,
}

// relations let a QGIS form show a leg's or a shipment's claims, and the
// source of each.
var relations = []relation{
	{ID: "leg_claims_leg", Name: "claims about the leg", From: "leg_claims", FromField: "leg", To: "legs", ToField: "id"},
	{ID: "shipment_claims_shipment", Name: "claims about the shipment", From: "shipment_claims", FromField: "shipment", To: "shipments", ToField: "id"},
	{ID: "leg_claims_source", Name: "source", From: "leg_claims", FromField: "source", To: "sources", ToField: "id"},
	{ID: "shipment_claims_source", Name: "source", From: "shipment_claims", FromField: "source", To: "sources", ToField: "id"},
	{ID: "legs_shipment", Name: "shipment", From: "legs", FromField: "shipment", To: "shipments", ToField: "id"},
}

// layerID is the id a project gives a layer.
func layerID(name string) string { return "shiptrack_" + name }

// wkbTypes are QGIS's names of the geometry types, by GeoPackage name.
var wkbTypes = map[string]struct{ geometry, wkb string }{
	"POINT":           {"Point", "Point"},
	"LINESTRING":      {"Line", "LineString"},
	"MULTILINESTRING": {"Line", "MultiLineString"},
	"":                {"No geometry", "NoGeometry"},
}

// qgisTime writes a time as the project's time settings hold it.
func qgisTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newProject frames a project on what an export wrote. source makes a
// layer's data source and provider.
func newProject(sum Summary, title string, layers []Layer, source func(Layer) (provider, src string)) project {
	p := project{
		Title: title,
		Abstract: "Reported maritime and rail shipments from shiptrack: ports, sea and rail legs, " +
			"the sources that reported them, and AIS positions. The temporal controller animates them by their active periods.",
		Extent: frame(sum),
	}
	if !sum.Start.IsZero() {
		p.Start, p.End = qgisTime(sum.Start), qgisTime(sum.End)
	}
	have := map[string]bool{}
	for _, l := range layers {
		have[l.Name] = true
		provider, src := source(l)
		g := wkbTypes[l.Geometry]
		pl := projectLayer{ID: layerID(l.Name), Name: l.Name, Abstract: l.Description, Provider: provider, Source: src,
			Geometry: g.geometry, WKBType: g.wkb, Display: displays[l.Name]}
		for _, ls := range sum.Layers {
			if ls.Name == l.Name && ls.Count > 0 && l.Geometry != "" {
				b := ls.Bound
				pl.Extent = &b
			}
		}
		if l.Temporal {
			pl.Temporal = &temporal{Start: "start", End: "end"}
		}
		if st, ok := layerStyles[l.Name]; ok {
			pl.Style = st()
		}
		if l.Geometry == "" {
			p.Tables = append(p.Tables, pl)
		} else {
			p.Layers = append(p.Layers, pl)
		}
	}
	for _, r := range relations {
		if have[r.From] && have[r.To] {
			r.From, r.To = layerID(r.From), layerID(r.To)
			p.Relations = append(p.Relations, r)
		}
	}
	return p
}

// frame is the view of a project: the extent of the data with a margin, or
// the world when there is none.
func frame(sum Summary) orb.Bound {
	if sum.Empty {
		return orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	}
	b := sum.Bound
	dx, dy := max((b.Max[0]-b.Min[0])*0.1, 1), max((b.Max[1]-b.Min[1])*0.1, 1)
	return orb.Bound{
		Min: orb.Point{max(b.Min[0]-dx, -180), max(b.Min[1]-dy, -90)},
		Max: orb.Point{min(b.Max[0]+dx, 180), min(b.Max[1]+dy, 90)},
	}
}

// writeQGZ writes a project as a .qgz: a zip holding the .qgs.
func writeQGZ(w io.Writer, name string, p project) error {
	var qgs bytes.Buffer
	if err := projectTmpl.Execute(&qgs, p); err != nil {
		return fmt.Errorf("write project %s: %w", name, err)
	}
	zw := zip.NewWriter(w)
	f, err := zw.CreateHeader(&zip.FileHeader{Name: strings.TrimSuffix(name, ".qgz") + ".qgs", Method: zip.Deflate,
		Modified: time.Now()})
	if err != nil {
		return err
	}
	if _, err := f.Write(qgs.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}

// gpkgSource is a layer of the GeoPackage beside the project.
func gpkgSource(l Layer) (string, string) {
	return "ogr", "./" + GeoPackageFile + "|layername=" + l.Name
}

// ogcSource makes a layer of a server's OGC API Features.
func ogcSource(base string) func(Layer) (string, string) {
	return func(l Layer) (string, string) {
		q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
		return "OAPIF", "pagingEnabled='true' preferCoordinatesForWfsT11='false' restrictToRequestBBOX='1' " +
			"srsname='OGC:CRS84' typename=" + q(l.Name) + " url=" + q(base) + " version='OGC_API_FEATURES'"
	}
}

// ogcLayers are the layers an OGC API Features server serves: those with
// geometry.
func ogcLayers() []Layer {
	var out []Layer
	for _, l := range Layers {
		if l.Geometry != "" {
			out = append(out, l)
		}
	}
	return out
}

// projects writes the export's projects into files named as in the
// export, by the function create.
func projects(sum Summary, opts QGISOptions, create func(name string) (io.Writer, error)) error {
	write := func(name string, p project) error {
		w, err := create(name)
		if err != nil {
			return err
		}
		return writeQGZ(w, name, p)
	}
	if err := write(ProjectFile, newProject(sum, "shiptrack", Layers, gpkgSource)); err != nil {
		return err
	}
	if opts.OGCAPI != "" {
		p := newProject(sum, "shiptrack (live, "+opts.OGCAPI+")", ogcLayers(), ogcSource(opts.OGCAPI))
		if err := write(OGCProjectFile, p); err != nil {
			return err
		}
	}
	return nil
}

// QGISDir writes the QGIS export into dir: the GeoPackage and the projects.
// A missing dir is created; an existing one is refused unless force, and
// then only the export's own files in it are replaced. Nothing is left
// half-written: see WriteFiles.
func QGISDir(ctx context.Context, st routes.Store, dir string, force bool, opts QGISOptions) (Summary, error) {
	names := []string{GeoPackageFile, ProjectFile}
	if opts.OGCAPI != "" {
		names = append(names, OGCProjectFile)
	}
	var sum Summary
	err := WriteFiles(dir, force, names, func(tmp map[string]string) error {
		var err error
		if sum, err = GeoPackage(ctx, st, tmp[GeoPackageFile]); err != nil {
			return err
		}
		var files []*os.File
		defer func() {
			for _, f := range files {
				f.Close()
			}
		}()
		err = projects(sum, opts, func(name string) (io.Writer, error) {
			f, err := os.OpenFile(tmp[name], os.O_WRONLY|os.O_TRUNC, 0)
			if err == nil {
				files = append(files, f)
			}
			return f, err
		})
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := f.Close(); err != nil {
				return err
			}
		}
		files = nil
		return nil
	})
	return sum, err
}

// QGISZip writes the QGIS export as a zip to w, its files under a folder
// named shiptrack. gpkgPath is a GeoPackage written by GeoPackage, whose
// summary is sum; it is copied into the zip.
func QGISZip(w io.Writer, gpkgPath string, sum Summary, opts QGISOptions) error {
	zw := zip.NewWriter(w)
	// A GeoPackage shrinks to about a third; the fastest level gets most of
	// that at a fraction of the time.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	f, err := os.Open(gpkgPath)
	if err != nil {
		return err
	}
	defer f.Close()
	entry, err := zw.CreateHeader(&zip.FileHeader{Name: path.Join("shiptrack", GeoPackageFile), Method: zip.Deflate,
		Modified: time.Now()})
	if err != nil {
		return err
	}
	if _, err := io.Copy(entry, f); err != nil {
		return err
	}
	err = projects(sum, opts, func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: path.Join("shiptrack", name), Method: zip.Store, Modified: time.Now()})
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
