package ingest_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

func aisSample(name string) ingest.Inputs {
	return ingest.Paths(filepath.Join("..", "testdata", "ais", name))
}

func readAISSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "ais", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// counts is how many positions, tracks and gaps a store holds.
func counts(t *testing.T, s routes.Store) [3]int {
	t.Helper()
	ctx := t.Context()
	n, err := s.CountPositions(ctx, routes.Query{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.Tracks(ctx, routes.Query{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Gaps(ctx, routes.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return [3]int{n, tr.Matched, g.Matched}
}

func TestIngestAIS(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			if _, err := ingest.Documents(ctx, s, bundled()); err != nil {
				t.Fatal(err)
			}
			sum, err := ingest.AIS(ctx, s, aisSample("angara-2023-09.nmea"), ingest.AISOptions{})
			if err != nil {
				t.Fatal(err)
			}
			f := sum.Files[0]
			if f.Positions != 195 || f.Added != 195 || f.Static != 4 || len(f.Skipped) != 6 {
				t.Errorf("file summary %+v", f)
			}
			if len(sum.Vessels) != 1 || !sum.Vessels[0].Set || sum.Vessels[0].Vessel != "angara" {
				t.Errorf("vessel notes %+v", sum.Vessels)
			}
			if w := sum.Written; w.Vessels != 1 || w.Tracks != 3 || w.Gaps != 1 || w.Legs != 1 {
				t.Errorf("written %+v; want the Angara's MMSI, 3 tracks, 1 gap and the observed leg", w)
			}

			angara, err := s.Vessel(ctx, "angara")
			if err != nil || angara.MMSI != "273999001" {
				t.Fatalf("angara: %+v %v; want MMSI 273999001 from its type 5 report", angara, err)
			}
			tracks, err := s.Tracks(ctx, routes.Query{Vessel: "angara"})
			if err != nil {
				t.Fatal(err)
			}
			if len(tracks.Items) != 2 {
				t.Fatalf("the Angara has %d tracks, want 2 (a voyage cut by a silence)", len(tracks.Items))
			}
			for _, tr := range tracks.Items {
				if tr.Leg != "nk-ru-2023-09-sea" || tr.Vessel != "angara" {
					t.Errorf("track %s: leg %q vessel %q; want the White House shipment's sea leg", tr.ID, tr.Leg, tr.Vessel)
				}
			}
			gaps, err := s.Gaps(ctx, routes.Query{Vessel: "angara"})
			if err != nil {
				t.Fatal(err)
			}
			if len(gaps.Items) != 1 || gaps.Items[0].End.Sub(gaps.Items[0].Start) != 18*time.Hour+10*time.Minute {
				t.Fatalf("gaps %+v; want the 18-hour silence", gaps.Items)
			}
			// It begins at 131.5°E 41.3°N, some 68 nm off the coast of
			// Primorye and North Korea: dark.
			if g := gaps.Items[0]; !g.Dark || g.OffshoreNm < 60 || g.OffshoreNm > 80 {
				t.Errorf("gap dark %v, %v nm offshore; want dark, about 68 nm", g.Dark, g.OffshoreNm)
			}
			leg, err := s.Leg(ctx, "nk-ru-2023-09-sea")
			if err != nil {
				t.Fatal(err)
			}
			if leg.GeometryKind != routes.Observed || len(leg.Geometry) != 2 {
				t.Errorf("leg geometry %s with %d parts; want observed, two parts", leg.GeometryKind, len(leg.Geometry))
			}
			if want := tracks.Items[0].LengthKm + tracks.Items[1].LengthKm; math.Abs(leg.LengthKm-want) > 1e-6 || math.Abs(leg.LengthKm-geo.Length(leg.Geometry)/1000) > 1e-9 {
				t.Errorf("leg length %v km, want the tracks' %v", leg.LengthKm, want)
			}
			other, err := s.Leg(ctx, "angara-rajin-dunay-2023-sea")
			if err != nil || other.GeometryKind != routes.Schematic {
				t.Errorf("the round-trip leg (wider windows) is %s, want it left schematic (%v)", other.GeometryKind, err)
			}
			sh, err := s.Shipment(ctx, "nk-ru-2023-09")
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(sh.LengthKm-(leg.LengthKm+sh.Legs[1].LengthKm)) > 1e-6 {
				t.Errorf("shipment length %v not rederived from its legs", sh.LengthKm)
			}

			// The same file again adds and changes nothing.
			before := counts(t, s)
			again, err := ingest.AIS(ctx, s, aisSample("angara-2023-09.nmea"), ingest.AISOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if again.Files[0].Added != 0 || again.Written.Total() != 0 || counts(t, s) != before {
				t.Errorf("second ingest added %d, wrote %+v", again.Files[0].Added, again.Written)
			}
			// And so does the document that reported the leg: its schematic
			// line does not replace the observed one.
			docs, err := ingest.Documents(ctx, s, bundled())
			if err != nil {
				t.Fatal(err)
			}
			if docs.Written.Total() != 0 {
				t.Errorf("ingesting the bundled case again wrote %+v, want nothing", docs.Written)
			}
			if l, _ := s.Leg(ctx, "nk-ru-2023-09-sea"); l.GeometryKind != routes.Observed {
				t.Errorf("the document's schematic line replaced the observed one")
			}
		})
	}
}

func TestIngestAISSecondFileRederives(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			if _, err := ingest.AIS(ctx, s, aisSample("loggers.nmea"), ingest.AISOptions{}); err != nil {
				t.Fatal(err)
			}
			first, err := s.Tracks(ctx, routes.Query{MMSI: "273777003"})
			if err != nil || len(first.Items) != 1 {
				t.Fatalf("tracks %+v %v", first.Items, err)
			}
			// Two positions an hour before the first, in a second file.
			extra := "1693562400 !AIVDM,1,1,,A,34561JhP1sklb4PN2Vp:V8Lt0000,0*14\n"
			sum, err := ingest.AISReader(ctx, s, "extra.nmea", strings.NewReader(extra), ingest.AISOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Files[0].Added != 1 {
				t.Errorf("added %d, want 1", sum.Files[0].Added)
			}
			after, err := s.Tracks(ctx, routes.Query{MMSI: "273777003"})
			if err != nil {
				t.Fatal(err)
			}
			if len(after.Items) != 1 || after.Items[0].ID == first.Items[0].ID || after.Items[0].Points != first.Items[0].Points+1 {
				t.Errorf("after the second file: %+v; want one track, begun an hour earlier, under a new id, the old one gone", after.Items)
			}
			if sum.Written.Tracks != 2 {
				t.Errorf("changes %+v, want the new track and the removal of the old", sum.Written)
			}
			// Deriving again from the same positions changes nothing.
			ch, err := ingest.Tracks(ctx, s, []string{"273777003"}, ingest.AISOptions{})
			if err != nil || ch.Total() != 0 {
				t.Errorf("rederiving: %+v %v", ch, err)
			}
		})
	}
}

// failingReader gives some data, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestIngestAISRejectedChangesNothing(t *testing.T) {
	good := readAISSample(t, "angara-2023-09.nmea")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			if _, err := ingest.AIS(ctx, s, aisSample("loggers.nmea"), ingest.AISOptions{}); err != nil {
				t.Fatal(err)
			}
			before := counts(t, s)
			cases := []struct {
				name string
				in   ingest.Inputs
				want string
			}{
				{"not AIS", ingest.FS(fstest.MapFS{"x.nmea": {Data: []byte("hello\nworld\n")}}, "x.nmea"), "not a format ingest reads: AIS NMEA 0183 files have"},
				{"not AIS in a directory", ingest.FS(fstest.MapFS{"d/x.nmea": {Data: []byte("hello\n")}}, "d"), "not a format ingest reads: AIS NMEA 0183 files have"},
				{"no usable line", ingest.FS(fstest.MapFS{"x.nmea": {Data: []byte("!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n")}}, "x.nmea"), "no position could be read"},
				{"missing column", ingest.FS(fstest.MapFS{"x.csv": {Data: []byte("MMSI,BaseDateTime,LON\n273999001,2023-09-01T00:00:00,130\n")}}, "x.csv"), "missing column latitude"},
			}
			for _, c := range cases {
				_, err := ingest.AIS(ctx, s, c.in, ingest.AISOptions{})
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: error %v, want %q", c.name, err, c.want)
				}
				if got := counts(t, s); got != before {
					t.Errorf("%s: store went from %v to %v", c.name, before, got)
				}
			}
			// A read that fails half way writes none of the file.
			boom := errors.New("disk on fire")
			_, err := ingest.AISReader(ctx, s, "cut.nmea", &failingReader{data: good[:len(good)/2], err: boom}, ingest.AISOptions{})
			if !errors.Is(err, boom) {
				t.Errorf("error %v, want the read error", err)
			}
			if got := counts(t, s); got != before {
				t.Errorf("a failed read changed the store from %v to %v", before, got)
			}
			// So does a cancelled ingest.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := ingest.AISReader(cctx, s, "good.nmea", strings.NewReader(string(good)), ingest.AISOptions{}); err == nil {
				t.Error("a cancelled ingest succeeded")
			}
			if got := counts(t, s); got != before {
				t.Errorf("a cancelled ingest changed the store from %v to %v", before, got)
			}
		})
	}
}

