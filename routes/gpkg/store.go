// Package gpkg keeps shiptrack's data in one GeoPackage file, written through
// the pure-Go SQLite driver modernc.org/sqlite, so that the working store
// opens in QGIS and GDAL as it is: every layer is a feature table with a
// spatial index and DATETIME start and end columns for the temporal
// controller.
//
// Store is the embedded implementation of routes.Store, the default when no
// database is configured. Places, vessels, sources, shipments and legs are
// few and asked for constantly: they are held in memory and queried there,
// with exact predicates that give the same answers as PostGIS. Positions may
// run to millions of rows: they are streamed from SQLite, narrowed by its
// indexes and the R-tree, and refined in Go, never loaded whole.
//
// The GeoPackage format itself — geometry blobs, the gpkg_* tables, the
// R-tree extension, DATETIME values — lives in geometry.go, schema.go,
// functions.go and datetime.go, apart from the store, for the export writer.
package gpkg

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/shiptrack/shiptrack/routes"
)

// ErrNotStore is returned, wrapped with the file's name, by Open for a file
// that is not a shiptrack GeoPackage. Open leaves such a file untouched.
var ErrNotStore = errors.New("not a shiptrack GeoPackage")

// busyTimeout is how long, in milliseconds, a statement waits for another
// connection's write lock before failing: writers take turns, and a batch of
// positions may take a while.
const busyTimeout = 30_000

// Store is a routes.Store in a GeoPackage file. It is safe for concurrent use.
// SQLite allows one writer at a time; readers proceed alongside it.
type Store struct {
	path string
	db   *sql.DB

	// watch is a connection kept open only to ask PRAGMA data_version, which
	// changes when any other connection, in this process or another, commits.
	watchMu sync.Mutex
	watch   *sql.Conn

	idx       atomic.Pointer[index]
	refreshMu sync.Mutex // one reload of the index at a time
	writeMu   sync.Mutex // one writer at a time in this process
	closed    atomic.Bool
}

var _ routes.Store = (*Store)(nil)

// Open opens the shiptrack GeoPackage at path, creating it when it does not
// exist or is empty. A file that is not a shiptrack GeoPackage — not SQLite
// at all, or SQLite without the store's tables — is refused with ErrNotStore
// and left as it was.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	create, err := inspect(abs)
	if err != nil {
		return nil, err
	}
	db := openDB(dsn(abs, create))
	s := &Store{path: abs, db: db}
	if err := s.setUp(ctx, create); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// dsn is the SQLite URI of the file at abs. Only a new file may be created:
// an existing one that vanishes must not silently come back empty.
func dsn(abs string, create bool) string {
	mode := "rw"
	if create {
		mode = "rwc"
	}
	q := url.Values{}
	q.Set("mode", mode)
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout))
	q.Add("_pragma", "synchronous(NORMAL)")
	// Writers take the write lock when they begin, not on their first write,
	// so that two writers never deadlock upgrading from read to write.
	q.Set("_txlock", "immediate")
	return (&url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}).String()
}

// sqliteHeader is the first bytes of every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// inspect decides, by reading the file's header and without opening it as a
// database, whether the file at path is to be created or may be a
// GeoPackage. Nothing is written.
func inspect(path string) (create bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("open %s: %w: %w", path, routes.ErrUnavailable, err)
	}
	defer f.Close()
	head := make([]byte, 100)
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && (err == io.EOF):
		return true, nil // an empty file is an empty database
	case errors.Is(err, io.ErrUnexpectedEOF) || (err == nil && !bytes.HasPrefix(head, sqliteHeader)):
		return false, fmt.Errorf("open %s: %w: not an SQLite database", path, ErrNotStore)
	case err != nil:
		return false, fmt.Errorf("open %s: %w: %w", path, routes.ErrUnavailable, err)
	}
	if id := binary.BigEndian.Uint32(head[68:72]); id != ApplicationID {
		return false, fmt.Errorf("open %s: %w: SQLite application_id is %#x, not GPKG", path, ErrNotStore, id)
	}
	return false, nil
}

