package gpkg

import (
	"iter"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

// samplePositions is Angara's AIS on its way to Dunay, every six hours,
// with one report repeated, and a second vessel's reports interleaved.
func samplePositions(t *testing.T) []routes.Position {
	t.Helper()
	start := instant(t, "2023-09-07T00:00:00Z")
	var ps []routes.Position
	for i := range 20 {
		at := start.Add(time.Duration(i) * 6 * time.Hour)
		sog, cog, heading, status := 9.5+float64(i)/10, 71.25, 70+i, 0
		ps = append(ps, routes.Position{MMSI: "273000001", Time: at, Lon: 130.3 + float64(i)*0.1, Lat: 42.2 + float64(i)*0.03,
			SOG: &sog, COG: &cog, Heading: &heading, NavStatus: &status})
		if i%2 == 0 {
			ps = append(ps, routes.Position{MMSI: "412000007", Time: at, Lon: 179.5 - float64(i)*0.2, Lat: 51})
		}
	}
	return ps
}

// seq yields positions without error, as a reader of a good file does.
func seq(ps []routes.Position) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	}
}
