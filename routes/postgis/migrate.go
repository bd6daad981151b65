package postgis

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrPending is returned, wrapped, by Open when the database lacks
// migrations this binary needs.
var ErrPending = errors.New("database schema is out of date")

// migrateLock is the advisory lock key that serialises migration runs: the
// first eight bytes of "shiptrack" read as a number.
const migrateLock int64 = 0x7368697074726163

// migration is one embedded SQL file; its version is the file name without
// ".sql", such as "0001_schema".
type migration struct {
	version string
	sql     string
}

// migrations lists the embedded migrations in the order they apply.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	ms := make([]migration, 0, len(names))
	for _, name := range names {
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: strings.TrimSuffix(path.Base(name), ".sql"), sql: string(b)})
	}
	return ms, nil
}

// Migrate brings the database at url up to this binary's schema and returns
// the versions it applied, in order; none when the schema is current. It runs
// in one transaction under an advisory lock, so a failed run changes nothing
// and concurrent runs apply each migration once.
func Migrate(ctx context.Context, url string) (applied []string, err error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fail("connect to PostgreSQL", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return fail("lock for migration", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    text PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fail("create schema_migrations", err)
		}
		todo, err := pending(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range todo {
			// Without arguments pgx uses the simple protocol, which runs
			// every statement of the file.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fail("apply migration "+m.version, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version); err != nil {
				return fail("record migration "+m.version, err)
			}
			applied = append(applied, m.version)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// querier is what both a pool and a transaction offer for reading.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// appliedVersions reads schema_migrations; a database without the table has
// applied nothing.
func appliedVersions(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	var versions []string
	if err == nil {
		versions, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if isUndefinedTable(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fail("read schema_migrations", err)
	}
	return versions, nil
}

// checkKnown refuses a database migrated by a newer binary: this one would
// misread a schema it does not know.
func checkKnown(done []string, ms []migration) error {
	for _, v := range done {
		if !slices.ContainsFunc(ms, func(m migration) bool { return m.version == v }) {
			return fmt.Errorf("database has migration %q, which this shiptrack does not know: upgrade shiptrack", v)
		}
	}
	return nil
}

// pending lists the embedded migrations the database has not applied, in
// the order they apply.
func pending(ctx context.Context, q querier) ([]migration, error) {
	ms, err := migrations()
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	done, err := appliedVersions(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := checkKnown(done, ms); err != nil {
		return nil, err
	}
	var todo []migration
	for _, m := range ms {
		if !slices.Contains(done, m.version) {
			todo = append(todo, m)
		}
	}
	return todo, nil
}
