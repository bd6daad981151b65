package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// The write API:
//
//	POST /api/ingest      a file in any format ingest reads: format from the
//	                      format parameter, the extension of the filename
//	                      parameter, the Content-Type, or the content
//	POST /api/shipments   a shipment document (application/json)
//
// Both need Authorization: Bearer TOKEN with the server's Options.Token;
// without one configured, writes are off. A body is read as it arrives and
// refused once it passes Options.MaxBody; one whose Content-Length says it
// is too large is refused unread, and no body is read before the token is
// checked. A file is written all or nothing: 201 with a summary when it
// changed the store, 200 when it held nothing new.

// DefaultMaxBody bounds a write's body when Options.MaxBody is zero.
const DefaultMaxBody = 64 << 20

// DefaultWriteTimeout bounds a write when Options.WriteTimeout is zero: a
// large file takes a while to arrive.
const DefaultWriteTimeout = 10 * time.Minute

// Ingester reads a file sent to a write endpoint and writes it to the store,
// all or nothing. Package web reads no file format itself: cmd/shiptrack
// wires package ingest in, so that neither imports the other.
type Ingester interface {
	// Ingest reads u.Body to its end, checks it and writes it. A file
	// refused for what it holds is an *IngestError; an error reading the
	// body (one over the limit is an *http.MaxBytesError) is returned,
	// wrapped; so is a store failure (routes.ErrUnavailable).
	Ingest(ctx context.Context, u Upload) (IngestSummary, error)
}

// Upload is one file sent to a write endpoint.
type Upload struct {
	// Name is the filename parameter: how messages name the file, and by
	// its extension, its format. It may be empty.
	Name string
	// Format is the format parameter, or the one format the endpoint takes
	// ("document" for POST /api/shipments); empty to tell it otherwise.
	Format string
	// MediaType is the Content-Type's media type, lower case, without
	// parameters; empty when none was sent.
	MediaType string
	// Body is the request body, cut off past the limit.
	Body io.Reader
}

// IngestSummary is what a write read and wrote, as the answer reports it.
type IngestSummary struct {
	// Read counts the records read, by kind ("places", "legs", ...).
	Read map[string]int `json:"read"`
	// Written counts the records that were new or differed from what the
	// store held, by kind.
	Written map[string]int `json:"written"`
	// Skipped counts what was passed over, by reason.
	Skipped []Skip `json:"skipped,omitempty"`
}

// Skip is a number of items passed over for one reason.
type Skip struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// changed reports whether the write changed the store.
func (s IngestSummary) changed() bool {
	for _, n := range s.Written {
		if n > 0 {
			return true
		}
	}
	return false
}

// Refusal is why an Ingester refused a file; it chooses the HTTP status.
type Refusal int

// The reasons a file is refused.
const (
	Malformed         Refusal = iota + 1 // not well-formed in its format: 400
	Invalid                              // well-formed, but breaks a rule: 422
	TooLarge                             // larger than the ingester reads: 413
	UnsupportedFormat                    // a format it does not read, or cannot tell: 415
)

// IngestError is a file an Ingester refused.
type IngestError struct {
	Reason Refusal
	Detail string
	// Errors are the problems inside the file, each where it lies.
	Errors []FieldProblem
}

func (e *IngestError) Error() string { return e.Detail }

