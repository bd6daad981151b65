package postgis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// BenchmarkLegsPage reads a page of 1,000 legs through the store and, for
// comparison, runs the same SQL through pgx, scanning the same columns into
// plain variables: the difference is the store's own cost (WKB decoding and
// building routes.Leg values).
func BenchmarkLegsPage(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	loadLegs(b, s, 500)
	q := routes.Query{Limit: 1000}
	if page, err := s.Legs(ctx, q); err != nil || len(page.Items) != 1000 {
		b.Fatalf("Legs = %d legs, %v; want a full page of 1000", len(page.Items), err)
	}

	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Legs(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pgx", func(b *testing.B) {
		var f filter
		sql := "SELECT " + legs.cols + ", count(*) OVER () FROM " + legs.from + " ORDER BY " + legs.order + f.page(q)
		var (
			id, shipment, mode, origin, dest, vessel, carrier, kind, confidence, note string
			seq                                                                       int
			via, srcs, claims                                                         []string
			de, dl, ae, al                                                            time.Time
			geom                                                                      []byte
			length                                                                    float64
			matched                                                                   int64
		)
		for b.Loop() {
			rows, err := s.pool.Query(ctx, sql, f.args...)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				if err := rows.Scan(&id, &shipment, &seq, &mode, &origin, &dest, &via, &vessel, &carrier,
					&de, &dl, &ae, &al, &geom, &kind, &length, &confidence, &note, &srcs, &claims, &matched); err != nil {
					b.Fatal(err)
				}
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchBatch is the case's places, vessels and sources with n copies of its
// shipment, an hour apart, each leg drawn as a 50-point line over
// Primorsky.
func benchBatch(n int) *routes.Batch {
	doc := caseDoc()
	batch := &routes.Batch{Places: doc.Places, Vessels: doc.Vessels, Sources: doc.Sources}
	for i := range n {
		sh := doc.Shipments[0]
		sh.ID = fmt.Sprintf("shipment-%03d", i)
		sh.Legs = nil
		for j, l := range doc.Shipments[0].Legs {
			l.ID = fmt.Sprintf("%s-%d", sh.ID, j)
			l.Shipment = sh.ID
			shift := time.Duration(i) * time.Hour
			l.Depart = routes.Window{Earliest: l.Depart.Earliest.Add(shift), Latest: l.Depart.Latest.Add(shift)}
			l.Arrive = routes.Window{Earliest: l.Arrive.Earliest.Add(shift), Latest: l.Arrive.Latest.Add(shift)}
			l.Geometry = orb.MultiLineString{make(orb.LineString, 50)}
			for k := range l.Geometry[0] {
				l.Geometry[0][k] = orb.Point{130 + float64(k)/10, 42 + float64(i%100)/1000}
			}
			l.GeometryKind = routes.Reported
			sh.Legs = append(sh.Legs, l)
		}
		routes.Derive(&sh)
		batch.Shipments = append(batch.Shipments, sh)
	}
	return batch
}

// loadLegs writes benchBatch(shipments) to s.
func loadLegs(b testing.TB, s *Store, shipments int) {
	if _, err := s.Apply(context.Background(), benchBatch(shipments)); err != nil {
		b.Fatal(err)
	}
}
