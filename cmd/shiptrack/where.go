package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/paulmach/orb/encoding/wkt"

	"github.com/shiptrack/shiptrack/routes"
)

const whereSynopsis = `SHIPMENT --at T [--format table|geojson|csv]`

// runWhere answers where a shipment probably was at a time.
func runWhere(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("where", whereSynopsis)
	var sf storeFlags
	sf.register(fs)
	var at, format string
	fs.StringVar(&at, "at", "", "the time: RFC 3339 (2023-09-20T06:00:00Z), or a date for its first instant, 00:00 UTC")
	fs.StringVar(&format, "format", "table", "table, geojson or csv")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"where takes one shipment id, such as: shiptrack where nk-ru-2023-09 --at 2023-09-20"}
	}
	if at == "" {
		return usageError{"--at is required: the time to place the shipment at, such as --at 2023-09-20T06:00:00Z"}
	}
	t, err := routes.ParseInstant(at)
	if err != nil {
		return usageError{fmt.Sprintf("--at: %v", err)}
	}
	if format != "table" && format != "geojson" && format != "csv" {
		return usageError{fmt.Sprintf("--format %q: want table, geojson or csv", format)}
	}
	id := fs.Arg(0)
	st, err := sf.open(ctx, e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	est, err := routes.Where(ctx, st, id, t)
	if errors.Is(err, routes.ErrNotFound) {
		return usageError{fmt.Sprintf("unknown shipment %q; list them with: shiptrack query shipments", id)}
	}
	if err != nil {
		return fmt.Errorf("where is %s at %s: %w", id, routes.FormatTime(t), err)
	}
	refs, err := routes.LoadRefs(ctx, st)
	if err != nil {
		return err
	}
	switch format {
	case "geojson":
		return json.NewEncoder(e.stdout).Encode(routes.EstimateFeature(est, refs))
	case "csv":
		return whereCSV(est, refs, e.stdout)
	}
	return whereTable(est, refs, e.stdout)
}

// ownStretch is the stretch on the estimate's own leg.
func ownStretch(est routes.Estimate) routes.Stretch {
	for _, s := range est.Stretches {
		if s.Leg.ID == est.Leg.ID {
			return s
		}
	}
	return est.Stretches[0]
}

func whereCSV(est routes.Estimate, refs *routes.Refs, w io.Writer) error {
	own := ownStretch(est)
	along := ""
	if !math.IsNaN(est.Fraction) {
		along = km(est.AlongKm())
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"shipment", "at", "status", "kind", "place", "leg", "seq", "lon", "lat", "along_km", "leg_km",
		"from_km", "to_km", "uncertainty_km", "summary", "uncertainty_wkt"})
	cw.Write([]string{est.Shipment, routes.FormatTime(est.At), string(est.Status), string(est.Kind), est.Place,
		est.Leg.ID, strconv.Itoa(est.Leg.Seq), coord(est.Point[0]), coord(est.Point[1]), along, km(est.Leg.LengthKm),
		km(own.FromKm()), km(own.ToKm()), km(est.UncertaintyKm()), est.Summary(refs), wkt.MarshalString(est.Uncertainty())})
	cw.Flush()
	return cw.Error()
}

// coord writes a computed coordinate to 1e-7 degrees, about a centimetre.
func coord(x float64) string { return strconv.FormatFloat(x, 'f', 7, 64) }

// whereTable lays the answer out as labelled lines for a person.
func whereTable(est routes.Estimate, refs *routes.Refs, w io.Writer) error {
	name := func(id string) string {
		if p, ok := refs.Places[id]; ok {
			return p.Name
		}
		return id
	}
	l := est.Leg
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(label, format string, args ...any) { fmt.Fprintf(tw, label+"\t"+format+"\n", args...) }
	row("shipment", "%s  %s", est.Shipment, est.Title)
	row("at", "%s", routes.FormatTime(est.At))
	row("status", "%s", est.Status)
	legLine := fmt.Sprintf("%d of %d  %s  %s  %s → %s", l.Seq, est.Legs, l.ID, l.Mode, name(l.Origin), name(l.Destination))
	if v, ok := refs.Vessels[l.Vessel]; ok {
		legLine += "  vessel " + v.Name
	}
	row("leg", "%s", legLine)
	row("windows", "depart %s  arrive %s", l.Depart, l.Arrive)
	switch est.Kind {
	case routes.EstimateObserved:
		row("estimate", "%s  observed: AIS, %s", lonLat(est), fixes(est.Fixes))
	case routes.EstimatePlace:
		row("estimate", "%s  at %s", lonLat(est), name(est.Place))
	default:
		row("estimate", "%s  interpolated: %s km along the %s km leg", lonLat(est), km(est.AlongKm()), km(l.LengthKm))
	}
	for i, s := range est.Stretches {
		label := ""
		if i == 0 {
			label = "could be"
		}
		if s.From == s.To {
			row(label, "leg %d  at km %s of %s", s.Leg.Seq, km(s.FromKm()), km(s.Leg.LengthKm))
			continue
		}
		row(label, "leg %d  km %s to %s of %s", s.Leg.Seq, km(s.FromKm()), km(s.ToKm()), km(s.Leg.LengthKm))
	}
	row("uncertainty", "%s km of route", km(est.UncertaintyKm()))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", wrap(est.Summary(refs), 78))
	return err
}

func lonLat(est routes.Estimate) string {
	return "lon " + coord(est.Point[0]) + "  lat " + coord(est.Point[1])
}

func fixes(ps []routes.Position) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("MMSI %s at %s (%s %s)", p.MMSI, routes.FormatTime(p.Time), coord(p.Lon), coord(p.Lat)))
	}
	return strings.Join(parts, " and ")
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+utf8.RuneCountInString(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += utf8.RuneCountInString(word)
	}
	return b.String()
}
