package main

import (
	"context"
	"fmt"
	"io"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/network"
)

// routers are the routers that draw modeled legs, by mode. The rail router
// uses the OpenStreetMap track stored in st, when st keeps any.
func routers(ctx context.Context, st routes.Store) (map[routes.Mode]routes.Router, error) {
	rail, err := railRouter(ctx, st)
	if err != nil {
		return nil, err
	}
	return map[routes.Mode]routes.Router{routes.Rail: rail}, nil
}

func railRouter(ctx context.Context, st routes.Store) (*network.Rail, error) {
	if rs, ok := st.(routes.RailStore); ok {
		return network.LoadRail(ctx, rs)
	}
	return network.NewRail(nil)
}

// prepareOptions are the options legs are prepared with: the routers when
// route is set, none (schematic lines) otherwise.
func prepareOptions(ctx context.Context, st routes.Store, route bool) (routes.PrepareOptions, error) {
	if !route {
		return routes.PrepareOptions{}, nil
	}
	rs, err := routers(ctx, st)
	if err != nil {
		return routes.PrepareOptions{}, fmt.Errorf("load the routers: %w", err)
	}
	return routes.PrepareOptions{Routers: rs}, nil
}

// reportUnrouted tells which legs stayed schematic and why.
func reportUnrouted(w io.Writer, us []ingest.Unrouted) {
	for _, u := range us {
		fmt.Fprintf(w, "leg %s left schematic: %s\n", u.Leg, u.Reason)
	}
}
