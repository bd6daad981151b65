package gpkg

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// SQLite in a GeoPackage cannot hold the constraints the PostGIS schema
// declares — domains, checks, foreign keys — without functions GDAL and QGIS
// lack, so Apply checks the same rules in Go before writing. A batch breaks
// them only when built by hand: routes.Prepare checks all this and more. The
// rules are those of routes/postgis/migrations, so that both stores refuse
// the same batches.

var (
	slugRule     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	countryRule  = regexp.MustCompile(`^[A-Z]{2}$`)
	unlocodeRule = regexp.MustCompile(`^[A-Z]{2}[A-Z2-9]{3}$`)
	imoRule      = regexp.MustCompile(`^[0-9]{7}$`)
	mmsiRule     = regexp.MustCompile(`^[0-9]{9}$`)
)

// rules collects broken rules as field errors.
type rules struct{ errs routes.ValidationError }

func (r *rules) fail(path, format string, args ...any) {
	r.errs = append(r.errs, routes.FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// err is the broken rules, or nil.
func (r *rules) err() error {
	if len(r.errs) == 0 {
		return nil
	}
	return r.errs
}

func (r *rules) slug(path, id string) {
	if len(id) > 64 || !slugRule.MatchString(id) {
		r.fail(path, "%q is not a slug", id)
	}
}

func (r *rules) match(path string, rule *regexp.Regexp, v string, optional bool) {
	if !(optional && v == "") && !rule.MatchString(v) {
		r.fail(path, "%q does not match %s", v, rule)
	}
}

func oneOf[T ~string](r *rules, path string, v T, allowed []T, optional bool) {
	if !(optional && v == "") && !slices.Contains(allowed, v) {
		r.fail(path, "%q is not one of %v", v, allowed)
	}
}

func (r *rules) lonLat(path string, g orb.Geometry) {
	b := g.Bound()
	for _, x := range [4]float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
		if math.IsNaN(x) {
			r.fail(path, "has a coordinate that is not a number")
			return
		}
	}
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
		r.fail(path, "lies outside longitude [-180, 180], latitude [-90, 90]")
	}
}

func (r *rules) order(path string, a, b time.Time) {
	if a.After(b) {
		r.fail(path, "ends (%s) before it starts (%s)", routes.FormatTime(b), routes.FormatTime(a))
	}
}

// refs are the ids a batch may refer to: stored or in the batch.
type refs struct {
	places, vessels, sources map[string]bool
}

func newRefs(old *index, b *routes.Batch) refs {
	r := refs{places: map[string]bool{}, vessels: map[string]bool{}, sources: map[string]bool{}}
	for id := range old.placeByID {
		r.places[id] = true
	}
	for id := range old.vesselByID {
		r.vessels[id] = true
	}
	for id := range old.sourceByID {
		r.sources[id] = true
	}
	for _, p := range b.Places {
		r.places[p.ID] = true
	}
	for _, v := range b.Vessels {
		r.vessels[v.ID] = true
	}
	for _, s := range b.Sources {
		r.sources[s.ID] = true
	}
	return r
}

