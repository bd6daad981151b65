package gpkg

import (
	"bufio"
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// This file packs a GeoPackage spatial index in one go. The index is an
// SQLite R*Tree virtual table (GeoPackage 1.3, Annex F.3), kept in three
// shadow tables of the R-tree module:
//
//	<r>_node(nodeno INTEGER PRIMARY KEY, data)     one blob per node
//	<r>_rowid(rowid INTEGER PRIMARY KEY, nodeno)   the leaf holding each feature
//	<r>_parent(nodeno INTEGER PRIMARY KEY, parentnode)
//
// A node blob is a 2-byte depth of the tree (read from the root only, zero
// elsewhere), a 2-byte cell count, then the cells: an 8-byte id (the
// feature's fid in a leaf, a child's node number above) and minx, maxx,
// miny, maxy as 4-byte floats, all big-endian. Every blob is as long as the
// root's, which the module sizes when the table is created; node 1 is the
// root.
//
// Inserting features one at a time through the virtual table costs more than
// writing the features themselves (SQLite rewrites a node per insert and
// re-balances as it goes). Packing is cheaper and gives a better tree: the
// entries are sorted along a Hilbert curve, so that neighbours share nodes,
// cut into full leaves, and the leaves grouped into parents the same way up
// to the root. The tree is then an ordinary R*Tree: the module's triggers
// insert into it and delete from it as they would into one it grew itself.
// SQLite's own rtreecheck() verifies it in the tests.
//
// Sorting millions of entries in memory would make memory grow with the
// table, so entries are sorted in runs of runLength, spilled to a temporary
// file, and merged as the leaves are written.

// runLength is how many entries are sorted in memory at a time: 2 MiB.
const runLength = 1 << 16

// rtreeCellSize is the size of a 2-dimensional cell in a node blob.
const rtreeCellSize = 8 + 4*4

// entry is one feature, or one node, in the index.
type entry struct {
	key                    uint64 // position along the Hilbert curve
	id                     int64
	minX, maxX, minY, maxY float32
}

func (e entry) less(f entry) int {
	if c := cmp.Compare(e.key, f.key); c != 0 {
		return c
	}
	return cmp.Compare(e.id, f.id)
}

func encodeEntry(b []byte, e entry) {
	binary.LittleEndian.PutUint64(b[0:], e.key)
	binary.LittleEndian.PutUint64(b[8:], uint64(e.id))
	binary.LittleEndian.PutUint32(b[16:], math.Float32bits(e.minX))
	binary.LittleEndian.PutUint32(b[20:], math.Float32bits(e.maxX))
	binary.LittleEndian.PutUint32(b[24:], math.Float32bits(e.minY))
	binary.LittleEndian.PutUint32(b[28:], math.Float32bits(e.maxY))
}

func decodeEntry(b []byte) entry {
	return entry{
		key:  binary.LittleEndian.Uint64(b[0:]),
		id:   int64(binary.LittleEndian.Uint64(b[8:])),
		minX: math.Float32frombits(binary.LittleEndian.Uint32(b[16:])),
		maxX: math.Float32frombits(binary.LittleEndian.Uint32(b[20:])),
		minY: math.Float32frombits(binary.LittleEndian.Uint32(b[24:])),
		maxY: math.Float32frombits(binary.LittleEndian.Uint32(b[28:])),
	}
}

// leafOf is the leaf that holds a feature: a row of <r>_rowid.
type leafOf struct{ fid, node int64 }

func (a leafOf) less(b leafOf) int { return cmp.Compare(a.fid, b.fid) }

func encodeLeafOf(b []byte, l leafOf) {
	binary.LittleEndian.PutUint64(b[0:], uint64(l.fid))
	binary.LittleEndian.PutUint64(b[8:], uint64(l.node))
}

func decodeLeafOf(b []byte) leafOf {
	return leafOf{int64(binary.LittleEndian.Uint64(b[0:])), int64(binary.LittleEndian.Uint64(b[8:]))}
}

// rtreeLoader collects a table's entries and packs them into its R-tree.
type rtreeLoader struct {
	entries *sorter[entry]
	tmpDir  string
}

func newRTreeLoader(tmpDir string) *rtreeLoader {
	return &rtreeLoader{tmpDir: tmpDir, entries: newSorter(tmpDir, 32, encodeEntry, decodeEntry, entry.less)}
}

// add records a feature's envelope, rounded outwards to float32 as the
// R-tree module rounds it, so that the index never misses the feature.
func (l *rtreeLoader) add(fid int64, b orb.Bound) error {
	e := entry{id: fid, minX: down32(b.Min[0]), maxX: up32(b.Max[0]), minY: down32(b.Min[1]), maxY: up32(b.Max[1])}
	e.key = hilbert((b.Min[0]+b.Max[0])/2, (b.Min[1]+b.Max[1])/2)
	return l.entries.add(e)
}

func (l *rtreeLoader) close() { l.entries.close() }

// sorter sorts more records than memory should hold: runs of runLength are
// sorted in memory and spilled to a temporary file, then merged.
type sorter[T any] struct {
	tmpDir string
	size   int // a record's encoded size
	encode func([]byte, T)
	decode func([]byte) T
	cmp    func(T, T) int
	run    []T
	spill  *os.File // nil until the first run is spilled
	runs   []int64  // the offset of each spilled run's end
	n      int
}

func newSorter[T any](tmpDir string, size int, encode func([]byte, T), decode func([]byte) T, cmp func(T, T) int) *sorter[T] {
	return &sorter[T]{tmpDir: tmpDir, size: size, encode: encode, decode: decode, cmp: cmp, run: make([]T, 0, 1024)}
}

func (s *sorter[T]) add(x T) error {
	s.run = append(s.run, x)
	s.n++
	if len(s.run) == runLength {
		return s.spillRun()
	}
	return nil
}

// spillRun sorts the run in memory and appends it to the spill file.
func (s *sorter[T]) spillRun() error {
	slices.SortFunc(s.run, s.cmp)
	if s.spill == nil {
		f, err := os.CreateTemp(s.tmpDir, ".shiptrack-sort-*")
		if err != nil {
			return fmt.Errorf("spill sorted records: %w", err)
		}
		// Unlinked at once: the file vanishes with the process, however it
		// ends.
		os.Remove(f.Name())
		s.spill = f
	}
	w := bufio.NewWriterSize(s.spill, 64<<10)
	b := make([]byte, s.size)
	for _, x := range s.run {
		s.encode(b, x)
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("spill sorted records: %w", err)
	}
	end := int64(0)
	if len(s.runs) > 0 {
		end = s.runs[len(s.runs)-1]
	}
	s.runs = append(s.runs, end+int64(len(s.run)*s.size))
	s.run = s.run[:0]
	return nil
}

// close removes the spill file and forgets the records.
func (s *sorter[T]) close() {
	if s.spill != nil {
		s.spill.Close()
		s.spill = nil
	}
	s.run, s.runs, s.n = nil, nil, 0
}

// sorted yields every record in order: from memory when nothing was
// spilled, otherwise by merging the runs. The function returned with it
// reports a failure to read the runs back.
func (s *sorter[T]) sorted() (func(yield func(T) bool), func() error, error) {
	if s.spill == nil {
		slices.SortFunc(s.run, s.cmp)
		return slices.Values(s.run), func() error { return nil }, nil
	}
	if len(s.run) > 0 {
		if err := s.spillRun(); err != nil {
			return nil, nil, err
		}
	}
	h := &mergeHeap[T]{cmp: s.cmp}
	start := int64(0)
	for _, end := range s.runs {
		r := &runReader[T]{r: bufio.NewReaderSize(io.NewSectionReader(s.spill, start, end-start), 16<<10),
			buf: make([]byte, s.size), decode: s.decode}
		if r.next() {
			h.items = append(h.items, r)
		} else if r.err != nil {
			return nil, nil, r.err
		}
		start = end
	}
	heap.Init(h)
	var err error
	seq := func(yield func(T) bool) {
		for h.Len() > 0 {
			r := h.items[0]
			if !yield(r.cur) {
				return
			}
			if r.next() {
				heap.Fix(h, 0)
				continue
			}
			if r.err != nil {
				err = r.err
				return
			}
			heap.Pop(h)
		}
	}
	return seq, func() error { return err }, nil
}

// runReader reads one sorted run back.
type runReader[T any] struct {
	r      *bufio.Reader
	cur    T
	err    error
	buf    []byte
	decode func([]byte) T
}

func (r *runReader[T]) next() bool {
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		if err != io.EOF {
			r.err = fmt.Errorf("read back sorted records: %w", err)
		}
		return false
	}
	r.cur = r.decode(r.buf)
	return true
}

