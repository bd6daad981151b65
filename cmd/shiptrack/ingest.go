package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
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
	// AIS files go after the documents, so that their vessels and ports
	// are known when tracks are derived.
	asum, aerr := ingestAIS(ctx, e, st, fs.Args())
	if len(sum.Files) > 0 || len(asum.Files) == 0 {
		fmt.Fprintln(e.stdout, sum.String())
	}
	if len(asum.Files) > 0 {
		fmt.Fprintln(e.stdout, asum.String())
	}
	return aerr
}

// ingestAIS ingests the AIS files among paths, showing progress when
// stderr is a terminal.
func ingestAIS(ctx context.Context, e *env, st routes.Store, paths []string) (ingest.AISSummary, error) {
	var opt ingest.AISOptions
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opt.Progress = ingest.NewProgress(f)
	}
	sum, err := ingest.AIS(ctx, st, ingest.Paths(paths...), opt)
	opt.Progress.Done()
	return sum, err
}
