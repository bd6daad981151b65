package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/shiptrack/shiptrack/routes"
)

// problem is an RFC 9457 problem details document.
type problem struct {
	// Type is a URI reference naming the kind of problem; empty means
	// about:blank, a problem that says no more than its status.
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Parameter names the query or path parameter at fault.
	Parameter string `json:"parameter,omitempty"`
	// Errors lists what is wrong inside a body a write refused.
	Errors []FieldProblem `json:"errors,omitempty"`
}

// problemTypes are the kinds of problem the API defines beyond a bare
// status. Each is served as documentation at its type URI, /problems/{name}.
var problemTypes = map[string]struct {
	title, doc string
}{
	"invalid-parameter": {
		title: "Invalid parameter",
		doc: "A query parameter is unknown to this endpoint, repeated, or has a value that cannot be used. " +
			"The member \"parameter\" names it and \"detail\" says what is wrong and what is accepted.",
	},
	"no-route": {
		title: "No route",
		doc: "The router found no route between the two ends, though each can be used: they lie in waters no sea route joins " +
			"(the Caspian and the oceans, say), or every way between them goes through a passage asked to be avoided. " +
			"\"detail\" says which.",
	},
	"not-found": {
		title: "Not found",
		doc: "The id in the path names nothing in the store. " +
			"The member \"parameter\" is \"id\" and \"detail\" says what kind of record was looked for.",
	},
	"writes-off": {
		title: "Writes are off",
		doc:   "This server was started without a write token (SHIPTRACK_TOKEN), so it refuses every write. Start it with the token set to take writes.",
	},
	"unauthorized": {
		title: "Token required",
		doc:   "Writes need the server's write token, sent as the header Authorization: Bearer TOKEN.",
	},
	"wrong-token": {
		title: "Wrong token",
		doc:   "The bearer token sent is not this server's write token.",
	},
	"body-too-large": {
		title: "Body too large",
		doc:   "The request body is larger than this server takes (shiptrack serve --max-body), or than ingest reads of one file. Nothing was written.",
	},
	"malformed-body": {
		title: "Malformed body",
		doc: "The body is not well-formed in its format: not JSON, cut short, a CSV quote left open, not UTF-8 text. " +
			"The member \"errors\" lists each problem as {field, detail, line, column}. Nothing was written.",
	},
	"invalid-body": {
		title: "Invalid body",
		doc: "The body is well-formed but breaks a rule: a wrong type, an unknown field or column, a latitude out of range, an unknown place, a departure after its arrival. " +
			"The member \"errors\" lists each field at fault as {field, detail, line, column}. Nothing was written.",
	},
	"unsupported-media-type": {
		title: "Unsupported media type",
		doc: "The body's format is not one ingest reads, or cannot be told. Send it with its Content-Type " +
			"(application/json, application/geo+json, text/csv), a filename parameter with its extension, or a format parameter.",
	},
}

// writeProblem sends p as application/problem+json. A problem without a type
// is about:blank and takes its title from its status, as RFC 9457 asks.
func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type, p.Title = "about:blank", http.StatusText(p.Status)
	} else {
		p.Title = problemTypes[p.Type].title
		p.Type = "/problems/" + p.Type
	}
	b, err := json.Marshal(p)
	if err != nil { // a struct of strings and an int always marshals
		panic(fmt.Sprintf("marshal problem: %v", err))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	w.Write(append(b, '\n'))
}

// paramError is a query or path parameter that cannot be used.
type paramError struct {
	Param  string
	Detail string
}

func (e *paramError) Error() string { return e.Param + ": " + e.Detail }

// invalid reports a bad value of a parameter not yet known by name; parseQuery
// fills the name in.
func invalid(format string, args ...any) error {
	return &paramError{Detail: fmt.Sprintf(format, args...)}
}

// notFoundError is a path id that names nothing.
type notFoundError struct {
	What, ID string
	// Param names the path parameter that holds the id; empty means "id".
	Param string
}

func (e *notFoundError) Error() string { return fmt.Sprintf("no %s '%s'", e.What, e.ID) }

// fail answers a request with the problem err stands for. Bad input and
// unknown ids are the client's to fix and carry their detail; anything else
// is logged and answered without internals.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *paramError
	var nf *notFoundError
	switch {
	case errors.As(err, &pe):
		writeProblem(w, problem{Type: "invalid-parameter", Status: http.StatusBadRequest, Detail: pe.Detail, Parameter: pe.Param})
	case errors.As(err, &nf):
		param := nf.Param
		if param == "" {
			param = "id"
		}
		writeProblem(w, problem{Type: "not-found", Status: http.StatusNotFound, Detail: nf.Error(), Parameter: param})
	case errors.Is(err, routes.ErrUnavailable):
		s.log.WarnContext(r.Context(), "store unavailable", slog.String("path", r.URL.Path), slog.Any("error", err))
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Detail: "the store cannot be reached; try again shortly"})
	case errors.Is(err, context.DeadlineExceeded):
		s.log.WarnContext(r.Context(), "request timed out", slog.String("path", r.URL.Path), slog.Any("error", err))
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Detail: "the request took too long; try a narrower query or again shortly"})
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		s.log.DebugContext(r.Context(), "request cancelled", slog.String("path", r.URL.Path))
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Detail: "the request was cancelled"})
	default:
		s.log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("error", err))
		writeProblem(w, problem{Status: http.StatusInternalServerError,
			Detail: "the server failed to answer this request; the failure has been logged"})
	}
}

// abort ends a streamed response that has begun and cannot be finished:
// the connection is cut, so the client sees a broken response rather than
// a complete-looking short one. A client that went away is no failure of
// the server's, and is logged at debug level, as fail logs it.
func (s *server) abort(r *http.Request, what string, err error) {
	level := slog.LevelError
	if errors.Is(r.Context().Err(), context.Canceled) {
		level = slog.LevelDebug
	}
	s.log.Log(r.Context(), level, "streamed response broken off", slog.String("path", r.URL.Path),
		slog.String("while", what), slog.Any("error", err))
	panic(http.ErrAbortHandler)
}

// problemType documents one problem type at its type URI.
func (s *server) problemType(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "type")
	t, ok := problemTypes[name]
	if !ok {
		notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "%s\n\n%s\n", t.title, t.doc)
}
