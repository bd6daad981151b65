package web_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// sample is one line of the Prometheus text format: name{labels} value.
var sample = regexp.MustCompile(`^([a-z_]+)(\{.*\})? (\S+)$`)

// scrape reads /metrics into a map from "name{labels}" to value, checking
// that every line is a comment or a well-formed sample.
func scrape(t *testing.T, body string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a Prometheus sample: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		s := open(t)
		srv := serve(t, s, web.Options{})
		for range 3 {
			get(t, srv, "/api/legs")
		}
		get(t, srv, "/api/legs/no-such-leg")
		get(t, srv, "/api/legs?bbox=1,2,3")

		res := get(t, srv, "/metrics")
		if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain; version=0.0.4") {
			t.Fatalf("/metrics = %d %s", res.status, res.header.Get("Content-Type"))
		}
		m := scrape(t, string(res.body))
		for key, want := range map[string]float64{
			`shiptrack_http_requests_total{route="/api/legs",method="GET",code="200"}`:      3,
			`shiptrack_http_requests_total{route="/api/legs",method="GET",code="400"}`:      1,
			`shiptrack_http_requests_total{route="/api/legs/{id}",method="GET",code="404"}`: 1,
			`shiptrack_http_request_duration_seconds_count{route="/api/legs"}`:              4,
			`shiptrack_http_request_duration_seconds_bucket{route="/api/legs",le="+Inf"}`:   4,
			`shiptrack_store_up`: 1,
			// The scrape itself is in flight while it is written.
			`shiptrack_http_requests_in_flight`: 1,
		} {
			if got, ok := m[key]; !ok || got != want {
				t.Errorf("%s = %v (present %v); want %v", key, got, ok, want)
			}
		}
		// Series are labelled by route pattern, never by the raw path, so
		// a crawler cannot make them grow without bound.
		if strings.Contains(string(res.body), "no-such-leg") {
			t.Error("a request's id leaked into a metric label")
		}

		s.Close()
		m = scrape(t, string(get(t, srv, "/metrics").body))
		if m["shiptrack_store_up"] != 0 {
			t.Errorf("shiptrack_store_up with the store closed = %v; want 0", m["shiptrack_store_up"])
		}
	})
}
