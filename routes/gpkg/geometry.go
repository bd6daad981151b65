package gpkg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// This file is the GeoPackage geometry encoding (GeoPackage 1.3, clause
// 2.1.3): StandardGeoPackageBinary, a short header followed by ISO WKB.
//
//	magic    'G' 'P'
//	version  0
//	flags    bit 0 byte order of the header (1 = little-endian),
//	         bits 1–3 envelope contents (0 none, 1 [minx, maxx, miny, maxy],
//	         2 and 3 add z or m, 4 both), bit 4 empty geometry,
//	         bit 5 ExtendedGeoPackageBinary, bits 6–7 reserved
//	srs_id   int32
//	envelope 0, 4, 6 or 8 float64
//	WKB

// WGS84 is the srs_id of EPSG:4326, longitude and latitude on WGS 84: the
// only reference system shiptrack writes.
const WGS84 = 4326

const (
	flagLittleEndian = 1 << 0
	flagEmpty        = 1 << 4
	flagExtended     = 1 << 5
	envelopeShift    = 1
	envelopeMask     = 0b111 << envelopeShift
	envelopeXY       = 1 // [minx, maxx, miny, maxy]

	headerSize = 8
)

// envelopeFloats is the number of float64 in an envelope, by its indicator.
var envelopeFloats = [...]int{0, 4, 6, 6, 8}

// EncodeGeometry writes g as a StandardGeoPackageBinary blob in srsID. Points
// carry no envelope, since the point is its own; other geometries carry their
// [minx, maxx, miny, maxy] so that readers can index them without parsing the
// WKB. Everything is little-endian.
func EncodeGeometry(g orb.Geometry, srsID int32) ([]byte, error) {
	if g == nil {
		return nil, errors.New("encode geometry: no geometry")
	}
	if p, ok := g.(orb.Point); ok {
		return encodePoint(p, srsID), nil
	}
	body, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, fmt.Errorf("encode geometry: %w", err)
	}
	flags := byte(flagLittleEndian)
	if isEmpty(g) {
		flags |= flagEmpty
	} else {
		flags |= envelopeXY << envelopeShift
	}
	out := make([]byte, headerSize, headerSize+32+len(body))
	out[0], out[1], out[2], out[3] = 'G', 'P', 0, flags
	binary.LittleEndian.PutUint32(out[4:], uint32(srsID))
	if flags&envelopeMask != 0 {
		b := g.Bound()
		for _, v := range [4]float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		}
	}
	return append(out, body...), nil
}

// encodePoint is EncodeGeometry for a point, without the general WKB
// encoder: positions are written by the million.
func encodePoint(p orb.Point, srsID int32) []byte {
	le := binary.LittleEndian
	out := make([]byte, 0, headerSize+21)
	out = append(out, 'G', 'P', 0, flagLittleEndian)
	out = le.AppendUint32(out, uint32(srsID))
	out = append(out, 1) // little-endian WKB
	out = le.AppendUint32(out, 1)
	out = le.AppendUint64(out, math.Float64bits(p[0]))
	return le.AppendUint64(out, math.Float64bits(p[1]))
}

// isEmpty reports whether g has no points.
func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Point:
		return false
	case orb.LineString:
		return len(g) == 0
	case orb.MultiLineString:
		for _, ls := range g {
			if len(ls) > 0 {
				return false
			}
		}
		return true
	case orb.MultiPoint:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0 || len(g[0]) == 0
	case orb.MultiPolygon:
		for _, p := range g {
			if !isEmpty(p) {
				return false
			}
		}
		return true
	case orb.Collection:
		for _, c := range g {
			if !isEmpty(c) {
				return false
			}
		}
		return true
	}
	return false
}

// blobHeader is the parsed header of a GeoPackage geometry blob.
type blobHeader struct {
	srsID    int32
	empty    bool
	envelope *orb.Bound // nil when the blob carries none
	wkb      []byte
}

// parseHeader reads the header of a GeoPackage geometry blob.
func parseHeader(b []byte) (blobHeader, error) {
	if len(b) < headerSize || b[0] != 'G' || b[1] != 'P' {
		return blobHeader{}, errors.New("not a GeoPackage geometry: no GP header")
	}
	if b[2] != 0 {
		return blobHeader{}, fmt.Errorf("GeoPackage geometry version %d is not 0", b[2])
	}
	flags := b[3]
	var order binary.ByteOrder = binary.BigEndian
	if flags&flagLittleEndian != 0 {
		order = binary.LittleEndian
	}
	ind := int(flags&envelopeMask) >> envelopeShift
	if ind >= len(envelopeFloats) {
		return blobHeader{}, fmt.Errorf("GeoPackage geometry has an invalid envelope indicator %d", ind)
	}
	h := blobHeader{srsID: int32(order.Uint32(b[4:8])), empty: flags&flagEmpty != 0}
	end := headerSize + 8*envelopeFloats[ind]
	if len(b) < end {
		return blobHeader{}, errors.New("GeoPackage geometry is shorter than its header")
	}
	if ind > 0 {
		f := func(i int) float64 { return math.Float64frombits(order.Uint64(b[headerSize+8*i:])) }
		h.envelope = &orb.Bound{Min: orb.Point{f(0), f(2)}, Max: orb.Point{f(1), f(3)}}
	}
	h.wkb = b[end:]
	return h, nil
}

// DecodeGeometry reads a StandardGeoPackageBinary blob and returns its
// geometry and srs_id.
func DecodeGeometry(b []byte) (orb.Geometry, int32, error) {
	h, err := parseHeader(b)
	if err != nil {
		return nil, 0, err
	}
	if b[3]&flagExtended != 0 {
		return nil, 0, errors.New("ExtendedGeoPackageBinary geometries are not supported")
	}
	if p, ok := wkbPoint(h.wkb); ok {
		return p, h.srsID, nil
	}
	g, err := wkb.Unmarshal(h.wkb)
	if err != nil {
		return nil, 0, fmt.Errorf("GeoPackage geometry: %w", err)
	}
	return g, h.srsID, nil
}

// wkbPoint reads a 2D WKB point without the general decoder: positions are
// read by the million.
func wkbPoint(b []byte) (orb.Point, bool) {
	if len(b) != 21 || b[0] > 1 {
		return orb.Point{}, false
	}
	var order binary.ByteOrder = binary.BigEndian
	if b[0] == 1 {
		order = binary.LittleEndian
	}
	if order.Uint32(b[1:5]) != 1 {
		return orb.Point{}, false
	}
	return orb.Point{
		math.Float64frombits(order.Uint64(b[5:13])),
		math.Float64frombits(order.Uint64(b[13:21])),
	}, true
}

// decodeAs decodes a blob whose geometry must be of type T.
func decodeAs[T orb.Geometry](b []byte) (T, error) {
	var zero T
	g, _, err := DecodeGeometry(b)
	if err != nil {
		return zero, err
	}
	t, ok := g.(T)
	if !ok {
		return zero, fmt.Errorf("geometry is a %s, want a %s", g.GeoJSONType(), zero.GeoJSONType())
	}
	return t, nil
}
