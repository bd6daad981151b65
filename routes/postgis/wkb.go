package postgis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// lineBuffer is memory that linesInto reuses from one geometry to the next,
// for a caller that is done with each before it reads another.
type lineBuffer struct {
	lines  orb.MultiLineString
	points []orb.Point
}

// linesInto decodes a MultiLineString from WKB as ST_AsBinary writes it (2D,
// either byte order); the doubles come back exactly as they were written.
// An empty one is nil. When buf is not nil the lines are in its memory, and
// valid until the next call with buf.
//
// It is written here rather than taken from orb's wkb package because a page
// of legs is mostly points, and a loop over them with the byte order fixed
// costs a tenth of orb's general reader.
func linesInto(b []byte, buf *lineBuffer) (orb.MultiLineString, error) {
	_, n, b, err := wkbHeader(b, wkbMultiLineString)
	if err != nil {
		return nil, err
	}
	if n > len(b)/9 { // each line takes 9 bytes at least
		return nil, errWKBShort
	}
	var ml orb.MultiLineString // nil when empty
	switch {
	case n == 0:
	case buf == nil:
		ml = make(orb.MultiLineString, n)
	default:
		// Every point of every line, in one stretch of the buffer.
		if total := len(b) / 16; cap(buf.points) < total {
			buf.points = make([]orb.Point, total)
		}
		if cap(buf.lines) < n {
			buf.lines = make(orb.MultiLineString, n)
		}
		ml = buf.lines[:n]
	}
	used := 0
	for i := range ml {
		var order binary.ByteOrder
		var np int
		order, np, b, err = wkbHeader(b, wkbLineString)
		if err != nil {
			return nil, err
		}
		if np > len(b)/16 {
			return nil, errWKBShort
		}
		var ls orb.LineString
		if buf == nil {
			ls = make(orb.LineString, np)
		} else {
			ls = buf.points[:cap(buf.points)][used : used+np : used+np]
			used += np
		}
		if order == binary.ByteOrder(binary.LittleEndian) {
			for k := range ls {
				p := b[16*k : 16*k+16]
				ls[k] = orb.Point{math.Float64frombits(binary.LittleEndian.Uint64(p)), math.Float64frombits(binary.LittleEndian.Uint64(p[8:]))}
			}
		} else {
			for k := range ls {
				p := b[16*k : 16*k+16]
				ls[k] = orb.Point{math.Float64frombits(binary.BigEndian.Uint64(p)), math.Float64frombits(binary.BigEndian.Uint64(p[8:]))}
			}
		}
		ml[i] = ls
		b = b[16*np:]
	}
	if len(b) != 0 {
		return nil, errors.New("decode geometry: bytes after the WKB geometry")
	}
	return ml, nil
}

// The WKB geometry types read here, and their names.
const (
	wkbLineString      = 2
	wkbMultiLineString = 5
)

var wkbTypes = map[uint32]string{1: "a Point", 2: "a LineString", 3: "a Polygon", 4: "a MultiPoint",
	5: "a MultiLineString", 6: "a MultiPolygon", 7: "a GeometryCollection"}

var errWKBShort = errors.New("decode geometry: WKB cut short")

// wkbHeader reads a geometry's byte order, its type, which must be want,
// and its count of parts or points; it returns the order, the count and the
// bytes that follow.
func wkbHeader(b []byte, want uint32) (binary.ByteOrder, int, []byte, error) {
	if len(b) < 9 {
		return nil, 0, nil, errWKBShort
	}
	var order binary.ByteOrder
	switch b[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return nil, 0, nil, fmt.Errorf("decode geometry: %d is no WKB byte order", b[0])
	}
	if typ := order.Uint32(b[1:]); typ != want {
		got, ok := wkbTypes[typ]
		if !ok {
			got = fmt.Sprintf("WKB type %d", typ)
		}
		return nil, 0, nil, fmt.Errorf("decode geometry: want %s, got %s", wkbTypes[want], got)
	}
	n := int(order.Uint32(b[5:]))
	if n < 0 { // on 32-bit machines
		return nil, 0, nil, errWKBShort
	}
	return order, n, b[9:], nil
}
