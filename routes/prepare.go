package routes

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
)

// Lookup finds records already stored. Store implements it.
type Lookup interface {
	Place(ctx context.Context, id string) (Place, error)
	Vessel(ctx context.Context, id string) (Vessel, error)
	Source(ctx context.Context, id string) (Source, error)
	Leg(ctx context.Context, id string) (Leg, error)
}

// EndpointTolerance is how far a leg's drawn line may start or end from its
// origin and destination places, in metres. AIS tracks begin at anchorages and
// berths, not at a port's reference point.
const EndpointTolerance = 50_000

var (
	slugPattern     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	countryPattern  = regexp.MustCompile(`^[A-Z]{2}$`)
	unlocodePattern = regexp.MustCompile(`^[A-Z]{2}[A-Z2-9]{3}$`)
	digits          = regexp.MustCompile(`^[0-9]+$`)
)

// maxSlug bounds identifiers; they are URL path segments and file names.
const maxSlug = 64

// Prepare validates a document against the model's rules and the records
// already in known (which may be nil), and resolves it into a Batch: legs
// without a line get a schematic one, lengths and shipment periods are
// computed. Every broken rule is reported as a ValidationError naming its
// field; nothing is written.
func Prepare(ctx context.Context, known Lookup, doc *Document) (*Batch, error) {
	return PrepareWith(ctx, known, doc, PrepareOptions{})
}

// PrepareWith is Prepare with options: with routers, legs without a line get
// one computed for their mode (see PrepareOptions).
func PrepareWith(ctx context.Context, known Lookup, doc *Document, opts PrepareOptions) (*Batch, error) {
	p := &preparer{ctx: ctx, known: known, opts: opts,
		places: map[string]Place{}, vessels: map[string]bool{}, sources: map[string]bool{}, legs: map[string]string{}}
	b := &Batch{}
	for i, pl := range doc.Places {
		if p.place(fmt.Sprintf("places[%d]", i), pl) {
			b.Places = append(b.Places, pl)
		}
	}
	for i, v := range doc.Vessels {
		if p.vessel(fmt.Sprintf("vessels[%d]", i), v) {
			b.Vessels = append(b.Vessels, v)
		}
	}
	for i, s := range doc.Sources {
		if p.source(fmt.Sprintf("sources[%d]", i), s) {
			b.Sources = append(b.Sources, s)
		}
	}
	shipments := map[string]bool{}
	for i, s := range doc.Shipments {
		path := fmt.Sprintf("shipments[%d]", i)
		if shipments[s.ID] {
			p.errs.add(path+".id", "shipment %q appears twice in the document", s.ID)
		}
		shipments[s.ID] = true
		if sh, ok := p.shipment(path, s); ok {
			b.Shipments = append(b.Shipments, sh)
		}
	}
	for i, o := range doc.Observations {
		if p.observation(fmt.Sprintf("observations[%d]", i), o) {
			b.Observations = append(b.Observations, o)
		}
	}
	if p.lookupErr != nil {
		return nil, p.lookupErr
	}
	if err := p.errs.err(); err != nil {
		return nil, err
	}
	return b, nil
}

type preparer struct {
	ctx       context.Context
	known     Lookup
	opts      PrepareOptions
	errs      errorList
	lookupErr error // a store failure, as opposed to a broken rule

	places  map[string]Place  // in the document, by id
	vessels map[string]bool   // in the document
	sources map[string]bool   // in the document
	legs    map[string]string // leg id → shipment id, in the document
}

func (p *preparer) slug(path, id string) bool {
	switch {
	case id == "":
		p.errs.add(path, "is required")
	case len(id) > maxSlug:
		p.errs.add(path, "is longer than %d characters", maxSlug)
	case !slugPattern.MatchString(id):
		p.errs.add(path, "%q is not a slug: lower-case letters and digits joined by single hyphens, such as najin or nk-ru-2023-09", id)
	default:
		return true
	}
	return false
}

func (p *preparer) required(path, v string) {
	if v == "" {
		p.errs.add(path, "is required")
	}
}

func oneOf[T ~string](p *preparer, path string, v T, allowed []T, optional bool) {
	if v == "" && optional {
		return
	}
	if !slices.Contains(allowed, v) {
		p.errs.add(path, "%q is not one of %v", v, allowed)
	}
}

