package ingest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

// readAll reads every position from an AIS reader.
func readAll(t *testing.T, rd positionReader) []routes.Position {
	t.Helper()
	var out []routes.Position
	for {
		p, ok := rd.next()
		if !ok {
			break
		}
		out = append(out, p)
	}
	return out
}

func readNMEA(t *testing.T, in string) ([]routes.Position, *aisStats, error) {
	t.Helper()
	stats := &aisStats{}
	rd := newNMEAReader(strings.NewReader(in), stats)
	ps := readAll(t, rd)
	err := rd.readErr()
	if err == nil {
		err = stats.useless()
	}
	return ps, stats, err
}

func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "ais", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func skips(s *aisStats) map[string]int {
	out := map[string]int{}
	for r, c := range s.skipped {
		out[r] = c.Count
	}
	return out
}

func TestNMEASample(t *testing.T) {
	ps, stats, err := readNMEA(t, sample(t, "angara-2023-09.nmea"))
	if err != nil {
		t.Fatal(err)
	}
	voyage := angaraVoyage()
	// The voyage, plus the type 27 report, plus three from the yacht.
	if want := len(voyage) + 1 + 3; len(ps) != want {
		t.Errorf("read %d positions, want %d", len(ps), want)
	}
	wantSkips := map[string]int{
		skipOtherType:  1,
		skipChecksum:   1,
		skipNoPosition: 1,
		skipFragment:   1,
		skipNotAIS:     1,
		skipTruncated:  1,
	}
	if got := skips(stats); fmt.Sprint(got) != fmt.Sprint(wantSkips) {
		t.Errorf("skipped %v, want %v", got, wantSkips)
	}
	first := ps[0]
	if first.MMSI != "273999001" || !first.Time.Equal(voyage[0].t) || first.Lon != 130.305 || first.Lat != 42.238 {
		t.Errorf("first position %+v, want the Angara moored at Najin at %s", first, voyage[0].t)
	}
	if first.SOG == nil || *first.SOG != 0 || first.Heading == nil || *first.Heading != 90 || first.NavStatus == nil || *first.NavStatus != 5 {
		t.Errorf("first position's speed, heading, status: %v %v %v", first.SOG, first.Heading, first.NavStatus)
	}
	var yacht []routes.Position
	for _, p := range ps {
		if p.MMSI == "273888002" {
			yacht = append(yacht, p)
		}
	}
	if len(yacht) != 3 {
		t.Fatalf("yacht positions: %d, want 3", len(yacht))
	}
	if y := yacht[1]; y.SOG != nil || y.COG != nil || y.Heading != nil || y.NavStatus != nil {
		t.Errorf("class B report with speed and course not available read as %+v; want nil fields", y)
	}
	if y := yacht[0]; y.COG == nil || *y.COG != 181.5 || y.SOG == nil || *y.SOG != 5.2 {
		t.Errorf("class B report: %+v", y)
	}
	a := stats.static["273999001"]
	if a.IMO != angaraIMO || a.Name != "ANGARA" || a.CallSign != "UBCI7" || a.ShipType != 70 {
		t.Errorf("Angara's static data: %+v", a)
	}
	if y := stats.static["273888002"]; y.Name != "ZOLOTOY ROG" || y.CallSign != "UFYR" || y.ShipType != 37 {
		t.Errorf("yacht's static data (types 19 and 24 A and B): %+v", y)
	}
}

