package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
)

// metrics counts requests for GET /metrics in the Prometheus text format
// (version 0.0.4). It is written here rather than taken from
// client_golang: a handful of counters and one histogram do not need its
// dependencies.
type metrics struct {
	started  time.Time
	inFlight atomic.Int64

	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[string]*histogram // by route pattern
}

// requestKey labels a request counter. Route is chi's pattern, such as
// /api/legs/{id}, so the number of series stays bounded whatever the URLs.
type requestKey struct {
	route, method string
	code          int
}

// latencyBuckets are upper bounds in seconds: from a cached tile to a page
// of ten thousand features.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{started: time.Now(), requests: map[requestKey]uint64{}, latency: map[string]*histogram{}}
}

// observe records one finished request.
func (m *metrics) observe(r *http.Request, code int, d time.Duration) {
	route := "unmatched"
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		route = rc.RoutePattern()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, r.Method, code}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latency[route] = h
	}
	secs := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, secs)
	h.counts[i]++
	h.sum += secs
	h.n++
}

// serve writes every metric. Store reachability is measured at scrape time,
// so an alert on shiptrack_store_up follows the store, not the last request.
func (m *metrics) serve(store interface{ Ping(context.Context) error }) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		up := 1
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		if err := store.Ping(ctx); err != nil {
			up = 0
		}
		cancel()

		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		b := bufio.NewWriter(w)
		defer b.Flush()

		gauge := func(name, help string, v float64) {
			fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, num(v))
		}
		gauge("shiptrack_store_up", "Whether the store answered a ping at scrape time (1) or not (0).", float64(up))
		gauge("shiptrack_http_requests_in_flight", "Requests being served now.", float64(m.inFlight.Load()))
		gauge("shiptrack_start_time_seconds", "When the server started, in Unix seconds.", float64(m.started.UnixNano())/1e9)
		gauge("go_goroutines", "Goroutines that currently exist.", float64(runtime.NumGoroutine()))
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		gauge("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", float64(ms.HeapAlloc))
		gauge("go_memstats_sys_bytes", "Bytes obtained from the operating system.", float64(ms.Sys))

		m.mu.Lock()
		defer m.mu.Unlock()
		fmt.Fprint(b, "# HELP shiptrack_http_requests_total Requests served, by route pattern, method and status code.\n")
		fmt.Fprint(b, "# TYPE shiptrack_http_requests_total counter\n")
		keys := make([]requestKey, 0, len(m.requests))
		for k := range m.requests {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b requestKey) int {
			return strings.Compare(fmt.Sprint(a.route, a.method, a.code), fmt.Sprint(b.route, b.method, b.code))
		})
		for _, k := range keys {
			fmt.Fprintf(b, "shiptrack_http_requests_total{route=%s,method=%s,code=\"%d\"} %d\n",
				label(k.route), label(k.method), k.code, m.requests[k])
		}

		fmt.Fprint(b, "# HELP shiptrack_http_request_duration_seconds Time to serve a request, by route pattern.\n")
		fmt.Fprint(b, "# TYPE shiptrack_http_request_duration_seconds histogram\n")
		routes := make([]string, 0, len(m.latency))
		for route := range m.latency {
			routes = append(routes, route)
		}
		slices.Sort(routes)
		for _, route := range routes {
			h := m.latency[route]
			var cum uint64
			for i, c := range h.counts {
				cum += c
				le := "+Inf"
				if i < len(latencyBuckets) {
					le = num(latencyBuckets[i])
				}
				fmt.Fprintf(b, "shiptrack_http_request_duration_seconds_bucket{route=%s,le=%q} %d\n", label(route), le, cum)
			}
			fmt.Fprintf(b, "shiptrack_http_request_duration_seconds_sum{route=%s} %s\n", label(route), num(h.sum))
			fmt.Fprintf(b, "shiptrack_http_request_duration_seconds_count{route=%s} %d\n", label(route), h.n)
		}
	}
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// label quotes a label value as the text format wants: backslash, quote and
// newline escaped.
func label(v string) string { return `"` + labelEscaper.Replace(v) + `"` }

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
