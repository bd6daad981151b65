// Command shiptrack tracks reported maritime and rail shipments: it serves
// them as GeoJSON, OGC API Features, vector tiles and a map, answers route
// questions by date, and loads and exports the data.
//
// Usage:
//
//	shiptrack serve   [--addr 127.0.0.1:8080] [--db URL | --data FILE.gpkg]
//	shiptrack migrate --db URL
//	shiptrack ingest  [--db URL | --data FILE] [--route=false] FILE...   # shipment documents, .osm.pbf
//	shiptrack remodel [--db URL | --data FILE]
//	shiptrack query   shipments|legs|positions [filters] [--format table|geojson|csv]
//	shiptrack where   SHIPMENT --at T [--format table|geojson|csv]
//	shiptrack route   sea|rail --from PLACE|LON,LAT --to PLACE|LON,LAT [--avoid suez,...] [--format table|geojson]
//	shiptrack export  gpkg|qgis|geojson|csv --out PATH [--force] [--layer L] [--server URL]
//
// Every command that reads or writes the store takes --db URL (PostGIS; falls
// back to $DATABASE_URL) or --data FILE (the embedded GeoPackage store, by
// default shiptrack.gpkg in the working directory).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what commands share: where output goes, the logger.
type env struct {
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	getenv func(string) string
}

func commands() []command {
	return []command{
		{"serve", "serve the API, OGC API Features, tiles and the map over HTTP", runServe},
		{"migrate", "create or upgrade the PostGIS schema", runMigrate},
		{"ingest", "load shipment documents and other files into the store", runIngest},
		{"query", "list shipments, legs or positions matching filters", runQuery},
		{"remodel", "redraw modeled and schematic legs with the routers as they are now", runRemodel},
		{"where", "estimate where a shipment probably was at a time", runWhere},
		{"route", "draw a sea or rail route between two places or points", runRoute},
		{"export", "write a GeoPackage, a QGIS project, or a layer as GeoJSON or CSV", runExport},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if err := run(ctx, e, os.Args[1:]); err != nil && !errors.Is(err, errHelpShown) {
		if !errors.Is(err, errUsageShown) {
			fmt.Fprintln(os.Stderr, "shiptrack:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errUsageShown marks an error whose message was already printed with usage.
var errUsageShown = errors.New("usage shown")

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, errUsageShown) {
		return 2
	}
	return 1
}

func run(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return errUsageShown
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(e.stderr)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: shiptrack <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'shiptrack <command> --help' for a command's flags.")
}
