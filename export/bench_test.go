package export

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the plain driver, for the baseline

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
)

// The speed of the GeoPackage export of positions, measured against a
// baseline run in the same process: inserting the same rows into a plain
// SQLite table in one transaction, one prepared INSERT per row, with no
// GeoPackage, no index and nothing read from a store. Run:
//
//	go test ./export -run '^$' -bench Positions -benchtime 2x -count 6 | tee bench.txt
//	go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da bench.txt
//
// Each reports features/s; their ratio is what the closing note quotes.

// benchPositions yields n AIS positions of 200 vessels, a report a minute
// each, moving along slow curves over the north-west Pacific.
func benchPositions(n int) iter.Seq2[routes.Position, error] {
	start := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	return func(yield func(routes.Position, error) bool) {
		for i := range n {
			v, k := i%200, i/200
			sog, cog := 8+float64(v%7), math.Mod(float64(v*37+k), 360)
			heading, status := int(cog), v%3
			p := routes.Position{
				MMSI: fmt.Sprintf("273%06d", v), Time: start.Add(time.Duration(k) * time.Minute),
				Lon: 120 + math.Mod(float64(v)*0.7+float64(k)*0.002, 40), Lat: 25 + math.Mod(float64(v)*0.37+float64(k)*0.001, 25),
				SOG: &sog, COG: &cog, Heading: &heading, NavStatus: &status,
			}
			if !yield(p, nil) {
				return
			}
		}
	}
}

var (
	benchDir    string
	benchStores sync.Map // n → *gpkg.Store
)

// positionsStore is an embedded store of n positions, made once per run.
func positionsStore(b *testing.B, n int) *gpkg.Store {
	if s, ok := benchStores.Load(n); ok {
		return s.(*gpkg.Store)
	}
	ctx := context.Background()
	s, err := gpkg.Open(ctx, filepath.Join(benchDir, fmt.Sprintf("positions-%d.gpkg", n)))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.AddPositions(ctx, benchPositions(n)); err != nil {
		b.Fatal(err)
	}
	benchStores.Store(n, s)
	return s
}

var benchSizes = []int{100_000, 1_000_000}

// BenchmarkPositions exports n positions from an embedded store to a new
// GeoPackage ("export"), and inserts the same rows, made in memory, into a
// plain table through the same driver ("baseline"), one after the other in
// one process, so that the machine's load weighs on both alike.
func BenchmarkPositions(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("export/%d", n), func(b *testing.B) {
			st := positionsStore(b, n)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				path := filepath.Join(b.TempDir(), "out.gpkg")
				sum, err := GeoPackage(ctx, st, path)
				if err != nil {
					b.Fatal(err)
				}
				if got := sum.Count("positions"); got != int64(n) {
					b.Fatalf("exported %d positions, want %d", got, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "features/s")
		})
		b.Run(fmt.Sprintf("baseline/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				baselineInsert(b, filepath.Join(b.TempDir(), "plain.db"), n)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "features/s")
		})
	}
}

func baselineInsert(b *testing.B, path string, n int) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(`CREATE TABLE positions (fid INTEGER PRIMARY KEY, mmsi TEXT, time TEXT, start TEXT, "end" TEXT,
		sog REAL, cog REAL, heading INTEGER, nav_status INTEGER, geom BLOB)`); err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO positions VALUES (?` + strings.Repeat(", ?", 9) + `)`)
	if err != nil {
		b.Fatal(err)
	}
	fid := int64(0)
	for p := range benchPositions(n) {
		fid++
		t := p.Time.Format("2006-01-02T15:04:05.000Z")
		g, _ := gpkg.EncodeGeometry(p.Point(), gpkg.WGS84)
		if _, err := stmt.Exec(fid, p.MMSI, t, t, t, *p.SOG, *p.COG, *p.Heading, *p.NavStatus, g); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shiptrack-export-bench-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	benchDir = dir
	code := m.Run()
	benchStores.Range(func(_, s any) bool { s.(*gpkg.Store).Close(); return true })
	os.RemoveAll(dir)
	os.Exit(code)
}
