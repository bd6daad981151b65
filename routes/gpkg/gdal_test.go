package gpkg

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/internal/gistest"
	"github.com/shiptrack/shiptrack/routes"
)

// These tests hand the store's file to GDAL, which is what QGIS reads it
// with. They need gdal-bin and python3-gdal, and fail without them unless
// SHIPTRACK_SKIP_GDAL=1 says that this machine has no GDAL.

// filledStore writes the reference case and some positions to a new file,
// closes it and returns its path.
func filledStore(t *testing.T) (string, *routes.Batch) {
	t.Helper()
	s, path := openTemp(t)
	b := prepared(t, s)
	apply(t, s, b)
	if _, err := s.AddPositions(context.Background(), seq(samplePositions(t))); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, b
}

func TestValidateGPKG(t *testing.T) {
	script := gistest.Tool(t, "/usr/share/doc/python3-gdal/examples/validate_gpkg.py",
		"/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py", "validate_gpkg.py")
	path, _ := filledStore(t)
	// -k reports every broken requirement rather than the first; --extra
	// checks the rows too (geometry types, SRS ids, column values).
	out, err := exec.Command(gistest.Python, script, "-k", "--extra", path).CombinedOutput()
	if err != nil {
		t.Fatalf("validate_gpkg.py: %v\n%s", err, out)
	}
	// The extra checks warn about DATETIME values with more than three
	// decimals; the store keeps six (see dateTimeLayout). Anything else is
	// a defect.
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" && !strings.Contains(line, "which is not a valid DATETIME") {
			t.Errorf("validate_gpkg.py: %s", line)
		}
	}
}

func TestOgrinfoLayers(t *testing.T) {
	ogrinfo := gistest.Tool(t, "ogrinfo")
	path, b := filledStore(t)
	out, err := exec.Command(ogrinfo, "-ro", "-so", "-al", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	type layer struct {
		geometry string
		count    int
	}
	got := map[string]layer{}
	for _, block := range strings.Split(string(out), "Layer name: ")[1:] {
		name, _, _ := strings.Cut(block, "\n")
		var l layer
		if m := regexp.MustCompile(`(?m)^Geometry: (.+)$`).FindStringSubmatch(block); m != nil {
			l.geometry = m[1]
		}
		if m := regexp.MustCompile(`(?m)^Feature Count: (\d+)$`).FindStringSubmatch(block); m != nil {
			l.count, _ = strconv.Atoi(m[1])
		}
		got[name] = l
	}
	legs := 0
	for _, sh := range b.Shipments {
		legs += len(sh.Legs)
	}
	claims := 0
	for _, sh := range b.Shipments {
		claims += len(sh.Sources)
	}
	legClaims := 0
	for _, sh := range b.Shipments {
		for _, l := range sh.Legs {
			legClaims += len(l.Sources)
		}
	}
	want := map[string]layer{
		"places":          {"Point", len(b.Places)},
		"vessels":         {"None", len(b.Vessels)},
		"sources":         {"None", len(b.Sources)},
		"shipments":       {"Multi Line String", len(b.Shipments)},
		"shipment_claims": {"None", claims},
		"legs":            {"Multi Line String", legs},
		"leg_claims":      {"None", legClaims},
		"positions":       {"Point", len(samplePositions(t))},
		"tracks":          {"Multi Line String", len(b.Tracks)},
		"gaps":            {"Line String", len(b.Gaps)},
		"observations":    {"Point", len(b.Observations)},
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("ogrinfo layer %s: got %+v (listed %v), want %+v", name, g, ok, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("ogrinfo lists %d layers, want %d:\n%s", len(got), len(want), out)
	}
}

// TestOgrinfoReadsValues checks that GDAL reads what the store wrote as the
// types a QGIS user needs: times as DateTime, to the microsecond the store
// keeps, numbers as numbers, and the geometry where it belongs.
func TestOgrinfoReadsValues(t *testing.T) {
	ogrinfo := gistest.Tool(t, "ogrinfo")
	path, _ := filledStore(t)
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-where", "id = 'test-pacific-1'", path, "legs").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	// GDAL reads DATETIME values with six decimals and says so once; any
	// other warning is a defect.
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "Warning") && !regexp.MustCompile(`Non-conformant content for record \d+ in column \w+, \S+, successfully parsed`).MatchString(line) {
			t.Errorf("ogrinfo: %s", line)
		}
	}
	for _, want := range []string{
		"start: DateTime",
		"end: DateTime",
		"length_km: Real",
		"seq: Integer",
		"start (DateTime) = 2023/11/01 06:00:00+00",
		"end (DateTime) = 2023/11/12 12:30:00.123+00",
		"arrive_earliest (DateTime) = 2023/11/10 00:00:00+00",
		"MULTILINESTRING ((131.8833 43.1167,180.0 ",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo legs lacks %q:\n%s", want, out)
		}
	}
}
