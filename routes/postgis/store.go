package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shiptrack/shiptrack/routes"
)

// Store is a routes.Store on PostgreSQL with PostGIS. It is safe for
// concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	closed atomic.Bool
}

var _ routes.Store = (*Store)(nil)

// errClosed is returned by every method of a closed store.
var errClosed = fmt.Errorf("postgis store is closed: %w", routes.ErrUnavailable)

// Open connects to the database at url, a PostgreSQL URL or keyword/value
// string, and checks that its schema is current. It does not migrate: a
// schema change is an operator's decision, so a database that lacks
// migrations is refused with an error wrapping ErrPending that says how to
// apply them.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fail("connect to PostgreSQL", err)
	}
	todo, err := pending(ctx, pool)
	if err == nil && len(todo) > 0 {
		versions := make([]string, len(todo))
		for i, m := range todo {
			versions[i] = m.version
		}
		err = fmt.Errorf("%w: %d migration(s) pending (%s); run `shiptrack migrate --db URL`",
			ErrPending, len(todo), strings.Join(versions, ", "))
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Ping reports whether the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return fail("ping PostgreSQL", s.pool.Ping(ctx))
}

// Close closes every connection. Calls after the first do nothing.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.pool.Close()
	}
	return nil
}

// fail wraps an error from PostgreSQL with what was being done, marking
// failures to reach the database with routes.ErrUnavailable. It returns nil
// for a nil err.
func fail(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, routes.ErrUnavailable):
		return fmt.Errorf("%s: %w", what, err)
	case unreachable(err):
		return fmt.Errorf("%s: %w: %w", what, routes.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// unreachable reports whether err means the database could not be reached
// or dropped the connection, as opposed to refusing a statement or the
// caller giving up.
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", // admin_shutdown: the backend was terminated
			"57P02", // crash_shutdown
			"57P03", // cannot_connect_now: starting up or shutting down
			"53300": // too_many_connections
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection_exception
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed)
}

// isUndefinedTable reports whether err is PostgreSQL's undefined_table.
func isUndefinedTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}