func (p *preparer) lonLat(path string, lon, lat float64) {
	if lat < -90 || lat > 90 {
		p.errs.add(path+".lat", "latitude %v is outside [-90, 90]", lat)
	}
	if lon < -180 || lon > 180 {
		p.errs.add(path+".lon", "longitude %v is outside [-180, 180]", lon)
	}
}

func (p *preparer) place(path string, pl Place) bool {
	n := len(p.errs.errs)
	if p.slug(path+".id", pl.ID) {
		if _, dup := p.places[pl.ID]; dup {
			p.errs.add(path+".id", "place %q appears twice in the document", pl.ID)
		}
	}
	p.required(path+".name", pl.Name)
	oneOf(p, path+".kind", pl.Kind, PlaceKinds, false)
	if !countryPattern.MatchString(pl.Country) {
		p.errs.add(path+".country", "%q is not an ISO 3166-1 alpha-2 code such as RU", pl.Country)
	}
	if pl.UNLOCODE != "" {
		if !unlocodePattern.MatchString(pl.UNLOCODE) {
			p.errs.add(path+".unlocode", "%q is not a UN/LOCODE such as KPNJN", pl.UNLOCODE)
		} else if pl.UNLOCODE[:2] != pl.Country {
			p.errs.add(path+".unlocode", "%q does not begin with the place's country %q", pl.UNLOCODE, pl.Country)
		}
	}
	p.lonLat(path, pl.Lon, pl.Lat)
	p.places[pl.ID] = pl
	return len(p.errs.errs) == n
}

func (p *preparer) vessel(path string, v Vessel) bool {
	n := len(p.errs.errs)
	if p.slug(path+".id", v.ID) && p.vessels[v.ID] {
		p.errs.add(path+".id", "vessel %q appears twice in the document", v.ID)
	}
	p.vessels[v.ID] = true
	p.required(path+".name", v.Name)
	if v.IMO != "" {
		if err := CheckIMO(v.IMO); err != nil {
			p.errs.add(path+".imo", "%v", err)
		}
	}
	if v.MMSI != "" && (len(v.MMSI) != 9 || !digits.MatchString(v.MMSI)) {
		p.errs.add(path+".mmsi", "%q is not a 9-digit MMSI", v.MMSI)
	}
	if v.Flag != "" && !countryPattern.MatchString(v.Flag) {
		p.errs.add(path+".flag", "%q is not an ISO 3166-1 alpha-2 code such as RU", v.Flag)
	}
	oneOf(p, path+".confidence", v.Confidence, Confidences, true)
	return len(p.errs.errs) == n
}

// CheckIMO verifies a 7-digit IMO ship identification number and its check
// digit: the last digit of the sum of the first six weighted 7 down to 2.
func CheckIMO(imo string) error {
	if len(imo) != 7 || !digits.MatchString(imo) {
		return fmt.Errorf("%q is not a 7-digit IMO number", imo)
	}
	sum := 0
	for i := range 6 {
		sum += int(imo[i]-'0') * (7 - i)
	}
	if want := sum % 10; int(imo[6]-'0') != want {
		return fmt.Errorf("IMO %s fails its check digit (want %d)", imo, want)
	}
	return nil
}

func (p *preparer) source(path string, s Source) bool {
	n := len(p.errs.errs)
	if p.slug(path+".id", s.ID) && p.sources[s.ID] {
		p.errs.add(path+".id", "source %q appears twice in the document", s.ID)
	}
	p.sources[s.ID] = true
	p.required(path+".publisher", s.Publisher)
	p.required(path+".title", s.Title)
	if _, err := time.Parse(time.DateOnly, s.Published); err != nil {
		p.errs.add(path+".published", "%q is not a date such as 2023-10-13", s.Published)
	}
	oneOf(p, path+".kind", s.Kind, SourceKinds, false)
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.errs.add(path+".url", "%q is not an http or https URL", s.URL)
		}
	}
	return len(p.errs.errs) == n
}

// exists reports whether id names a record in the document or the store.
func (p *preparer) exists(inDoc bool, id string, find func(context.Context, string) error) bool {
	if inDoc {
		return true
	}
	if p.known == nil || id == "" {
		return false
	}
	err := find(p.ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) && p.lookupErr == nil {
		p.lookupErr = fmt.Errorf("look up %q: %w", id, err)
	}
	return err == nil
}

