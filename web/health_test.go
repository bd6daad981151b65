package web_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

func TestHealthz(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) routes.Store) {
		s := open(t)
		srv := serve(t, s, web.Options{})
		if res := get(t, srv, "/healthz"); res.status != 200 || string(res.body) != "{\"status\":\"ok\"}\n" {
			t.Errorf("healthz = %d %s", res.status, res.body)
		}
		if res := get(t, srv, "/readyz"); res.status != 200 {
			t.Errorf("readyz with an open store = %d %s", res.status, res.body)
		}

		// A closed store is unreachable: not ready, yet alive, and every
		// read is a 503 problem rather than a 500.
		s.Close()
		getProblem(t, srv, http.MethodGet, "/readyz", 503)
		if res := get(t, srv, "/healthz"); res.status != 200 {
			t.Errorf("healthz with the store closed = %d, want 200", res.status)
		}
		for _, path := range []string{"/api/places", "/api/legs?via=najin", "/api/shipments/nk-ru-2023-09", "/api/shipments/x/route"} {
			p := getProblem(t, srv, http.MethodGet, path, 503)
			if p.Type != "about:blank" || p.Title != "Service Unavailable" {
				t.Errorf("GET %s with the store closed: %+v", path, p)
			}
		}
	})
}

// TestReadyzRecovers cuts the connection to PostgreSQL and restores it:
// /readyz must say 503 while the database is unreachable and 200 once it is
// back, without a restart.
func TestReadyzRecovers(t *testing.T) {
	if os.Getenv("SHIPTRACK_SKIP_POSTGIS") == "1" {
		t.Skip("SHIPTRACK_SKIP_POSTGIS=1")
	}
	dbURL := createDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.addr()
	s := openPostGISAt(t, u.String())
	srv := serve(t, s, web.Options{})

	if res := get(t, srv, "/readyz"); res.status != 200 {
		t.Fatalf("readyz before the outage = %d %s", res.status, res.body)
	}
	p.setDown(true)
	getProblem(t, srv, http.MethodGet, "/readyz", 503)
	getProblem(t, srv, http.MethodGet, "/api/places", 503)
	if res := get(t, srv, "/healthz"); res.status != 200 {
		t.Errorf("healthz during the outage = %d, want 200", res.status)
	}
	p.setDown(false)
	if res := get(t, srv, "/readyz"); res.status != 200 {
		t.Errorf("readyz after the outage = %d %s, want 200", res.status, res.body)
	}
	if res := get(t, srv, "/api/places"); res.status != 200 {
		t.Errorf("places after the outage = %d %s, want 200", res.status, res.body)
	}
}

// proxy forwards TCP connections to a target on loopback and can cut them,
// standing in for a network outage between the service and its database.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener is closed
			}
			go p.forward(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		p.setDown(true)
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// setDown cuts every open connection and refuses new ones while down.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

func (p *proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

func (p *proxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		client.Close()
		server.Close()
		return
	}
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		// One side ended: end both, so the other copy returns too.
		dst.Close()
		src.Close()
	}
	wg.Add(2)
	go pipe(server, client)
	go pipe(client, server)
	wg.Wait()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}
