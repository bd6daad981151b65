package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
)

// Generated is a synthetic dataset: a batch for Apply, positions for
// AddPositions, and the document the batch was prepared from.
type Generated struct {
	Document  *routes.Document
	Batch     *routes.Batch
	Positions []routes.Position
}

// Sizes says how much to generate.
type Sizes struct {
	Places, Vessels, Shipments, Positions int
}

// epoch is the start of the generated year; the case is from 2023 too.
var epoch = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

// Generate builds a reproducible synthetic dataset from seed. It covers what
// the contract must hold at the edges: legs that cross the antimeridian, exact
// and windowed times, bare dates, shipments of several legs and modes, and
// positions of vessels with and without a known MMSI.
func Generate(seed uint64, n Sizes) (*Generated, error) {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	doc := &routes.Document{}
	kinds := routes.PlaceKinds
	for i := range n.Places {
		lon := r.Float64()*360 - 180
		if i%7 == 0 { // crowd some places near the antimeridian
			lon = 170 + r.Float64()*10
			if i%14 == 0 {
				lon = -180 + r.Float64()*10
			}
		}
		p := routes.Place{
			ID:      fmt.Sprintf("place-%03d", i),
			Name:    fmt.Sprintf("Place %d", i),
			Kind:    kinds[i%len(kinds)],
			Country: []string{"RU", "KP", "CN", "US", "DE"}[i%5],
			Lon:     round6(lon),
			Lat:     round6(r.Float64()*150 - 75),
		}
		if i%3 == 0 {
			p.Aliases = []string{fmt.Sprintf("Alias %d", i)}
		}
		if i%4 == 0 {
			p.UNLOCODE = p.Country + fmt.Sprintf("%c%c%c", 'A'+rune(i%26), 'A'+rune(i/26%26), 'Q')
		}
		doc.Places = append(doc.Places, p)
	}
	for i := range n.Vessels {
		v := routes.Vessel{
			ID:   fmt.Sprintf("vessel-%02d", i),
			Name: fmt.Sprintf("Vessel %d", i),
			Flag: "RU",
			Type: "general cargo",
		}
		if i%4 != 3 { // some vessels have no known MMSI
			v.MMSI = fmt.Sprintf("273%06d", 100000+i)
		}
		if i%2 == 0 {
			v.IMO = imoWithCheckDigit(900000 + i*37)
			v.Confidence = routes.Medium
		}
		if i%5 == 0 {
			v.FormerNames = []string{fmt.Sprintf("Old %d", i)}
		}
		doc.Vessels = append(doc.Vessels, v)
	}
	doc.Sources = []routes.Source{
		{ID: "gov", Publisher: "A Government", Title: "Briefing", URL: "https://example.gov/briefing", Published: "2023-10-13", Kind: routes.Government},
		{ID: "think", Publisher: "A Think Tank", Title: "Report", Published: "2023-10-16", Kind: routes.Research},
		{ID: "news", Publisher: "A Newspaper", Title: "Story", URL: "https://example.com/story", Published: "2023-10-16", Kind: routes.Media},
	}
	for i := range n.Shipments {
		s := routes.Shipment{
			ID:         fmt.Sprintf("shipment-%03d", i),
			Title:      fmt.Sprintf("Shipment %d", i),
			Cargo:      routes.Cargo{Description: "containers", Quantity: float64(r.IntN(2000)), Unit: "containers", Qualifier: "about"},
			Status:     routes.Statuses[i%len(routes.Statuses)],
			Confidence: routes.Confidences[i%len(routes.Confidences)],
			Sources:    []routes.Claim{{Source: "gov", Claim: fmt.Sprintf("claim %d", i)}},
		}
		if i%2 == 0 {
			s.Sources = append(s.Sources, routes.Claim{Source: "think", Claim: "corroborates"})
		}
		day := time.Duration(r.IntN(360)) * 24 * time.Hour
		at := epoch.Add(day)
		origin := r.IntN(n.Places)
		for seq := 1; seq <= 1+r.IntN(3); seq++ {
			dest := r.IntN(n.Places)
			if dest == origin {
				dest = (dest + 1) % n.Places
			}
			l := routes.Leg{
				ID:          fmt.Sprintf("%s-leg-%d", s.ID, seq),
				Seq:         seq,
				Mode:        routes.Modes[r.IntN(len(routes.Modes))],
				Origin:      doc.Places[origin].ID,
				Destination: doc.Places[dest].ID,
				Depart:      window(r, at),
			}
			at = l.Depart.Latest.Add(time.Duration(1+r.IntN(200)) * time.Hour)
			l.Arrive = window(r, at)
			if l.Arrive.Earliest.Before(l.Depart.Earliest) { // a whole day can start before an exact departure
				l.Arrive = routes.Window{Earliest: at, Latest: at}
			}
			at = l.Arrive.Latest.Add(time.Duration(r.IntN(100)) * time.Hour)
			if l.Mode == routes.Sea && n.Vessels > 0 {
				l.Vessel = doc.Vessels[r.IntN(n.Vessels)].ID
			} else if r.IntN(2) == 0 {
				l.Carrier = "Carrier " + string(rune('A'+r.IntN(5)))
			}
			if r.IntN(3) == 0 {
				l.Via = []string{doc.Places[r.IntN(n.Places)].ID}
			}
			if r.IntN(4) == 0 { // a drawn line, near but not on its endpoints
				a, b := doc.Places[origin].Point(), doc.Places[dest].Point()
				l.Geometry = geo.SplitAntimeridian(orb.LineString{
					{a[0], round6(a[1] + 0.01)}, midpoint(a, b), {b[0], round6(b[1] - 0.01)}})
				l.GeometryKind = routes.Reported
				l.Sources = []routes.Claim{{Source: "news", Claim: "drawn from imagery"}}
			}
			if r.IntN(3) == 0 {
				l.Confidence = routes.Low
				l.Note = "generated"
			}
			s.Legs = append(s.Legs, l)
			origin = dest
		}
		doc.Shipments = append(doc.Shipments, s)
	}
	for i := range n.Shipments / 4 {
		doc.Observations = append(doc.Observations, routes.Observation{
			ID:      fmt.Sprintf("obs-%03d", i),
			Time:    window(r, epoch.Add(time.Duration(r.IntN(360*24))*time.Hour)),
			Lon:     round6(r.Float64()*360 - 180),
			Lat:     round6(r.Float64()*140 - 70),
			Kind:    routes.ObservationKinds[i%len(routes.ObservationKinds)],
			Subject: doc.Vessels[i%max(n.Vessels, 1)].ID,
			Source:  "news",
		})
	}
	b, err := routes.Prepare(context.Background(), nil, doc)
	if err != nil {
		return nil, fmt.Errorf("generated document does not prepare: %w", err)
	}
	g := &Generated{Document: doc, Batch: b}
	addDerived(r, g, n)
	for i := range n.Positions {
		v := doc.Vessels[r.IntN(max(n.Vessels, 1))]
		mmsi := v.MMSI
		if mmsi == "" {
			mmsi = fmt.Sprintf("412%06d", r.IntN(50)) // a vessel the store does not know
		}
		p := routes.Position{
			MMSI: mmsi,
			Time: epoch.Add(time.Duration(r.Int64N(int64(360*24*time.Hour))) / time.Second * time.Second),
			Lon:  round6(r.Float64()*360 - 180),
			Lat:  round6(r.Float64()*160 - 80),
		}
		if i%3 != 0 {
			sog, cog, hdg, st := round6(r.Float64()*20), round6(r.Float64()*360), r.IntN(360), r.IntN(16)
			p.SOG, p.COG, p.Heading, p.NavStatus = &sog, &cog, &hdg, &st
		}
		g.Positions = append(g.Positions, p)
	}
	return g, nil
}