func TestIngestAISCSV(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			sum, err := ingest.AIS(ctx, s, ingest.Paths(filepath.Join("..", "testdata", "ais")), ingest.AISOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Files) != 5 {
				t.Errorf("read %d files, want the 5 samples", len(sum.Files))
			}
			n := 0
			for _, f := range sum.Files {
				n += f.Added
			}
			// 195 + 6 + 6 + 4 + 3, less the NOAA rows repeated in both files:
			// none, they are from different years.
			if n != 214 {
				t.Errorf("added %d positions, want 214", n)
			}
			var got []routes.Position
			for p, err := range s.Positions(ctx, routes.Query{MMSI: "538009563"}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
			}
			if len(got) != 4 || got[0].Time.Year() != 2022 || got[3].Time.Year() != 2024 || got[3].SOG != nil {
				t.Errorf("NOAA positions %+v", got)
			}
			// Silent from 2022 to 2024: off Baja California that is dark; on
			// the Mississippi at St. Louis, on land, it is not.
			for mmsi, dark := range map[string]bool{"538009563": true, "367481660": false} {
				gaps, err := s.Gaps(ctx, routes.Query{MMSI: mmsi})
				if err != nil || len(gaps.Items) != 1 || gaps.Items[0].Dark != dark || (!dark && gaps.Items[0].OffshoreNm != 0) {
					t.Errorf("MMSI %s: gaps %+v (%v), want one, dark %v", mmsi, gaps.Items, err, dark)
				}
			}
		})
	}
}

