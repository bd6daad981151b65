package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// TestTimeout gives requests no time at all: the store's calls see an
// expired context and the client gets a 503 problem, not a 500.
func TestTimeout(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		s := open(t)
		load(t, s, fixture())
		srv := serve(t, s, web.Options{Timeout: time.Nanosecond})
		for _, path := range []string{"/api/legs", "/api/shipments/nk-ru-2023-09/route", "/api/legs?via=najin"} {
			getProblem(t, srv, http.MethodGet, path, 503)
		}
	})
}

// TestRequestLog checks the one log line per request that operators read.
func TestRequestLog(t *testing.T) {
	var logs bytes.Buffer
	s := openGPKG(t)
	load(t, s, fixture())
	srv := serve(t, s, web.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	get(t, srv, "/api/legs?mode=sea")
	get(t, srv, "/api/legs/nowhere")

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d request lines, want 2:\n%s", len(lines), logs.String())
	}
	for i, want := range []struct {
		path   string
		status float64
	}{{"/api/legs", 200}, {"/api/legs/nowhere", 404}} {
		l := lines[i]
		if l["method"] != "GET" || l["path"] != want.path || l["status"] != want.status || l["duration"] == nil {
			t.Errorf("request line %d = %v, want GET %s %v with a duration", i, l, want.path, want.status)
		}
	}
}

// TestGzip checks that clients that accept gzip get it, and the same JSON.
func TestGzip(t *testing.T) {
	srv := serveFixture(t, openGPKG)
	plain := get(t, srv, "/api/legs")

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/legs", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip") // set by hand, so the client does not undo it
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, plain.body) {
		t.Errorf("gzipped body differs from the plain one")
	}
}
