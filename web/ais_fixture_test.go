package web_test

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// The AIS-free position fixture: positions made up in Go, no AIS reader
// involved. Sea Fox (MMSI 273000001) sails Najin → Dunay on the fox-2023-09
// shipment, reporting every two hours from 20 September 06:00 to 22
// September 00:00, on its leg's line. Four other ships, MMSIs 273000101 to
// 273000104 and unknown to the store, report at random around Dunay through
// September, some within 20 km of it and some not.
const (
	foxMMSI   = "273000001"
	foxVessel = "sea-fox"
)

var dunay = orb.Point{132.3375, 42.8803}

func aisDocument() *routes.Document {
	return &routes.Document{
		Vessels: []routes.Vessel{{ID: foxVessel, Name: "Sea Fox", MMSI: foxMMSI, Flag: "RU"}},
		Shipments: []routes.Shipment{{
			ID: "fox-2023-09", Title: "Sea Fox's run", Cargo: routes.Cargo{Description: "containers"},
			Status: routes.StatusAlleged, Confidence: routes.Low,
			Sources: []routes.Claim{{Source: "rusi-2023-10-16", Claim: "a made-up run for the tests"}},
			Legs: []routes.Leg{{ID: "fox-sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay", Vessel: foxVessel,
				Depart: window("2023-09-20"), Arrive: window("2023-09-22")}},
		}},
	}
}

// foxStart and foxEvery time Sea Fox's fixes.
var (
	foxStart = time.Date(2023, 9, 20, 6, 0, 0, 0, time.UTC)
	foxEvery = 2 * time.Hour
)

// aisPositions are every position of the fixture, Sea Fox's first.
func aisPositions() []routes.Position {
	var ps []routes.Position
	najin := orb.Point{130.30, 42.2333}
	line := orb.MultiLineString{{najin, dunay}}
	steps := int(42 * time.Hour / foxEvery) // 06:00 on the 20th to 00:00 on the 22nd
	for i := 0; i <= steps; i++ {
		p := geo.Interpolate(line, float64(i)/float64(steps))
		ps = append(ps, routes.Position{MMSI: foxMMSI, Time: foxStart.Add(time.Duration(i) * foxEvery), Lon: p[0], Lat: p[1]})
	}
	r := rand.New(rand.NewPCG(42, 7))
	month := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	for ship := range 4 {
		mmsi := fmt.Sprintf("27300010%d", ship+1)
		for i := range 150 {
			// One fix in each 4.8-hour slot keeps (MMSI, time) unique.
			slot := month.Add(time.Duration(i) * 288 * time.Minute)
			at := slot.Add(time.Duration(r.IntN(288*60)) * time.Second)
			sog := float64(r.IntN(150)) / 10
			ps = append(ps, routes.Position{MMSI: mmsi, Time: at,
				Lon: 131.9 + r.Float64()*0.9, Lat: 42.6 + r.Float64()*0.5, SOG: &sog})
		}
	}
	return ps
}

func seqOf(ps []routes.Position) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	}
}

// serveAIS serves a fresh store holding the fixture, the AIS document and
// the positions.
func serveAIS(t *testing.T, open func(t *testing.T) routes.Store) *httptest.Server {
	t.Helper()
	s := open(t)
	load(t, s, fixture())
	load(t, s, aisDocument())
	ps := aisPositions()
	n, err := s.AddPositions(context.Background(), seqOf(ps))
	if err != nil || n != len(ps) {
		t.Fatalf("AddPositions = %d, %v; want %d", n, err, len(ps))
	}
	return serve(t, s, web.Options{})
}
