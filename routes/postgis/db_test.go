package postgis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/storetest"
)

// adminURL is the server the tests create their databases on.
func adminURL() string {
	if u := os.Getenv("SHIPTRACK_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// newDatabase creates an empty database with PostGIS, named at random, drops
// it when the test ends, and returns its URL. An unreachable server fails the
// test unless SHIPTRACK_SKIP_POSTGIS=1.
func newDatabase(t testing.TB) string {
	t.Helper()
	if os.Getenv("SHIPTRACK_SKIP_POSTGIS") == "1" {
		t.Skip("SHIPTRACK_SKIP_POSTGIS=1")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		t.Fatalf("PostgreSQL at SHIPTRACK_TEST_DATABASE_URL is unreachable (set SHIPTRACK_SKIP_POSTGIS=1 to skip these tests): %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "shiptrack_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, adminURL())
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(adminURL())
	if err != nil {
		t.Fatalf("SHIPTRACK_TEST_DATABASE_URL must be a URL: %v", err)
	}
	u.Path = "/" + name
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		t.Fatalf("create extension postgis: %v", err)
	}
	return u.String()
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
