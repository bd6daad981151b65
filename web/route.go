package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// routeParams are the parameters of /api/route/{mode}.
var routeParams = []string{"from", "to", "avoid"}

// computedRoute answers /api/route/{mode}?from=&to=&avoid=: the line the
// mode's router draws between two places or points, as a Feature with its
// length and how far each end was moved to reach the network. from and to
// are place ids or lon,lat; avoid is a comma-separated list of passages.
func (s *server) computedRoute(w http.ResponseWriter, r *http.Request) error {
	mode := routes.Mode(chi.URLParam(r, "mode"))
	if !slices.Contains(routes.Modes, mode) {
		notFound(w, r)
		return nil
	}
	vals, err := queryValues(r.URL.RawQuery, routeParams...)
	if err != nil {
		return err
	}
	for _, name := range []string{"from", "to"} {
		if !vals.Has(name) {
			return &paramError{Param: name, Detail: "is required: a place id or lon,lat"}
		}
	}
	router, ok := s.routers[mode]
	if !ok {
		writeProblem(w, problem{Status: http.StatusServiceUnavailable,
			Detail: fmt.Sprintf("no %s network is loaded on this server, so it cannot draw %s routes", mode, mode)})
		return nil
	}
	from, err := s.routeEnd(r, "from", vals.Get("from"))
	if err != nil {
		return err
	}
	to, err := s.routeEnd(r, "to", vals.Get("to"))
	if err != nil {
		return err
	}
	var avoid []string
	for a := range strings.SplitSeq(vals.Get("avoid"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			avoid = append(avoid, a)
		}
	}
	res, err := router.Route(r.Context(), from, to, routes.RouteOptions{Avoid: avoid})
	if bad, ok := errors.AsType[*routes.RouteInputError](err); ok {
		return &paramError{Param: bad.Param, Detail: bad.Err.Error()}
	}
	if errors.Is(err, routes.ErrUnroutable) {
		writeProblem(w, problem{Type: "no-route", Status: http.StatusUnprocessableEntity, Detail: err.Error()})
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s route: %w", mode, err)
	}
	return writeGeoJSON(w, routes.ComputedFeature(mode, vals.Get("from"), vals.Get("to"), from, to, avoid, res))
}

// routeEnd reads a route's end: a place id or LON,LAT.
func (s *server) routeEnd(r *http.Request, param, v string) (orb.Point, error) {
	p, err := placeOrPoint(r.Context(), s.store, v)
	if pe, ok := errors.AsType[*paramError](err); ok {
		pe.Param = param
	}
	return p, err
}