// mergeHeap orders the runs by their current record.
type mergeHeap[T any] struct {
	items []*runReader[T]
	cmp   func(T, T) int
}

func (h *mergeHeap[T]) Len() int           { return len(h.items) }
func (h *mergeHeap[T]) Less(i, j int) bool { return h.cmp(h.items[i].cur, h.items[j].cur) < 0 }
func (h *mergeHeap[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *mergeHeap[T]) Push(x any)         { h.items = append(h.items, x.(*runReader[T])) }
func (h *mergeHeap[T]) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// load packs the entries into the empty R-tree named name, created in tx.
func (l *rtreeLoader) load(ctx context.Context, tx *sql.Tx, name string) error {
	n := l.entries.n
	if n == 0 {
		return nil
	}
	var nodeSize int
	q := fmt.Sprintf(`SELECT length(data) FROM %s WHERE nodeno = 1`, quoteIdent(name+"_node"))
	if err := tx.QueryRowContext(ctx, q).Scan(&nodeSize); err != nil {
		return fmt.Errorf("read the root node: %w", err)
	}
	fanout := (nodeSize - 4) / rtreeCellSize
	if fanout < 2 {
		return fmt.Errorf("node size %d holds fewer than two cells", nodeSize)
	}
	p, err := newPacker(ctx, tx, name, nodeSize, fanout)
	if err != nil {
		return err
	}
	defer p.close()
	// Which leaf holds each feature is learnt in Hilbert order and written
	// in fid order: appending to <r>_rowid is much cheaper than inserting
	// all over it.
	p.leaves = newSorter(l.tmpDir, 16, encodeLeafOf, decodeLeafOf, leafOf.less)
	defer p.leaves.close()
	seq, seqErr, err := l.entries.sorted()
	if err != nil {
		return err
	}
	// The leaves. Their number is known, so the entries are spread evenly:
	// no leaf is left with a handful.
	level, err := p.level(0, n, seq)
	if err != nil {
		return err
	}
	if err := seqErr(); err != nil {
		return err
	}
	l.entries.close()
	leaves, leavesErr, err := p.leaves.sorted()
	if err != nil {
		return err
	}
	for lf := range leaves {
		if err = p.rows.add(ctx, lf.fid, lf.node); err != nil {
			break
		}
	}
	if err == nil {
		err = leavesErr()
	}
	if err != nil {
		return err
	}
	// The levels above, until one node, the root, remains. They are small:
	// a fanout-th of the level below.
	for depth := 1; len(level) > 1; depth++ {
		level, err = p.level(depth, len(level), slices.Values(level))
		if err != nil {
			return err
		}
	}
	return p.flush()
}

// packer writes the node, rowid and parent rows of a packed tree.
type packer struct {
	ctx      context.Context
	name     string
	nodeSize int
	fanout   int
	next     int64 // the next node number; 1 is kept for the root
	leaves   *sorter[leafOf]
	rows     *batchInsert
	nodes    *batchInsert
	parents  *batchInsert
}

func newPacker(ctx context.Context, tx *sql.Tx, name string, nodeSize, fanout int) (*packer, error) {
	p := &packer{ctx: ctx, name: name, nodeSize: nodeSize, fanout: fanout, next: 2}
	var err error
	if p.rows, err = newBatchInsert(ctx, tx, quoteIdent(name+"_rowid")+"(rowid, nodeno)"); err != nil {
		return nil, err
	}
	if p.nodes, err = newBatchInsert(ctx, tx, quoteIdent(name+"_node")+"(nodeno, data)"); err != nil {
		p.close()
		return nil, err
	}
	if p.parents, err = newBatchInsert(ctx, tx, quoteIdent(name+"_parent")+"(nodeno, parentnode)"); err != nil {
		p.close()
		return nil, err
	}
	// The module wrote an empty root when it created the table; the packed
	// root replaces it.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s`, quoteIdent(name+"_node"))); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *packer) close() {
	for _, b := range []*batchInsert{p.rows, p.nodes, p.parents} {
		if b != nil {
			b.close()
		}
	}
}

func (p *packer) flush() error {
	for _, b := range []*batchInsert{p.rows, p.nodes, p.parents} {
		if err := b.flush(p.ctx); err != nil {
			return err
		}
	}
	return nil
}

// level packs n entries, in order, into nodes at depth (0 for leaves) and
// returns one entry per node for the level above. When the entries fit in
// one node, that node is the root: node 1, carrying the tree's depth.
func (p *packer) level(depth, n int, entries func(func(entry) bool)) ([]entry, error) {
	nodes := (n + p.fanout - 1) / p.fanout
	root := nodes == 1
	var up []entry
	blob := make([]byte, p.nodeSize)
	var cur entry
	cells, node := 0, 0
	// The first n%nodes nodes take one cell more than the others.
	size := func(i int) int {
		s := n / nodes
		if i < n%nodes {
			s++
		}
		return s
	}
	nodeNo := func() int64 {
		if root {
			return 1
		}
		return p.next
	}
	var err error
	entries(func(e entry) bool {
		if cells == 0 {
			clear(blob)
			cur = entry{key: e.key, minX: e.minX, maxX: e.maxX, minY: e.minY, maxY: e.maxY}
		}
		cell := blob[4+cells*rtreeCellSize:]
		binary.BigEndian.PutUint64(cell, uint64(e.id))
		binary.BigEndian.PutUint32(cell[8:], math.Float32bits(e.minX))
		binary.BigEndian.PutUint32(cell[12:], math.Float32bits(e.maxX))
		binary.BigEndian.PutUint32(cell[16:], math.Float32bits(e.minY))
		binary.BigEndian.PutUint32(cell[20:], math.Float32bits(e.maxY))
		cur.minX, cur.maxX = min(cur.minX, e.minX), max(cur.maxX, e.maxX)
		cur.minY, cur.maxY = min(cur.minY, e.minY), max(cur.maxY, e.maxY)
		no := nodeNo()
		if depth == 0 {
			err = p.leaves.add(leafOf{e.id, no})
		} else {
			err = p.parents.add(p.ctx, e.id, no)
		}
		if err != nil {
			return false
		}
		cells++
		if cells < size(node) {
			return true
		}
		binary.BigEndian.PutUint16(blob[2:], uint16(cells))
		if root {
			binary.BigEndian.PutUint16(blob[0:], uint16(depth))
		}
		if err = p.nodes.add(p.ctx, no, slices.Clone(blob)); err != nil {
			return false
		}
		cur.id = no
		up = append(up, cur)
		p.next++
		cells = 0
		node++
		return true
	})
	if err != nil {
		return nil, err
	}
	if node != nodes {
		return nil, fmt.Errorf("packed %d nodes of %d entries, want %d", node, n, nodes)
	}
	return up, nil
}

// batchInsert inserts rows of two values into a table, many at a time.
type batchInsert struct {
	one, many *sql.Stmt
	buf       []any
}

func newBatchInsert(ctx context.Context, tx *sql.Tx, into string) (*batchInsert, error) {
	const row = "(?,?)"
	one, err := tx.PrepareContext(ctx, "INSERT INTO "+into+" VALUES "+row)
	if err != nil {
		return nil, err
	}
	many, err := tx.PrepareContext(ctx, "INSERT INTO "+into+" VALUES "+strings.TrimSuffix(strings.Repeat(row+",", insertBatch), ","))
	if err != nil {
		one.Close()
		return nil, err
	}
	return &batchInsert{one: one, many: many, buf: make([]any, 0, insertBatch*2)}, nil
}

func (b *batchInsert) add(ctx context.Context, a, c any) error {
	b.buf = append(b.buf, a, c)
	if len(b.buf) == cap(b.buf) {
		return b.flush(ctx)
	}
	return nil
}

func (b *batchInsert) flush(ctx context.Context) error {
	if len(b.buf) == cap(b.buf) {
		if _, err := b.many.ExecContext(ctx, b.buf...); err != nil {
			return err
		}
	} else {
		for i := 0; i < len(b.buf); i += 2 {
			if _, err := b.one.ExecContext(ctx, b.buf[i:i+2]...); err != nil {
				return err
			}
		}
	}
	clear(b.buf)
	b.buf = b.buf[:0]
	return nil
}

func (b *batchInsert) close() {
	b.one.Close()
	b.many.Close()
}

// down32 is the largest float32 not above x; up32 the smallest not below.
func down32(x float64) float32 {
	f := float32(x)
	if float64(f) > x {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

func up32(x float64) float32 {
	f := float32(x)
	if float64(f) < x {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// hilbertOrder is the number of bits per axis of the Hilbert curve: cells of
// about 0.0055° by 0.0027°, finer than any leaf.
const hilbertOrder = 16

// hilbert is the distance along a Hilbert curve over the whole lon/lat plane
// of the cell holding (x, y).
func hilbert(x, y float64) uint64 {
	const n = 1 << hilbertOrder
	cell := func(v, lo, hi float64) uint64 {
		c := (v - lo) / (hi - lo) * n
		switch {
		case !(c >= 0): // NaN too
			return 0
		case c >= n:
			return n - 1
		}
		return uint64(c)
	}
	ix, iy := cell(x, -180, 180), cell(y, -90, 90)
	var d uint64
	for s := uint64(n / 2); s > 0; s /= 2 {
		var rx, ry uint64
		if ix&s != 0 {
			rx = 1
		}
		if iy&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		// Rotate the quadrant so that the curve joins up.
		if ry == 0 {
			if rx == 1 {
				ix, iy = n-1-ix, n-1-iy
			}
			ix, iy = iy, ix
		}
	}
	return d
}
