package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/shiptrack/shiptrack/routes"
)

// setAt reads at, one instant: an RFC 3339 time, or a date for its first
// instant. It is kept as an interval of that one instant.
func setAt(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
	t, err := routes.ParseInstant(v)
	if err != nil {
		return invalid("%v", err)
	}
	q.During = routes.Interval{Start: t, End: t}
	return nil
}

// position serves /api/shipments/{id}/position?at=T: where the shipment
// probably was at T, as a Point feature with the leg and the uncertainty
// (see routes.Locate).
func (s *server) position(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q, err := parseQuery(ctx, s.store, r.URL.RawQuery, "at")
	if err != nil {
		return err
	}
	if q.During.IsZero() {
		return &paramError{Param: "at", Detail: "is required: the time to place the shipment at, such as at=2023-09-20T06:00:00Z or at=2023-09-20"}
	}
	id := chi.URLParam(r, "id")
	if !isText(id) {
		return &notFoundError{What: "shipment", ID: id}
	}
	est, err := routes.Where(ctx, s.store, id, q.During.Start)
	if errors.Is(err, routes.ErrNotFound) {
		return &notFoundError{What: "shipment", ID: id}
	}
	if err != nil {
		return fmt.Errorf("place shipment %q: %w", id, err)
	}
	refs, err := routes.LoadRefs(ctx, s.store)
	if err != nil {
		return err
	}
	return writeGeoJSON(w, routes.EstimateFeature(est, refs))
}
