package routes

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// EstimateFeature is an estimate as a GeoJSON Point feature: the best
// estimate as its geometry; the leg, the stretches the shipment can be on
// and their union as a GeoJSON geometry ("uncertainty") among its
// properties. Its id is shipment@time. Coordinates are rounded to 1e-7
// degrees (about a centimetre), fractions to 1e-6, lengths to the metre.
func EstimateFeature(e Estimate, refs *Refs) *geojson.Feature {
	f := geojson.NewFeature(roundGeometry(e.Point))
	at := FormatTime(e.At)
	f.ID = e.Shipment + "@" + at
	l := e.Leg
	stretches := make([]map[string]any, len(e.Stretches))
	for i, s := range e.Stretches {
		stretches[i] = map[string]any{
			"leg":           s.Leg.ID,
			"seq":           s.Leg.Seq,
			"from_fraction": round6(s.From),
			"to_fraction":   round6(s.To),
			"from_km":       round3(s.FromKm()),
			"to_km":         round3(s.ToKm()),
			"length_km":     round3(s.LengthKm()),
		}
	}
	fixes := e.Fixes
	if fixes == nil {
		fixes = []Position{}
	}
	f.Properties = geojson.Properties{
		"shipment":       e.Shipment,
		"title":          e.Title,
		"at":             at,
		"start":          at,
		"end":            at,
		"status":         e.Status,
		"summary":        e.Summary(refs),
		"kind":           e.Kind,
		"place":          nullable(e.Place),
		"leg":            l.ID,
		"seq":            l.Seq,
		"legs":           e.Legs,
		"mode":           l.Mode,
		"origin":         l.Origin,
		"destination":    l.Destination,
		"vessel":         nullable(l.Vessel),
		"depart":         l.Depart,
		"arrive":         l.Arrive,
		"leg_length_km":  round3(l.LengthKm),
		"fraction":       nullableNumber(round6(e.Fraction)),
		"along_km":       nullableNumber(round3(e.AlongKm())),
		"stretches":      stretches,
		"uncertainty":    geojson.NewGeometry(roundGeometry(e.Uncertainty())),
		"uncertainty_km": round3(e.UncertaintyKm()),
		"fixes":          fixes,
	}
	return f
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// nullableNumber writes NaN as JSON null.
func nullableNumber(x float64) any {
	if math.IsNaN(x) {
		return nil
	}
	return x
}

// roundGeometry rounds coordinates to 1e-7 degrees: computed points carry
// digits far below what the estimate can claim.
func roundGeometry(g orb.Geometry) orb.Geometry {
	r := func(x float64) float64 { return math.Round(x*1e7) / 1e7 }
	pt := func(p orb.Point) orb.Point { return orb.Point{r(p[0]), r(p[1])} }
	line := func(ls orb.LineString) orb.LineString {
		out := make(orb.LineString, len(ls))
		for i, p := range ls {
			out[i] = pt(p)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return pt(g)
	case orb.LineString:
		return line(g)
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, ls := range g {
			out[i] = line(ls)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = roundGeometry(c)
		}
		return out
	}
	return g
}

// Summary says in a sentence or three where the shipment was, as a person
// would ask it: what is certain, the best estimate, and where else it can
// be. refs supply place and vessel names; ids stand in for those missing.
func (e Estimate) Summary(refs *Refs) string {
	place := func(id string) string {
		if refs != nil {
			if p, ok := refs.Places[id]; ok {
				return p.Name
			}
		}
		return id
	}
	l := e.Leg
	from, to := place(l.Origin), place(l.Destination)
	leg := fmt.Sprintf("leg %d (%s)", l.Seq, l.Mode)
	var b strings.Builder
	switch e.Status {
	case NotDeparted:
		fmt.Fprintf(&b, "Not yet departed: at %s. %s to %s departs %s.", from, capital(leg), to, when(l.Depart))
		return b.String()
	case InPort:
		fmt.Fprintf(&b, "In port at %s, between legs: %s from %s arrived %s, and the next leg had not left.", to, leg, from, when(l.Arrive))
		return b.String()
	case Arrived:
		fmt.Fprintf(&b, "Arrived at %s: %s from %s, the last, arrived %s.", to, leg, from, when(l.Arrive))
		return b.String()
	}
	own := e.Stretches[0]
	for _, s := range e.Stretches {
		if s.Leg.ID == l.ID {
			own = s
		}
	}
	total := km(l.LengthKm)
	switch e.Status {
	case MayNotHaveDeparted:
		fmt.Fprintf(&b, "May not have left %s yet: %s to %s departs %s.", from, leg, to, when(l.Depart))
		if own.To < 1 {
			fmt.Fprintf(&b, " If it has left, it is at most %s km along the %s km leg.", km(own.ToKm()), total)
		} else {
			fmt.Fprintf(&b, " If it has left, it can be anywhere on the %s km leg, and may already have reached %s (arrives %s).", total, to, when(l.Arrive))
		}
	case UnderWay:
		fmt.Fprintf(&b, "Under way on %s from %s to %s: between km %s and km %s of %s.", leg, from, to, km(own.FromKm()), km(own.ToKm()), total)
	case MayHaveArrived:
		fmt.Fprintf(&b, "Left %s: at least %s km along the %s km %s to %s, or already arrived there (arrives %s).", from, km(own.FromKm()), total, leg, to, when(l.Arrive))
	}
	switch {
	case e.Kind == EstimateObserved:
		vessel := l.Vessel
		if refs != nil {
			if v, ok := refs.Vessels[l.Vessel]; ok {
				vessel = v.Name
			}
		}
		times := make([]string, len(e.Fixes))
		for i, p := range e.Fixes {
			times[i] = FormatTime(p.Time)
		}
		fmt.Fprintf(&b, " Best estimate: where AIS places %s, from its fixes at %s.", vessel, strings.Join(times, " and "))
	case e.Fraction == 0:
		fmt.Fprintf(&b, " Best estimate: still at %s, leaving and arriving at the middle of the reported windows.", from)
	case e.Fraction == 1:
		fmt.Fprintf(&b, " Best estimate: already at %s, leaving and arriving at the middle of the reported windows.", to)
	default:
		fmt.Fprintf(&b, " Best estimate: %s km along, leaving and arriving at the middle of the reported windows.", km(e.AlongKm()))
	}
	for _, s := range e.Stretches {
		if s.Leg.ID == l.ID {
			continue
		}
		fmt.Fprintf(&b, " It may instead be on leg %d (%s) from %s to %s, between km %s and km %s of %s.",
			s.Leg.Seq, s.Leg.Mode, place(s.Leg.Origin), place(s.Leg.Destination), km(s.FromKm()), km(s.ToKm()), km(s.Leg.LengthKm))
	}
	return b.String()
}

// km writes a length to a tenth of a kilometre, as a person reads it.
func km(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// when writes a window as a phrase: "between A and B", "on D" or "at T".
func when(w Window) string {
	s := w.String()
	if a, b, ok := strings.Cut(s, "/"); ok {
		return "between " + a + " and " + b
	}
	if len(s) == len("2006-01-02") {
		return "on " + s
	}
	return "at " + s
}

func capital(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
