package postgis

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// schemaFingerprint describes every table, column, constraint and index in
// the public schema, and the recorded migrations with their times, so that a
// second migration run can be shown to change nothing.
func schemaFingerprint(t *testing.T, dbURL string) []string {
	t.Helper()
	ctx := context.Background()
	conn := connect(t, dbURL)
	rows, err := conn.Query(ctx, `
		SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
		FROM information_schema.columns WHERE table_schema = 'public'
		UNION ALL
		SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = 'public'::regnamespace
		UNION ALL
		SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
		UNION ALL
		SELECT 'migration ' || version || ' ' || applied_at FROM schema_migrations
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	dbURL := newDatabase(t)

	_, err := Open(ctx, dbURL)
	if !errors.Is(err, ErrPending) || !strings.Contains(err.Error(), "shiptrack migrate --db") ||
		!strings.Contains(err.Error(), "0001_schema") {
		t.Fatalf("Open before Migrate = %v; want ErrPending naming 0001_schema and telling to run shiptrack migrate --db", err)
	}

	applied, err := Migrate(ctx, dbURL)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, m := range ms {
		all = append(all, m.version)
	}
	if !slices.Equal(applied, all) || applied[0] != "0001_schema" {
		t.Fatalf("first Migrate applied %v; want every migration %v", applied, all)
	}
	before := schemaFingerprint(t, dbURL)

	applied, err = Migrate(ctx, dbURL)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second Migrate = %v, %v; want nothing applied", applied, err)
	}
	if after := schemaFingerprint(t, dbURL); !slices.Equal(before, after) {
		t.Errorf("second Migrate changed the schema:\nbefore %v\nafter  %v", before, after)
	}

	s, err := Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("Open after Migrate: %v", err)
	}
	s.Close()
}

// Migrate must be safe to run from several processes at once, as when
// replicas of the service start together: each migration applies once.
func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	dbURL := newDatabase(t)
	const runs = 5
	results := make([][]string, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() { results[i], errs[i] = Migrate(ctx, dbURL) })
	}
	wg.Wait()
	applying := 0
	for i := range runs {
		if errs[i] != nil {
			t.Errorf("concurrent Migrate %d: %v", i, errs[i])
		}
		if len(results[i]) > 0 {
			applying++
		}
	}
	if applying != 1 {
		t.Errorf("%d of %d concurrent runs applied migrations (%v); want exactly 1", applying, runs, results)
	}
}

// A database migrated by a newer shiptrack is refused rather than misread.
func TestMigrateNewerSchema(t *testing.T) {
	ctx := context.Background()
	_, dbURL := newStore(t)
	conn := connect(t, dbURL)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ('9999_from_the_future')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dbURL); err == nil || !strings.Contains(err.Error(), "9999_from_the_future") {
		t.Errorf("Open of a newer schema = %v; want an error naming the unknown migration", err)
	}
	if _, err := Migrate(ctx, dbURL); err == nil || !strings.Contains(err.Error(), "upgrade shiptrack") {
		t.Errorf("Migrate of a newer schema = %v; want an error saying to upgrade", err)
	}
}

// A migration that fails part way leaves nothing behind: the run is one
// transaction.
func TestMigrateFailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	dbURL := newDatabase(t)
	conn := connect(t, dbURL)
	// A table the migration is about to create makes it fail half way.
	if _, err := conn.Exec(ctx, `CREATE TABLE legs (x int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, dbURL); err == nil || !strings.Contains(err.Error(), "0001_schema") {
		t.Fatalf("Migrate over a conflicting table = %v; want an error naming the migration", err)
	}
	var places, migrationsTable bool
	err := conn.QueryRow(ctx, `SELECT to_regclass('places') IS NOT NULL, to_regclass('schema_migrations') IS NOT NULL`).
		Scan(&places, &migrationsTable)
	if err != nil {
		t.Fatal(err)
	}
	if places || migrationsTable {
		t.Errorf("a failed Migrate left tables behind: places %v, schema_migrations %v", places, migrationsTable)
	}
}
