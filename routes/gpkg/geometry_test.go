package gpkg

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func ExampleEncodeGeometry() {
	b, _ := EncodeGeometry(orb.LineString{{130.3, 42.2}, {132.3, 42.9}}, WGS84)
	fmt.Printf("% x\n", b[:8])    // magic, version, flags (little-endian, [minx, maxx, miny, maxy]), srs_id
	fmt.Printf("% x\n", b[40:49]) // WKB: little-endian, LineString, 2 points
	// Output:
	// 47 50 00 03 e6 10 00 00
	// 01 02 00 00 00 02 00 00 00
}

func TestGeometryRoundTrip(t *testing.T) {
	for _, g := range []orb.Geometry{
		orb.Point{130.3, 42.2333},
		orb.Point{-180, -90},
		orb.LineString{{179.5, 51}, {180, 51.2}},
		orb.MultiLineString{{{131.88, 43.11}, {180, 51.53}}, {{-180, 51.53}, {-166.54, 53.89}}},
		orb.MultiLineString{},
	} {
		b, err := EncodeGeometry(g, WGS84)
		if err != nil {
			t.Fatal(err)
		}
		got, srs, err := DecodeGeometry(b)
		if err != nil || srs != WGS84 || !orb.Equal(got, g) {
			t.Errorf("DecodeGeometry(EncodeGeometry(%v)) = %v, %d, %v", g, got, srs, err)
		}
		h, err := parseHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		_, isPoint := g.(orb.Point)
		switch {
		case isEmpty(g):
			if !h.empty || h.envelope != nil {
				t.Errorf("%v: empty flag %v, envelope %v; want the flag and no envelope", g, h.empty, h.envelope)
			}
		case isPoint:
			if h.envelope != nil {
				t.Errorf("%v: a point carries an envelope", g)
			}
		case h.envelope == nil || *h.envelope != g.Bound():
			t.Errorf("%v: envelope %v; want %v", g, h.envelope, g.Bound())
		}
	}
}

// TestDecodeOtherWriters reads a blob as another writer may make it: a
// big-endian header with an envelope and a big-endian WKB.
func TestDecodeOtherWriters(t *testing.T) {
	be := binary.BigEndian
	b := []byte{'G', 'P', 0, envelopeXY << envelopeShift}
	b = be.AppendUint32(b, WGS84)
	for _, v := range []float64{1, 2, 3, 4} { // minx, maxx, miny, maxy
		b = be.AppendUint64(b, math.Float64bits(v))
	}
	b = append(b, 0) // big-endian WKB
	b = be.AppendUint32(b, 2)
	b = be.AppendUint32(b, 2)
	for _, v := range []float64{1, 3, 2, 4} {
		b = be.AppendUint64(b, math.Float64bits(v))
	}
	g, srs, err := DecodeGeometry(b)
	if want := (orb.LineString{{1, 3}, {2, 4}}); err != nil || srs != WGS84 || !orb.Equal(g, want) {
		t.Errorf("DecodeGeometry = %v, %d, %v; want %v", g, srs, err, want)
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":         nil,
		"no magic":      []byte("XP\x00\x01\xe6\x10\x00\x00\x01\x01\x00\x00\x00"),
		"version 1":     []byte("GP\x01\x01\xe6\x10\x00\x00"),
		"bad envelope":  []byte("GP\x00\x0f\xe6\x10\x00\x00"),
		"short header":  []byte("GP\x00\x03\xe6\x10\x00\x00\x00\x00"),
		"truncated WKB": []byte("GP\x00\x01\xe6\x10\x00\x00\x01\x01\x00\x00\x00\x00"),
		"extended":      []byte("GP\x00\x21\xe6\x10\x00\x00\x01\x01\x00\x00\x00"),
	} {
		if g, _, err := DecodeGeometry(b); err == nil {
			t.Errorf("%s: DecodeGeometry = %v; want an error", name, g)
		}
	}
}