// checkBatch checks a batch against the schema's rules, given what is
// stored.
func checkBatch(b *routes.Batch, old *index) error {
	var r rules
	known := newRefs(old, b)
	for i, p := range b.Places {
		path := fmt.Sprintf("places[%d]", i)
		r.slug(path+".id", p.ID)
		oneOf(&r, path+".kind", p.Kind, routes.PlaceKinds, false)
		r.match(path+".country", countryRule, p.Country, false)
		r.match(path+".unlocode", unlocodeRule, p.UNLOCODE, true)
		r.lonLat(path, p.Point())
	}
	for i, v := range b.Vessels {
		path := fmt.Sprintf("vessels[%d]", i)
		r.slug(path+".id", v.ID)
		r.match(path+".imo", imoRule, v.IMO, true)
		r.match(path+".mmsi", mmsiRule, v.MMSI, true)
		r.match(path+".flag", countryRule, v.Flag, true)
		oneOf(&r, path+".confidence", v.Confidence, routes.Confidences, true)
	}
	for i, s := range b.Sources {
		path := fmt.Sprintf("sources[%d]", i)
		r.slug(path+".id", s.ID)
		if _, err := time.Parse(time.DateOnly, s.Published); err != nil {
			r.fail(path+".published", "%q is not a date such as 2023-10-13", s.Published)
		}
		oneOf(&r, path+".kind", s.Kind, routes.SourceKinds, false)
	}
	claims := func(path string, cs []routes.Claim) {
		for i, c := range cs {
			if !known.sources[c.Source] {
				r.fail(fmt.Sprintf("%s[%d].source", path, i), "no source %q is stored or in the batch", c.Source)
			}
		}
	}
	for i, sh := range b.Shipments {
		path := fmt.Sprintf("shipments[%d]", i)
		r.slug(path+".id", sh.ID)
		if sh.Cargo.Quantity < 0 || math.IsNaN(sh.Cargo.Quantity) {
			r.fail(path+".cargo.quantity", "%v is not a quantity", sh.Cargo.Quantity)
		}
		oneOf(&r, path+".status", sh.Status, routes.Statuses, false)
		oneOf(&r, path+".confidence", sh.Confidence, routes.Confidences, false)
		claims(path+".sources", sh.Sources)
		seqs := map[int]bool{}
		for j, l := range sh.Legs {
			lp := fmt.Sprintf("%s.legs[%d]", path, j)
			r.slug(lp+".id", l.ID)
			if l.Seq < 1 || seqs[l.Seq] {
				r.fail(lp+".seq", "%d is below 1 or taken by another leg of the shipment", l.Seq)
			}
			seqs[l.Seq] = true
			oneOf(&r, lp+".mode", l.Mode, routes.Modes, false)
			for _, p := range []struct{ field, id string }{{"origin", l.Origin}, {"destination", l.Destination}} {
				if !known.places[p.id] {
					r.fail(lp+"."+p.field, "no place %q is stored or in the batch", p.id)
				}
			}
			if l.Vessel != "" && !known.vessels[l.Vessel] {
				r.fail(lp+".vessel", "no vessel %q is stored or in the batch", l.Vessel)
			}
			r.order(lp+".depart", l.Depart.Earliest, l.Depart.Latest)
			r.order(lp+".arrive", l.Arrive.Earliest, l.Arrive.Latest)
			r.order(lp, l.Depart.Earliest, l.Arrive.Latest)
			if isEmpty(l.Geometry) {
				r.fail(lp+".geometry", "is empty")
			} else {
				r.lonLat(lp+".geometry", l.Geometry)
			}
			oneOf(&r, lp+".geometry_kind", l.GeometryKind, routes.GeometryKinds, false)
			if l.LengthKm < 0 || math.IsNaN(l.LengthKm) {
				r.fail(lp+".length_km", "%v is not a length", l.LengthKm)
			}
			oneOf(&r, lp+".confidence", l.Confidence, routes.Confidences, true)
			claims(lp+".sources", l.Sources)
		}
	}
	for i, t := range b.Tracks {
		path := fmt.Sprintf("tracks[%d]", i)
		r.order(path, t.Start, t.End)
		r.lonLat(path+".geometry", t.Geometry)
	}
	for i, g := range b.Gaps {
		path := fmt.Sprintf("gaps[%d]", i)
		r.order(path, g.Start, g.End)
		r.lonLat(path+".from", g.From)
		r.lonLat(path+".to", g.To)
	}
	for i, o := range b.Observations {
		path := fmt.Sprintf("observations[%d]", i)
		r.slug(path+".id", o.ID)
		r.order(path+".time", o.Time.Earliest, o.Time.Latest)
		oneOf(&r, path+".kind", o.Kind, routes.ObservationKinds, false)
		if !known.sources[o.Source] {
			r.fail(path+".source", "no source %q is stored or in the batch", o.Source)
		}
		r.lonLat(path, o.Point())
	}
	return r.err()
}
