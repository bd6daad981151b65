package ingest

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

func readCSV(t *testing.T, in string) ([]routes.Position, *aisStats, error) {
	t.Helper()
	d := sniffCSV([]byte(in))
	if d == nil {
		t.Fatalf("no AIS CSV dialect recognised in %.80q", in)
	}
	stats := &aisStats{}
	rd := newCSVReader(strings.NewReader(in), d, stats)
	ps := readAll(t, rd)
	err := rd.readErr()
	if err == nil {
		err = stats.useless()
	}
	return ps, stats, err
}

func TestDMACSV(t *testing.T) {
	ps, stats, err := readCSV(t, sample(t, "dma-2023-09-10.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 6 {
		t.Errorf("read %d positions, want 6", len(ps))
	}
	want := map[string]int{skipNotVessel: 1, skipNoPosition: 1, skipShifted: 1, skipMMSI: 1, skipBadTime: 1, skipOutOfRange: 1}
	got := skips(stats)
	for r, n := range want {
		if got[r] != n {
			t.Errorf("skipped %d × %q, want %d (all: %v)", got[r], r, n, got)
		}
	}
	if c := stats.skipped[skipShifted]; c != nil && c.FirstLine != 9 {
		t.Errorf("shifted row reported at line %d, want 9", c.FirstLine)
	}
	p := ps[0]
	if p.MMSI != "219000001" || !p.Time.Equal(time.Date(2023, 9, 10, 0, 0, 0, 0, time.UTC)) || p.Lat != 55.6761 || p.Lon != 12.599 {
		t.Errorf("first row: %+v", p)
	}
	if p.NavStatus == nil || *p.NavStatus != 5 || p.Heading == nil || *p.Heading != 90 || p.COG == nil || *p.COG != 241.3 {
		t.Errorf("first row's status, heading, course: %v %v %v", p.NavStatus, p.Heading, p.COG)
	}
	last := ps[len(ps)-1]
	if last.SOG != nil || last.COG != nil || last.Heading != nil {
		t.Errorf("SOG 102.3, COG 360 and heading 511 read as %v %v %v, want nil", last.SOG, last.COG, last.Heading)
	}
	if last.NavStatus == nil || *last.NavStatus != 1 {
		t.Errorf("At anchor read as %v, want 1", last.NavStatus)
	}
	yacht := ps[3]
	if yacht.MMSI != "219000777" || yacht.NavStatus != nil || yacht.COG != nil {
		t.Errorf("class B row with status Unknown value: %+v", yacht)
	}
	if a := stats.static["219000555"]; a.IMO != 9074729 || a.Name != "KRONBORG" || a.CallSign != "OZKB3" || a.ShipTypeText != "Cargo" {
		t.Errorf("static data from the rows: %+v", a)
	}
}

func TestNOAACSV(t *testing.T) {
	for _, name := range []string{"noaa-2022-06-20.csv", "noaa-2024-03-01.csv"} {
		t.Run(name, func(t *testing.T) {
			ps, stats, err := readCSV(t, sample(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) < 3 {
				t.Fatalf("read %d positions", len(ps))
			}
			p := ps[0]
			if p.MMSI != "538009563" || p.Lat != 29.23668 || p.Lon != -116.63519 || *p.SOG != 20.4 || *p.COG != 149.9 || *p.Heading != 152 || *p.NavStatus != 0 {
				t.Errorf("first row: %+v", p)
			}
			if p.Time.Hour() != 0 || p.Time.Second() != 4 || p.Time.Location() != time.UTC {
				t.Errorf("time %v", p.Time)
			}
			q := ps[1]
			if q.COG != nil || q.Heading != nil || *q.NavStatus != 12 {
				t.Errorf("COG 360, heading 511: %+v", q)
			}
			if s := stats.static["538009563"]; s.IMO != 9869693 || s.Name != "DEL MONTE PRIDE" || s.CallSign != "V7A4893" || s.ShipType != 70 {
				t.Errorf("static: %+v", s)
			}
		})
	}
	ps, stats, err := readCSV(t, sample(t, "noaa-2022-06-20.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 4 || skips(stats)[skipShifted] != 1 {
		t.Errorf("read %d, skipped %v; want 4 and the short last row", len(ps), skips(stats))
	}
	if s := stats.static["367481660"]; s.Name != "MISS KAREN, II" {
		t.Errorf("quoted name read as %q", s.Name)
	}
}

func TestAISCSVBadInput(t *testing.T) {
	const noaaHeader = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status\n"
	tests := []struct {
		name    string
		in      string
		n       int
		reason  string
		errPart string
	}{
		{"missing LAT column", "MMSI,BaseDateTime,LON,SOG\n538009563,2022-06-20T00:00:04,-116.6,20.4\n", 0, "", "missing column latitude (lat or latitude)"},
		{"shifted row", noaaHeader + "538009563,2022-06-20T00:00:04,29.2,-116.6,20.4,149.9,152.0,DEL MONTE,IMO9869693,V7A4893,70,0\n538009563,2022-06-20T00:01:04,29.2,,-116.6,20.4,149.9,152.0,DEL MONTE,IMO9869693,V7A4893,70,0\n", 1, skipShifted, ""},
		{"only shifted rows", noaaHeader + "538009563,2022-06-20T00:01:04,29.2,,-116.6,20.4,149.9,152.0,DEL MONTE,IMO9869693,V7A4893,70,0\n", 0, skipShifted, "no position could be read"},
		{"NaN latitude", noaaHeader + "538009563,2022-06-20T00:00:04,NaN,-116.6,20.4,149.9,152.0,X,,,70,0\n538009563,2022-06-20T00:01:04,29.2,-116.6,20.4,149.9,152.0,X,,,70,0\n", 1, skipOutOfRange, ""},
		{"latitude out of range", noaaHeader + "538009563,2022-06-20T00:00:04,95,-116.6,20.4,149.9,152.0,X,,,70,0\n538009563,2022-06-20T00:01:04,29.2,-116.6,20.4,149.9,152.0,X,,,70,0\n", 1, skipOutOfRange, ""},
		{"infinite longitude", noaaHeader + "538009563,2022-06-20T00:00:04,29,+Inf,20.4,149.9,152.0,X,,,70,0\n538009563,2022-06-20T00:01:04,29.2,-116.6,20.4,149.9,152.0,X,,,70,0\n", 1, skipOutOfRange, ""},
		{"bad time", noaaHeader + "538009563,2022-13-20T00:00:04,29,-116,20.4,149.9,152.0,X,,,70,0\n538009563,2022-06-20T00:01:04,29.2,-116.6,20.4,149.9,152.0,X,,,70,0\n", 1, skipBadTime, ""},
		{"MMSI too long", noaaHeader + "5380095630,2022-06-20T00:00:04,29,-116,20.4,149.9,152.0,X,,,70,0\n538009563,2022-06-20T00:01:04,29.2,-116.6,20.4,149.9,152.0,X,,,70,0\n", 1, skipMMSI, ""},
		{"columns in another order", "LON,LAT,BaseDateTime,MMSI\n-116.6,29.2,2022-06-20T00:00:04,538009563\n", 1, "", ""},
		{"header only", noaaHeader, 0, "", ""},
		{"bad quoting", noaaHeader + "538009563,2022-06-20T00:00:04,29.2,-116.6,20.4,149.9,152.0,\"DEL \"MONTE,,,70,0\n538009563,2022-06-20T00:01:04,29.2,-116.6,20.4,149.9,152.0,X,,,70,0\n", 1, skipCSVSyntax, ""},
		{"DMA without MMSI column", "# Timestamp,Type of mobile,Latitude,Longitude\n10/09/2023 00:00:00,Class A,55.6,12.5\n", 0, "", "missing column MMSI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := sniffCSV([]byte(tc.in))
			if d == nil {
				// A header without the MMSI is not recognised at all:
				// detection names what it wants instead.
				if tc.errPart == "" {
					t.Fatalf("not recognised")
				}
				if f, ok := sniffAIS(formats, []byte(tc.in)); ok {
					t.Errorf("recognised as %s", f.name)
				}
				return
			}
			ps, stats, err := readCSV(t, tc.in)
			if len(ps) != tc.n {
				t.Errorf("read %d positions, want %d", len(ps), tc.n)
			}
			if tc.reason != "" && skips(stats)[tc.reason] == 0 {
				t.Errorf("skipped %v, want %q", skips(stats), tc.reason)
			}
			switch {
			case tc.errPart == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.errPart != "" && (err == nil || !strings.Contains(err.Error(), tc.errPart)):
				t.Errorf("error %v, want one containing %q", err, tc.errPart)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	nmea := sample(t, "loggers.nmea")
	tests := []struct {
		name, content, want string
	}{
		{"a.nmea", nmea, "AIS NMEA 0183"},
		{"a.log", nmea, "AIS NMEA 0183"},
		{"a.csv", sample(t, "dma-2023-09-10.csv"), dmaCSV.name},
		{"a.csv", sample(t, "noaa-2024-03-01.csv"), noaaCSV.name},
		{"a.csv", "name,kind,lat,lon\n", ""},
		{"a.nmea", "hello world\n", ""},
	}
	for _, tc := range tests {
		cands, _ := detect(tc.name)
		f, _ := sniffAIS(cands, []byte(tc.content))
		if f.name != tc.want {
			t.Errorf("%s: format %q, want %q", tc.name, f.name, tc.want)
		}
	}
	// A .txt or .log file that is not AIS is no format ingest reads; a .nmea
	// file is AIS by name, and reading it says what is wrong.
	fsys := fstest.MapFS{"notes.txt": {Data: []byte("notes")}, "x.nmea": {Data: []byte("notes")}, "y.log": {Data: []byte(nmea)}}
	for name, wantWhy := range map[string]bool{"notes.txt": true, "x.nmea": false, "y.log": false} {
		_, why := fileFormats(fsys, name)
		if (why != "") != wantWhy {
			t.Errorf("%s: %q", name, why)
		}
	}
}