// addDerived adds tracks and gaps, which come from AIS processing rather than
// documents, straight to the batch.
func addDerived(r *rand.Rand, g *Generated, n Sizes) {
	for i := range n.Vessels {
		v := g.Document.Vessels[i]
		if v.MMSI == "" {
			continue
		}
		start := epoch.Add(time.Duration(r.IntN(300*24)) * time.Hour)
		a := orb.Point{round6(r.Float64()*300 - 150), round6(r.Float64()*100 - 50)}
		b := orb.Point{round6(a[0] + r.Float64()*20 - 10), round6(a[1] + r.Float64()*10 - 5)}
		line := orb.MultiLineString{{a, midpoint(a, b), b}}
		t := routes.Track{
			ID: fmt.Sprintf("track-%02d", i), MMSI: v.MMSI, Vessel: v.ID,
			Start: start, End: start.Add(30 * time.Hour), Points: 3,
			Geometry: line, LengthKm: geo.Length(line) / 1000,
		}
		if i%3 == 0 && len(g.Batch.Shipments) > 0 {
			t.Leg = g.Batch.Shipments[0].Legs[0].ID
		}
		gap := routes.Gap{
			ID: fmt.Sprintf("gap-%02d", i), MMSI: v.MMSI, Vessel: v.ID,
			Start: t.End, End: t.End.Add(time.Duration(7+r.IntN(40)) * time.Hour),
			From: b, To: orb.Point{round6(b[0] + 1), round6(b[1] + 0.5)},
			Dark: i%2 == 0, OffshoreNm: round6(r.Float64() * 200),
		}
		g.Batch.Tracks = append(g.Batch.Tracks, t)
		g.Batch.Gaps = append(g.Batch.Gaps, gap)
	}
}

// window returns an exact time, a whole day or a span of hours near at.
func window(r *rand.Rand, at time.Time) routes.Window {
	switch r.IntN(3) {
	case 0:
		t := at.Truncate(time.Minute)
		return routes.Window{Earliest: t, Latest: t}
	case 1:
		w, _ := routes.ParseWindow(at.Format(time.DateOnly))
		return w
	default:
		t := at.Truncate(time.Hour)
		return routes.Window{Earliest: t, Latest: t.Add(time.Duration(1+r.IntN(72)) * time.Hour)}
	}
}

// midpoint is halfway between a and b the short way round in longitude.
func midpoint(a, b orb.Point) orb.Point {
	dx := b[0] - a[0]
	if dx > 180 {
		dx -= 360
	} else if dx < -180 {
		dx += 360
	}
	x := a[0] + dx/2
	if x > 180 {
		x -= 360
	} else if x < -180 {
		x += 360
	}
	return orb.Point{round6(x), round6((a[1] + b[1]) / 2)}
}

func round6(x float64) float64 { return float64(int64(x*1e6)) / 1e6 }

// imoWithCheckDigit appends the check digit to a 6-digit number.
func imoWithCheckDigit(six int) string {
	s := fmt.Sprintf("%06d", six%1000000)
	sum := 0
	for i := range 6 {
		sum += int(s[i]-'0') * (7 - i)
	}
	return fmt.Sprintf("%s%d", s, sum%10)
}
