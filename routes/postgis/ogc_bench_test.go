package postgis

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// BenchmarkOGCLegsPage serves a page of 1,000 legs through the OGC API
// handler, response body included, and runs the handler's own SQL — the
// count and the page — straight through pgx, reading every row's raw bytes
// and decoding nothing. "handler" and "pgx" run each way alone; "pairs"
// runs them in turns, in alternating order, so that both see the same load
// on a shared machine.
//
// Besides wall time per page for each way and their ratio (of the sums,
// and the 10th, 50th and 90th percentiles of the per-pair ratios), pairs
// reports the CPU each way costs per page, which depends far less on the
// load: this process's (getrusage) and the PostgreSQL backends' (their
// schedstat). The handler's extra CPU is what a page costs beyond the
// query; garbage collection the handler causes may fall in a pgx turn,
// which counts against pgx.
func BenchmarkOGCLegsPage(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	loadLegs(b, s, 500)
	h := web.New(s, web.Options{Timeout: -1})
	req := httptest.NewRequest(http.MethodGet, "/ogc/collections/legs/items?limit=1000", nil)
	var body countingWriter
	handler := func() {
		body = countingWriter{header: http.Header{}}
		h.ServeHTTP(&body, req)
		if body.status != http.StatusOK || body.n < 1000*100 {
			b.Fatalf("status %d, %d bytes", body.status, body.n)
		}
	}
	q := routes.FeatureQuery{Query: routes.Query{Limit: 1000}}
	count, countArgs, err := countSQL("legs", q)
	if err != nil {
		b.Fatal(err)
	}
	page, pageArgs, err := itemsSQL(legs, legColumns, q, legConds)
	if err != nil {
		b.Fatal(err)
	}
	direct := func() {
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
		if err := rows.Err(); err != nil || got != 1000 || n != 1000 {
			b.Fatalf("%d rows of %d, %v", got, n, err)
		}
	}
	checkPage(b, h)
	backends := pgBackends(b, s)

	// Each way alone, for profiles and instruction counts.
	alone := func(b *testing.B, f func()) {
		start := processCPU()
		for b.Loop() {
			f()
		}
		b.ReportMetric(float64(processCPU()-start)/float64(time.Millisecond)/float64(b.N), "go-cpu-ms")
	}
	b.Run("handler", func(b *testing.B) { alone(b, handler) })
	b.Run("pgx", func(b *testing.B) { alone(b, direct) })
	b.Run("pairs", func(b *testing.B) {
		var viaHandler, viaPgx cost
		var ratios []float64
		for i := 0; b.Loop(); i++ {
			var hc, pc cost
			if i%2 == 0 {
				hc, pc = measure(backends, handler), measure(backends, direct)
			} else {
				pc, hc = measure(backends, direct), measure(backends, handler)
			}
			viaHandler.add(hc)
			viaPgx.add(pc)
			ratios = append(ratios, float64(hc.wall)/float64(pc.wall))
		}
		n := float64(b.N)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / n }
		b.ReportMetric(ms(viaHandler.wall), "handler-ms")
		b.ReportMetric(ms(viaPgx.wall), "pgx-ms")
		b.ReportMetric(float64(viaHandler.wall)/float64(viaPgx.wall), "handler/pgx")
		// The spread of the pairs' ratios, which the load widens.
		slices.Sort(ratios)
		b.ReportMetric(ratios[len(ratios)/10], "pair-p10")
		b.ReportMetric(ratios[len(ratios)/2], "pair-median")
		b.ReportMetric(ratios[len(ratios)*9/10], "pair-p90")
		b.ReportMetric(ms(viaHandler.goCPU), "handler-go-cpu-ms")
		b.ReportMetric(ms(viaPgx.goCPU), "pgx-go-cpu-ms")
		b.ReportMetric(ms(viaHandler.pgCPU), "handler-pg-cpu-ms")
		b.ReportMetric(ms(viaPgx.pgCPU), "pgx-pg-cpu-ms")
		b.ReportMetric(float64(viaHandler.goCPU+viaHandler.pgCPU)/float64(viaPgx.goCPU+viaPgx.pgCPU), "cpu-handler/pgx")
	})
}

// checkPage wants the handler's page to be GeoJSON of 1,000 legs.
func checkPage(b *testing.B, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ogc/collections/legs/items?limit=1000", nil))
	var fc struct {
		Features []struct {
			Geometry struct{ Coordinates [][][2]float64 }
		}
		NumberMatched int
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || len(fc.Features) != 1000 ||
		fc.NumberMatched != 1000 || len(fc.Features[0].Geometry.Coordinates[0]) != 50 {
		b.Fatalf("the page = %d features of %d, %v; want 1000 legs of 50 points", len(fc.Features), fc.NumberMatched, err)
	}
}

// cost is what one way of reading a page took.
type cost struct {
	wall, goCPU, pgCPU time.Duration
}

func (c *cost) add(d cost) {
	c.wall += d.wall
	c.goCPU += d.goCPU
	c.pgCPU += d.pgCPU
}

// measure runs f and measures its cost.
func measure(backends []int, f func()) cost {
	pg0, go0 := pgCPU(backends), processCPU()
	start := time.Now()
	f()
	wall := time.Since(start)
	return cost{wall: wall, goCPU: processCPU() - go0, pgCPU: pgCPU(backends) - pg0}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgBackends finds the processes of the server serving s's database: the
// server must run on this machine, as the tests' does. The pool is warmed
// first, so that the connections it holds are the ones found.
func pgBackends(b *testing.B, s *Store) []int {
	ctx := context.Background()
	var db string
	if err := s.pool.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
		b.Fatal(err)
	}
	// A backend's title is "postgres: user database host(port) state".
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, d := range dirs {
		cmd, err := os.ReadFile(d)
		if err != nil || !bytes.HasPrefix(cmd, []byte("postgres: ")) || !bytes.Contains(cmd, []byte(" "+db+" ")) {
			continue
		}
		pid, _ := strconv.Atoi(strings.Split(d, "/")[2])
		pids = append(pids, pid)
	}
	if len(pids) == 0 {
		b.Fatalf("no PostgreSQL backend of %s on this machine", db)
	}
	return pids
}

// pgCPU is the CPU time the backends have used, from the scheduler's
// count in nanoseconds (the first field of /proc/PID/schedstat).
func pgCPU(pids []int) time.Duration {
	var sum time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/schedstat")
		if err != nil {
			continue // the pool closed that connection
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(b))[0], 10, 64)
		sum += time.Duration(ns)
	}
	return sum
}

// countingWriter is a ResponseWriter that counts the body's bytes.
type countingWriter struct {
	header http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(s int)   { w.status = s }
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}
