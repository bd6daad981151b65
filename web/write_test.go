package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/internal/bodytest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

const token = "correct horse battery staple"

// reader is a web.Ingester that reads the body to its end, as a real one
// does, and answers with what it was told to. It records what it was given.
type reader struct {
	mu      sync.Mutex
	uploads []web.Upload
	bodies  []string
	answer  error
	written int
}

func (rd *reader) Ingest(ctx context.Context, u web.Upload) (web.IngestSummary, error) {
	body, err := io.ReadAll(u.Body)
	rd.mu.Lock()
	defer rd.mu.Unlock()
	rd.uploads = append(rd.uploads, u)
	rd.bodies = append(rd.bodies, string(body))
	if err != nil {
		return web.IngestSummary{}, fmt.Errorf("read body: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return web.IngestSummary{}, err
	}
	if rd.answer != nil {
		return web.IngestSummary{}, rd.answer
	}
	return web.IngestSummary{Read: map[string]int{"places": 1}, Written: map[string]int{"places": rd.written}}, nil
}

func (rd *reader) calls() int {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	return len(rd.uploads)
}

// post sends a write and returns the answer; see bodytest.Post. A
// contentLength of -1 sends the body chunked.
func post(t *testing.T, srv *httptest.Server, path, auth, contentType string, b io.Reader, contentLength int64) response {
	t.Helper()
	h := http.Header{}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	res, got, err := bodytest.Post(srv.URL+path, h, b, contentLength)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return response{res.StatusCode, res.Header, got}
}

// writeProblem is a problem document with the members writes add.
type writeProblem struct {
	problemDoc
	Errors []web.FieldProblem `json:"errors"`
}

func decodeProblem(t *testing.T, res response, status int) writeProblem {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d %s, want %d", res.status, res.body, status)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p writeProblem
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatalf("%v\n%s", err, res.body)
	}
	if p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Errorf("incomplete problem %s", res.body)
	}
	return p
}

func serveWrites(t *testing.T, opts web.Options) (*httptest.Server, *reader) {
	t.Helper()
	rd := &reader{}
	if opts.Ingester == nil {
		opts.Ingester = rd
	}
	return serve(t, openGPKG(t), opts), rd
}

// TestWriteNeedsToken refuses writes without the server's token, before
// reading a byte of the body.
func TestWriteNeedsToken(t *testing.T) {
	for _, c := range []struct {
		name        string
		serverToken string
		auth        string
		status      int
		problem     string
	}{
		{"writes off", "", "Bearer " + token, 403, "/problems/writes-off"},
		{"no token", token, "", 401, "/problems/unauthorized"},
		{"another scheme", token, "Basic " + token, 401, "/problems/unauthorized"},
		{"an empty token", token, "Bearer ", 401, "/problems/unauthorized"},
		{"a wrong token", token, "Bearer " + token + "!", 403, "/problems/wrong-token"},
		{"a prefix of the token", token, "Bearer correct", 403, "/problems/wrong-token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, rd := serveWrites(t, web.Options{Token: c.serverToken})
			for _, path := range []string{"/api/ingest", "/api/shipments"} {
				b := &bodytest.Spaces{N: 1 << 20}
				p := decodeProblem(t, post(t, srv, path, c.auth, "application/json", b, b.N), c.status)
				if p.Type != c.problem {
					t.Errorf("%s: problem %q, want %q", path, p.Type, c.problem)
				}
				if n := b.Sent(); n != 0 {
					t.Errorf("%s: %d bytes of the body were sent before the token was checked", path, n)
				}
			}
			if c.status == 401 {
				res := post(t, srv, "/api/ingest", c.auth, "", strings.NewReader("{}"), 2)
				if h := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
					t.Errorf("WWW-Authenticate %q, want the Bearer scheme", h)
				}
			}
			if rd.calls() != 0 {
				t.Errorf("the ingester was called %d times", rd.calls())
			}
		})
	}
}

