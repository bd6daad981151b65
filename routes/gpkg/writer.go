package gpkg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
)

// This file writes a new GeoPackage in one pass, for export: tables are
// created, rows appended in order, and each feature table's spatial index
// packed from its rows when the table is finished rather than grown a row at
// a time. A Writer holds one table's worth of index entries at most a run at
// a time (see rtreeload.go), so memory does not grow with the rows written.
//
// It writes GeoPackage 1.3, as the store does (see UserVersion), with one
// difference: DATETIME values are written to the millisecond, in the form
// the specification shows, 2023-09-12T23:59:59.999Z. The store keeps six
// decimals so that its own times read back exactly; an export is read by
// GDAL and QGIS, which keep milliseconds, and GDAL's validator accepts this
// form without a warning. The end of a bare date, 23:59:59.999999, is
// written as 23:59:59.999.

// dateTimeMillis is how a Writer writes DATETIME values.
const dateTimeMillis = "2006-01-02T15:04:05.000Z"

// insertBatch is how many rows one INSERT statement carries. Binding a
// hundred rows at once spends the per-statement cost of database/sql once
// instead of a hundred times.
const insertBatch = 100

// Writer writes a new GeoPackage file. It is not safe for concurrent use.
// Everything is written in one transaction without a journal, for speed: a
// failed Writer leaves a file that is to be deleted, never kept.
type Writer struct {
	path string
	db   *sql.DB
	tx   *sql.Tx
	// tmpDir holds the spatial index's sort runs.
	tmpDir string
	open   *TableWriter
}

// Create makes a GeoPackage at path, which must not exist or be empty. The
// index's sort runs, when a table has many features, are written to
// temporary files in tmpDir ("" for the system's), removed as they are
// read.
func Create(ctx context.Context, path, tmpDir string) (*Writer, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("mode", "rwc")
	// The file is private until the caller publishes it: no journal, no
	// syncing on commit (the caller syncs the finished file), no locking
	// after the first.
	q.Add("_pragma", "journal_mode(OFF)")
	q.Add("_pragma", "synchronous(OFF)")
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	db := openDB((&url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}).String())
	db.SetMaxOpenConns(1)
	w := &Writer{path: path, db: db, tmpDir: tmpDir}
	if err := w.begin(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

func (w *Writer) begin(ctx context.Context) error {
	var n int
	if err := w.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return fmt.Errorf("create %s: %w", w.path, err)
	}
	if n > 0 {
		return fmt.Errorf("create %s: the file already holds a database", w.path)
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create %s: %w", w.path, err)
	}
	w.tx = tx
	if err := InitSchema(ctx, tx); err != nil {
		return fmt.Errorf("create %s: %w", w.path, err)
	}
	return nil
}

// Table creates a table and returns the writer of its rows. Tables are
// written one after another: the previous table's writer must be closed.
func (w *Writer) Table(ctx context.Context, t Table) (tw *TableWriter, err error) {
	defer func() { err = interrupted(ctx, err) }()
	if w.tx == nil {
		return nil, fmt.Errorf("write %s: the writer is closed", w.path)
	}
	if w.open != nil {
		return nil, fmt.Errorf("write %s: table %s is not finished", w.path, w.open.t.Name)
	}
	if err := createUserTable(ctx, w.tx, t); err != nil {
		return nil, err
	}
	tw = &TableWriter{w: w, t: t, width: t.width() + 1}
	one, err := w.tx.PrepareContext(ctx, tw.insertSQL(1))
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", t.Name, err)
	}
	many, err := w.tx.PrepareContext(ctx, tw.insertSQL(insertBatch))
	if err != nil {
		one.Close()
		return nil, fmt.Errorf("write %s: %w", t.Name, err)
	}
	tw.one, tw.many = one, many
	if t.Geometry != nil {
		tw.index = newRTreeLoader(w.tmpDir)
	}
	tw.start(ctx)
	w.open = tw
	return tw, nil
}

