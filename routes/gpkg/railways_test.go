package gpkg

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/internal/gistest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/storetest"
)

func TestRailWaysContract(t *testing.T) {
	storetest.RunRailWays(t, func(t *testing.T) routes.RailStore {
		s, _ := openTemp(t)
		return s
	})
}

// The rail_ways layer made on the first write is a valid GeoPackage layer
// that GDAL, and so QGIS, reads.
func TestRailWaysValidGPKG(t *testing.T) {
	script := gistest.Tool(t, "/usr/share/doc/python3-gdal/examples/validate_gpkg.py",
		"/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py", "validate_gpkg.py")
	ogrinfo := gistest.Tool(t, "ogrinfo")
	s, path := openTemp(t)
	ways := []routes.RailWay{{ID: 1, Nodes: []int64{1, 2}, Line: orb.LineString{{131.9, 43.8}, {131.95, 43.85}}},
		{ID: 2, Nodes: []int64{2, 3}, Line: orb.LineString{{131.95, 43.85}, {132, 43.9}}}}
	if _, err := s.PutRailWays(context.Background(), ways); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gistest.Python, script, "-k", "--extra", path).CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("validate_gpkg.py: %v\n%s", err, out)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-so", path, "rail_ways").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"Geometry: Line String", "Feature Count: 2", "Extent: (131.900000, 43.800000) - (132.000000, 43.900000)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, out)
		}
	}
}