// TestWriteTooLarge sends 2 GB bodies at a server that takes 1 MiB: one
// whose Content-Length says so is refused unread; one sent chunked is cut
// off at the limit. Neither is held in memory.
func TestWriteTooLarge(t *testing.T) {
	const limit = 1 << 20
	const huge = 2 << 30
	srv, _ := serveWrites(t, web.Options{Token: token, MaxBody: limit})
	for _, c := range []struct {
		name     string
		length   int64
		maxSent  int64
		wantRead bool
	}{
		{"its length declared", huge, 0, false},
		// The client may have sent a few socket buffers more than the
		// server read before the server closed the connection.
		{"chunked", -1, 64 << 20, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			b := &bodytest.Spaces{N: huge}
			p := decodeProblem(t, post(t, srv, "/api/ingest", "Bearer "+token, "text/csv", b, c.length), 413)
			runtime.ReadMemStats(&after)
			if p.Type != "/problems/body-too-large" || !strings.Contains(p.Detail, "1048576 bytes") {
				t.Errorf("problem %+v", p)
			}
			t.Logf("sent %d bytes, allocated %d MiB", b.Sent(), (after.TotalAlloc-before.TotalAlloc)>>20)
			if sent := b.Sent(); sent > c.maxSent {
				t.Errorf("%d bytes were sent; want at most %d of the 2 GB", sent, c.maxSent)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("%d MiB allocated while refusing the body", alloc>>20)
			}
		})
	}
}

func TestWriteBadRequests(t *testing.T) {
	srv, rd := serveWrites(t, web.Options{Token: token})
	for _, c := range []struct {
		name, path, contentType string
		status                  int
		problem, param, detail  string
	}{
		{"multipart", "/api/ingest", "multipart/form-data; boundary=x", 415, "/problems/unsupported-media-type", "", "the file itself"},
		{"Latin-1", "/api/ingest", "text/csv; charset=iso-8859-1", 415, "/problems/unsupported-media-type", "", "UTF-8"},
		{"not a media type", "/api/ingest", "text", 415, "/problems/unsupported-media-type", "", "not a media type"},
		{"CSV as a shipment document", "/api/shipments", "text/csv", 415, "/problems/unsupported-media-type", "", "application/json"},
		{"an unknown parameter", "/api/ingest?fromat=geojson", "", 400, "/problems/invalid-parameter", "fromat", "filename, format"},
		{"a parameter twice", "/api/ingest?format=geojson&format=document", "", 400, "/problems/invalid-parameter", "format", "more than once"},
		{"a format for shipments", "/api/shipments?format=geojson", "application/json", 400, "/problems/invalid-parameter", "format", "takes: filename"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := decodeProblem(t, post(t, srv, c.path, "Bearer "+token, c.contentType, strings.NewReader("{}"), 2), c.status)
			if p.Type != c.problem || p.Parameter != c.param || !strings.Contains(p.Detail, c.detail) {
				t.Errorf("problem %+v; want %s naming %q, saying %q", p, c.problem, c.param, c.detail)
			}
		})
	}
	if rd.calls() != 0 {
		t.Errorf("the ingester was called %d times", rd.calls())
	}
	if res := get(t, srv, "/api/ingest"); res.status != 405 || res.header.Get("Allow") != "POST" {
		t.Errorf("GET /api/ingest = %d, Allow %q; want 405, POST", res.status, res.header.Get("Allow"))
	}
}

