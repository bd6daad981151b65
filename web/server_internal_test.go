package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRecoverPanics checks that a panicking handler answers a 500 problem
// that leaks nothing, logs the panic, and leaves the server serving.
func TestRecoverPanics(t *testing.T) {
	var logs bytes.Buffer
	s := &server{log: slog.New(slog.NewJSONHandler(&logs, nil)), metrics: newMetrics()}
	h := s.logRequests(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("secret internal state")
		}
		w.Write([]byte("fine"))
	})))
	srv := httptest.NewServer(h)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/panic")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("panic = %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var p problem
	if err := json.Unmarshal(body, &p); err != nil || p.Status != 500 || p.Type != "about:blank" {
		t.Errorf("panic problem = %s (%v)", body, err)
	}
	if strings.Contains(string(body), "secret") {
		t.Errorf("the problem leaks the panic: %s", body)
	}
	if !strings.Contains(logs.String(), "secret internal state") || !strings.Contains(logs.String(), `"status":500`) {
		t.Errorf("the panic or its status is not logged:\n%s", logs.String())
	}

	res, err = http.Get(srv.URL + "/after")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("after a panic: %d, want 200", res.StatusCode)
	}
}