func (p *preparer) resolvePlace(path, id string) (Place, bool) {
	if pl, ok := p.places[id]; ok {
		return pl, true
	}
	if id == "" {
		p.errs.add(path, "is required")
		return Place{}, false
	}
	if p.known != nil {
		pl, err := p.known.Place(p.ctx, id)
		if err == nil {
			return pl, true
		}
		if !errors.Is(err, ErrNotFound) && p.lookupErr == nil {
			p.lookupErr = fmt.Errorf("look up place %q: %w", id, err)
		}
	}
	p.errs.add(path, "unknown place %q: not in this document or the store", id)
	return Place{}, false
}

func (p *preparer) claims(path string, cs []Claim, required bool) {
	if required && len(cs) == 0 {
		p.errs.add(path, "at least one source is required")
	}
	for i, c := range cs {
		cp := fmt.Sprintf("%s[%d]", path, i)
		if !p.exists(p.sources[c.Source], c.Source, func(ctx context.Context, id string) error {
			_, err := p.known.Source(ctx, id)
			return err
		}) {
			if c.Source == "" {
				p.errs.add(cp+".source", "is required")
			} else {
				p.errs.add(cp+".source", "unknown source %q: not in this document or the store", c.Source)
			}
		}
		p.required(cp+".claim", c.Claim)
	}
}

func (p *preparer) shipment(path string, s Shipment) (Shipment, bool) {
	n := len(p.errs.errs)
	p.slug(path+".id", s.ID)
	p.required(path+".title", s.Title)
	p.required(path+".cargo.description", s.Cargo.Description)
	if s.Cargo.Quantity < 0 {
		p.errs.add(path+".cargo.quantity", "%v is negative", s.Cargo.Quantity)
	}
	oneOf(p, path+".status", s.Status, Statuses, false)
	oneOf(p, path+".confidence", s.Confidence, Confidences, false)
	p.claims(path+".sources", s.Sources, true)
	if len(s.Legs) == 0 {
		p.errs.add(path+".legs", "at least one leg is required")
	}
	seqs := map[int]bool{}
	legs := make([]Leg, 0, len(s.Legs))
	for i, l := range s.Legs {
		lp := fmt.Sprintf("%s.legs[%d]", path, i)
		if seqs[l.Seq] {
			p.errs.add(lp+".seq", "seq %d appears twice in shipment %q", l.Seq, s.ID)
		}
		seqs[l.Seq] = true
		if leg, ok := p.leg(lp, s.ID, l); ok {
			legs = append(legs, leg)
		}
	}
	if len(p.errs.errs) != n {
		return Shipment{}, false
	}
	slices.SortFunc(legs, func(a, b Leg) int { return cmp.Compare(a.Seq, b.Seq) })
	s.Legs = legs
	Derive(&s)
	return s, true
}

// Derive fills a shipment's period, extent and length from its legs.
func Derive(s *Shipment) {
	s.Start, s.End, s.Bound, s.LengthKm = time.Time{}, time.Time{}, orb.Bound{}, 0
	for i, l := range s.Legs {
		if i == 0 || l.Start().Before(s.Start) {
			s.Start = l.Start()
		}
		if i == 0 || l.End().After(s.End) {
			s.End = l.End()
		}
		if i == 0 {
			s.Bound = l.Geometry.Bound()
		} else {
			s.Bound = s.Bound.Union(l.Geometry.Bound())
		}
		s.LengthKm += l.LengthKm
	}
}

