package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("ingest", "[--db URL | --data FILE] [--route=false] FILE|DIR...")
	var sf storeFlags
	sf.register(fs)
	route := fs.Bool("route", true, "draw legs given without a line with the sea and rail routers (false: straight schematic lines)")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"ingest needs at least one file or directory"}
	}
	// An ingest into a new embedded store writes only what it is given.
	if !fs.Changed("empty") {
		sf.empty = true
	}
	var osmFiles, docs []string
	for _, a := range fs.Args() {
		if ingest.IsOSM(a) {
			osmFiles = append(osmFiles, a)
		} else {
			docs = append(docs, a)
		}
	}
	// OpenStreetMap extracts are read whole before the store is opened: a
	// bad one changes nothing.
	var ways []routes.RailWay
	for _, f := range osmFiles {
		w, stats, err := ingest.OSMRail(ctx, f)
		if err != nil {
			return fmt.Errorf("nothing was written: %w", err)
		}
		fmt.Fprintf(e.stdout, "read %s: %d railway=rail ways, %d nodes (%d node references missing from the file)\n",
			f, stats.Ways, stats.Nodes, stats.Missing)
		ways = append(ways, w...)
	}
	st, err := sf.open(ctx, e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(osmFiles) > 0 {
		rs, ok := st.(routes.RailStore)
		if !ok {
			return errors.New("nothing was written: this store keeps no rail track")
		}
		n, err := rs.PutRailWays(ctx, ways)
		if err != nil {
			return fmt.Errorf("nothing was written: %w", err)
		}
		fmt.Fprintf(e.stdout, "%d rail ways new or changed\n", n)
	}
	if len(docs) > 0 {
		nothing := "nothing was written"
		if len(osmFiles) > 0 {
			nothing = "no documents were written (the rail ways were)"
		}
		opts, err := prepareOptions(ctx, st, *route)
		if err != nil {
			return err
		}
		sum, err := ingest.DocumentsWith(ctx, st, ingest.Paths(docs...), opts)
		for _, s := range sum.Skipped {
			fmt.Fprintf(e.stderr, "skipped %s: %s\n", s.File, s.Reason)
		}
		if err != nil {
			var fe ingest.Errors
			if errors.As(err, &fe) {
				for _, f := range fe {
					fmt.Fprintln(e.stderr, f.Error())
				}
				return fmt.Errorf("%s: %d problems in the input", nothing, len(fe))
			}
			return fmt.Errorf("%s: %w", nothing, err)
		}
		reportUnrouted(e.stderr, sum.Unrouted)
		fmt.Fprintln(e.stdout, sum.String())
	}
	// New track may give legs already stored a better line.
	if len(osmFiles) > 0 && *route {
		return remodel(ctx, e, st)
	}
	return nil
}
