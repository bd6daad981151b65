package ingest

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

var updateSamples = flag.Bool("update-samples", false, "rewrite the sample files in testdata/ais")

// The samples are synthetic but in the published formats. The MMSIs are
// made up (273999001 for the Angara, whose IMO 9179842 the bundled case
// holds); the route is drawn by hand between the bundled case's ports.
const (
	angaraMMSI = 273999001
	angaraIMO  = 9179842
	yachtMMSI  = 273888002
)

// angaraVoyage is the sample voyage: moored at Najin, out to sea, silent for
// 18 hours more than 50 nm offshore, then on to Dunay and moored there.
func angaraVoyage() []aisTimed {
	var out []aisTimed
	t := time.Date(2023, 9, 10, 0, 0, 0, 0, time.UTC)
	moor := func(at orb.Point, until time.Time) {
		for ; t.Before(until); t = t.Add(30 * time.Minute) {
			out = append(out, aisTimed{t, aisPos{typ: 1, mmsi: angaraMMSI, status: 5, sog: 0, lon: at[0], lat: at[1], cog: 0, heading: 90}})
		}
	}
	sail := func(route []orb.Point, knots float64) {
		for i := 1; i < len(route); i++ {
			a, b := route[i-1], route[i]
			dx := (b[0] - a[0]) * math.Cos(a[1]*math.Pi/180) * 60
			dy := (b[1] - a[1]) * 60
			nm := math.Hypot(dx, dy)
			cog := math.Mod(math.Atan2(dx, dy)*180/math.Pi+360, 360)
			steps := int(math.Ceil(nm / (knots / 6)))
			for s := range steps {
				f := float64(s) / float64(steps)
				out = append(out, aisTimed{t, aisPos{typ: 1, mmsi: angaraMMSI, status: 0, sog: knots,
					lon: math.Round((a[0]+f*(b[0]-a[0]))*1e5) / 1e5, lat: math.Round((a[1]+f*(b[1]-a[1]))*1e5) / 1e5,
					cog: math.Round(cog*10) / 10, heading: int(math.Round(cog)) % 360}})
				t = t.Add(10 * time.Minute)
			}
		}
	}
	najin, dunay := orb.Point{130.305, 42.238}, orb.Point{132.335, 42.876}
	moor(najin, time.Date(2023, 9, 11, 6, 0, 0, 0, time.UTC))
	sail([]orb.Point{najin, {130.6, 41.9}, {131.5, 41.3}}, 9)
	t = t.Add(18 * time.Hour)
	sail([]orb.Point{{131.9, 41.6}, {132.3, 42.5}, dunay}, 9)
	moor(dunay, t.Add(12*time.Hour))
	return out
}

// aisTimed is a message and its receive time.
type aisTimed struct {
	t   time.Time
	pos aisPos
}

// writeSample writes a sample file, or checks it is up to date.
func writeSample(t *testing.T, name, content string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "ais", name)
	if *updateSamples {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -run Samples -update-samples)", err)
	}
	if string(got) != content {
		t.Errorf("%s is out of date: run go test ./ingest -run Samples -update-samples", path)
	}
}

