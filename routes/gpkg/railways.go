package gpkg

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

var _ routes.RailStore = (*Store)(nil)

// railWaysTable holds the track ingested from OpenStreetMap. It is made on
// the first write, so that files from before it still open: a store without
// it has no ways.
var railWaysTable = Table{
	Name:        "rail_ways",
	Description: "Railway track from OpenStreetMap, for the rail router",
	Geometry:    geom("LINESTRING"),
	Columns: []Column{required("way_id", "INTEGER"), required("part", "INTEGER"),
		// The way's node ids, little-endian int64s: the router joins ways
		// where they share one.
		required("nodes", "BLOB")},
	Unique: [][]string{{"way_id", "part"}},
}

// PutRailWays upserts ways by (ID, Part) in one transaction and reports how
// many were new or changed.
func (s *Store) PutRailWays(ctx context.Context, ways []routes.RailWay) (int, error) {
	if s.closed.Load() {
		return 0, s.errClosed()
	}
	for i, w := range ways {
		if err := routes.CheckRailWay(w); err != nil {
			return 0, fmt.Errorf("rail ways[%d] (way %d): %w", i, w.ID, err)
		}
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.unavailable("write rail ways to", err)
	}
	defer tx.Rollback()
	exists, err := hasTable(ctx, tx, railWaysTable.Name)
	if err != nil {
		return 0, s.unavailable("write rail ways to", err)
	}
	if !exists {
		if err := CreateTable(ctx, tx, railWaysTable); err != nil {
			return 0, fmt.Errorf("write rail ways to %s: %w", s.path, err)
		}
	}
	// Read, then insert or update: an UPSERT would override the OR REPLACE
	// in the R-tree's triggers and fail on the index.
	get, err := tx.PrepareContext(ctx, `SELECT nodes, geom FROM rail_ways WHERE way_id = ? AND part = ?`)
	if err != nil {
		return 0, s.unavailable("write rail ways to", err)
	}
	defer get.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO rail_ways (way_id, part, nodes, geom) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return 0, s.unavailable("write rail ways to", err)
	}
	defer ins.Close()
	upd, err := tx.PrepareContext(ctx, `UPDATE rail_ways SET nodes = ?3, geom = ?4 WHERE way_id = ?1 AND part = ?2`)
	if err != nil {
		return 0, s.unavailable("write rail ways to", err)
	}
	defer upd.Close()
	changed := 0
	var bound orb.Bound
	for i, w := range ways {
		g, err := EncodeGeometry(w.Line, WGS84)
		if err != nil {
			return 0, fmt.Errorf("rail ways[%d] (way %d): %w", i, w.ID, err)
		}
		nodes := encodeNodes(w.Nodes)
		var oldNodes, oldGeom []byte
		write := ins
		switch err := get.QueryRowContext(ctx, w.ID, w.Part).Scan(&oldNodes, &oldGeom); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, s.unavailable("write rail ways to", err)
		case bytes.Equal(oldNodes, nodes) && bytes.Equal(oldGeom, g):
			continue
		default:
			write = upd
		}
		if _, err := write.ExecContext(ctx, w.ID, w.Part, nodes, g); err != nil {
			return 0, s.unavailable("write rail ways to", err)
		}
		if changed == 0 {
			bound = w.Line.Bound()
		} else {
			bound = bound.Union(w.Line.Bound())
		}
		changed++
	}
	if changed > 0 {
		if err := growContents(ctx, tx, railWaysTable.Name, bound); err != nil {
			return 0, s.unavailable("write rail ways to", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, s.unavailable("write rail ways to", err)
	}
	return changed, nil
}

// RailWays streams the stored ways by id and part.
func (s *Store) RailWays(ctx context.Context) iter.Seq2[routes.RailWay, error] {
	return func(yield func(routes.RailWay, error) bool) {
		fail := func(err error) { yield(routes.RailWay{}, s.unavailable("read rail ways from", err)) }
		if s.closed.Load() {
			yield(routes.RailWay{}, s.errClosed())
			return
		}
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			fail(err)
			return
		}
		defer tx.Rollback()
		if ok, err := hasTable(ctx, tx, railWaysTable.Name); err != nil || !ok {
			if err != nil {
				fail(err)
			}
			return
		}
		rows, err := tx.QueryContext(ctx, `SELECT way_id, part, nodes, geom FROM rail_ways ORDER BY way_id, part`)
		if err != nil {
			fail(err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var w routes.RailWay
			var nodes []byte
			if err := rows.Scan(&w.ID, &w.Part, &nodes, geometry[orb.LineString]{&w.Line}); err != nil {
				fail(err)
				return
			}
			if w.Nodes, err = decodeNodes(nodes); err != nil {
				yield(routes.RailWay{}, fmt.Errorf("read rail way %d from %s: %w", w.ID, s.path, err))
				return
			}
			if !yield(w, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			fail(err)
		}
	}
}

// hasTable reports whether the file has the named table yet: the store
// makes some only on their first write.
func hasTable(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM gpkg_contents WHERE table_name = ?`, name).Scan(&n)
	return n > 0, err
}

func encodeNodes(ids []int64) []byte {
	b := make([]byte, 0, 8*len(ids))
	for _, id := range ids {
		b = binary.LittleEndian.AppendUint64(b, uint64(id))
	}
	return b
}

func decodeNodes(b []byte) ([]int64, error) {
	if len(b)%8 != 0 {
		return nil, errors.New("nodes: not a whole number of int64s")
	}
	ids := make([]int64, len(b)/8)
	for i := range ids {
		ids[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return ids, nil
}