// setUp creates the schema of a new file or checks that of an existing one,
// switches the file to write-ahead logging and reads the index.
func (s *Store) setUp(ctx context.Context, create bool) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.unavailable("open", err)
	}
	s.watch = conn
	if create {
		if err := s.createSchema(ctx); err != nil {
			return err
		}
	} else if err := s.checkSchema(ctx); err != nil {
		return err
	}
	// Readers then never wait for the writer, nor it for them. The setting is
	// kept in the file, so it is made only once the file is known to be ours.
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return s.unavailable("set journal mode", err)
	}
	_, err = s.refresh(ctx)
	return err
}

// createSchema makes the file a GeoPackage with the store's tables, in one
// transaction. Two processes creating the same file at once both succeed:
// the second finds the tables there.
func (s *Store) createSchema(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.unavailable("create", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return s.unavailable("create", err)
	}
	if n > 0 {
		if err := tx.Rollback(); err != nil {
			return s.unavailable("create", err)
		}
		return s.checkSchema(ctx)
	}
	if err := InitSchema(ctx, tx); err != nil {
		return fmt.Errorf("create %s: %w", s.path, err)
	}
	for _, t := range tables {
		if err := CreateTable(ctx, tx, t); err != nil {
			return fmt.Errorf("create %s: %w", s.path, err)
		}
	}
	for _, q := range indexes {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create %s: %w", s.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.unavailable("create", err)
	}
	return nil
}

// checkSchema refuses a GeoPackage that lacks any of the store's tables.
func (s *Store) checkSchema(ctx context.Context) error {
	have := map[string]string{}
	rows, err := s.watch.QueryContext(ctx, "SELECT table_name, data_type FROM gpkg_contents")
	if err != nil {
		return fmt.Errorf("open %s: %w: no gpkg_contents table (%w)", s.path, ErrNotStore, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return s.unavailable("open", err)
		}
		have[name] = typ
	}
	if err := rows.Err(); err != nil {
		return s.unavailable("open", err)
	}
	for _, t := range tables {
		want := "attributes"
		if t.Geometry != nil {
			want = "features"
		}
		if typ, ok := have[t.Name]; !ok || typ != want {
			return fmt.Errorf("open %s: %w: it has no %s table %q", s.path, ErrNotStore, want, t.Name)
		}
	}
	return nil
}

// dataVersion is PRAGMA data_version on the watching connection.
func (s *Store) dataVersion(ctx context.Context) (int64, error) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	var v int64
	if err := s.watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, s.unavailable("read", err)
	}
	return v, nil
}

// index returns the reference index, reloading it first when the file has
// changed since it was read: another process may have written to it.
func (s *Store) index(ctx context.Context) (*index, error) {
	if s.closed.Load() {
		return nil, s.errClosed()
	}
	v, err := s.dataVersion(ctx)
	if err != nil {
		return nil, err
	}
	if idx := s.idx.Load(); idx != nil && idx.version == v {
		return idx, nil
	}
	return s.refresh(ctx)
}

// refresh reloads the index. The version is read before the tables, so that
// a write landing in between makes the next reader reload again rather than
// keep an index older than its version.
func (s *Store) refresh(ctx context.Context) (*index, error) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	v, err := s.dataVersion(ctx)
	if err != nil {
		return nil, err
	}
	if idx := s.idx.Load(); idx != nil && idx.version == v {
		return idx, nil // another reader reloaded it meanwhile
	}
	// One read transaction, so that the tables are read as of one moment
	// even while another process writes.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.unavailable("read", err)
	}
	defer tx.Rollback()
	idx, err := loadIndex(ctx, tx)
	if err != nil {
		return nil, s.unavailable("read", err)
	}
	idx.version = v
	s.idx.Store(idx)
	return idx, nil
}

