package ingest

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
)

// The fuzz targets feed the AIS readers arbitrary bytes. Whatever comes in,
// a reader must not crash or hang, and every position it returns must be
// fit to store: a 9-digit MMSI, a time, coordinates in range, optional
// values finite and in range. The seed corpus is the sample files and
// ingest/testdata/fuzz; scripts/test runs each target briefly.

func addSamples(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "ais", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		// And its first lines alone, which mutate into more.
		lines := bytes.SplitAfter(b, []byte("\n"))
		f.Add(bytes.Join(lines[:min(4, len(lines))], nil))
	}
}

// checkPosition fails the fuzz test for a position no store should get.
func checkPosition(t *testing.T, p routes.Position) {
	t.Helper()
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case len(p.MMSI) != 9 || strings.Trim(p.MMSI, "0123456789") != "":
		t.Fatalf("MMSI %q", p.MMSI)
	case p.Time.IsZero():
		t.Fatalf("no time: %+v", p)
	case !finite(p.Lat) || p.Lat < -90 || p.Lat > 90 || !finite(p.Lon) || p.Lon < -180 || p.Lon > 180:
		t.Fatalf("coordinates %v, %v", p.Lon, p.Lat)
	case p.SOG != nil && (!finite(*p.SOG) || *p.SOG < 0 || *p.SOG >= 102.3):
		t.Fatalf("SOG %v", *p.SOG)
	case p.COG != nil && (!finite(*p.COG) || *p.COG < 0 || *p.COG >= 360):
		t.Fatalf("COG %v", *p.COG)
	case p.Heading != nil && (*p.Heading < 0 || *p.Heading >= 360):
		t.Fatalf("heading %v", *p.Heading)
	case p.NavStatus != nil && (*p.NavStatus < 0 || *p.NavStatus > 15):
		t.Fatalf("status %v", *p.NavStatus)
	}
}

// drain reads every position, checking each, and returns how many.
func drain(t *testing.T, rd positionReader, stats *aisStats) int {
	t.Helper()
	n := 0
	for {
		p, ok := rd.next()
		if !ok {
			break
		}
		checkPosition(t, p)
		n++
	}
	if n != stats.positions {
		t.Fatalf("returned %d positions, counted %d", n, stats.positions)
	}
	return n
}

func FuzzNMEA(f *testing.F) {
	addSamples(f, "angara-2023-09.nmea", "loggers.nmea")
	f.Fuzz(func(t *testing.T, data []byte) {
		stats := &aisStats{}
		n := drain(t, newNMEAReader(bytes.NewReader(data), stats), stats)
		if err := stats.useless(); (err != nil) != (n == 0 && stats.statics == 0 && len(stats.skipped) > 0) {
			t.Fatalf("useless: %v with %d positions", err, n)
		}
	})
}

func FuzzAISCSV(f *testing.F) {
	addSamples(f, "dma-2023-09-10.csv", "noaa-2022-06-20.csv", "noaa-2024-03-01.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		d := sniffCSV(data)
		if d == nil {
			d = &noaaCSV
		}
		stats := &aisStats{}
		rd := newCSVReader(bytes.NewReader(data), d, stats)
		n := drain(t, rd, stats)
		if n > 0 && rd.readErr() != nil {
			t.Fatalf("positions and an error: %v", rd.readErr())
		}
	})
}

// FuzzDecode decodes arbitrary payloads; a position it finds must be in
// range, whatever the bits.
func FuzzDecode(f *testing.F) {
	for _, m := range randomMessages(20) {
		f.Add(m.armoured, m.fill)
	}
	f.Fuzz(func(t *testing.T, armoured []byte, fill int) {
		p, ok := unarmour(nil, armoured)
		if !ok || fill < 0 || fill > 5 {
			return
		}
		r, known, ok := decodeAIS(p, p.bitLen(fill))
		if !known || !ok || !r.isPosition() || !r.hasPos {
			return
		}
		if r.lat < -90.5 || r.lat > 90.5 || r.lon < -181 || r.lon > 181 {
			// Out of range is possible in the bits; the reader must skip it.
			ps, _, _ := readNMEA(t, tagBlock("c:1694304000")+sentenceOf(armoured, fill)+"\n")
			for _, q := range ps {
				checkPosition(t, q)
			}
		}
	})
}

// sentenceOf wraps a payload in one VDM sentence.
func sentenceOf(armoured []byte, fill int) string {
	return nmeaSentence("AIVDM,1,1,,A," + string(armoured) + "," + string(rune('0'+fill)))
}