func (p *preparer) leg(path, shipment string, l Leg) (Leg, bool) {
	n := len(p.errs.errs)
	if p.slug(path+".id", l.ID) {
		if other, dup := p.legs[l.ID]; dup {
			p.errs.add(path+".id", "leg %q appears twice in the document (in shipment %q)", l.ID, other)
		} else if p.known != nil {
			if stored, err := p.known.Leg(p.ctx, l.ID); err == nil && stored.Shipment != shipment {
				p.errs.add(path+".id", "leg %q already belongs to shipment %q", l.ID, stored.Shipment)
			} else if err != nil && !errors.Is(err, ErrNotFound) && p.lookupErr == nil {
				p.lookupErr = fmt.Errorf("look up leg %q: %w", l.ID, err)
			}
		}
		p.legs[l.ID] = shipment
	}
	if l.Shipment != "" && l.Shipment != shipment {
		p.errs.add(path+".shipment", "%q differs from the enclosing shipment %q", l.Shipment, shipment)
	}
	l.Shipment = shipment
	if l.Seq < 1 {
		p.errs.add(path+".seq", "must be 1 or more")
	}
	oneOf(p, path+".mode", l.Mode, Modes, false)
	origin, okO := p.resolvePlace(path+".origin", l.Origin)
	dest, okD := p.resolvePlace(path+".destination", l.Destination)
	stops := []orb.Point{origin.Point()}
	for i, v := range l.Via {
		pl, ok := p.resolvePlace(fmt.Sprintf("%s.via[%d]", path, i), v)
		stops = append(stops, pl.Point())
		okO = okO && ok
	}
	stops = append(stops, dest.Point())
	if okO && okD && l.Origin == l.Destination && len(l.Via) == 0 {
		p.errs.add(path+".destination", "is the same place as the origin")
	}
	if l.Vessel != "" && !p.exists(p.vessels[l.Vessel], l.Vessel, func(ctx context.Context, id string) error {
		_, err := p.known.Vessel(ctx, id)
		return err
	}) {
		p.errs.add(path+".vessel", "unknown vessel %q: not in this document or the store", l.Vessel)
	}
	p.window(path+".depart", l.Depart)
	p.window(path+".arrive", l.Arrive)
	if !l.Depart.IsZero() && !l.Arrive.IsZero() {
		if l.Depart.Earliest.After(l.Arrive.Latest) {
			p.errs.add(path+".depart", "departure (earliest %s) is after arrival (latest %s)",
				FormatTime(l.Depart.Earliest), FormatTime(l.Arrive.Latest))
		} else if l.Arrive.Earliest.Before(l.Depart.Earliest) {
			p.errs.add(path+".arrive", "arrival (earliest %s) is before the earliest departure (%s)",
				FormatTime(l.Arrive.Earliest), FormatTime(l.Depart.Earliest))
		}
	}
	oneOf(p, path+".geometry_kind", l.GeometryKind, GeometryKinds, true)
	oneOf(p, path+".confidence", l.Confidence, Confidences, true)
	p.claims(path+".sources", l.Sources, false)

	if len(l.Geometry) == 0 {
		if okO && okD {
			p.draw(path, &l, stops)
		}
	} else {
		if l.GeometryKind == "" {
			l.GeometryKind = Reported
		}
		if err := geo.Validate(l.Geometry); err != nil {
			p.errs.add(path+".geometry", "%v", err)
		} else if okO && okD {
			joined := geo.Join(l.Geometry)
			if d := geo.Distance(joined[0], origin.Point()); d > EndpointTolerance {
				p.errs.add(path+".geometry", "starts %s km from its origin %q (at most %d km allowed)",
					strconv.FormatFloat(d/1000, 'f', 1, 64), l.Origin, EndpointTolerance/1000)
			}
			if d := geo.Distance(joined[len(joined)-1], dest.Point()); d > EndpointTolerance {
				p.errs.add(path+".geometry", "ends %s km from its destination %q (at most %d km allowed)",
					strconv.FormatFloat(d/1000, 'f', 1, 64), l.Destination, EndpointTolerance/1000)
			}
		}
	}
	l.LengthKm = geo.Length(l.Geometry) / 1000
	return l, len(p.errs.errs) == n
}

func (p *preparer) window(path string, w Window) {
	switch {
	case w.IsZero():
		p.errs.add(path, "is required: a date, a time, or {earliest, latest}")
	case w.Earliest.IsZero() || w.Latest.IsZero():
		p.errs.add(path, "needs both earliest and latest")
	case w.Latest.Before(w.Earliest):
		p.errs.add(path, "latest %s is before earliest %s", FormatTime(w.Latest), FormatTime(w.Earliest))
	}
}

func (p *preparer) observation(path string, o Observation) bool {
	n := len(p.errs.errs)
	p.slug(path+".id", o.ID)
	p.window(path+".time", o.Time)
	p.lonLat(path, o.Lon, o.Lat)
	oneOf(p, path+".kind", o.Kind, ObservationKinds, false)
	p.required(path+".subject", o.Subject)
	if !p.exists(p.sources[o.Source], o.Source, func(ctx context.Context, id string) error {
		_, err := p.known.Source(ctx, id)
		return err
	}) {
		p.errs.add(path+".source", "unknown source %q: not in this document or the store", o.Source)
	}
	return len(p.errs.errs) == n
}