// unavailable wraps a failure to reach the file. A cancelled context is
// reported as itself: the store is not at fault.
func (s *Store) unavailable(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s: %w", op, s.path, err)
	}
	if s.closed.Load() {
		return s.errClosed()
	}
	return fmt.Errorf("%s %s: %w: %w", op, s.path, routes.ErrUnavailable, err)
}

func (s *Store) errClosed() error {
	return fmt.Errorf("%s: store is closed: %w", s.path, routes.ErrUnavailable)
}

// Ping reports whether the file can still be read.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return s.errClosed()
	}
	if _, err := os.Stat(s.path); err != nil {
		return s.unavailable("ping", err)
	}
	_, err := s.dataVersion(ctx)
	return err
}

// Close closes the file. Later calls fail with routes.ErrUnavailable.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	err := s.watch.Close()
	return errors.Join(err, s.db.Close())
}

// one reads a record from the index, or fails with routes.ErrNotFound.
func one[T any](ctx context.Context, s *Store, kind, id string, find func(*index, string) (T, bool), clone func(T) T) (T, error) {
	var zero T
	idx, err := s.index(ctx)
	if err != nil {
		return zero, err
	}
	x, ok := find(idx, id)
	if !ok {
		return zero, fmt.Errorf("%s %q: %w", kind, id, routes.ErrNotFound)
	}
	return clone(x), nil
}

// listOf answers a query from the index.
func listOf[T any](ctx context.Context, s *Store, q routes.Query, query func(*index, routes.Query) routes.Page[T]) (routes.Page[T], error) {
	idx, err := s.index(ctx)
	if err != nil {
		return routes.Page[T]{}, err
	}
	return query(idx, q), nil
}

func same[T any](x T) T { return x }

// Place returns the place with the given id.
func (s *Store) Place(ctx context.Context, id string) (routes.Place, error) {
	return one(ctx, s, "place", id, (*index).place, clonePlace)
}

// Places lists the places matching q by id.
func (s *Store) Places(ctx context.Context, q routes.Query) (routes.Page[routes.Place], error) {
	return listOf(ctx, s, q, (*index).queryPlaces)
}

// Vessel returns the vessel with the given id.
func (s *Store) Vessel(ctx context.Context, id string) (routes.Vessel, error) {
	return one(ctx, s, "vessel", id, (*index).vessel, cloneVessel)
}

// Vessels lists the vessels matching q by id.
func (s *Store) Vessels(ctx context.Context, q routes.Query) (routes.Page[routes.Vessel], error) {
	return listOf(ctx, s, q, (*index).queryVessels)
}

// Source returns the source with the given id.
func (s *Store) Source(ctx context.Context, id string) (routes.Source, error) {
	return one(ctx, s, "source", id, (*index).source, same)
}

// Sources lists the sources by publication date, then id.
func (s *Store) Sources(ctx context.Context, q routes.Query) (routes.Page[routes.Source], error) {
	return listOf(ctx, s, q, (*index).querySources)
}

// Shipment returns the shipment with the given id and its legs in order.
func (s *Store) Shipment(ctx context.Context, id string) (routes.Shipment, error) {
	return one(ctx, s, "shipment", id, (*index).shipment, func(sh routes.Shipment) routes.Shipment { return cloneShipment(sh, true) })
}

// Shipments lists the shipments matching q by start, then id, without their
// legs.
func (s *Store) Shipments(ctx context.Context, q routes.Query) (routes.Page[routes.Shipment], error) {
	return listOf(ctx, s, q, (*index).queryShipments)
}

// Leg returns the leg with the given id.
func (s *Store) Leg(ctx context.Context, id string) (routes.Leg, error) {
	return one(ctx, s, "leg", id, (*index).leg, cloneLeg)
}

// Legs lists the legs matching q by start, shipment, seq and id.
func (s *Store) Legs(ctx context.Context, q routes.Query) (routes.Page[routes.Leg], error) {
	return listOf(ctx, s, q, (*index).queryLegs)
}
