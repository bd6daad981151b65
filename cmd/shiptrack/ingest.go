package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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
		fmt.Fprintf(e.stdout, "%s new or changed\n", plural(n, "rail way"))
	}
	// The routers are loaded once, after the new track is stored, for the
	// documents and the remodel alike.
	opts, err := prepareOptions(ctx, e, st, *route)
	if err != nil {
		return err
	}
	if len(docs) > 0 {
		if err := ingestDocuments(ctx, e, st, docs, opts, len(osmFiles) > 0); err != nil {
			return err
		}
	}
	// New track may give legs already stored a better line.
	if len(osmFiles) > 0 && *route {
		return remodel(ctx, e, st, opts)
	}
	return nil
}

// ingestDocuments reads every file but OpenStreetMap extracts, all or
// nothing, drawing legs without a line with the routers in opts, if any.
func ingestDocuments(ctx context.Context, e *env, st routes.Store, paths []string, opts routes.PrepareOptions, railWritten bool) error {
	nothing := "nothing was written"
	if railWritten {
		nothing = "no documents were written (the rail ways were)"
	}
	progress := newProgress(e)
	sum, err := ingest.DocumentsWith(ctx, st, ingest.Paths(paths...).WithProgress(progress), opts)
	progress.Done() // before anything else is written to the terminal
	for _, s := range sum.Skipped {
		fmt.Fprintf(e.stderr, "skipped %s: %s\n", s.File, s.Reason)
	}
	if err != nil {
		var fe ingest.Errors
		if errors.As(err, &fe) {
			for _, f := range fe {
				fmt.Fprintln(e.stderr, f.Error())
			}
			return fmt.Errorf("%s: %s in the input", nothing, plural(len(fe), "problem"))
		}
		return fmt.Errorf("%s: %w", nothing, err)
	}
	reportUnrouted(e.stderr, sum.Unrouted)
	// AIS files go after the documents, so that their vessels and ports
	// are known when tracks are derived.
	asum, aerr := ingestAIS(ctx, st, paths, newProgress(e))
	if len(sum.Files) > 0 || len(asum.Files) == 0 {
		report(e.stdout, sum)
	}
	if len(asum.Files) > 0 {
		fmt.Fprintln(e.stdout, asum.String())
	}
	return aerr
}

// newProgress is a progress display on the terminal, or nil when standard
// error is not one.
func newProgress(e *env) *ingest.Progress {
	if !isTerminal(e.stderr) {
		return nil
	}
	return ingest.NewProgress(e.stderr)
}

// ingestAIS ingests the AIS files among paths, showing progress on p.
func ingestAIS(ctx context.Context, st routes.Store, paths []string, p *ingest.Progress) (ingest.AISSummary, error) {
	sum, err := ingest.AIS(ctx, st, ingest.Paths(paths...), ingest.AISOptions{Progress: p})
	p.Done()
	return sum, err
}

// report writes what an ingest read and wrote, kind by kind.
func report(w io.Writer, s ingest.Summary) {
	fmt.Fprintf(w, "read %s: %s\n", plural(len(s.Files), "file"), kinds(s.Read, "nothing"))
	fmt.Fprintf(w, "written: %s new or changed", plural(s.Written.Total(), "record"))
	if s.Written.Total() > 0 {
		fmt.Fprintf(w, ": %s", kinds(s.Written, ""))
	}
	fmt.Fprintln(w)
	if len(s.Skipped) > 0 {
		fmt.Fprintf(w, "skipped %s (listed above)\n", plural(len(s.Skipped), "file"))
	}
}

// kinds lists the non-zero counts of c, or none when all are zero.
func kinds(c routes.Changes, none string) string {
	var parts []string
	for _, k := range []struct {
		n    int
		name string
	}{{c.Places, "place"}, {c.Vessels, "vessel"}, {c.Sources, "source"}, {c.Shipments, "shipment"},
		{c.Legs, "leg"}, {c.Tracks, "track"}, {c.Gaps, "gap"}, {c.Observations, "observation"}} {
		if k.n > 0 {
			parts = append(parts, plural(k.n, k.name))
		}
	}
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// isTerminal reports whether w is a terminal, where progress is shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
