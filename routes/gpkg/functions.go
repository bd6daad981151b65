package gpkg

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"modernc.org/sqlite"
)

// The R-tree triggers of the GeoPackage spatial index extension call
// ST_IsEmpty, ST_MinX, ST_MaxX, ST_MinY and ST_MaxY (GeoPackage 1.3, Annex
// F.3). SQLite has no such functions; GDAL and QGIS register their own, and so
// must every other writer, or inserting a feature fails with "no such
// function". They are registered on a driver private to this package, so
// that no other user of modernc.org/sqlite in the process sees or clashes
// with them.

var sqliteDriver = newDriver()

func newDriver() *sqlite.Driver {
	d := &sqlite.Driver{}
	d.MustRegisterDeterministicScalarFunction("ST_IsEmpty", 1, stIsEmpty)
	for name, pick := range map[string]func(orb.Bound) float64{
		"ST_MinX": func(b orb.Bound) float64 { return b.Min[0] },
		"ST_MaxX": func(b orb.Bound) float64 { return b.Max[0] },
		"ST_MinY": func(b orb.Bound) float64 { return b.Min[1] },
		"ST_MaxY": func(b orb.Bound) float64 { return b.Max[1] },
	} {
		d.MustRegisterDeterministicScalarFunction(name, 1, envelopeFunc(name, pick))
	}
	return d
}

// openDB opens an SQLite database through the private driver.
func openDB(dsn string) *sql.DB { return sql.OpenDB(connector{dsn}) }

type connector struct{ dsn string }

func (c connector) Connect(context.Context) (driver.Conn, error) { return sqliteDriver.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return sqliteDriver }

// stIsEmpty is 1 for an empty geometry, 0 otherwise, and NULL for NULL.
func stIsEmpty(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	b, ok, err := blobArg("ST_IsEmpty", args)
	if !ok || err != nil {
		return nil, err
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, fmt.Errorf("ST_IsEmpty: %w", err)
	}
	if h.empty {
		return int64(1), nil
	}
	if p, ok := wkbPoint(h.wkb); ok && (math.IsNaN(p[0]) || math.IsNaN(p[1])) {
		return int64(1), nil // how GDAL writes POINT EMPTY
	}
	return int64(0), nil
}

// envelopeFunc makes one of ST_MinX, ST_MaxX, ST_MinY and ST_MaxY: NULL for
// NULL or an empty geometry, otherwise the coordinate picked from its
// envelope, read from the blob's header when it has one.
func envelopeFunc(name string, pick func(orb.Bound) float64) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
	return func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		b, ok, err := blobArg(name, args)
		if !ok || err != nil {
			return nil, err
		}
		h, err := parseHeader(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		switch {
		case h.empty:
			return nil, nil
		case h.envelope != nil:
			return pick(*h.envelope), nil
		}
		if p, ok := wkbPoint(h.wkb); ok {
			return pick(orb.Bound{Min: p, Max: p}), nil
		}
		g, _, err := DecodeGeometry(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return pick(g.Bound()), nil
	}
}

// blobArg returns the single blob argument; ok is false for NULL.
func blobArg(fn string, args []driver.Value) ([]byte, bool, error) {
	switch v := args[0].(type) {
	case nil:
		return nil, false, nil
	case []byte:
		return v, true, nil
	default:
		return nil, false, fmt.Errorf("%s: want a geometry blob, got %T", fn, v)
	}
}