// FieldProblem is one problem inside a body: the field at fault (a JSON path
// such as "features[3].geometry", or a CSV column), what is wrong, and where,
// line and column from 1 (0 when the problem is with the body as a whole).
type FieldProblem struct {
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// writes is how the server takes writes.
type writes struct {
	ingester Ingester
	token    [sha256.Size]byte // the token's digest: compared in constant time whatever its length
	on       bool
	maxBody  int64
	timeout  time.Duration
}

func newWrites(opts Options) writes {
	w := writes{ingester: opts.Ingester, on: opts.Token != "" && opts.Ingester != nil,
		token: sha256.Sum256([]byte(opts.Token)), maxBody: opts.MaxBody, timeout: opts.WriteTimeout}
	if w.maxBody <= 0 {
		w.maxBody = DefaultMaxBody
	}
	if w.timeout <= 0 {
		w.timeout = DefaultWriteTimeout
	}
	return w
}

// timeoutFor is the time request r has.
func (s *server) timeoutFor(r *http.Request) time.Duration {
	if r.Method == http.MethodPost {
		return s.writes.timeout
	}
	return s.timeout
}

// writeRoutes mounts the write endpoints under /api.
func (s *server) writeRoutes(r chi.Router) {
	r.Post("/ingest", s.upload("", "filename", "format"))
	r.Post("/shipments", s.upload("document", "filename"))
}

// upload serves a write endpoint taking the query parameters params. With
// format set, the endpoint takes that format only.
func (s *server) upload(format string, params ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r) {
			return
		}
		q, err := writeParams(r.URL.RawQuery, params)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.ContentLength > s.writes.maxBody {
			s.tooLarge(w)
			return
		}
		media, err := mediaType(r.Header.Get("Content-Type"), format)
		if err != nil {
			writeProblem(w, problem{Type: "unsupported-media-type", Status: http.StatusUnsupportedMediaType, Detail: err.Error()})
			return
		}
		u := Upload{Name: q.Get("filename"), Format: format, MediaType: media,
			Body: http.MaxBytesReader(w, r.Body, s.writes.maxBody)}
		if u.Format == "" {
			u.Format = q.Get("format")
		}
		// A body that trickles in is cut off when the request's time is up,
		// as its store calls are.
		if deadline, ok := r.Context().Deadline(); ok {
			http.NewResponseController(w).SetReadDeadline(deadline)
		}
		sum, err := s.writes.ingester.Ingest(r.Context(), u)
		if err != nil {
			s.refuse(w, r, err, q.Has("format"))
			return
		}
		s.log.InfoContext(r.Context(), "write", slog.String("path", r.URL.Path), slog.String("filename", u.Name),
			slog.Any("read", sum.Read), slog.Any("written", sum.Written))
		b, err := json.Marshal(sum)
		if err != nil {
			s.fail(w, r, fmt.Errorf("encode summary: %w", err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if sum.changed() {
			w.WriteHeader(http.StatusCreated)
		}
		w.Write(append(b, '\n'))
	}
}

// authorized checks the bearer token before anything of the body is read,
// and answers the request when it does not pass.
func (s *server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if !s.writes.on {
		detail := "writes are off: this server was started without a write token (SHIPTRACK_TOKEN)"
		if s.writes.ingester == nil {
			detail = "writes are off: this server reads no files"
		}
		writeProblem(w, problem{Type: "writes-off", Status: http.StatusForbidden, Detail: detail})
		return false
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="shiptrack"`)
		writeProblem(w, problem{Type: "unauthorized", Status: http.StatusUnauthorized,
			Detail: "writes need the server's write token: send Authorization: Bearer TOKEN"})
		return false
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], s.writes.token[:]) != 1 {
		writeProblem(w, problem{Type: "wrong-token", Status: http.StatusForbidden,
			Detail: "the bearer token is not this server's write token"})
		return false
	}
	return true
}

// writeParams reads the query of a write, which may hold only params, each
// once.
func writeParams(raw string, params []string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &paramError{Detail: "the query string is malformed: " + err.Error()}
	}
	for name, vs := range q {
		switch {
		case !slices.Contains(params, name):
			accepted := "none"
			if len(params) > 0 {
				accepted = strings.Join(params, ", ")
			}
			return nil, &paramError{Param: name, Detail: fmt.Sprintf("unknown parameter; this endpoint takes: %s", accepted)}
		case len(vs) > 1:
			return nil, &paramError{Param: name, Detail: "given more than once"}
		}
	}
	return q, nil
}

// mediaType reads a Content-Type. A urlencoded form says nothing of the
// file: it is what curl sends with --data-binary unless told otherwise. A
// multipart form is refused: its parts are not read. An endpoint that takes
// one format (a shipment document) wants JSON.
func mediaType(contentType, format string) (string, error) {
	if contentType == "" {
		return "", nil
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.Contains(mt, "/") {
		return "", fmt.Errorf("the Content-Type %q is not a media type", contentType)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
		return "", fmt.Errorf("charset %q: send UTF-8 text", cs)
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		return "", nil
	case strings.HasPrefix(mt, "multipart/"):
		return "", fmt.Errorf("%s: send the file itself as the body (curl --data-binary @FILE), with its own Content-Type", mt)
	case format == "document" && mt != "application/json" && !strings.HasSuffix(mt, "+json"):
		return "", fmt.Errorf("%s: a shipment document is application/json", mt)
	}
	return mt, nil
}

func (s *server) tooLarge(w http.ResponseWriter) {
	writeProblem(w, problem{Type: "body-too-large", Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("the body is larger than %d bytes, the most this server takes; nothing was written", s.writes.maxBody)})
}

// refuse answers a write the ingester did not make. formatParam says
// whether the request named its format, so that an unknown one is a bad
// parameter rather than a body of no known format.
func (s *server) refuse(w http.ResponseWriter, r *http.Request, err error, formatParam bool) {
	var tooBig *http.MaxBytesError
	var ie *IngestError
	switch {
	case errors.As(err, &tooBig):
		s.tooLarge(w)
	case errors.As(err, &ie):
		p := problem{Detail: ie.Detail, Errors: ie.Errors}
		switch ie.Reason {
		case Malformed:
			p.Type, p.Status = "malformed-body", http.StatusBadRequest
		case TooLarge:
			p.Type, p.Status = "body-too-large", http.StatusRequestEntityTooLarge
		case UnsupportedFormat:
			if formatParam {
				p.Type, p.Status, p.Parameter = "invalid-parameter", http.StatusBadRequest, "format"
				break
			}
			p.Type, p.Status = "unsupported-media-type", http.StatusUnsupportedMediaType
		default:
			p.Type, p.Status = "invalid-body", http.StatusUnprocessableEntity
		}
		writeProblem(w, p)
	case errors.Is(err, os.ErrDeadlineExceeded):
		writeProblem(w, problem{Status: http.StatusRequestTimeout,
			Detail: "the body did not arrive within the request's time; nothing was written"})
	default:
		s.fail(w, r, err)
	}
}
