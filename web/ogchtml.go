package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"iter"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/shiptrack/shiptrack/routes"
)

// The HTML pages of OGC API Features: the same resources as the JSON, for a
// person in a browser.

//go:embed templates/ogc.html
var templateFS embed.FS

// pages are the HTML templates, one per kind of page, each the layout
// around its body.
var pages = func() map[string]*template.Template {
	layout := template.Must(template.ParseFS(templateFS, "templates/ogc.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"landing", "conformance", "collections", "collection", "queryables", "items", "item", "api"} {
		t := template.Must(layout.Clone())
		template.Must(t.New("body").Parse(`{{template "` + name + `" .}}`))
		out[name] = t
	}
	return out
}()

// ogcBase is where the pages link to: root-relative, so that they work
// behind any host name.
const ogcBase = "/ogc"

// writeHTML renders a page whole before sending it, so that a template
// failure is still answered with a problem.
func writeHTML(w http.ResponseWriter, page, title string, data any) error {
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", struct {
		Title, Base string
		Data        any
	}{title, ogcBase, data}); err != nil {
		return fmt.Errorf("render %s page: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
	return nil
}

// htmlFeature is a feature as a row of text.
type htmlFeature struct {
	ID       string
	Geometry string
	Props    []htmlProp
}

type htmlProp struct{ Name, Value string }

func newHTMLFeature[T any](schema *routes.Schema[T], x T, props []bool) htmlFeature {
	f := htmlFeature{ID: schema.ID(x), Geometry: schema.GeometryType}
	for i, fd := range schema.Fields {
		if props != nil && !props[i] {
			continue
		}
		f.Props = append(f.Props, htmlProp{fd.Name, textOf(schema.Value(x, i))})
	}
	return f
}

// textOf writes a value for a person.
func textOf(v routes.Value) string {
	switch v.Type {
	case routes.String:
		return v.Str
	case routes.Number, routes.Integer:
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	case routes.Boolean:
		return strconv.FormatBool(v.Bool)
	case routes.DateTime:
		return routes.FormatTime(v.Time)
	}
	return ""
}

// itemsHTML renders a page of items as a table. A page holds at most
// MaxLimit features, and a person asked for it, so it is rendered whole.
func itemsHTML[T any](w http.ResponseWriter, schema *routes.Schema[T], items iter.Seq2[T, error], ir itemsRequest,
	matched int, links []ogcLink) error {
	page := struct {
		Collection        string
		Matched, Returned int
		Columns           []string
		Features          []htmlFeature
		Links             []ogcLink
	}{Collection: schema.Name, Matched: matched, Links: links}
	for i, f := range schema.Fields {
		if ir.props == nil || ir.props[i] {
			page.Columns = append(page.Columns, f.Name)
		}
	}
	for x, err := range items {
		if err != nil {
			return fmt.Errorf("read %s: %w", schema.Name, err)
		}
		page.Features = append(page.Features, newHTMLFeature(schema, x, ir.props))
	}
	page.Returned = len(page.Features)
	return writeHTML(w, "items", schema.Title, page)
}

// prefersHTML reports whether an Accept header ranks HTML above JSON, as a
// browser's does. No header, or one that ranks them equal, means JSON.
func prefersHTML(accept string) bool {
	if accept == "" {
		return false
	}
	best := map[bool]float64{}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		var html bool
		switch mt {
		case "text/html", "application/xhtml+xml":
			html = true
		case "application/json", "application/geo+json", mediaSchema, "application/vnd.oai.openapi+json":
		default:
			continue
		}
		best[html] = max(best[html], q)
	}
	return best[true] > best[false]
}