// Close commits the file and closes it. Every table must be finished.
func (w *Writer) Close() error {
	if w.tx == nil {
		return nil
	}
	if w.open != nil {
		return fmt.Errorf("write %s: table %s is not finished", w.path, w.open.t.Name)
	}
	err := w.tx.Commit()
	w.tx = nil
	if err != nil {
		w.db.Close()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := w.db.Close(); err != nil {
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return nil
}

// Abort gives up: the file is left incomplete, to be deleted by the caller.
func (w *Writer) Abort() {
	if w.open != nil {
		w.open.release()
		w.open = nil
	}
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
	w.db.Close()
}

// TableWriter appends rows to one table of a Writer. Rows are gathered in
// batches, and each full batch is inserted by a goroutine of the writer's
// own while the caller reads and encodes the next: reading a store and
// writing SQLite take about as long as each other, so the two overlap.
type TableWriter struct {
	w     *Writer
	t     Table
	width int // values per row, fid included
	one   *sql.Stmt
	many  *sql.Stmt
	buf   []any // the batch being filled
	// The inserting goroutine takes full batches from work and gives the
	// emptied buffers back through spare; there are buffers enough for it
	// to have one to insert while the caller fills another. Its error, the
	// first, is in failed as soon as it happens and in done when it ends.
	work   chan []any
	spare  chan []any
	done   chan error
	failed atomic.Pointer[error]
	fid    int64
	// lastTime and lastText memoise the last DATETIME written: a row often
	// has the same time in several columns.
	lastTime time.Time
	lastText string
	bound    orb.Bound // of the indexed geometries
	// indexed counts the geometries in the index: all but empty ones.
	indexed int
	index   *rtreeLoader // nil for an attribute table
}

// insertSQL inserts n rows, each with its fid first.
func (tw *TableWriter) insertSQL(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", tw.width), ",") + ")"
	return "INSERT INTO " + quoteIdent(tw.t.Name) + ` ("fid", ` + tw.t.columnList() + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// pipelineDepth is how many batches may wait for the inserting goroutine.
const pipelineDepth = 2

// start starts the inserting goroutine.
func (tw *TableWriter) start(ctx context.Context) {
	tw.work = make(chan []any, pipelineDepth)
	tw.spare = make(chan []any, pipelineDepth+1)
	for range pipelineDepth + 1 {
		tw.spare <- make([]any, 0, insertBatch*tw.width)
	}
	tw.buf = <-tw.spare
	tw.done = make(chan error, 1)
	go func(work <-chan []any, spare chan<- []any, done chan<- error) {
		var err error
		for batch := range work {
			if err == nil {
				if err = tw.insert(ctx, batch); err != nil {
					tw.failed.Store(&err)
				}
			}
			clear(batch)
			spare <- batch[:0]
		}
		done <- err
	}(tw.work, tw.spare, tw.done)
}

// Append adds a row: one value per column of the table, in order, and for a
// feature table its geometry. Values are nil, string, int, int64, float64,
// bool or, for DATETIME columns, time.Time, written in UTC to the
// millisecond. A failure to insert an earlier batch is reported by a later
// Append or by Close.
func (tw *TableWriter) Append(ctx context.Context, values []any, g orb.Geometry) error {
	if len(values) != len(tw.t.Columns) {
		return fmt.Errorf("write %s: %d values for %d columns", tw.t.Name, len(values), len(tw.t.Columns))
	}
	tw.fid++
	tw.buf = append(tw.buf, tw.fid)
	for i, v := range values {
		if t, ok := v.(time.Time); ok {
			if tw.t.Columns[i].Type != "DATETIME" {
				return fmt.Errorf("write %s: column %s is %s, not DATETIME", tw.t.Name, tw.t.Columns[i].Name, tw.t.Columns[i].Type)
			}
			if !t.Equal(tw.lastTime) || tw.lastText == "" {
				tw.lastTime, tw.lastText = t, string(appendDateTimeMillis(make([]byte, 0, len(dateTimeMillis)), t))
			}
			v = tw.lastText
		}
		tw.buf = append(tw.buf, v)
	}
	if tw.t.Geometry != nil {
		if g == nil {
			return fmt.Errorf("write %s: row %d has no geometry", tw.t.Name, tw.fid)
		}
		blob, err := EncodeGeometry(g, WGS84)
		if err != nil {
			return fmt.Errorf("write %s: row %d: %w", tw.t.Name, tw.fid, err)
		}
		tw.buf = append(tw.buf, blob)
		if !isEmpty(g) {
			b := g.Bound()
			if tw.indexed == 0 {
				tw.bound = b
			} else {
				tw.bound = tw.bound.Union(b)
			}
			tw.indexed++
			if err := tw.index.add(tw.fid, b); err != nil {
				return fmt.Errorf("write %s: index row %d: %w", tw.t.Name, tw.fid, err)
			}
		}
	}
	if len(tw.buf) == cap(tw.buf) {
		if err := tw.failed.Load(); err != nil {
			return *err
		}
		tw.work <- tw.buf
		tw.buf = <-tw.spare
	}
	return nil
}

// insert writes a batch of rows: a full one in one statement.
func (tw *TableWriter) insert(ctx context.Context, batch []any) error {
	if len(batch) == insertBatch*tw.width {
		if _, err := tw.many.ExecContext(ctx, batch...); err != nil {
			return interrupted(ctx, fmt.Errorf("write %s: %w", tw.t.Name, err))
		}
		return nil
	}
	for row := range chunks(batch, tw.width) {
		if _, err := tw.one.ExecContext(ctx, row...); err != nil {
			return interrupted(ctx, fmt.Errorf("write %s: %w", tw.t.Name, err))
		}
	}
	return nil
}

// interrupted says that ctx ended, when it has, whatever err says: once the
// context is done, database/sql rolls the transaction back, and statements
// after fail with errors such as "statement is closed" that no longer say
// why.
func interrupted(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// finish hands the last batch to the inserting goroutine, waits for it to
// end, and returns its error.
func (tw *TableWriter) finish() error {
	if tw.work == nil {
		return nil
	}
	if len(tw.buf) > 0 {
		tw.work <- tw.buf
	}
	tw.buf = nil
	close(tw.work)
	tw.work = nil
	return <-tw.done
}

// chunks yields s in pieces of n.
func chunks(s []any, n int) func(func([]any) bool) {
	return func(yield func([]any) bool) {
		for i := 0; i < len(s); i += n {
			if !yield(s[i : i+n]) {
				return
			}
		}
	}
}

// Rows is the number of rows appended so far.
func (tw *TableWriter) Rows() int64 { return tw.fid }

// Extent is the extent of the geometries appended so far; ok is false when
// there is none that is not empty.
func (tw *TableWriter) Extent() (b orb.Bound, ok bool) { return tw.bound, tw.indexed > 0 }

// Close finishes the table: the last rows are written, and for a feature
// table the spatial index is packed, its triggers created, and the layer's
// extent recorded in gpkg_contents.
func (tw *TableWriter) Close(ctx context.Context) (err error) {
	defer func() { err = interrupted(ctx, err) }()
	defer tw.release()
	if err := tw.finish(); err != nil {
		return err
	}
	t := tw.t
	if t.Geometry != nil {
		if err := createRTreeTable(ctx, tw.w.tx, t); err != nil {
			return err
		}
		if err := tw.index.load(ctx, tw.w.tx, t.rtreeName()); err != nil {
			return fmt.Errorf("write spatial index of %s: %w", t.Name, err)
		}
		if err := createRTreeTriggers(ctx, tw.w.tx, t); err != nil {
			return err
		}
	}
	var extent []any
	if tw.indexed > 0 {
		b := tw.bound
		extent = []any{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	} else {
		extent = []any{nil, nil, nil, nil}
	}
	if _, err := tw.w.tx.ExecContext(ctx, `UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?,
  last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?`, append(extent, t.Name)...); err != nil {
		return fmt.Errorf("update gpkg_contents for %s: %w", t.Name, err)
	}
	return nil
}

// release stops the inserting goroutine and frees the statements and the
// index's runs.
func (tw *TableWriter) release() {
	if tw.w.open != tw {
		return
	}
	tw.w.open = nil
	tw.buf = tw.buf[:0] // on a failure, what was not inserted is dropped
	tw.finish()
	tw.one.Close()
	tw.many.Close()
	if tw.index != nil {
		tw.index.close()
	}
}

// appendDateTimeMillis appends t in UTC as YYYY-MM-DDTHH:MM:SS.SSSZ. It is
// time.Format's result for dateTimeMillis, without its cost, for the years
// 0 to 9999; other years go through time.Format.
func appendDateTimeMillis(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, dateTimeMillis)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond)
	d := func(b []byte, v, width int) []byte {
		var tmp [4]byte
		for i := width - 1; i >= 0; i-- {
			tmp[i] = byte('0' + v%10)
			v /= 10
		}
		return append(b, tmp[:width]...)
	}
	b = d(b, year, 4)
	b = append(b, '-')
	b = d(b, int(month), 2)
	b = append(b, '-')
	b = d(b, day, 2)
	b = append(b, 'T')
	b = d(b, hour, 2)
	b = append(b, ':')
	b = d(b, minute, 2)
	b = append(b, ':')
	b = d(b, sec, 2)
	b = append(b, '.')
	b = d(b, ms, 3)
	return append(b, 'Z')
}
