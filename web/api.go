package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/routes"
)

// The query parameters each list accepts, in the order they are checked.
var (
	placeParams    = []string{"datetime", "bbox", "kind", "vessel", "mode", "shipment", "limit", "offset"}
	vesselParams   = []string{"datetime", "bbox", "via", "mode", "limit", "offset"}
	shipmentParams = []string{"datetime", "bbox", "via", "vessel", "mode", "limit", "offset"}
	legParams      = []string{"datetime", "bbox", "via", "vessel", "mode", "shipment", "limit", "offset"}
)

// apiRoutes mounts the JSON API under /api.
func (s *server) apiRoutes(r chi.Router) {
	st := s.store
	r.Get("/places", list(s, placeParams, st.Places, plain(routes.PlaceFeature), false))
	r.Get("/places/{id}", item(s, "place", st.Place, plain(routes.PlaceFeature), false))
	r.Get("/vessels", s.vessels())
	r.Get("/vessels/{id}", item(s, "vessel", st.Vessel, plain(routes.VesselFeature), false))
	r.Get("/shipments", list(s, shipmentParams, st.Shipments, routes.ShipmentFeature, true))
	// One shipment is read with its legs, so its geometry is its whole route.
	r.Get("/shipments/{id}", item(s, "shipment", st.Shipment, routes.ShipmentFeature, true))
	r.Get("/shipments/{id}/route", item(s, "shipment", st.Shipment, routeCollection, true))
	r.Get("/shipments/{id}/position", s.handle(s.position))
	r.Get("/positions", s.handle(s.positions))
	r.Get("/legs", list(s, legParams, st.Legs, routes.LegFeature, true))
	r.Get("/legs/{id}", item(s, "leg", st.Leg, routes.LegFeature, true))
	s.writeRoutes(r)
	r.Get("/route/{mode}", s.handle(s.computedRoute))
}

// handle adapts a handler that returns its failure, so that every failure
// is answered the same way.
func (s *server) handle(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// list serves a collection: the endpoint's parameters select a page of
// fetch's records, written as a FeatureCollection. With needRefs the
// features name the places, vessels and sources they refer to.
func list[T any](s *server, params []string, fetch func(context.Context, routes.Query) (routes.Page[T], error),
	feature func(T, *routes.Refs) *geojson.Feature, needRefs bool) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		q, err := parseQuery(r.Context(), s.store, r.URL.RawQuery, params...)
		if err != nil {
			return err
		}
		page, err := fetch(r.Context(), q)
		if err != nil {
			return fmt.Errorf("list %s: %w", r.URL.Path, err)
		}
		refs, err := s.refs(r.Context(), needRefs)
		if err != nil {
			return err
		}
		return writeList(w, r, q, page, func(it T) *geojson.Feature { return feature(it, refs) })
	})
}

// item serves one record by the {id} in the path, written by render; an id
// that names nothing is a 404 saying what was looked for.
func item[T, G any](s *server, what string, fetch func(context.Context, string) (T, error),
	render func(T, *routes.Refs) G, needRefs bool) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		// Items take no query parameters; one given anyway is refused
		// like any unknown parameter.
		if _, err := parseQuery(r.Context(), s.store, r.URL.RawQuery); err != nil {
			return err
		}
		id := chi.URLParam(r, "id")
		if !isText(id) {
			return &notFoundError{What: what, ID: id}
		}
		rec, err := fetch(r.Context(), id)
		if errors.Is(err, routes.ErrNotFound) {
			return &notFoundError{What: what, ID: id}
		}
		if err != nil {
			return fmt.Errorf("read %s %q: %w", what, id, err)
		}
		refs, err := s.refs(r.Context(), needRefs)
		if err != nil {
			return err
		}
		return writeGeoJSON(w, render(rec, refs))
	})
}

// plain adapts a feature function that refers to nothing.
func plain[T any](f func(T) *geojson.Feature) func(T, *routes.Refs) *geojson.Feature {
	return func(v T, _ *routes.Refs) *geojson.Feature { return f(v) }
}

// routeCollection is a shipment's route: its legs in order with totals.
func routeCollection(sh routes.Shipment, refs *routes.Refs) *geojson.FeatureCollection {
	return routes.NewRoute(sh).FeatureCollection(refs)
}

// refs loads the reference tables when a response needs them.
func (s *server) refs(ctx context.Context, need bool) (*routes.Refs, error) {
	if !need {
		return nil, nil
	}
	return routes.LoadRefs(ctx, s.store)
}

// link is an OGC API / RFC 8288 style link object.
type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
	Type string `json:"type"`
}

// writeList writes a page as a FeatureCollection whose foreign members say
// how many items matched, how many this page holds, and where the
// neighbouring pages are. Links are root-relative and keep every other
// parameter of the request.
func writeList[T any](w http.ResponseWriter, r *http.Request, q routes.Query, page routes.Page[T], feature func(T) *geojson.Feature) error {
	fc := geojson.NewFeatureCollection()
	for _, it := range page.Items {
		fc.Append(feature(it))
	}
	fc.ExtraMembers = geojson.Properties{
		"numberMatched":  page.Matched,
		"numberReturned": len(page.Items),
		"links":          pageLinks(r, q, q.Offset+len(page.Items) < page.Matched),
	}
	return writeGeoJSON(w, fc)
}

// pageLinks are the self, next (when more follow) and prev links of the
// page q selects.
func pageLinks(r *http.Request, q routes.Query, more bool) []link {
	pageURL := func(offset int, keepPaging bool) string {
		vals := r.URL.Query()
		if keepPaging {
			vals.Set("limit", strconv.Itoa(q.Limit))
			vals.Set("offset", strconv.Itoa(offset))
		}
		u := url.URL{Path: r.URL.Path, RawQuery: vals.Encode()}
		return u.String()
	}
	links := []link{{Href: pageURL(0, false), Rel: "self", Type: geoJSON}}
	if more {
		links = append(links, link{Href: pageURL(q.Offset+q.Limit, true), Rel: "next", Type: geoJSON})
	}
	if q.Offset > 0 {
		links = append(links, link{Href: pageURL(max(q.Offset-q.Limit, 0), true), Rel: "prev", Type: geoJSON})
	}
	return links
}

// geoJSON is the media type of RFC 7946 GeoJSON.
const geoJSON = "application/geo+json"

// writeGeoJSON marshals v whole before sending anything, so a failure is
// still answered with a problem rather than half a document.
func writeGeoJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode GeoJSON: %w", err)
	}
	w.Header().Set("Content-Type", geoJSON)
	w.Write(append(b, '\n')) // a failed write means the client left; no one is there to tell
	return nil
}
