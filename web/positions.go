package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/routes"
)

// The parameters of the AIS questions.
var (
	positionParams = []string{"datetime", "bbox", "near", "within", "vessel", "mmsi", "limit", "offset"}
	// approachParams are /api/vessels' parameters when near is given: the
	// vessels are then found from their AIS positions.
	approachParams = []string{"datetime", "bbox", "near", "within", "mmsi", "limit", "offset"}
)

// setNear reads near: a place id or LON,LAT. The distance comes from within,
// which must follow; until it does the circle has no radius (NaN).
func setNear(ctx context.Context, st routes.Store, q *routes.Query, v string) error {
	p, err := placeOrPoint(ctx, st, v)
	if err != nil {
		return err
	}
	q.Near = &routes.Near{Point: p, Meters: math.NaN()}
	return nil
}

// placeOrPoint reads a parameter that is a place id or LON,LAT.
func placeOrPoint(ctx context.Context, st routes.Store, v string) (orb.Point, error) {
	p, isPair, err := routes.ParseLonLat(v)
	if isPair && err != nil {
		return p, invalid("%v; want a place id or LON,LAT", err)
	}
	if !isPair {
		place, err := st.Place(ctx, v)
		if errors.Is(err, routes.ErrNotFound) {
			return p, invalid("unknown place '%s'; want a place id or LON,LAT", v)
		}
		if err != nil {
			return p, fmt.Errorf("look up place %q: %w", v, err)
		}
		p = place.Point()
	}
	return p, nil
}

// setWithin reads within, the radius of near: 20km, 5nm, 800m.
func setWithin(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
	if q.Near == nil {
		return invalid("needs near, the place id or LON,LAT to measure from")
	}
	m, err := routes.ParseDistance(v)
	if err != nil {
		return invalid("%v", err)
	}
	q.Near.Meters = m
	return nil
}

// parseNearQuery is parseQuery for the endpoints that take near and within,
// refusing a near that came without its distance.
func parseNearQuery(r *http.Request, st routes.Store, accepted ...string) (routes.Query, error) {
	q, err := parseQuery(r.Context(), st, r.URL.RawQuery, accepted...)
	if err == nil && q.Near != nil && math.IsNaN(q.Near.Meters) {
		err = &paramError{Param: "within", Detail: "is required with near: the distance, such as 20km, 5nm or 800m"}
	}
	return q, err
}

func setMMSI(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
	if len(v) != 9 || !isDigits(v) {
		return invalid("'%s' is not an MMSI: want 9 digits", v)
	}
	q.MMSI = v
	return nil
}

// positions streams AIS positions as a FeatureCollection, written as the
// store yields them: a page of 10,000 is never held whole. numberMatched is
// left out because counting would read every match a second time; one
// position beyond the page says whether a next link is due.
func (s *server) positions(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q, err := parseNearQuery(r, s.store, positionParams...)
	if err != nil {
		return err
	}
	limit := q.Limit
	q.Limit++
	w.Header().Set("Content-Type", geoJSON)
	bw := bufio.NewWriterSize(w, 32<<10)
	written := 0 // bytes given to bw
	put := func(b []byte) { n, _ := bw.Write(b); written += n }
	// A failure before the buffer first fills has sent nothing: it can
	// still be answered with a problem. Later the response must be cut.
	fail := func(what string, err error) error {
		if bw.Buffered() == written {
			return fmt.Errorf("%s: %w", what, err)
		}
		s.abort(r, what, err)
		return nil
	}
	put([]byte(`{"type":"FeatureCollection","features":[`))
	n, more := 0, false
	for p, err := range s.store.Positions(ctx, q) {
		if err != nil {
			return fail("list positions", err)
		}
		if n == limit {
			more = true
			break
		}
		b, err := json.Marshal(routes.PositionFeature(p))
		if err != nil {
			return fail("encode a position", err)
		}
		if n > 0 {
			put([]byte{','})
		}
		put(b)
		n++
	}
	q.Limit = limit
	links, err := json.Marshal(pageLinks(r, q, more))
	if err != nil {
		return fail("encode links", err)
	}
	put(fmt.Appendf(nil, `],"numberReturned":%d,"links":%s}`+"\n", n, links))
	bw.Flush() // a failed write means the client left; no one is there to tell
	return nil
}

// vessels serves /api/vessels. Without near it lists vessels by their legs.
// With near and within it answers which vessels came that close, from AIS:
// one feature per MMSI at its closest approach, ordered by first seen.
func (s *server) vessels() http.HandlerFunc {
	byLegs := list(s, vesselParams, s.store.Vessels, plain(routes.VesselFeature), false)
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		vals, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil || !vals.Has("near") && !vals.Has("within") {
			byLegs(w, r) // it reports a malformed query too
			return nil
		}
		for _, p := range []string{"via", "mode"} {
			if vals.Has(p) {
				return &paramError{Param: p, Detail: "cannot be combined with near: via and mode find vessels by their legs, near by their AIS positions"}
			}
		}
		ctx := r.Context()
		q, err := parseNearQuery(r, s.store, approachParams...)
		if err != nil {
			return err
		}
		whole := q
		whole.Limit, whole.Offset = 0, 0
		all, err := routes.Approaches(s.store.Positions(ctx, whole), q.Near.Point)
		if err != nil {
			return fmt.Errorf("list approaches: %w", err)
		}
		refs, err := routes.LoadRefs(ctx, s.store)
		if err != nil {
			return err
		}
		byMMSI := routes.VesselsByMMSI(refs)
		return writeList(w, r, q, routes.Paginate(all, q.Limit, q.Offset), func(a routes.Approach) *geojson.Feature {
			return routes.ApproachFeature(a, byMMSI)
		})
	})
}
