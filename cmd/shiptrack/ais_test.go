package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestAISCommand ingests the AIS samples as the README shows, into
// the embedded store and into PostGIS, and checks what a user sees.
func TestIngestAISCommand(t *testing.T) {
	samples := filepath.Join(repoRoot(t), "testdata", "ais")
	for _, backend := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"embedded", func(t *testing.T) []string { return []string{"--data", "st.gpkg"} }},
		{"postgis", func(t *testing.T) []string {
			db := testDatabase(t)
			if out, errOut, code := runCLI(t, t.TempDir(), nil, "migrate", "--db", db); code != 0 {
				t.Fatalf("migrate: %s%s", out, errOut)
			}
			return []string{"--db", db}
		}},
	} {
		t.Run(backend.name, func(t *testing.T) {
			dir := t.TempDir()
			store := backend.args(t)
			ingest := func(paths ...string) (string, string, int) {
				return runCLI(t, dir, nil, append(append([]string{"ingest"}, store...), paths...)...)
			}
			if out, errOut, code := ingest(filepath.Join(repoRoot(t), "testdata", "najin-dunay")); code != 0 {
				t.Fatalf("ingest the bundled case: %s%s", out, errOut)
			}
			out, errOut, code := ingest(samples)
			if code != 0 {
				t.Fatalf("ingest %s: exit %d\n%s%s", samples, code, out, errOut)
			}
			for _, want := range []string{
				"angara-2023-09.nmea (AIS NMEA 0183): 205 lines, 195 positions read, 195 new, 4 static reports; 6 skipped:",
				"1 × bad checksum (first at line 20)",
				"dma-2023-09-10.csv (Danish Maritime Authority AIS CSV)",
				"noaa-2024-03-01.csv (NOAA MarineCadastre AIS CSV): 4 lines, 3 positions read, 3 new",
				"vessel angara (IMO 9179842) given MMSI 273999001 from its static reports",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("summary lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(errOut, "rows/s") {
				t.Errorf("progress shown though stderr is not a terminal:\n%s", errOut)
			}
			again, _, code := ingest(samples)
			if code != 0 || !strings.Contains(again, "195 positions read, 0 new") || !strings.Contains(again, "0 tracks, 0 gaps, 0 legs and 0 vessels new or changed") {
				t.Errorf("second ingest (exit %d) should add nothing:\n%s", code, again)
			}
			legs, _, _ := runCLI(t, dir, nil, append(append([]string{"query", "legs"}, store...), "--via", "dunay", "--format", "csv")...)
			if !strings.Contains(legs, "nk-ru-2023-09-sea") || !strings.Contains(legs, "observed") {
				t.Errorf("the White House leg is not observed:\n%s", legs)
			}

			// A file that is not AIS is refused, naming it, and changes nothing.
			before, _, _ := runCLI(t, dir, nil, append(append([]string{"query", "positions"}, store...), "--format", "csv")...)
			if err := os.WriteFile(filepath.Join(dir, "bad.nmea"), []byte("GET / HTTP/1.1\r\nHost: x\r\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, errOut, code = ingest("bad.nmea")
			if code == 0 || !strings.Contains(errOut, "bad.nmea: not a format ingest reads") {
				t.Errorf("exit %d, stderr:\n%s", code, errOut)
			}
			after, _, _ := runCLI(t, dir, nil, append(append([]string{"query", "positions"}, store...), "--format", "csv")...)
			if after != before || len(strings.Split(before, "\n")) < 200 {
				t.Errorf("a refused file changed the positions (%d lines before, %d after)", len(strings.Split(before, "\n")), len(strings.Split(after, "\n")))
			}
		})
	}
}
