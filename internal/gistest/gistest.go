// Package gistest hands files to real GIS software in tests: GDAL's
// GeoPackage validator, its programs, and QGIS itself, headless — where
// check_project.py runs in PyQGIS (python3-qgis) with the offscreen Qt
// platform and reports what QGIS makes of a project: its layers, their
// validity, counts, fields, styles and temporal properties, the project's
// time range and view, and renders of the map at given dates. Without the
// software a test fails, unless SHIPTRACK_SKIP_GDAL=1 says this machine has
// no GIS tools: then it is skipped.
package gistest

import (
	"archive/zip"
	_ "embed"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:embed check_project.py
var script []byte

// Python is the interpreter PyQGIS is installed for: Debian's, whatever
// python3 comes first on the PATH.
const Python = "/usr/bin/python3"

// Report is what QGIS makes of a project.
type Report struct {
	Read            bool
	CRS             string
	AbsolutePaths   bool       `json:"absolute_paths"`
	TimeRange       [2]string  `json:"time_range"`
	NavigationMode  *int       `json:"navigation_mode"`
	ControllerRange [2]string  `json:"controller_range"`
	Extent          [4]float64 `json:"extent"`
	Tree            []string
	Relations       []string
	Layers          []Layer
	Renders         []Render
}

// Layer is one layer as QGIS loaded it.
type Layer struct {
	Name, Provider, Source string
	Valid                  bool
	Count                  int
	Fields                 map[string]string // name → Qt type, such as QDateTime
	Temporal               struct {
		Active            bool
		StartAndEndFields bool `json:"start_and_end_fields"`
		Start, End        string
	}
	Style struct {
		Type  string // RuleRenderer, categorizedSymbol, singleSymbol
		Field string
		Rules []struct {
			Label, Filter string
			Symbol        Symbol
		}
		Categories []struct {
			Value, Label string
			Symbol       Symbol
		}
		Symbol *Symbol
	}
	Labels []struct{ Filter, Field string }
}

// Symbol is the first symbol layer of a symbol: its class and properties.
type Symbol struct {
	Class string
	Props map[string]string
}

// Render is one map QGIS drew, and for each mode asked about how many
// points sampled along the legs of that mode have the mode's colour.
type Render struct {
	PNG, Date, View string
	Hits            map[string]struct{ Samples, Matched int }
}

// View is a render to make: a name, a date (the whole UTC day), and a view,
// "project" or W,S,E,N.
type View struct{ Name, Date, View string }

// missing fails or skips a test that needs what is not installed.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("SHIPTRACK_SKIP_GDAL") == "1" {
		t.Skipf("%s is missing and SHIPTRACK_SKIP_GDAL=1", what)
	}
	t.Fatalf("%s is missing: run scripts/setup, or set SHIPTRACK_SKIP_GDAL=1", what)
}

// Tool finds a program: the first of the candidates, paths or names on the
// PATH, that exists.
func Tool(t testing.TB, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if strings.Contains(c, "/") {
			if _, err := os.Stat(c); err == nil {
				return c
			}
		} else if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	missing(t, strings.Join(candidates, " or "))
	return ""
}

// ValidateGPKG runs GDAL's GeoPackage validator with every check it has
// and returns what it says: nothing, for a valid file.
func ValidateGPKG(t testing.TB, path string) string {
	t.Helper()
	script := Tool(t, "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py",
		"/usr/share/doc/python3-gdal/examples/validate_gpkg.py")
	out, err := exec.Command(Python, script, "-k", "--extra", path).CombinedOutput()
	if err != nil {
		return err.Error() + ": " + string(out)
	}
	return strings.TrimSpace(string(out))
}

// ReadQGS reads the project inside a .qgz, which must hold a .qgs alone.
func ReadQGS(t testing.TB, path string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || !strings.HasSuffix(zr.File[0].Name, ".qgs") {
		t.Fatalf("%s holds %d files; want one .qgs", path, len(zr.File))
	}
	f, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Check opens project in QGIS and renders the views into outDir, looking
// for each mode's colour (R,G,B) along that mode's legs.
func Check(t testing.TB, project, outDir string, colors map[string]string, views ...View) Report {
	t.Helper()
	if _, err := os.Stat(Python); err != nil || exec.Command(Python, "-c", "import qgis.core").Run() != nil {
		missing(t, "PyQGIS (python3-qgis)")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	path := filepath.Join(tmp, "check_project.py")
	if err := os.WriteFile(path, script, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{path, project, outDir}
	for mode, rgb := range colors {
		args = append(args, "--color", mode, rgb)
	}
	for _, v := range views {
		args = append(args, "--render", v.Name, v.Date, v.View)
	}
	cmd := exec.Command(Python, args...)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "XDG_RUNTIME_DIR="+tmp)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("check_project.py: %v\n%s", err, stderr.String())
	}
	var rep Report
	if err := json.Unmarshal(stdout, &rep); err != nil {
		t.Fatalf("check_project.py said %v:\n%s\n%s", err, stdout, stderr.String())
	}
	if !rep.Read {
		t.Fatalf("QGIS could not read %s:\n%s", project, stderr.String())
	}
	return rep
}

// Find returns the render named name.
func (r Report) Find(name string) (Render, bool) {
	for _, x := range r.Renders {
		if strings.HasSuffix(x.PNG, "/"+name+".png") {
			return x, true
		}
	}
	return Render{}, false
}