// A CSV whose vessel name holds a NUL and whose call sign is not UTF-8 is
// written whole, the same in both stores, rather than failing in one of
// them after its positions were written.
func TestIngestAISCSVDirtyStaticText(t *testing.T) {
	csv := "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n" +
		"273999001,2023-09-10T00:00:00,42.2,130.4,10.0,90.0,90.0,ANGARA\x00\x00,IMO9179842,UBC\xffI7,70,0,100,16,6,70,A\n"
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			sum, err := ingest.AISReader(ctx, s, "dirty.csv", strings.NewReader(csv), ingest.AISOptions{})
			if err != nil || sum.Files[0].Added != 1 {
				t.Fatalf("ingest: %+v %v; want the position written", sum.Files, err)
			}
			got, err := s.(routes.StaticStore).StaticByIMO(ctx, "9179842")
			want := routes.AISStatic{MMSI: "273999001", IMO: "9179842", Name: "ANGARA", CallSign: "UBC\uFFFDI7", ShipType: 70}
			if err != nil || len(got) != 1 || got[0] != want {
				t.Errorf("static data %+v (%v), want %+v", got, err, want)
			}
		})
	}
}

func TestStaticDataRecordedForLater(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			// AIS first, into a store that knows no vessel.
			if _, err := ingest.AIS(ctx, s, aisSample("angara-2023-09.nmea"), ingest.AISOptions{}); err != nil {
				t.Fatal(err)
			}
			ss := s.(routes.StaticStore)
			got, err := ss.StaticByIMO(ctx, "9179842")
			want := []routes.AISStatic{{MMSI: "273999001", IMO: "9179842", Name: "ANGARA", CallSign: "UBCI7", ShipType: 70}}
			if err != nil || len(got) != 1 || got[0] != want[0] {
				t.Errorf("static data of IMO 9179842: %+v %v, want %+v", got, err, want)
			}
			// The bundled case, later, names the Angara by its IMO only.
			sum, err := ingest.Documents(ctx, s, bundled())
			if err != nil {
				t.Fatal(err)
			}
			if v, err := s.Vessel(ctx, "angara"); err != nil || v.MMSI != "273999001" {
				t.Errorf("angara: %+v %v; want the MMSI its recorded static data gives", v, err)
			}
			if again, err := ingest.Documents(ctx, s, bundled()); err != nil || again.Written.Total() != 0 {
				t.Errorf("the case again wrote %+v (%v), want nothing (first wrote %+v)", again.Written, err, sum.Written)
			}
			// The next derive matches the voyage to the reported leg.
			if _, err := ingest.Tracks(ctx, s, []string{"273999001"}, ingest.AISOptions{}); err != nil {
				t.Fatal(err)
			}
			if l, err := s.Leg(ctx, "nk-ru-2023-09-sea"); err != nil || l.GeometryKind != routes.Observed {
				t.Errorf("leg %s %v, want observed", l.GeometryKind, err)
			}

			// A report with less keeps what is stored; one with more changes it.
			n, err := ss.AddStatic(ctx, []routes.AISStatic{{MMSI: "273999001", Name: "ANGARA"}})
			if err != nil || n != 0 {
				t.Errorf("adding what is stored changed %d (%v)", n, err)
			}
			n, err = ss.AddStatic(ctx, []routes.AISStatic{{MMSI: "273999001", CallSign: "UBCI8"}, {MMSI: "273000001", ShipType: 80}})
			if err != nil || n != 2 {
				t.Errorf("changed %d (%v), want 2", n, err)
			}
			if got, _ := ss.StaticByIMO(ctx, "9179842"); len(got) != 1 || got[0].CallSign != "UBCI8" || got[0].Name != "ANGARA" {
				t.Errorf("after the update: %+v", got)
			}
			if _, err := ss.AddStatic(ctx, []routes.AISStatic{{MMSI: "27399900", Name: "X"}}); err == nil && st.name == "postgis" {
				t.Error("an 8-digit MMSI was accepted")
			}
		})
	}
}

func TestIngestAISStopsAtABadFile(t *testing.T) {
	good := readAISSample(t, "loggers.nmea")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			ctx := t.Context()
			fsys := fstest.MapFS{
				"d/a.nmea": {Data: good},
				"d/b.nmea": {Data: []byte("\\c:1694304000*00\\!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n")},
				"d/c.nmea": {Data: good},
			}
			sum, err := ingest.AIS(ctx, s, ingest.FS(fsys, "d"), ingest.AISOptions{})
			if err == nil || !strings.Contains(err.Error(), "d/b.nmea") {
				t.Fatalf("error %v, want one naming d/b.nmea", err)
			}
			if len(sum.Files) != 1 || sum.Files[0].Added != 6 {
				t.Errorf("summary %+v, want a.nmea's six positions", sum.Files)
			}
			if got := counts(t, s); got != [3]int{6, 1, 0} {
				t.Errorf("store holds %v positions, tracks, gaps; want a.nmea's, with its track", got)
			}
		})
	}
}
