package gpkg

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

// manyPositions yields n positions of 50 vessels, one a minute, without
// holding them.
func manyPositions(n int) iter.Seq2[routes.Position, error] {
	start := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	return func(yield func(routes.Position, error) bool) {
		for i := range n {
			p := routes.Position{MMSI: fmt.Sprintf("273%06d", i%50), Time: start.Add(time.Duration(i/50) * time.Minute),
				Lon: -180 + float64(i%36000)/100, Lat: -60 + float64(i%12000)/100}
			if !yield(p, nil) {
				return
			}
		}
	}
}

func BenchmarkAddPositions(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir()+"/bench.gpkg")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := s.AddPositions(context.Background(), manyPositions(10_000)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPositionsBox(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/bench.gpkg")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddPositions(ctx, manyPositions(200_000)); err != nil {
		b.Fatal(err)
	}
	q := routes.Query{BBox: &routes.BBox{West: 10, South: 10, East: 20, North: 20}}
	b.ResetTimer()
	for range b.N {
		n, err := s.CountPositions(ctx, q)
		if err != nil || n == 0 {
			b.Fatal(n, err)
		}
	}
}
