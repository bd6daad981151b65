package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shiptrack/shiptrack/routes"
)

// Paging limits. A request above MaxLimit is refused rather than clamped, so
// a client never mistakes a short page for the whole answer.
const (
	DefaultLimit = 100
	MaxLimit     = 10_000
)

// setter reads one query parameter's value into a Query. It reports a bad
// value with invalid; any other error is the store's.
type setter func(ctx context.Context, st routes.Store, q *routes.Query, v string) error

// setters are every query parameter the API knows.
var setters = map[string]setter{
	"datetime": func(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
		iv, err := routes.ParseInterval(v)
		if err != nil {
			return invalid("%v; want an instant or date, or an interval a/b with .. for an open end, such as 2023-09-07/2023-10-01", err)
		}
		q.During = iv
		return nil
	},
	"bbox": func(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
		b, err := routes.ParseBBox(v)
		if err != nil {
			return invalid("%v; for example 130,42,133,44", err)
		}
		q.BBox = &b
		return nil
	},
	"via": func(ctx context.Context, st routes.Store, q *routes.Query, v string) error {
		q.Via = v
		return exists(ctx, "place", v, func(ctx context.Context) error { _, err := st.Place(ctx, v); return err })
	},
	"vessel": func(ctx context.Context, st routes.Store, q *routes.Query, v string) error {
		q.Vessel = v
		return exists(ctx, "vessel", v, func(ctx context.Context) error { _, err := st.Vessel(ctx, v); return err })
	},
	"shipment": func(ctx context.Context, st routes.Store, q *routes.Query, v string) error {
		q.Shipment = v
		return exists(ctx, "shipment", v, func(ctx context.Context) error { _, err := st.Shipment(ctx, v); return err })
	},
	"mode": func(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
		q.Mode = routes.Mode(v)
		return oneOf(q.Mode, routes.Modes)
	},
	"kind": func(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
		q.Kind = routes.PlaceKind(v)
		return oneOf(q.Kind, routes.PlaceKinds)
	},
	"limit": func(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return invalid("'%s' is not a whole number; want 1 to %d", v, MaxLimit)
		case n < 1 || n > MaxLimit:
			return invalid("%d is outside 1 to %d; page through larger answers with offset", n, MaxLimit)
		}
		q.Limit = n
		return nil
	},
	"near":   setNear,
	"within": setWithin,
	"mmsi":   setMMSI,
	"at":     setAt,
	"offset": func(_ context.Context, _ routes.Store, q *routes.Query, v string) error {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return invalid("'%s' is not a whole number; want 0 or more", v)
		case n < 0:
			return invalid("%d is negative; want 0 or more", n)
		}
		q.Offset = n
		return nil
	},
}

// exists checks that a filter's id names a record: a filter that names
// nothing is almost always a typo, and an empty answer would hide it.
func exists(ctx context.Context, what, id string, find func(context.Context) error) error {
	err := find(ctx)
	if errors.Is(err, routes.ErrNotFound) {
		return invalid("unknown %s '%s'", what, id)
	}
	if err != nil {
		return fmt.Errorf("look up %s %q: %w", what, id, err)
	}
	return nil
}

// isText reports whether s is valid UTF-8 free of control characters. No
// parameter and no id can hold anything else, and some stores refuse such
// bytes outright rather than match nothing.
func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

func oneOf[T ~string](v T, allowed []T) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return invalid("'%s' is not one of %s", v, strings.Join(names, ", "))
}

// parseQuery reads the raw query string of a request to an endpoint that
// accepts the named parameters, in that order. A malformed query string, an
// unknown or repeated parameter, or one without a value, is refused: a
// misspelt filter must not silently widen the answer. Limit defaults to
// DefaultLimit when "limit" is accepted.
func parseQuery(ctx context.Context, st routes.Store, raw string, accepted ...string) (routes.Query, error) {
	vals, err := queryValues(raw, accepted...)
	if err != nil {
		return routes.Query{}, err
	}
	var q routes.Query
	if slices.Contains(accepted, "limit") {
		q.Limit = DefaultLimit
	}
	for _, name := range accepted {
		if err := set(ctx, st, &q, vals, name); err != nil {
			return routes.Query{}, err
		}
	}
	return q, nil
}

// set applies the parameter name, when vals has it, to q.
func set(ctx context.Context, st routes.Store, q *routes.Query, vals url.Values, name string) error {
	if _, ok := vals[name]; !ok {
		return nil
	}
	if err := setters[name](ctx, st, q, vals.Get(name)); err != nil {
		if pe, ok := errors.AsType[*paramError](err); ok {
			pe.Param = name
		}
		return err
	}
	return nil
}

// queryValues parses a raw query string and checks that it holds only the
// accepted parameters, each once, each with a value that is text.
func queryValues(raw string, accepted ...string) (url.Values, error) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &paramError{Detail: fmt.Sprintf("the query string is malformed: %v", err)}
	}
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	slices.Sort(names) // report the same parameter first every time
	for _, name := range names {
		if !slices.Contains(accepted, name) {
			detail := "unknown parameter; this endpoint takes no parameters"
			if len(accepted) > 0 {
				detail = "unknown parameter; this endpoint accepts " + strings.Join(accepted, ", ")
			}
			return nil, &paramError{Param: name, Detail: detail}
		}
		v := vals[name]
		switch {
		case len(v) > 1:
			return nil, &paramError{Param: name, Detail: fmt.Sprintf("given %d times; give it once", len(v))}
		case v[0] == "":
			return nil, &paramError{Param: name, Detail: "is empty; give a value or leave the parameter out"}
		case !isText(v[0]):
			return nil, &paramError{Param: name, Detail: "is not text: it holds invalid UTF-8 or control characters"}
		}
	}
	return vals, nil
}
