package main

import (
	"context"
	"fmt"
	"io"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/network"
)

// railRouter is the rail router over the OpenStreetMap track stored in st,
// when st keeps any.
func railRouter(ctx context.Context, st routes.Store) (*network.Rail, error) {
	if rs, ok := st.(routes.RailStore); ok {
		return network.LoadRail(ctx, rs)
	}
	return network.NewRail(nil)
}

// prepareOptions are the options legs are prepared with: the routers when
// route is set, none (schematic lines) otherwise.
func prepareOptions(ctx context.Context, e *env, st routes.Store, route bool) (routes.PrepareOptions, error) {
	if !route {
		return routes.PrepareOptions{}, nil
	}
	rs, err := loadRouters(ctx, e, st)
	if err != nil {
		return routes.PrepareOptions{}, err
	}
	return routes.PrepareOptions{Routers: rs}, nil
}

// reportUnrouted tells which legs stayed schematic and why.
func reportUnrouted(w io.Writer, us []ingest.Unrouted) {
	for _, u := range us {
		fmt.Fprintf(w, "leg %s left schematic: %s\n", u.Leg, u.Reason)
	}
}