// TestWriteAnswers checks how each answer of the ingester is sent.
func TestWriteAnswers(t *testing.T) {
	problems := []web.FieldProblem{{Field: "places[0].lat", Detail: "latitude 95 is outside [-90, 90]", Line: 3, Column: 7}}
	for _, c := range []struct {
		name    string
		path    string
		answer  error
		written int
		status  int
		problem string
	}{
		{"something new", "/api/ingest", nil, 1, 201, ""},
		{"nothing new", "/api/ingest", nil, 0, 200, ""},
		{"malformed", "/api/shipments", &web.IngestError{Reason: web.Malformed, Detail: "cut short", Errors: problems}, 0, 400, "/problems/malformed-body"},
		{"invalid", "/api/shipments", &web.IngestError{Reason: web.Invalid, Detail: "a rule", Errors: problems}, 0, 422, "/problems/invalid-body"},
		{"too large for the ingester", "/api/ingest", &web.IngestError{Reason: web.TooLarge, Detail: "larger than 64 MiB"}, 0, 413, "/problems/body-too-large"},
		{"no format known", "/api/ingest", &web.IngestError{Reason: web.UnsupportedFormat, Detail: "cannot tell"}, 0, 415, "/problems/unsupported-media-type"},
		{"an unknown format named", "/api/ingest?format=kml", &web.IngestError{Reason: web.UnsupportedFormat, Detail: `unknown format "kml"`}, 0, 400, "/problems/invalid-parameter"},
		{"the store down", "/api/ingest", fmt.Errorf("write: %w", routes.ErrUnavailable), 0, 503, "about:blank"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, rd := serveWrites(t, web.Options{Token: token})
			rd.answer, rd.written = c.answer, c.written
			res := post(t, srv, c.path, "Bearer "+token, "", strings.NewReader(`{"places": []}`), -1)
			if c.problem == "" {
				var sum web.IngestSummary
				if res.status != c.status || res.header.Get("Content-Type") != "application/json" || json.Unmarshal(res.body, &sum) != nil {
					t.Fatalf("%d %s %s, want %d and a JSON summary", res.status, res.header.Get("Content-Type"), res.body, c.status)
				}
				if sum.Read["places"] != 1 || sum.Written["places"] != c.written {
					t.Errorf("summary %s", res.body)
				}
				return
			}
			p := decodeProblem(t, res, c.status)
			if p.Type != c.problem {
				t.Errorf("problem %s, want %s", res.body, c.problem)
			}
			var ie *web.IngestError
			if e, ok := c.answer.(*web.IngestError); ok {
				ie = e
			}
			if ie != nil && (len(p.Errors) != len(ie.Errors) || len(p.Errors) > 0 && p.Errors[0] != ie.Errors[0]) {
				t.Errorf("errors %+v, want %+v", p.Errors, ie.Errors)
			}
		})
	}
}

// TestWriteUpload checks what the ingester is told of each request.
func TestWriteUpload(t *testing.T) {
	srv, rd := serveWrites(t, web.Options{Token: token})
	for _, c := range []struct {
		path, contentType string
		want              web.Upload
	}{
		{"/api/ingest?filename=ports.csv", "text/csv; charset=utf-8", web.Upload{Name: "ports.csv", MediaType: "text/csv"}},
		{"/api/ingest?format=geojson", "", web.Upload{Format: "geojson"}},
		{"/api/ingest", "Application/GEO+JSON", web.Upload{MediaType: "application/geo+json"}},
		{"/api/shipments", "application/json", web.Upload{Format: "document", MediaType: "application/json"}},
		{"/api/shipments?filename=x.json", "", web.Upload{Name: "x.json", Format: "document"}},
		// What curl sends with --data-binary and no Content-Type: no hint.
		{"/api/ingest?filename=legs.geojson", "application/x-www-form-urlencoded", web.Upload{Name: "legs.geojson"}},
		{"/api/shipments", "application/x-www-form-urlencoded", web.Upload{Format: "document"}},
	} {
		before := rd.calls()
		if res := post(t, srv, c.path, "bearer "+token, c.contentType, strings.NewReader("data"), 4); res.status != 200 {
			t.Errorf("POST %s: %d %s", c.path, res.status, res.body)
			continue
		}
		if rd.calls() != before+1 {
			t.Fatalf("POST %s: the ingester was not called", c.path)
		}
		got := rd.uploads[before]
		got.Body = nil
		if got != c.want || rd.bodies[before] != "data" {
			t.Errorf("POST %s: the ingester got %+v and %q, want %+v and the body", c.path, got, rd.bodies[before], c.want)
		}
	}
}

// TestWriteTimeout checks that a write has its own time, longer than a
// read's: a file takes a while to arrive.
func TestWriteTimeout(t *testing.T) {
	srv, _ := serveWrites(t, web.Options{Token: token, Timeout: time.Nanosecond})
	if res := post(t, srv, "/api/ingest", "Bearer "+token, "", strings.NewReader("data"), 4); res.status != 200 {
		t.Errorf("a write on a server whose reads have no time: %d %s, want 200", res.status, res.body)
	}
	// With no time for a write, the body cannot arrive in time.
	srv, _ = serveWrites(t, web.Options{Token: token, WriteTimeout: time.Nanosecond})
	decodeProblem(t, post(t, srv, "/api/ingest", "Bearer "+token, "", strings.NewReader("data"), 4), 408)
}
