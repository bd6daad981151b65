package gpkg

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// This file is the GeoPackage container: the application id and version, the
// required gpkg_* tables (GeoPackage 1.3, Annex C), user tables registered in
// them, and the R-tree spatial index extension (Annex F.3). It knows nothing
// of shiptrack's model, so that the export writer can use it as it is.

// ApplicationID is "GPKG", the SQLite application_id of a GeoPackage.
const ApplicationID = 0x47504B47

// UserVersion is the GeoPackage version written: 1.3.0. Version 1.4 replaced
// two of the R-tree triggers (update1 and update3 by update6 and update7),
// and GDAL's validate_gpkg.py before 3.8 rejects an R-tree without update1
// and update3 while newer ones reject a 1.4 file that has them; a 1.3 file
// with the 1.3 triggers is valid to both, and to every GeoPackage reader.
const UserVersion = 10300

// executor runs statements: *sql.DB, *sql.Tx and *sql.Conn all do.
type executor interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// wgs84WKT is EPSG:4326 in the OGC WKT 1 form GeoPackage readers expect.
const wgs84WKT = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`

// coreSchema creates the tables every GeoPackage has and the reference
// systems it must define: WGS 84, and the undefined Cartesian (-1) and
// geographic (0) systems.
var coreSchema = []string{
	`CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
)`,
	`CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
)`,
	`CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
)`,
	`CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
)`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wgs84WKT + `', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
}

// InitSchema makes an empty SQLite database a GeoPackage: it sets the
// application id and version and creates the required tables. Run it in the
// transaction that creates the user tables, so that a failure leaves no
// half-made GeoPackage.
func InitSchema(ctx context.Context, x executor) error {
	stmts := append([]string{
		fmt.Sprintf("PRAGMA application_id = %d", ApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", UserVersion),
	}, coreSchema...)
	for _, q := range stmts {
		if _, err := x.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create GeoPackage tables: %w", err)
		}
	}
	return nil
}

// Column is a column of a user table. Type is a GeoPackage data type:
// INTEGER, REAL, TEXT, BOOLEAN, DATE or DATETIME.
type Column struct {
	Name    string
	Type    string
	NotNull bool
	Unique  bool
}

// Table is a user table: a feature table when Geometry is set, an attribute
// table otherwise. Every table gets an integer primary key "fid", as GDAL
// and QGIS expect.
type Table struct {
	Name        string
	Description string
	// Geometry is the geometry column's name and type, such as POINT or
	// MULTILINESTRING; its reference system is WGS84.
	Geometry *GeometryColumn
	Columns  []Column
	// Unique lists sets of columns whose values together are unique.
	Unique [][]string
}

// GeometryColumn is the geometry column of a feature table.
type GeometryColumn struct {
	Name string
	Type string
}

// rtreeName is the R-tree of a feature table's geometry column.
func (t Table) rtreeName() string { return "rtree_" + t.Name + "_" + t.Geometry.Name }

// CreateTable creates a user table and registers it: in gpkg_contents, and
// for a feature table in gpkg_geometry_columns, with an R-tree spatial index
// kept up to date by the standard triggers and declared in gpkg_extensions.
// Names are the program's own, never a user's; they are quoted all the same.
func CreateTable(ctx context.Context, x executor, t Table) error {
	if err := createUserTable(ctx, x, t); err != nil {
		return err
	}
	if t.Geometry == nil {
		return nil
	}
	if err := createRTreeTable(ctx, x, t); err != nil {
		return err
	}
	return createRTreeTriggers(ctx, x, t)
}

// createUserTable creates a user table and registers it, without a spatial
// index.
func createUserTable(ctx context.Context, x executor, t Table) error {
	cols := []string{`"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL`}
	for _, c := range t.Columns {
		def := quoteIdent(c.Name) + " " + c.Type
		if c.NotNull {
			def += " NOT NULL"
		}
		if c.Unique {
			def += " UNIQUE"
		}
		cols = append(cols, def)
	}
	dataType, srs := "attributes", any(nil)
	if t.Geometry != nil {
		cols = append(cols, quoteIdent(t.Geometry.Name)+" "+t.Geometry.Type+" NOT NULL")
		dataType, srs = "features", WGS84
	}
	for _, u := range t.Unique {
		quoted := make([]string, len(u))
		for i, c := range u {
			quoted[i] = quoteIdent(c)
		}
		cols = append(cols, "UNIQUE ("+strings.Join(quoted, ", ")+")")
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{"CREATE TABLE " + quoteIdent(t.Name) + " (\n  " + strings.Join(cols, ",\n  ") + "\n)", nil},
		{`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?, ?, ?, ?, ?)`,
			[]any{t.Name, dataType, t.Name, t.Description, srs}},
	}
	if t.Geometry != nil {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{`INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?, ?, ?, ?, 0, 0)`,
			[]any{t.Name, t.Geometry.Name, t.Geometry.Type, WGS84}})
	}
	for _, s := range stmts {
		if _, err := x.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("create table %s: %w", t.Name, err)
		}
	}
	return nil
}

// rtreeReplacer fills the placeholders of the R-tree statements for t.
func rtreeReplacer(t Table) *strings.Replacer {
	return strings.NewReplacer(
		"<t>", quoteIdent(t.Name),
		"<c>", quoteIdent(t.Geometry.Name),
		"<i>", `"fid"`,
		"<r>", quoteIdent(t.rtreeName()),
		"<n>", t.rtreeName(),
	)
}

