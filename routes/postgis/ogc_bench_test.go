package postgis

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// BenchmarkOGCLegsPage serves a page of 1,000 legs through the OGC API
// handler and, for comparison, runs the handler's own SQL — the count and
// the page — through pgx, reading every row's raw bytes and decoding
// nothing. The ratio of the two is what the handler adds: scanning, WKB
// decoding and writing GeoJSON.
func BenchmarkOGCLegsPage(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	loadLegs(b, s, 500)
	h := web.New(s, web.Options{Timeout: -1})
	req := httptest.NewRequest(http.MethodGet, "/ogc/collections/legs/items?limit=1000", nil)

	b.Run("handler", func(b *testing.B) {
		for b.Loop() {
			w := &discard{header: http.Header{}}
			h.ServeHTTP(w, req)
			if w.status != 0 && w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
	})
	b.Run("pgx", func(b *testing.B) {
		q := routes.FeatureQuery{Query: routes.Query{Limit: 1000}}
		count, countArgs, err := countSQL("legs", q)
		if err != nil {
			b.Fatal(err)
		}
		page, pageArgs, err := itemsSQL(legs, legColumns, q, legConds)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var n int64
			if err := s.pool.QueryRow(ctx, count, countArgs...).Scan(&n); err != nil {
				b.Fatal(err)
			}
			rows, err := s.pool.Query(ctx, page, pageArgs...)
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for rows.Next() {
				rows.RawValues()
				got++
			}
			if err := rows.Err(); err != nil || got != 1000 {
				b.Fatalf("%d rows, %v", got, err)
			}
		}
	})
}

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) WriteHeader(s int)           { d.status = s }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
