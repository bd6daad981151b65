package postgis

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.StaticStore = (*Store)(nil)

// AddStatic records AIS static data by MMSI in one transaction; a field
// left empty keeps the stored value. It reports the records new or changed.
func (s *Store) AddStatic(ctx context.Context, recs []routes.AISStatic) (int, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var w writes
		for _, r := range recs {
			w.queue("static data of MMSI "+r.MMSI, count(&n), `INSERT INTO ais_static AS a (mmsi, imo, name, call_sign, ship_type, ship_type_text)
				VALUES ($1, nullif($2, ''), nullif($3, ''), nullif($4, ''), nullif($5, 0), nullif($6, ''))
				ON CONFLICT (mmsi) DO UPDATE SET
					imo = coalesce(EXCLUDED.imo, a.imo), name = coalesce(EXCLUDED.name, a.name),
					call_sign = coalesce(EXCLUDED.call_sign, a.call_sign), ship_type = coalesce(EXCLUDED.ship_type, a.ship_type),
					ship_type_text = coalesce(EXCLUDED.ship_type_text, a.ship_type_text)
				WHERE (coalesce(EXCLUDED.imo, a.imo), coalesce(EXCLUDED.name, a.name), coalesce(EXCLUDED.call_sign, a.call_sign),
					coalesce(EXCLUDED.ship_type, a.ship_type), coalesce(EXCLUDED.ship_type_text, a.ship_type_text))
					IS DISTINCT FROM (a.imo, a.name, a.call_sign, a.ship_type, a.ship_type_text)`,
				r.MMSI, r.IMO, r.Name, r.CallSign, r.ShipType, r.ShipTypeText)
		}
		return w.send(ctx, tx)
	})
	if err != nil {
		return 0, fail("add static data", err)
	}
	return n, nil
}

// StaticByIMO lists the static data of the MMSIs that reported imo.
func (s *Store) StaticByIMO(ctx context.Context, imo string) ([]routes.AISStatic, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	rows, err := s.pool.Query(ctx, `SELECT mmsi, coalesce(imo, ''), coalesce(name, ''), coalesce(call_sign, ''),
		coalesce(ship_type, 0), coalesce(ship_type_text, '') FROM ais_static WHERE imo = $1 ORDER BY mmsi`, imo)
	if err != nil {
		return nil, fail("read static data", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (routes.AISStatic, error) {
		var a routes.AISStatic
		err := row.Scan(&a.MMSI, &a.IMO, &a.Name, &a.CallSign, &a.ShipType, &a.ShipTypeText)
		return a, err
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fail("read static data", err)
	}
	return out, nil
}
