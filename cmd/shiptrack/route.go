package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/network"
)

// routerLoaders are the routers this binary has, by mode. Each is loaded
// when first needed: by `route` for its one mode, by `serve` and `ingest`
// all at start. The rail router uses the OpenStreetMap track kept in the
// store.
var routerLoaders = map[routes.Mode]func(context.Context, routes.Store) (routes.Router, error){
	routes.Sea:  func(context.Context, routes.Store) (routes.Router, error) { return network.LoadSea() },
	routes.Rail: func(ctx context.Context, st routes.Store) (routes.Router, error) { return railRouter(ctx, st) },
}

// loadRouters loads every router, for a server that answers every mode.
func loadRouters(ctx context.Context, e *env, st routes.Store) (map[routes.Mode]routes.Router, error) {
	out := make(map[routes.Mode]routes.Router, len(routerLoaders))
	for _, mode := range slices.Sorted(maps.Keys(routerLoaders)) {
		r, err := routerLoaders[mode](ctx, st)
		if err != nil {
			return nil, fmt.Errorf("load the %s network: %w", mode, err)
		}
		out[mode] = r
	}
	e.log.Info("loaded route networks", "modes", slices.Sorted(maps.Keys(out)))
	return out, nil
}

const routeSynopsis = `sea|rail --from PLACE|LON,LAT --to PLACE|LON,LAT [--avoid suez,panama,...]
       [--format table|geojson] [--db URL | --data FILE]`

func runRoute(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("route", routeSynopsis)
	var sf storeFlags
	sf.register(fs)
	from := fs.String("from", "", "start: a place id or LON,LAT")
	to := fs.String("to", "", "end: a place id or LON,LAT")
	avoid := fs.StringSlice("avoid", nil, "straits and canals to avoid, comma-separated; for sea: "+strings.Join(network.Passages(), ", "))
	format := fs.String("format", "table", "table or geojson")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"route takes one mode: sea or rail"}
	}
	mode := routes.Mode(fs.Arg(0))
	if !slices.Contains(routes.Modes, mode) {
		return usageError{fmt.Sprintf("unknown mode %q: want sea or rail", mode)}
	}
	switch {
	case *from == "":
		return usageError{"--from is required: a place id or LON,LAT"}
	case *to == "":
		return usageError{"--to is required: a place id or LON,LAT"}
	case *format != "table" && *format != "geojson":
		return usageError{fmt.Sprintf("--format %q: want table or geojson", *format)}
	}
	load, ok := routerLoaders[mode]
	if !ok {
		return fmt.Errorf("no %s network is loaded: shiptrack cannot route by %s yet", mode, mode)
	}

	// The store is opened to look up place ids, and for the rail track it
	// keeps.
	var st routes.Store
	if !isLonLat(*from) || !isLonLat(*to) || mode == routes.Rail {
		var err error
		if st, err = sf.open(ctx, e, fs); err != nil {
			return err
		}
		defer st.Close()
	}
	a, err := resolvePoint(ctx, st, "from", *from)
	if err != nil {
		return err
	}
	b, err := resolvePoint(ctx, st, "to", *to)
	if err != nil {
		return err
	}
	router, err := load(ctx, st)
	if err != nil {
		return fmt.Errorf("load the %s network: %w", mode, err)
	}
	r, err := router.Route(ctx, a, b, routes.RouteOptions{Avoid: *avoid})
	if bad, ok := errors.AsType[*routes.RouteInputError](err); ok {
		return usageError{fmt.Sprintf("--%s: %v", bad.Param, bad.Err)}
	}
	if err != nil {
		return fmt.Errorf("%s route from %s to %s: %w", mode, *from, *to, err)
	}
	if *format == "geojson" {
		return json.NewEncoder(e.stdout).Encode(routes.ComputedFeature(mode, *from, *to, a, b, *avoid, r))
	}
	return writeRouteTable(e.stdout, mode, *from, *to, a, b, r)
}

// isLonLat reports whether s is given as coordinates rather than a place id.
func isLonLat(s string) bool {
	_, isPair, _ := routes.ParseLonLat(s)
	return isPair
}

func writeRouteTable(w io.Writer, mode routes.Mode, from, to string, a, b orb.Point, r routes.ComputedRoute) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	on, onto := "at sea", "water"
	if mode != routes.Sea {
		on, onto = "on the track", "the track"
	}
	end := func(label, asked string, p orb.Point, snapKm float64, at orb.Point) {
		moved := on
		if snapKm > 0 {
			moved = fmt.Sprintf("moved %s km to %s at %.4f,%.4f", km(snapKm), onto, at[0], at[1])
		}
		fmt.Fprintf(tw, "%s\t%s (%.4f,%.4f), %s\n", label, asked, p[0], p[1], moved)
	}
	first, last := r.Line[0][0], r.Line[len(r.Line)-1][len(r.Line[len(r.Line)-1])-1]
	end("FROM", from, a, r.FromSnapKm, first)
	end("TO", to, b, r.ToSnapKm, last)
	fmt.Fprintf(tw, "NETWORK\t%s\n", r.Network)
	fmt.Fprintf(tw, "LENGTH\t%s km, %s nm\n", km(r.LengthKm), km(r.LengthKm/routes.NauticalMile))
	via := append(slices.Clone(r.Passages), r.Stations...)
	if len(via) == 0 {
		via = []string{"none named"}
	}
	for i, line := range wrapList(via, 88) {
		label := "VIA"
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, line)
	}
	return tw.Flush()
}

// wrapList joins names with commas into lines of at most width bytes, or
// one name a line where a name alone is longer.
func wrapList(names []string, width int) []string {
	var lines []string
	var b strings.Builder
	for i, n := range names {
		item := n
		if i < len(names)-1 {
			item += ","
		}
		if b.Len() > 0 && b.Len()+1+len(item) > width {
			lines = append(lines, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(item)
	}
	return append(lines, b.String())
}
