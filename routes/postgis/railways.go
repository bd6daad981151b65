package postgis

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.RailStore = (*Store)(nil)

// upsertRailWay writes a way unless it is stored as it is: RowsAffected is 1
// for a new or changed way, 0 otherwise. Lines compare by their WKB, so that
// a change in any coordinate counts.
const upsertRailWay = `INSERT INTO rail_ways (way_id, part, nodes, geom) VALUES ($1, $2, $3, ST_GeomFromWKB($4, 4326))
ON CONFLICT (way_id, part) DO UPDATE SET nodes = EXCLUDED.nodes, geom = EXCLUDED.geom
WHERE rail_ways.nodes IS DISTINCT FROM EXCLUDED.nodes OR ST_AsBinary(rail_ways.geom) IS DISTINCT FROM ST_AsBinary(EXCLUDED.geom)`

// railBatch is how many ways go to the server in one round trip.
const railBatch = 1000

// PutRailWays upserts ways by (ID, Part) in one transaction and reports how
// many were new or changed.
func (s *Store) PutRailWays(ctx context.Context, ways []routes.RailWay) (int, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	for i, w := range ways {
		if err := routes.CheckRailWay(w); err != nil {
			return 0, fmt.Errorf("rail ways[%d] (way %d): %w", i, w.ID, err)
		}
	}
	changed := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		changed = 0
		for start := 0; start < len(ways); start += railBatch {
			var w writes
			for _, way := range ways[start:min(start+railBatch, len(ways))] {
				line, err := wkb.Marshal(way.Line, binary.LittleEndian)
				if err != nil {
					return fmt.Errorf("way %d: %w", way.ID, err)
				}
				w.queue(fmt.Sprintf("write rail way %d", way.ID), count(&changed), upsertRailWay, way.ID, way.Part, way.Nodes, line)
			}
			if err := w.send(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fail("write rail ways", err)
	}
	return changed, nil
}

// RailWays streams the stored ways by id and part.
func (s *Store) RailWays(ctx context.Context) iter.Seq2[routes.RailWay, error] {
	return func(yield func(routes.RailWay, error) bool) {
		if s.closed.Load() {
			yield(routes.RailWay{}, errClosed)
			return
		}
		rows, err := s.pool.Query(ctx, `SELECT way_id, part, nodes, ST_AsBinary(geom) FROM rail_ways ORDER BY way_id, part`)
		if err != nil {
			yield(routes.RailWay{}, fail("read rail ways", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var w routes.RailWay
			var line []byte
			if err := rows.Scan(&w.ID, &w.Part, &w.Nodes, &line); err != nil {
				yield(routes.RailWay{}, fail("read rail ways", err))
				return
			}
			g, err := wkb.Unmarshal(line)
			ls, ok := g.(orb.LineString)
			if err != nil || !ok {
				yield(routes.RailWay{}, fmt.Errorf("read rail way %d: not a line: %v", w.ID, err))
				return
			}
			w.Line = ls
			if !yield(w, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(routes.RailWay{}, fail("read rail ways", err))
		}
	}
}
