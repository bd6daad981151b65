package postgis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/shiptrack/shiptrack/routes"
)

// rawRow reads a row's values from the bytes PostgreSQL sent, for the rows
// that dominate a page's cost (legs: a thousand of them, each with a line,
// times and lists). pgx's Scan would box every destination, copy the
// geometry's bytes before they are decoded, and build a plan per array.
// Each reader decodes the binary format pgx asks for; a value in another
// format or of another type than expected — the simple protocol sends text
// — is handed to pgx's own codecs, so the answer never depends on which.
// The first error is kept and later reads return zero values.
type rawRow struct {
	row    pgx.CollectableRow
	fields []pgconn.FieldDescription
	vals   [][]byte
	err    error
}

func newRawRow(r pgx.CollectableRow) rawRow {
	return rawRow{row: r, fields: r.FieldDescriptions(), vals: r.RawValues()}
}

// binary returns column i's bytes when it came in binary as type oid, and
// ok false when it must be scanned by pgx instead.
func (r *rawRow) binary(i int, oid uint32) (b []byte, ok bool) {
	if r.err != nil || i >= len(r.vals) {
		return nil, false
	}
	f := r.fields[i]
	if f.Format != pgtype.BinaryFormatCode || f.DataTypeOID != oid || r.vals[i] == nil {
		return nil, false
	}
	return r.vals[i], true
}

// scan reads column i into dst with pgx's codecs.
func (r *rawRow) scan(i int, dst any) {
	if r.err != nil {
		return
	}
	if i >= len(r.vals) {
		r.err = fmt.Errorf("read column %d of a row of %d", i+1, len(r.vals))
		return
	}
	var m *pgtype.Map
	if tm, ok := r.row.(interface{ TypeMap() *pgtype.Map }); ok {
		m = tm.TypeMap()
	} else {
		m = pgtype.NewMap()
	}
	f := r.fields[i]
	if err := m.Scan(f.DataTypeOID, f.Format, r.vals[i], dst); err != nil {
		r.err = fmt.Errorf("read column %s: %w", f.Name, err)
	}
}

// text reads a column that is text, in whichever format: the bytes are the
// same.
func (r *rawRow) text(i int) string {
	if r.err != nil || i >= len(r.vals) || r.vals[i] == nil {
		var s string
		r.scan(i, &s) // a NULL is pgx's error to give
		return s
	}
	return string(r.vals[i])
}

// textCols reads the text columns cols into out, one for one, with a
// single allocation for all their bytes: a leg has ten.
func (r *rawRow) textCols(out []string, cols ...int) {
	n := 0
	for _, c := range cols {
		if c < len(r.vals) {
			n += len(r.vals[c])
		}
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, c := range cols {
		if c < len(r.vals) {
			sb.Write(r.vals[c])
		}
	}
	all, at := sb.String(), 0
	for k, c := range cols {
		if r.err != nil || c >= len(r.vals) || r.vals[c] == nil {
			out[k] = r.text(c)
			continue
		}
		out[k] = all[at : at+len(r.vals[c])]
		at += len(r.vals[c])
	}
}

func (r *rawRow) int4(i int) int {
	if b, ok := r.binary(i, pgtype.Int4OID); ok && len(b) == 4 {
		return int(int32(binary.BigEndian.Uint32(b)))
	}
	var n int
	r.scan(i, &n)
	return n
}

func (r *rawRow) int8(i int) int64 {
	if b, ok := r.binary(i, pgtype.Int8OID); ok && len(b) == 8 {
		return int64(binary.BigEndian.Uint64(b))
	}
	var n int64
	r.scan(i, &n)
	return n
}

func (r *rawRow) float8(i int) float64 {
	if b, ok := r.binary(i, pgtype.Float8OID); ok && len(b) == 8 {
		return math.Float64frombits(binary.BigEndian.Uint64(b))
	}
	var f float64
	r.scan(i, &f)
	return f
}

// y2k is where PostgreSQL counts timestamps from, in Unix seconds.
const y2k = 946684800

// time reads a timestamptz in UTC.
func (r *rawRow) time(i int) time.Time {
	if b, ok := r.binary(i, pgtype.TimestamptzOID); ok && len(b) == 8 {
		us := int64(binary.BigEndian.Uint64(b))
		if us == math.MaxInt64 || us == math.MinInt64 {
			r.err = fmt.Errorf("read column %s: an infinite time", r.fields[i].Name)
			return time.Time{}
		}
		// Seconds and microseconds apart, so that no sum overflows.
		return time.Unix(y2k+us/1e6, us%1e6*1e3).UTC()
	}
	var t time.Time
	r.scan(i, &t)
	return t.UTC()
}

// bytes reads a bytea without copying it: the bytes are valid only until
// the next row is read.
func (r *rawRow) bytes(i int) []byte {
	if b, ok := r.binary(i, pgtype.ByteaOID); ok {
		return b
	}
	var b []byte
	r.scan(i, &b)
	return b
}

// texts reads a one-dimensional text[]; an empty array is nil.
func (r *rawRow) texts(i int) []string {
	b, ok := r.binary(i, pgtype.TextArrayOID)
	if !ok {
		var ss []string
		r.scan(i, &ss)
		return nilIfEmpty(ss)
	}
	ss, dims, err := textArray(b)
	if err == nil && len(dims) > 1 {
		err = fmt.Errorf("%w: %d dimensions", errArray, len(dims))
	}
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("read column %s: %w", r.fields[i].Name, err)
	}
	return ss
}

