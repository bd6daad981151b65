package postgis

import (
	"context"
	"fmt"
	"iter"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/shiptrack/shiptrack/routes"
)

// fetchSize is how many positions one FETCH reads from the cursor.
const fetchSize = 1000

// positionTable is how positions are read, by Positions and by the
// collection's queries.
var positionTable = table[routes.Position]{what: "position", from: "positions p", alias: "p",
	order: "p.time, p.mmsi", cols: `p.mmsi, p.time, ST_X(p.geom), ST_Y(p.geom), p.sog, p.cog, p.heading, p.nav_status`,
	scan: scanPosition}

func scanPosition(r pgx.CollectableRow, extra ...any) (routes.Position, error) {
	var p routes.Position
	err := r.Scan(append([]any{&p.MMSI, &p.Time, &p.Lon, &p.Lat, &p.SOG, &p.COG, &p.Heading, &p.NavStatus}, extra...)...)
	p.Time = p.Time.UTC()
	return p, err
}

// positionConds are the conditions q puts on positions aliased p.
func positionConds(f *filter, q routes.Query) {
	f.during("p.time", "p.time", q.During)
	f.bbox("p.geom", q.BBox)
	f.near("p.geom", q.Near)
	f.mmsi("p.mmsi", q)
}

// Positions streams the positions matching q by time and MMSI. It reads
// them through a server-side cursor, a batch at a time, so memory stays
// flat however many match; a consumer that stops early closes the cursor
// without the server sending the rest.
func (s *Store) Positions(ctx context.Context, q routes.Query) iter.Seq2[routes.Position, error] {
	return func(yield func(routes.Position, error) bool) {
		if s.closed.Load() {
			yield(routes.Position{}, errClosed)
			return
		}
		stopped := false
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			var f filter
			positionConds(&f, q)
			sql := "DECLARE positions_cursor NO SCROLL CURSOR FOR SELECT " + positionTable.cols + " FROM " + positionTable.from +
				f.where() + " ORDER BY " + positionTable.order + f.page(q)
			if _, err := tx.Exec(ctx, sql, f.args...); err != nil {
				return err
			}
			for {
				rows, err := tx.Query(ctx, fmt.Sprintf("FETCH FORWARD %d FROM positions_cursor", fetchSize))
				if err != nil {
					return err
				}
				n := 0
				for rows.Next() {
					n++
					p, err := scanPosition(rows)
					if err != nil {
						rows.Close()
						return err
					}
					if !yield(p, nil) {
						rows.Close()
						stopped = true
						return nil
					}
				}
				if err := rows.Err(); err != nil {
					return err
				}
				if n < fetchSize {
					return nil
				}
			}
		})
		if err != nil && !stopped {
			yield(routes.Position{}, fail("read positions", err))
		}
	}
}

// CountPositions counts the positions matching q, ignoring Limit and Offset.
func (s *Store) CountPositions(ctx context.Context, q routes.Query) (int, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	var f filter
	positionConds(&f, q)
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM positions p"+f.where(), f.args...).Scan(&n); err != nil {
		return 0, fail("count positions", err)
	}
	return int(n), nil
}

// AddPositions copies ps into a temporary table and inserts from there in
// one transaction, skipping positions whose (MMSI, time) is stored or came
// earlier in ps. It reports how many were new. A position with coordinates
// out of range, or an error from ps, writes nothing; a nil ps is empty.
func (s *Store) AddPositions(ctx context.Context, ps iter.Seq2[routes.Position, error]) (int, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	if ps == nil {
		return 0, nil
	}
	var added int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE positions_in (
			ord bigint, mmsi text, time timestamptz, lon float8, lat float8,
			sog float8, cog float8, heading integer, nav_status integer) ON COMMIT DROP`); err != nil {
			return fail("create staging table", err)
		}
		next, stop := iter.Pull2(ps)
		defer stop()
		var bad error // the input's fault, not the database's
		var ord int64
		src := pgx.CopyFromFunc(func() ([]any, error) {
			p, err, ok := next()
			if !ok {
				return nil, nil
			}
			if err == nil {
				err = checkPosition(p)
			}
			if err != nil {
				bad = fmt.Errorf("position %d: %w", ord, err)
				return nil, bad
			}
			ord++
			return []any{ord, p.MMSI, utc(p.Time), p.Lon, p.Lat, p.SOG, p.COG, p.Heading, p.NavStatus}, nil
		})
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"positions_in"},
			[]string{"ord", "mmsi", "time", "lon", "lat", "sog", "cog", "heading", "nav_status"}, src)
		if bad != nil {
			return bad
		}
		if err != nil {
			return fail("copy positions", err)
		}
		// DISTINCT ON keeps the first of positions repeated within ps.
		ct, err := tx.Exec(ctx, `INSERT INTO positions (mmsi, time, geom, sog, cog, heading, nav_status)
			SELECT DISTINCT ON (mmsi, time) mmsi, time, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
				sog, cog, heading, nav_status
			FROM positions_in ORDER BY mmsi, time, ord
			ON CONFLICT DO NOTHING`)
		if err != nil {
			return fail("insert positions", err)
		}
		added = int(ct.RowsAffected())
		return nil
	})
	if err != nil {
		return 0, fail("add positions", err)
	}
	return added, nil
}

// checkPosition rejects what the positions table cannot hold, naming the
// field, before the copy fails on it with less to say.
func checkPosition(p routes.Position) error {
	switch {
	case p.MMSI == "":
		return fmt.Errorf("mmsi: is required")
	case p.Time.IsZero():
		return fmt.Errorf("mmsi %s: time: is required", p.MMSI)
	case math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("mmsi %s at %s: lon: %v is outside [-180, 180]", p.MMSI, routes.FormatTime(p.Time), p.Lon)
	case math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("mmsi %s at %s: lat: %v is outside [-90, 90]", p.MMSI, routes.FormatTime(p.Time), p.Lat)
	}
	return nil
}
