package postgis

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// BenchmarkTile draws the z5 tile over Primorsky of 1,000 legs three ways:
// through the HTTP handler (parsing, the data version, the ETag, the
// store, the response), as the same ST_AsMVT statement run straight
// through pgx, and as a repeated request whose If-None-Match the handler
// answers 304. Each reports the queries it sent to PostgreSQL per request;
// "ratio" runs the first two in turns and reports their ratio.
func BenchmarkTile(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	loadLegs(b, s, 500)
	primorsky := routes.Tile{Z: 5, X: 27, Y: 11}
	path := "/tiles/legs/" + primorsky.String() + ".mvt"
	h := web.New(s, web.Options{VersionEvery: time.Hour})
	serve := func(b *testing.B, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first := serve(b, "")
	if first.Code != http.StatusOK || first.Body.Len() < 1000 {
		b.Fatalf("the tile = %d with %d bytes; want a tile of many legs", first.Code, first.Body.Len())
	}
	queries := func(b *testing.B, run func()) {
		before := s.pool.Stat().AcquireCount()
		run()
		b.ReportMetric(float64(s.pool.Stat().AcquireCount()-before)/float64(b.N), "queries/op")
	}

	b.Run("handler", func(b *testing.B) {
		queries(b, func() {
			for b.Loop() {
				if rec := serve(b, ""); rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	})
	b.Run("pgx", func(b *testing.B) {
		sql, args, err := tileQuery(routes.TileQuery{Layer: routes.LegsLayer, Tile: primorsky})
		if err != nil {
			b.Fatal(err)
		}
		queries(b, func() {
			for b.Loop() {
				var mvt []byte
				if err := s.pool.QueryRow(ctx, sql, args...).Scan(&mvt); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	// The machine is shared and its load swings: the ratio is measured with
	// the two ways taking turns, so that both see the same load.
	b.Run("ratio", func(b *testing.B) {
		sql, args, err := tileQuery(routes.TileQuery{Layer: routes.LegsLayer, Tile: primorsky})
		if err != nil {
			b.Fatal(err)
		}
		var viaHandler, viaPgx time.Duration
		for b.Loop() {
			start := time.Now()
			if rec := serve(b, ""); rec.Code != http.StatusOK {
				b.Fatal(rec.Code)
			}
			mid := time.Now()
			var mvt []byte
			if err := s.pool.QueryRow(ctx, sql, args...).Scan(&mvt); err != nil {
				b.Fatal(err)
			}
			viaHandler += mid.Sub(start)
			viaPgx += time.Since(mid)
		}
		b.ReportMetric(float64(viaHandler.Nanoseconds())/float64(b.N), "handler-ns/op")
		b.ReportMetric(float64(viaPgx.Nanoseconds())/float64(b.N), "pgx-ns/op")
		b.ReportMetric(float64(viaHandler)/float64(viaPgx), "handler/pgx")
	})
	b.Run("revalidated", func(b *testing.B) {
		etag := first.Header().Get("ETag")
		queries(b, func() {
			for b.Loop() {
				if rec := serve(b, etag); rec.Code != http.StatusNotModified {
					b.Fatal(rec.Code)
				}
			}
		})
	})
}