func TestNMEALoggerTimes(t *testing.T) {
	ps, stats, err := readNMEA(t, sample(t, "loggers.nmea"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2023, 9, 1, 12, 0, 0, 0, time.UTC)
	want := []time.Time{at, at.Add(time.Minute), at.Add(2 * time.Minute), at.Add(3 * time.Minute),
		at.Add(4*time.Minute + 250*time.Millisecond), at.Add(90 * time.Minute)}
	if len(ps) != len(want) {
		t.Fatalf("read %d positions, want %d", len(ps), len(want))
	}
	for i, p := range ps {
		if !p.Time.Equal(want[i]) || p.Time.Location() != time.UTC {
			t.Errorf("position %d at %v, want %v in UTC", i, p.Time, want[i])
		}
	}
	if got := skips(stats); got[skipNoTime] != 1 || got[skipBadTime] != 1 || len(got) != 2 {
		t.Errorf("skipped %v, want one without a time and one with a bad time", got)
	}
	if ps[5].Lon != 179.95 {
		t.Errorf("lon %v, want 179.95", ps[5].Lon)
	}
}

func TestNMEABadInput(t *testing.T) {
	pos := aisPos{typ: 1, mmsi: 273999001, sog: 10, lon: 131.5, lat: 42.5, cog: 90, heading: 90}
	good := sentences(pos.encode(), "A", 0)[0]
	stat := sentences(aisStatic{typ: 5, mmsi: 273999001, imo: angaraIMO, name: "ANGARA", callSign: "UBCI7"}.encode(), "A", 4)
	tag := tagBlock("c:1694304000")
	withLat := func(lat float64) string {
		p := pos
		p.lat = lat
		return tag + sentences(p.encode(), "A", 0)[0]
	}
	tests := []struct {
		name   string
		lines  []string
		n      int    // positions read
		reason string // the skip expected, if any
	}{
		{"good", []string{tag + good}, 1, ""},
		{"truncated before the checksum", []string{tag + good[:30]}, 0, skipTruncated},
		{"truncated checksum", []string{tag + good[:len(good)-1]}, 0, skipTruncated},
		{"bad checksum", []string{tag + strings.Replace(good, "1,1,,A", "1,1,,B", 1)}, 0, skipChecksum},
		{"bad tag block checksum", []string{`\c:1694304000*00\` + good}, 0, skipTagChecksum},
		{"unterminated tag block", []string{`\c:1694304000*00` + good}, 0, skipTagBlock},
		{"no time", []string{good}, 0, skipNoTime},
		{"time at the epoch", []string{tagBlock("c:0") + good}, 0, skipTimeRange},
		{"time in the year 3000", []string{"32503680000 " + good}, 0, skipBadTime},
		{"ISO time in the year 2200", []string{"2200-01-01T00:00:00Z " + good}, 0, skipTimeRange},
		{"payload cut short", []string{tag + nmeaSentence("AIVDM,1,1,,A,"+strings.Split(good, ",")[5][:10]+",0")}, 0, skipShort},
		{"bad payload character", []string{tag + nmeaSentence("AIVDM,1,1,,A,15M67FC000G?uf~E,0")}, 0, skipBadPayload},
		{"fill bits out of range", []string{tag + nmeaSentence("AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,7")}, 0, skipBadFields},
		{"fragment number beyond count", []string{tag + nmeaSentence("AIVDM,2,3,1,A,15M67FC000G?ufbE`FepT@3n00Sa,0")}, 0, skipBadFields},
		{"second fragment alone", []string{tag + stat[1]}, 0, skipFragment},
		{"fragments out of order", []string{tag + stat[1], tag + stat[0]}, 0, skipIncomplete},
		{"first fragment alone", []string{tag + stat[0]}, 0, skipIncomplete},
		{"fragments in order", []string{tag + stat[0], tag + stat[1], tag + good}, 1, ""},
		{"latitude not available", []string{withLat(91)}, 0, skipNoPosition},
		{"latitude out of range", []string{withLat(95)}, 0, skipOutOfRange},
		{"other NMEA", []string{"$GPGGA,000015,4213.9980,N,13018.3000,E,1,08,0.9,5.0,M,,,,*39", tag + good}, 1, skipNotAIS},
		{"MMSI zero", []string{tag + sentences(aisPos{typ: 1, lon: 1, lat: 1, sog: 1, cog: 1}.encode(), "A", 0)[0], tag + good}, 1, skipMMSI},
		{"long line", []string{strings.Repeat("x", maxLine+10), tag + good}, 1, skipLineTooLong},
		{"CRLF", []string{tag + good + "\r"}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, stats, err := readNMEA(t, strings.Join(tc.lines, "\n")+"\n")
			if len(ps) != tc.n {
				t.Errorf("read %d positions, want %d", len(ps), tc.n)
			}
			got := skips(stats)
			if tc.reason == "" && len(got) > 0 {
				t.Errorf("skipped %v, want nothing", got)
			}
			if tc.reason != "" && got[tc.reason] == 0 {
				t.Errorf("skipped %v, want %q", got, tc.reason)
			}
			// A file with nothing usable is an error naming the reason.
			if tc.n == 0 && len(stats.static) == 0 {
				if err == nil || !strings.Contains(err.Error(), "no position could be read") {
					t.Errorf("error %v, want one saying nothing could be read", err)
				}
			} else if err != nil {
				t.Errorf("unexpected error %v", err)
			}
		})
	}
}

func TestDecodeNotAvailable(t *testing.T) {
	p := aisPos{typ: 1, mmsi: 273999001, sog: math.NaN(), lon: 10, lat: 20, cog: math.NaN(), heading: 511, status: 15}
	ps, _, err := readNMEA(t, tagBlock("c:1694304000")+sentences(p.encode(), "A", 0)[0]+"\n")
	if err != nil || len(ps) != 1 {
		t.Fatalf("read %d, %v", len(ps), err)
	}
	if q := ps[0]; q.SOG != nil || q.COG != nil || q.Heading != nil {
		t.Errorf("not-available values read as %v %v %v, want nil", q.SOG, q.COG, q.Heading)
	}
	if q := ps[0]; q.NavStatus == nil || *q.NavStatus != 15 {
		t.Errorf("status 15 (not defined) read as %v, want 15 as reported", q.NavStatus)
	}
}