// claims reads a record's sources and what each claims, as pairs in a
// two-dimensional text[] (ARRAY(SELECT ARRAY[source, claim] ...)): one
// subquery a row rather than one for each list. None is nil.
func (r *rawRow) claims(i int) []routes.Claim {
	b, ok := r.binary(i, pgtype.TextArrayOID)
	if !ok {
		var pairs [][]string
		r.scan(i, &pairs)
		cs, err := claimPairs(pairs)
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("read column %s: %w", r.fields[i].Name, err)
		}
		return cs
	}
	flat, dims, err := textArray(b)
	if err == nil && len(dims) != 0 && (len(dims) != 2 || dims[1] != 2) {
		err = fmt.Errorf("%w: %v, not pairs", errArray, dims)
	}
	if err != nil {
		if r.err == nil {
			r.err = fmt.Errorf("read column %s: %w", r.fields[i].Name, err)
		}
		return nil
	}
	if len(flat) == 0 {
		return nil
	}
	cs := make([]routes.Claim, len(flat)/2)
	for k := range cs {
		cs[k] = routes.Claim{Source: flat[2*k], Claim: flat[2*k+1]}
	}
	return cs
}

// claimPairs makes claims of [source, claim] pairs; none is nil.
func claimPairs(pairs [][]string) ([]routes.Claim, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	cs := make([]routes.Claim, len(pairs))
	for k, p := range pairs {
		if len(p) != 2 {
			return nil, fmt.Errorf("%w: a claim of %d parts", errArray, len(p))
		}
		cs[k] = routes.Claim{Source: p[0], Claim: p[1]}
	}
	return cs, nil
}

var errArray = errors.New("malformed text array")

// textArray decodes the binary form of a text[]: the number of dimensions,
// a flag for NULLs, the element type, each dimension's length and lower
// bound, then each element, in row-major order, as its length and bytes.
// It returns the elements and the dimensions' lengths; an empty array has
// none.
func textArray(b []byte) ([]string, []int, error) {
	if len(b) < 12 {
		return nil, nil, errArray
	}
	ndim := int(binary.BigEndian.Uint32(b))
	if ndim == 0 {
		return nil, nil, nil
	}
	if ndim > 6 || len(b) < 12+8*ndim { // PostgreSQL allows six
		return nil, nil, fmt.Errorf("%w: %d dimensions", errArray, ndim)
	}
	dims, n := make([]int, ndim), 1
	for d := range dims {
		dims[d] = int(int32(binary.BigEndian.Uint32(b[12+8*d:])))
		if dims[d] < 0 {
			return nil, nil, errArray
		}
		n *= dims[d]
	}
	b = b[12+8*ndim:]
	if n > len(b)/4 {
		return nil, nil, errArray
	}
	// The elements are cut from one copy of the bytes.
	all, at := string(b), 0
	ss := make([]string, n)
	for k := range ss {
		if len(all)-at < 4 {
			return nil, nil, errArray
		}
		size := int(int32(binary.BigEndian.Uint32(b[at:])))
		at += 4
		if size < 0 || size > len(all)-at {
			return nil, nil, fmt.Errorf("%w: a NULL or cut element", errArray)
		}
		ss[k] = all[at : at+size]
		at += size
	}
	return ss, dims, nil
}

// extra reads the columns from i on into dsts, as Scan would.
func (r *rawRow) extra(i int, dsts []any) {
	for k, dst := range dsts {
		if n, ok := dst.(*int64); ok {
			*n = r.int8(i + k)
			continue
		}
		r.scan(i+k, dst)
	}
	if r.err == nil && i+len(dsts) != len(r.vals) {
		r.err = fmt.Errorf("read %d columns of a row of %d", i+len(dsts), len(r.vals))
	}
}
