package export_test

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/export"
	"github.com/shiptrack/shiptrack/internal/gistest"
	"github.com/shiptrack/shiptrack/routes"
)

// exportGPKG writes st's GeoPackage to a new file and returns its path.
func exportGPKG(t testing.TB, st routes.Store) (string, export.Summary) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shiptrack.gpkg")
	var sum export.Summary
	err := export.WriteFile(path, false, func(tmp string) error {
		var err error
		sum, err = export.GeoPackage(context.Background(), st, tmp)
		return err
	})
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return path, sum
}

// TestGeoPackage checks an export as GDAL, QGIS's reader, sees it: valid
// to the last check of GDAL's validator, every layer with every row of the
// store, the types QGIS needs, times in UTC to the millisecond, and a sound
// spatial index on every feature table.
func TestGeoPackage(t *testing.T) {
	st := gpkgStore(t)
	path, sum := exportGPKG(t, st)
	if out := gistest.ValidateGPKG(t, path); out != "" {
		t.Errorf("validate_gpkg.py -k --extra says:\n%s", out)
	}
	db := openSQLite(t, path)
	want := storeCounts(t, st)
	for _, l := range export.Layers {
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM "%s"`, l.Name)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want[l.Name] || sum.Count(l.Name) != int64(n) {
			t.Errorf("%s: %d rows (summary %d); the store has %d", l.Name, n, sum.Count(l.Name), want[l.Name])
		}
		if n == 0 {
			t.Errorf("%s: no rows; the fixture should fill every layer", l.Name)
		}
	}

	// One geometry type per layer, in WGS 84.
	geoms := map[string]string{}
	rows, err := db.Query(`SELECT table_name, geometry_type_name, srs_id FROM gpkg_geometry_columns`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, typ string
		var srs int
		rows.Scan(&table, &typ, &srs)
		geoms[table] = fmt.Sprint(typ, " ", srs)
	}
	wantGeoms := map[string]string{"places": "POINT 4326", "observations": "POINT 4326", "positions": "POINT 4326",
		"gaps": "LINESTRING 4326", "tracks": "MULTILINESTRING 4326", "legs": "MULTILINESTRING 4326",
		"shipments": "MULTILINESTRING 4326"}
	if !reflect.DeepEqual(geoms, wantGeoms) {
		t.Errorf("geometry columns = %v; want %v", geoms, wantGeoms)
	}

	// The R-tree of every feature table holds every feature, and SQLite
	// finds it sound.
	for table := range wantGeoms {
		var check string
		var rows, entries int
		db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM "%s"`, table)).Scan(&rows)
		db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM "rtree_%s_geom"`, table)).Scan(&entries)
		if err := db.QueryRow(`SELECT rtreecheck(?)`, "rtree_"+table+"_geom").Scan(&check); err != nil || check != "ok" {
			t.Errorf("rtreecheck(rtree_%s_geom) = %q, %v", table, check, err)
		}
		if rows != entries {
			t.Errorf("%s: %d features, %d in the spatial index", table, rows, entries)
		}
	}
}

// TestGeoPackageAsGDALReadsIt checks field types and values as ogrinfo
// reports them, which is what QGIS shows: DateTime for every time, Integer
// and Real for numbers, the windows' ends to the millisecond.
func TestGeoPackageAsGDALReadsIt(t *testing.T) {
	ogrinfo := gistest.Tool(t, "ogrinfo")
	path, _ := exportGPKG(t, gpkgStore(t))
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-where", "id = 'nk-ru-2023-09-sea'", path, "legs").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Warning") {
		t.Errorf("ogrinfo warns:\n%s", out)
	}
	for _, want := range []string{
		"Geometry: Multi Line String",
		"id: String (0.0) NOT NULL",
		"seq: Integer (0.0)",
		"length_km: Real (0.0)",
		"start: DateTime (0.0)",
		"end: DateTime (0.0)",
		"depart_earliest (DateTime) = 2023/09/07 00:00:00+00",
		"end (DateTime) = 2023/10/01 23:59:59.999+00",
		"mode (String) = sea",
		"geometry_kind (String) = schematic",
		"vessel (String) = angara",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo legs lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command(ogrinfo, "-ro", "-so", path, "positions", "gaps", "tracks").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"time: DateTime", "sog: Real", "heading: Integer ", "dark: Integer(Boolean)", "points: Integer "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, out)
		}
	}
}

// TestSameFromBothStores exports the same data from the embedded store and
// from PostGIS: every table, spatial index and metadata row is the same.
func TestSameFromBothStores(t *testing.T) {
	fromGPKG, _ := exportGPKG(t, gpkgStore(t))
	fromPostGIS, _ := exportGPKG(t, postgisStore(t))
	a, b := dump(t, fromGPKG), dump(t, fromPostGIS)
	if len(a) == 0 {
		t.Fatal("nothing dumped")
	}
	for table, rows := range a {
		if !reflect.DeepEqual(rows, b[table]) {
			t.Errorf("table %s differs between the stores' exports:\nembedded: %.600v\nPostGIS:  %.600v", table, rows, b[table])
		}
	}
	if len(a) != len(b) {
		t.Errorf("the exports have %d and %d tables", len(a), len(b))
	}
}

// dump reads every table of a GeoPackage but the times of last change.
func dump(t testing.TB, path string) map[string][]string {
	t.Helper()
	db := openSQLite(t, path)
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(fmt.Sprintf(`SELECT * FROM "%s" ORDER BY 1, 2`, table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cols {
				if c == "last_change" {
					vals[i] = nil
				}
			}
			out[table] = append(out[table], fmt.Sprintf("%#v", vals))
		}
		rows.Close()
	}
	return out
}

// TestDateTimes checks every DATETIME value of an export: UTC, to the
// millisecond, in the one form GeoPackage shows.
func TestDateTimes(t *testing.T) {
	path, _ := exportGPKG(t, gpkgStore(t))
	db := openSQLite(t, path)
	form := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	for _, l := range export.Layers {
		for _, f := range l.Fields {
			if f.Type != "DATETIME" {
				continue
			}
			rows, err := db.Query(fmt.Sprintf(`SELECT "%s" || '' FROM "%s"`, f.Name, l.Name))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v sql.NullString
				rows.Scan(&v)
				if !form.MatchString(v.String) {
					t.Errorf("%s.%s = %q", l.Name, f.Name, v.String)
				}
			}
			rows.Close()
		}
	}
}
