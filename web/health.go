package web

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds the store ping behind /readyz and shiptrack_store_up
// in /metrics: a probe or scrape must answer before its poller gives up.
const readyTimeout = 2 * time.Second

// healthz reports that the process is alive and serving, whatever the store.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeStatus(w)
}

// readyz reports whether the store is reachable, so a load balancer sends
// traffic only to instances that can answer it.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "error", err)
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Detail: "the store cannot be reached"})
		return
	}
	writeStatus(w)
}

func writeStatus(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}
