package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"github.com/shiptrack/shiptrack/ingest"
)

// The load benchmarks put the same NOAA CSV rows into PostGIS's positions
// table, with its constraint and indexes, two ways: through AIS ingest
// (detect, parse, stage with COPY, deduplicate, insert), and with one raw
// pgx CopyFrom of the rows, already parsed, straight into the table: the
// least work that stores them. BenchmarkLoadIngestTracks adds what ingest
// does next, deriving the tracks. Run them in one go and compare rows/s:
//
//	go test ./ingest -run XXX -bench Load -count 6
//
// SHIPTRACK_LOAD_ROWS sets how many rows (100,000 unless set), to see how
// both scale as the table grows:
//
//	SHIPTRACK_LOAD_ROWS=2000000 go test ./ingest -run XXX -bench 'LoadIngest$|LoadRawCopy' -benchtime 1x -count 2

var loadRows = func() int {
	if n, err := strconv.Atoi(os.Getenv("SHIPTRACK_LOAD_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}()

// loadCSV is loadRows NOAA rows from 500 vessels, a minute apart each.
func loadCSV() []byte {
	var sb strings.Builder
	sb.WriteString("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n")
	t0 := time.Date(2022, 6, 20, 0, 0, 0, 0, time.UTC)
	for i := range loadRows {
		v := i % 500
		t := t0.Add(time.Duration(i/500) * time.Minute)
		fmt.Fprintf(&sb, "%d,%s,%.5f,%.5f,12.1,149.9,152.0,VESSEL %d,,V7A%d,70,0,192,30,7.6,70,A\n",
			367000000+v, t.Format("2006-01-02T15:04:05"), 20+float64(v)/50+float64(i/500)*0.002, -120+float64(v)/50, v, v)
	}
	return []byte(sb.String())
}

func BenchmarkLoadIngest(b *testing.B)       { benchmarkLoad(b, true) }
func BenchmarkLoadIngestTracks(b *testing.B) { benchmarkLoad(b, false) }

func benchmarkLoad(b *testing.B, skipTracks bool) {
	data := loadCSV()
	s, dbURL := openPostGISAt(b)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		truncate(b, dbURL)
		b.StartTimer()
		sum, err := ingest.AISReader(ctx, s, "load.csv", bytes.NewReader(data), ingest.AISOptions{SkipTracks: skipTracks})
		if err != nil || sum.Files[0].Added != loadRows {
			b.Fatalf("added %+v: %v", sum.Files, err)
		}
	}
	b.ReportMetric(float64(loadRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkLoadRawCopy(b *testing.B) {
	data := loadCSV()
	_, dbURL := openPostGISAt(b)
	ctx := context.Background()
	// The rows, parsed once, outside the timing.
	var rows [][]any
	for line := range strings.Lines(string(data)) {
		f := strings.Split(strings.TrimSpace(line), ",")
		if f[0] == "MMSI" {
			continue
		}
		t, _ := time.Parse("2006-01-02T15:04:05", f[1])
		var lat, lon, sog, cog, heading float64
		fmt.Sscan(f[2], &lat)
		fmt.Sscan(f[3], &lon)
		fmt.Sscan(f[4], &sog)
		fmt.Sscan(f[5], &cog)
		fmt.Sscan(f[6], &heading)
		geom, err := ewkb.Marshal(orb.Point{lon, lat}, 4326)
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, []any{f[0], t, geom, sog, cog, int(heading), 0})
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	cols := []string{"mmsi", "time", "geom", "sog", "cog", "heading", "nav_status"}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		truncate(b, dbURL)
		b.StartTimer()
		n, err := conn.CopyFrom(ctx, pgx.Identifier{"positions"}, cols, pgx.CopyFromRows(rows))
		if err != nil || n != int64(loadRows) {
			b.Fatalf("copied %d: %v", n, err)
		}
	}
	b.ReportMetric(float64(loadRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// truncate empties the positions, tracks and gaps between rounds.
func truncate(b *testing.B, dbURL string) {
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "TRUNCATE positions, tracks, gaps"); err != nil {
		b.Fatal(err)
	}
}
