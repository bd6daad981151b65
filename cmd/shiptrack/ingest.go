package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/shiptrack/shiptrack/ingest"
)

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("ingest", "[--db URL | --data FILE] FILE|DIR...")
	var sf storeFlags
	sf.register(fs)
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
	st, err := sf.open(ctx, e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := ingest.Documents(ctx, st, ingest.Paths(fs.Args()...))
	for _, s := range sum.Skipped {
		fmt.Fprintf(e.stderr, "skipped %s: %s\n", s.File, s.Reason)
	}
	if err != nil {
		var fe ingest.Errors
		if errors.As(err, &fe) {
			for _, f := range fe {
				fmt.Fprintln(e.stderr, f.Error())
			}
			return fmt.Errorf("nothing was written: %d problems in the input", len(fe))
		}
		return fmt.Errorf("nothing was written: %w", err)
	}
	fmt.Fprintln(e.stdout, sum.String())
	return nil
}
