package web

import (
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
	placeParams    = []string{"bbox", "kind", "limit", "offset"}
	vesselParams   = []string{"datetime", "bbox", "via", "mode", "limit", "offset"}
	shipmentParams = []string{"datetime", "bbox", "via", "vessel", "mode", "limit", "offset"}
	legParams      = []string{"datetime", "bbox", "via", "vessel", "mode", "shipment", "limit", "offset"}
)

// apiRoutes mounts the JSON API under /api.
func (s *server) apiRoutes(r chi.Router) {
	r.Get("/places", s.handle(s.places))
	r.Get("/places/{id}", s.handle(s.place))
	r.Get("/vessels", s.handle(s.vessels))
	r.Get("/vessels/{id}", s.handle(s.vessel))
	r.Get("/shipments", s.handle(s.shipments))
	r.Get("/shipments/{id}", s.handle(s.shipment))
	r.Get("/shipments/{id}/route", s.handle(s.route))
	r.Get("/legs", s.handle(s.legs))
	r.Get("/legs/{id}", s.handle(s.leg))
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

func (s *server) places(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r.Context(), s.store, r.URL.RawQuery, placeParams...)
	if err != nil {
		return err
	}
	page, err := s.store.Places(r.Context(), q)
	if err != nil {
		return fmt.Errorf("list places: %w", err)
	}
	return writeList(w, r, q, page, routes.PlaceFeature)
}

func (s *server) place(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.store.Place(r.Context(), id)
	if err != nil {
		return lookupErr("place", id, err)
	}
	return writeGeoJSON(w, routes.PlaceFeature(p))
}

func (s *server) vessels(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r.Context(), s.store, r.URL.RawQuery, vesselParams...)
	if err != nil {
		return err
	}
	page, err := s.store.Vessels(r.Context(), q)
	if err != nil {
		return fmt.Errorf("list vessels: %w", err)
	}
	return writeList(w, r, q, page, routes.VesselFeature)
}

func (s *server) vessel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.store.Vessel(r.Context(), id)
	if err != nil {
		return lookupErr("vessel", id, err)
	}
	return writeGeoJSON(w, routes.VesselFeature(v))
}

func (s *server) shipments(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r.Context(), s.store, r.URL.RawQuery, shipmentParams...)
	if err != nil {
		return err
	}
	page, err := s.store.Shipments(r.Context(), q)
	if err != nil {
		return fmt.Errorf("list shipments: %w", err)
	}
	refs, err := routes.LoadRefs(r.Context(), s.store)
	if err != nil {
		return err
	}
	return writeList(w, r, q, page, func(sh routes.Shipment) *geojson.Feature { return routes.ShipmentFeature(sh, refs) })
}

// shipment writes one shipment with its legs, so its geometry is the whole
// line of its route.
func (s *server) shipment(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.loadShipment(r)
	if err != nil {
		return err
	}
	refs, err := routes.LoadRefs(r.Context(), s.store)
	if err != nil {
		return err
	}
	return writeGeoJSON(w, routes.ShipmentFeature(sh, refs))
}

// route writes a shipment's legs in order with the route's totals.
func (s *server) route(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.loadShipment(r)
	if err != nil {
		return err
	}
	refs, err := routes.LoadRefs(r.Context(), s.store)
	if err != nil {
		return err
	}
	return writeGeoJSON(w, routes.NewRoute(sh).FeatureCollection(refs))
}

func (s *server) loadShipment(r *http.Request) (routes.Shipment, error) {
	id, err := pathID(r)
	if err != nil {
		return routes.Shipment{}, err
	}
	sh, err := s.store.Shipment(r.Context(), id)
	if err != nil {
		return routes.Shipment{}, lookupErr("shipment", id, err)
	}
	return sh, nil
}

func (s *server) legs(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r.Context(), s.store, r.URL.RawQuery, legParams...)
	if err != nil {
		return err
	}
	page, err := s.store.Legs(r.Context(), q)
	if err != nil {
		return fmt.Errorf("list legs: %w", err)
	}
	refs, err := routes.LoadRefs(r.Context(), s.store)
	if err != nil {
		return err
	}
	return writeList(w, r, q, page, func(l routes.Leg) *geojson.Feature { return routes.LegFeature(l, refs) })
}

func (s *server) leg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.store.Leg(r.Context(), id)
	if err != nil {
		return lookupErr("leg", id, err)
	}
	refs, err := routes.LoadRefs(r.Context(), s.store)
	if err != nil {
		return err
	}
	return writeGeoJSON(w, routes.LegFeature(l, refs))
}

// pathID is the {id} of an item path. Items take no query parameters; one
// given anyway is refused like any unknown parameter.
func pathID(r *http.Request) (string, error) {
	if _, err := parseQuery(r.Context(), nil, r.URL.RawQuery); err != nil {
		return "", err
	}
	return chi.URLParam(r, "id"), nil
}

// lookupErr turns the store's not-found into a 404 naming the id.
func lookupErr(what, id string, err error) error {
	if errors.Is(err, routes.ErrNotFound) {
		return &notFoundError{What: what, ID: id}
	}
	return fmt.Errorf("read %s %q: %w", what, id, err)
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
	if q.Offset+len(page.Items) < page.Matched {
		links = append(links, link{Href: pageURL(q.Offset+q.Limit, true), Rel: "next", Type: geoJSON})
	}
	if q.Offset > 0 {
		links = append(links, link{Href: pageURL(max(q.Offset-q.Limit, 0), true), Rel: "prev", Type: geoJSON})
	}
	fc.ExtraMembers = geojson.Properties{
		"numberMatched":  page.Matched,
		"numberReturned": len(page.Items),
		"links":          links,
	}
	return writeGeoJSON(w, fc)
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
