package gpkg

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.StaticStore = (*Store)(nil)

// staticTable holds AIS static data by MMSI. It is created on first use, so
// that files made before it existed need no upgrade.
var staticTable = Table{
	Name:        "ais_static",
	Description: "Vessel identities from AIS static reports, by MMSI",
	Columns: []Column{{Name: "mmsi", Type: "TEXT", NotNull: true, Unique: true}, col("imo", "TEXT"),
		col("name", "TEXT"), col("call_sign", "TEXT"), col("ship_type", "INTEGER"), col("ship_type_text", "TEXT")},
}

// AddStatic records AIS static data by MMSI in one transaction; a field
// left empty keeps the stored value. It reports the records new or changed.
func (s *Store) AddStatic(ctx context.Context, recs []routes.AISStatic) (int, error) {
	if s.closed.Load() {
		return 0, s.errClosed()
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.unavailable("add static data to", err)
	}
	defer tx.Rollback()
	has, err := hasTable(ctx, tx, staticTable.Name)
	if err != nil {
		return 0, s.unavailable("add static data to", err)
	}
	if !has {
		if err := CreateTable(ctx, tx, staticTable); err != nil {
			return 0, fmt.Errorf("add static data to %s: %w", s.path, err)
		}
	}
	n := 0
	for _, r := range recs {
		res, err := tx.ExecContext(ctx, `INSERT INTO ais_static (mmsi, imo, name, call_sign, ship_type, ship_type_text)
			VALUES (?1, nullif(?2, ''), nullif(?3, ''), nullif(?4, ''), nullif(?5, 0), nullif(?6, ''))
			ON CONFLICT (mmsi) DO UPDATE SET
				imo = coalesce(excluded.imo, imo), name = coalesce(excluded.name, name),
				call_sign = coalesce(excluded.call_sign, call_sign), ship_type = coalesce(excluded.ship_type, ship_type),
				ship_type_text = coalesce(excluded.ship_type_text, ship_type_text)
			WHERE coalesce(excluded.imo, imo) IS NOT imo OR coalesce(excluded.name, name) IS NOT name
				OR coalesce(excluded.call_sign, call_sign) IS NOT call_sign OR coalesce(excluded.ship_type, ship_type) IS NOT ship_type
				OR coalesce(excluded.ship_type_text, ship_type_text) IS NOT ship_type_text`,
			r.MMSI, r.IMO, r.Name, r.CallSign, r.ShipType, r.ShipTypeText)
		if err != nil {
			return 0, fmt.Errorf("add static data of MMSI %s to %s: %w", r.MMSI, s.path, err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
	}
	if n > 0 {
		if err := touchContents(ctx, tx, staticTable); err != nil {
			return 0, s.unavailable("add static data to", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, s.unavailable("add static data to", err)
	}
	return n, nil
}

// StaticByIMO lists the static data of the MMSIs that reported imo.
func (s *Store) StaticByIMO(ctx context.Context, imo string) ([]routes.AISStatic, error) {
	if s.closed.Load() {
		return nil, s.errClosed()
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.unavailable("read static data from", err)
	}
	defer tx.Rollback()
	if has, err := hasTable(ctx, tx, staticTable.Name); err != nil || !has {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT mmsi, coalesce(imo, ''), coalesce(name, ''), coalesce(call_sign, ''),
		coalesce(ship_type, 0), coalesce(ship_type_text, '') FROM ais_static WHERE imo = ? ORDER BY mmsi`, imo)
	if err != nil {
		return nil, s.unavailable("read static data from", err)
	}
	defer rows.Close()
	var out []routes.AISStatic
	for rows.Next() {
		var a routes.AISStatic
		if err := rows.Scan(&a.MMSI, &a.IMO, &a.Name, &a.CallSign, &a.ShipType, &a.ShipTypeText); err != nil {
			return nil, fmt.Errorf("read static data from %s: %w", s.path, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.unavailable("read static data from", err)
	}
	return out, nil
}
