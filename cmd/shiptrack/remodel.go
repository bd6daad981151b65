package main

import (
	"context"
	"fmt"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

// runRemodel redraws the modeled and schematic legs in the store with the
// routers as they are now: after a new network, such as OpenStreetMap track.
func runRemodel(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("remodel", "[--db URL | --data FILE]")
	var sf storeFlags
	sf.register(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("remodel takes no arguments; got %q", fs.Args())}
	}
	st, err := sf.open(ctx, e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	opts, err := prepareOptions(ctx, e, st, true)
	if err != nil {
		return err
	}
	return remodel(ctx, e, st, opts)
}

// remodel redraws the store's modeled and schematic legs with the routers
// in opts and says what changed.
func remodel(ctx context.Context, e *env, st routes.Store, opts routes.PrepareOptions) error {
	var unrouted []ingest.Unrouted
	opts.Unrouted = func(leg string, err error) {
		unrouted = append(unrouted, ingest.Unrouted{Leg: leg, Reason: err.Error()})
	}
	ch, err := routes.Remodel(ctx, st, opts)
	if err != nil {
		return fmt.Errorf("remodel: %w", err)
	}
	reportUnrouted(e.stderr, unrouted)
	fmt.Fprintf(e.stdout, "remodeled: %d legs of %d shipments redrawn\n", ch.Legs, ch.Shipments)
	return nil
}
