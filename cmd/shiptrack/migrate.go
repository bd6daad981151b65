package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/shiptrack/shiptrack/routes/postgis"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("migrate", "--db URL")
	db := fs.String("db", "", "PostGIS connection URL (default $DATABASE_URL)")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("migrate takes no arguments; got %q", fs.Args())}
	}
	url := *db
	if url == "" {
		url = e.getenv("DATABASE_URL")
	}
	if url == "" {
		return usageError{"migrate needs --db URL or $DATABASE_URL: the embedded store needs no migrations"}
	}
	applied, err := postgis.Migrate(ctx, url)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "schema up to date; nothing to apply")
		return nil
	}
	fmt.Fprintf(e.stdout, "applied %d migrations: %s\n", len(applied), strings.Join(applied, ", "))
	return nil
}
