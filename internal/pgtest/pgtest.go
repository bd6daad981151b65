// Package pgtest gives a test a PostgreSQL database of its own, with
// PostGIS, dropped when the test ends. The server is the one
// SHIPTRACK_TEST_DATABASE_URL names (by default the local one, as user
// postgres). An unreachable server fails the test, unless
// SHIPTRACK_SKIP_POSTGIS=1 says that this machine has none: then the test
// is skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// AdminURL is the server tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("SHIPTRACK_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Database creates a database named prefix_ and random hex, with the
// PostGIS extension, and returns its URL. It is dropped, whoever is still
// connected, when the test ends.
func Database(t testing.TB, prefix string) string {
	t.Helper()
	dbURL := Empty(t, prefix)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", dbURL, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		t.Fatalf("create extension postgis in %s: %v", dbURL, err)
	}
	return dbURL
}

// Empty is Database without PostGIS: a database as a user creates it
// before shiptrack migrate, which adds the extension itself.
func Empty(t testing.TB, prefix string) string {
	t.Helper()
	if os.Getenv("SHIPTRACK_SKIP_POSTGIS") == "1" {
		t.Skip("SHIPTRACK_SKIP_POSTGIS=1")
	}
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("SHIPTRACK_TEST_DATABASE_URL is not a URL: %v", err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable (set SHIPTRACK_SKIP_POSTGIS=1 to skip): %v", AdminURL(), err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := prefix + "_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
