package postgis

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/shiptrack/shiptrack/internal/pgtest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/storetest"
)

// newDatabase creates an empty database with PostGIS, named at random, drops
// it when the test ends, and returns its URL. An unreachable server fails the
// test unless SHIPTRACK_SKIP_POSTGIS=1.
func newDatabase(t testing.TB) string {
	t.Helper()
	return pgtest.Database(t, "shiptrack_test")
}

// connect opens a connection of the test's own to dbURL.
func connect(t testing.TB, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// newStore migrates a new database and opens a store on it.
func newStore(t testing.TB) (*Store, string) {
	t.Helper()
	dbURL := newDatabase(t)
	ctx := context.Background()
	if _, err := Migrate(ctx, dbURL); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	s, err := Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dbURL
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) routes.Store {
		s, _ := newStore(t)
		return s
	})
}