func TestSamples(t *testing.T) {
	var b strings.Builder
	line := func(t time.Time, s string) {
		fmt.Fprintf(&b, "%s%s\n", tagBlock(fmt.Sprintf("s:shiptrack,c:%d", t.Unix())), s)
	}
	voyage := angaraVoyage()
	start := voyage[0].t
	// The Angara's static report, in two sentences; the group tag only on
	// the first, as many receivers write it.
	static := sentences(aisStatic{typ: 5, mmsi: angaraMMSI, imo: angaraIMO, callSign: "UBCI7", name: "ANGARA", shipType: 70, dest: "DUNAY"}.encode(), "A", 3)
	fmt.Fprintf(&b, "%s%s\n", tagBlock(fmt.Sprintf("g:1-2-42,s:shiptrack,c:%d", start.Unix())), static[0])
	fmt.Fprintf(&b, "%s%s\n", tagBlock("g:2-2-42"), static[1])
	yacht := []aisPos{
		{typ: 18, mmsi: yachtMMSI, sog: 5.2, lon: 131.8712, lat: 43.0931, cog: 181.5, heading: 511},
		{typ: 18, mmsi: yachtMMSI, sog: math.NaN(), lon: 131.8701, lat: 43.0802, cog: math.NaN(), heading: 511},
		{typ: 19, mmsi: yachtMMSI, sog: 5.0, lon: 131.8690, lat: 43.0701, cog: 183.2, heading: 180, name: "ZOLOTOY ROG", shipType: 37},
	}
	for i, v := range voyage {
		line(v.t, sentences(v.pos.encode(), "AB"[i%2:i%2+1], 0)[0])
		switch i {
		case 3:
			// A class B yacht in Vladivostok, with both parts of its type 24.
			for j, y := range yacht {
				line(v.t.Add(time.Duration(j)*time.Minute), sentences(y.encode(), "B", 0)[0])
			}
			line(v.t, sentences(aisStatic{typ: 24, mmsi: yachtMMSI, name: "ZOLOTOY ROG"}.encode(), "B", 0)[0])
			line(v.t, sentences(aisStatic{typ: 25, mmsi: yachtMMSI, shipType: 37, callSign: "UFYR"}.encode(), "B", 0)[0])
		case 5:
			// A long-range (type 27) report of the Angara.
			p := v.pos
			p.typ, p.sog, p.cog = 27, 0, 0
			line(v.t.Add(time.Second), sentences(p.encode(), "A", 0)[0])
		case 7:
			// A base station report (type 4): not kept.
			line(v.t, nmeaSentence("AIVDM,1,1,,A,402M3b@000Htt<tSF0l4Q@100`Fq,0"))
		case 9:
			// A corrupted checksum.
			s := sentences(v.pos.encode(), "A", 0)[0]
			line(v.t.Add(time.Second), s[:len(s)-2]+"00")
		case 11:
			// Position not available.
			p := v.pos
			p.lon, p.lat = 181, 91
			line(v.t.Add(time.Second), sentences(p.encode(), "A", 0)[0])
		case 13:
			// A second fragment whose first was lost.
			s := sentences(aisStatic{typ: 5, mmsi: angaraMMSI, imo: angaraIMO, callSign: "UBCI7", name: "ANGARA", shipType: 70}.encode(), "B", 7)
			line(v.t, s[1])
		case 15:
			// Not AIS: a GPS fix from the same logger.
			b.WriteString("$GPGGA,000015,4213.9980,N,13018.3000,E,1,08,0.9,5.0,M,,,,*39\n")
		case 17:
			// A sentence cut short.
			s := sentences(v.pos.encode(), "A", 0)[0]
			line(v.t.Add(time.Second), s[:20])
		}
	}
	writeSample(t, "angara-2023-09.nmea", b.String())

	// The same kind of data as other loggers write it: a Unix time first, an
	// ISO 8601 time first, and the USCG's time last.
	b.Reset()
	at := time.Date(2023, 9, 1, 12, 0, 0, 0, time.UTC)
	p := aisPos{typ: 3, mmsi: 273777003, status: 0, sog: 12.3, lon: -170.25, lat: 52.5, cog: 271.2, heading: 270}
	fmt.Fprintf(&b, "%d %s\n", at.Unix(), sentences(p.encode(), "A", 0)[0])
	p.lon, p.typ = -170.30, 1
	fmt.Fprintf(&b, "%s,%s\n", at.Add(time.Minute).Format(time.RFC3339), sentences(p.encode(), "B", 0)[0])
	p.lon, p.typ = -170.35, 2
	fmt.Fprintf(&b, "[%s] %s\n", at.Add(2*time.Minute).Format("2006-01-02 15:04:05.000"), sentences(p.encode(), "A", 0)[0])
	p.lon = -170.40
	fmt.Fprintf(&b, "%s,s:r003669945,d-105,T12.345,%d\n", sentences(p.encode(), "A", 0)[0], at.Add(3*time.Minute).Unix())
	p.lon = -170.45
	fmt.Fprintf(&b, "%d.250 %s\n", at.Add(4*time.Minute).Unix(), sentences(p.encode(), "B", 0)[0])
	// No time at all: skipped.
	p.lon = -170.50
	fmt.Fprintf(&b, "%s\n", sentences(p.encode(), "B", 0)[0])
	// A time that is not one.
	fmt.Fprintf(&b, "yesterday %s\n", sentences(p.encode(), "B", 0)[0])
	// Across the antimeridian, too far too soon: a bad fix, which tracks leave out.
	p.lon, p.lat = 179.95, 52.6
	fmt.Fprintf(&b, "%d %s\n", at.Add(90*time.Minute).Unix(), sentences(p.encode(), "A", 0)[0])
	writeSample(t, "loggers.nmea", b.String())
}