// createRTreeTable creates the R-tree of the gpkg_rtree_index extension for
// a feature table, empty.
func createRTreeTable(ctx context.Context, x executor, t Table) error {
	q := rtreeReplacer(t).Replace(`CREATE VIRTUAL TABLE <r> USING rtree(id, minx, maxx, miny, maxy)`)
	if _, err := x.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("create spatial index on %s: %w", t.Name, err)
	}
	return nil
}

// createRTreeTriggers adds the triggers that keep a feature table's R-tree
// in step with it, and the row declaring the extension.
func createRTreeTriggers(ctx context.Context, x executor, t Table) error {
	r := rtreeReplacer(t)
	for _, q := range rtreeTriggers {
		if _, err := x.ExecContext(ctx, r.Replace(q)); err != nil {
			return fmt.Errorf("create spatial index on %s: %w", t.Name, err)
		}
	}
	if _, err := x.ExecContext(ctx,
		`INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec/#extension_rtree', 'write-only')`,
		t.Name, t.Geometry.Name); err != nil {
		return fmt.Errorf("declare spatial index on %s: %w", t.Name, err)
	}
	return nil
}

// rtreeTriggers are the GeoPackage 1.3 R-tree triggers, with <t> the table,
// <c> the geometry column, <i> the primary key, <r> the R-tree and <n> its
// bare name for naming the triggers.
var rtreeTriggers = []string{
	// Insertion of a non-empty geometry.
	`CREATE TRIGGER "<n>_insert" AFTER INSERT ON <t>
  WHEN (NEW.<c> NOT NULL AND NOT ST_IsEmpty(NEW.<c>))
BEGIN
  INSERT OR REPLACE INTO <r> VALUES (
    NEW.<i>, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>));
END`,
	// Update of the geometry to a non-empty one, the row id unchanged.
	`CREATE TRIGGER "<n>_update1" AFTER UPDATE OF <c> ON <t>
  WHEN OLD.<i> = NEW.<i> AND (NEW.<c> NOTNULL AND NOT ST_IsEmpty(NEW.<c>))
BEGIN
  INSERT OR REPLACE INTO <r> VALUES (
    NEW.<i>, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>));
END`,
	// Update of the geometry to an empty one, the row id unchanged.
	`CREATE TRIGGER "<n>_update2" AFTER UPDATE OF <c> ON <t>
  WHEN OLD.<i> = NEW.<i> AND (NEW.<c> ISNULL OR ST_IsEmpty(NEW.<c>))
BEGIN
  DELETE FROM <r> WHERE id = OLD.<i>;
END`,
	// Update that changes the row id, to a non-empty geometry.
	`CREATE TRIGGER "<n>_update3" AFTER UPDATE OF <c> ON <t>
  WHEN OLD.<i> != NEW.<i> AND (NEW.<c> NOTNULL AND NOT ST_IsEmpty(NEW.<c>))
BEGIN
  DELETE FROM <r> WHERE id = OLD.<i>;
  INSERT OR REPLACE INTO <r> VALUES (
    NEW.<i>, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>));
END`,
	// Update that changes the row id, to an empty geometry.
	`CREATE TRIGGER "<n>_update4" AFTER UPDATE ON <t>
  WHEN OLD.<i> != NEW.<i> AND (NEW.<c> ISNULL OR ST_IsEmpty(NEW.<c>))
BEGIN
  DELETE FROM <r> WHERE id IN (OLD.<i>, NEW.<i>);
END`,
	// Deletion of a row.
	`CREATE TRIGGER "<n>_delete" AFTER DELETE ON <t>
  WHEN OLD.<c> NOT NULL
BEGIN
  DELETE FROM <r> WHERE id = OLD.<i>;
END`,
}

// touchContents records in gpkg_contents that a table changed and, for a
// feature table, sets the extent readers show for the layer to that of its
// rows, or none when it has none.
func touchContents(ctx context.Context, x executor, t Table) error {
	q := `UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?`
	if t.Geometry != nil {
		r := strings.NewReplacer("<t>", quoteIdent(t.Name), "<c>", quoteIdent(t.Geometry.Name))
		q = r.Replace(`UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'),
  min_x = (SELECT min(ST_MinX(<c>)) FROM <t>), min_y = (SELECT min(ST_MinY(<c>)) FROM <t>),
  max_x = (SELECT max(ST_MaxX(<c>)) FROM <t>), max_y = (SELECT max(ST_MaxY(<c>)) FROM <t>)
WHERE table_name = ?`)
	}
	if _, err := x.ExecContext(ctx, q, t.Name); err != nil {
		return fmt.Errorf("update gpkg_contents for %s: %w", t.Name, err)
	}
	return nil
}

// growContents records that rows were added to a feature table within b,
// widening its extent without reading the table: for tables too large to
// scan on every write.
func growContents(ctx context.Context, x executor, table string, b orb.Bound) error {
	_, err := x.ExecContext(ctx, `UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'),
  min_x = min(coalesce(min_x, ?1), ?1), min_y = min(coalesce(min_y, ?2), ?2),
  max_x = max(coalesce(max_x, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4)
WHERE table_name = ?5`, b.Min[0], b.Min[1], b.Max[0], b.Max[1], table)
	if err != nil {
		return fmt.Errorf("update gpkg_contents for %s: %w", table, err)
	}
	return nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
