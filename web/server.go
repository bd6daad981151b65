// Package web serves shiptrack over HTTP: the JSON API of places, vessels,
// shipments and legs as GeoJSON, route queries, vector tiles, the map, health
// checks, and errors as RFC 9457 problem details.
//
// The read API:
//
//	GET /api/places                  bbox, kind; datetime, vessel, mode, shipment (by the legs that start or end there); limit, offset
//	GET /api/vessels                 datetime, bbox, via, mode, limit, offset
//	GET /api/vessels?near=&within=   which vessels came that close, from AIS: datetime, bbox, mmsi, limit, offset
//	GET /api/shipments               datetime, bbox, via, vessel, mode, limit, offset
//	GET /api/legs                    datetime, bbox, via, vessel, mode, shipment, limit, offset
//	GET /api/{places,vessels,shipments,legs}/{id}
//	GET /api/shipments/{id}/route    the legs in order, with totals
//	GET /api/route/{sea,rail}        from, to, avoid: a route drawn by a router
//	GET /api/shipments/{id}/position at: where it probably was, with the uncertainty
//	GET /api/positions               AIS, streamed: datetime, bbox, near, within, vessel, mmsi, limit, offset
//	GET /tiles/{layer}.json          TileJSON 3.0.0 of a vector tile layer; datetime
//	GET /tiles/{layer}/{z}/{x}/{y}.mvt  a Mapbox Vector Tile; datetime
//	GET /                            the map; its files under /map/
//	GET /export/shiptrack.gpkg, /export/qgis.zip, /export/{layer}.geojson, /export/{layer}.csv
//	                                 downloads; see export.go
//	GET /healthz, /readyz, /metrics  liveness, readiness, Prometheus metrics
//
// The write API, POST /api/ingest and POST /api/shipments, takes files
// behind a bearer token; see Ingester.
//
// Lists are RFC 7946 FeatureCollections with the foreign members
// numberMatched, numberReturned and links (self, next, prev). A parameter an
// endpoint does not accept, a repeated one, or a filter id that names nothing
// is a 400 problem whose member "parameter" names it: a misspelt filter never
// silently returns everything. A limit above MaxLimit is refused, not
// clamped.
package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/shiptrack/shiptrack/routes"
)

// DefaultTimeout bounds a request when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options configure the handler New returns. The zero Options are usable.
type Options struct {
	// Logger receives one line per request and every server-side failure.
	// Nil discards them.
	Logger *slog.Logger
	// Token is the bearer token that write endpoints will require. Empty
	// disables writes. The read API ignores it.
	Token string
	// Ingester reads the files the write endpoints receive; nil disables
	// writes. See write.go.
	Ingester Ingester
	// MaxBody bounds a write's body in bytes; zero means DefaultMaxBody.
	MaxBody int64
	// WriteTimeout bounds a write, its body's arrival included, as Timeout
	// bounds a read; zero or less means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Timeout bounds each request through its context: store calls still
	// running when it passes are cancelled and the client gets a 503.
	// Zero means DefaultTimeout; a negative value means no bound.
	Timeout time.Duration
	// VersionEvery is how often, at most, the store's data version behind
	// tile ETags is re-read. Zero means DefaultVersionEvery; a negative
	// value re-reads it for every tile.
	VersionEvery time.Duration
	// Routers draw the routes of /api/route/{mode}, one per mode. A mode
	// without one is answered 503: no network is loaded for it.
	Routers map[routes.Mode]routes.Router
}

// server holds what every handler needs.
type server struct {
	store routes.Store
	// features serves OGC API Features; nil when the store cannot.
	features routes.FeatureStore
	log      *slog.Logger
	timeout  time.Duration
	writes   writes
	metrics  *metrics
	routers  map[routes.Mode]routes.Router
}

// New returns the HTTP handler for the whole service, reading from store.
// The caller keeps ownership of store and closes it after the server stops.
func New(store routes.Store, opts Options) http.Handler {
	s := &server{store: store, log: opts.Logger, timeout: opts.Timeout, writes: newWrites(opts), metrics: newMetrics(), routers: opts.Routers}
	s.features, _ = store.(routes.FeatureStore)
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}

	r := chi.NewRouter()
	r.Use(s.logRequests, s.recoverPanics, s.limitTime, middleware.GetHead,
		middleware.Compress(5, "application/json", "application/geo+json", "application/problem+json",
			"application/schema+json", "application/vnd.oai.openapi+json", "text/html"))
	r.NotFound(notFound)
	r.MethodNotAllowed(s.methodNotAllowed(r))

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/metrics", s.metrics.serve(store))
	r.Get("/problems/{type}", s.problemType)
	r.Route("/api", s.apiRoutes)
	if tiler, ok := store.(routes.Tiler); ok {
		r.Route("/tiles", newTiles(s, tiler, opts.VersionEvery).routes)
	}
	s.mapRoutes(r)
	if s.features != nil {
		r.Route("/ogc", s.ogcRoutes)
	}
	r.Route("/export", s.exportRoutes)
	return r
}

// logRequests writes one line per request and counts it for /metrics.
// Health probes and scrapes that succeed are logged at debug level: an
// orchestrator polls them every few seconds.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Add(1)
		defer s.metrics.inFlight.Add(-1)
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		status := ww.Status()
		if status == 0 { // nothing written: net/http answers 200
			status = http.StatusOK
		}
		took := time.Since(start)
		s.metrics.observe(r, status, took)
		level := slog.LevelInfo
		if status < 400 && (r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics") {
			level = slog.LevelDebug
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", took))
	})
}

// recoverPanics turns a panicking handler into a 500 problem and logs the
// stack, so one bad request does not take the process down.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler { // net/http's way to abort a response; let it through
				panic(rec)
			}
			s.log.ErrorContext(r.Context(), "panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Any("panic", rec), slog.String("stack", string(debug.Stack())))
			if ww, ok := w.(middleware.WrapResponseWriter); ok && ww.Status() != 0 {
				return // the response has begun; too late for a problem document
			}
			writeProblem(w, problem{Status: http.StatusInternalServerError,
				Detail: "the server failed to answer this request; the failure has been logged"})
		}()
		next.ServeHTTP(w, r)
	})
}

// limitTime puts the request timeout on the request's context. Downloads
// under /export are not bounded: a large export takes as long as it takes.
func (s *server) limitTime(next http.Handler) http.Handler {
	if s.timeout < 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/export/") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.timeoutFor(r))
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// notFound answers a path nothing is served at.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, problem{Status: http.StatusNotFound,
		Detail: "nothing is served at " + r.URL.Path})
}

// methodNotAllowed answers 405 with the Allow header that chi's own 405
// handler would set; chi does not pass the allowed methods to a custom one.
func (s *server) methodNotAllowed(mux *chi.Mux) http.HandlerFunc {
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions}
	return func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range methods {
			// HEAD is served by GET handlers through middleware.GetHead.
			probe := m
			if m == http.MethodHead {
				probe = http.MethodGet
			}
			if mux.Match(chi.NewRouteContext(), probe, r.URL.Path) {
				allowed = append(allowed, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeProblem(w, problem{Status: http.StatusMethodNotAllowed,
			Detail: r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + strings.Join(allowed, ", ")})
	}
}
