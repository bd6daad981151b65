package ingest

import (
	"fmt"
	"math"
	"strings"
)

// This file encodes AIS messages and NMEA sentences for tests: the sample
// files in testdata/ais are written with it, and the decoded results are
// checked against independent decoders (go-ais, gpsd's gpsdecode), so an
// error here shows up there.

// bitWriter appends numbers to a bit string, most significant bit first.
type bitWriter struct{ bits []byte }

func (w *bitWriter) u(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v>>i)&1)
	}
}

func (w *bitWriter) s(v int64, n int) { w.u(uint64(v)&(1<<n-1), n) }

// text writes s as n six-bit characters, padded with '@'.
func (w *bitWriter) text(s string, n int) {
	s = strings.ToUpper(s)
	for i := range n {
		c := byte('@')
		if i < len(s) {
			c = s[i]
		}
		if c >= 64 {
			c -= 64
		}
		w.u(uint64(c), 6)
	}
}

// armour returns the payload characters and the fill bits.
func (w *bitWriter) armour() (string, int) {
	bits := w.bits
	fill := (6 - len(bits)%6) % 6
	bits = append(bits[:len(bits):len(bits)], make([]byte, fill)...)
	var b strings.Builder
	for i := 0; i < len(bits); i += 6 {
		v := 0
		for _, x := range bits[i : i+6] {
			v = v<<1 | int(x)
		}
		c := byte(v + 48)
		if c > 87 {
			c += 8
		}
		b.WriteByte(c)
	}
	return b.String(), fill
}

// aisPos is a position report to encode.
type aisPos struct {
	typ      int // 1, 2, 3, 18, 19 or 27
	mmsi     uint32
	status   int     // types 1-3, 27
	sog      float64 // knots; NaN for not available
	lon, lat float64 // degrees; 181 and 91 for not available
	cog      float64 // degrees; NaN for not available
	heading  int     // 511 for not available
	name     string  // type 19
	shipType int     // type 19
}

func fine(x float64) int64 { return int64(math.Round(x * 600000)) }

func (p aisPos) encode() *bitWriter {
	w := &bitWriter{}
	w.u(uint64(p.typ), 6)
	w.u(0, 2)
	w.u(uint64(p.mmsi), 30)
	sog := uint64(1023)
	if !math.IsNaN(p.sog) {
		sog = uint64(math.Round(p.sog * 10))
	}
	cog := uint64(3600)
	if !math.IsNaN(p.cog) {
		cog = uint64(math.Round(p.cog * 10))
	}
	switch p.typ {
	case 1, 2, 3:
		w.u(uint64(p.status), 4)
		w.s(-128, 8) // rate of turn not available
		w.u(sog, 10)
		w.u(1, 1)
		w.s(fine(p.lon), 28)
		w.s(fine(p.lat), 27)
		w.u(cog, 12)
		w.u(uint64(p.heading), 9)
		w.u(30, 6)
		w.u(0, 2+3+1+19)
	case 18, 19:
		w.u(0, 8)
		w.u(sog, 10)
		w.u(0, 1)
		w.s(fine(p.lon), 28)
		w.s(fine(p.lat), 27)
		w.u(cog, 12)
		w.u(uint64(p.heading), 9)
		w.u(30, 6)
		if p.typ == 18 {
			w.u(0, 2)
			w.u(0b1100000, 7)
			w.u(0, 1+20)
		} else {
			w.u(0, 4)
			w.text(p.name, 20)
			w.u(uint64(p.shipType), 8)
			w.u(0, 30+4+1+1+1+4)
		}
	case 27:
		w.u(1, 1)
		w.u(0, 1)
		w.u(uint64(p.status), 4)
		w.s(int64(math.Round(p.lon*600)), 18)
		w.s(int64(math.Round(p.lat*600)), 17)
		s := uint64(63)
		if !math.IsNaN(p.sog) {
			s = uint64(math.Round(p.sog))
		}
		c := uint64(511)
		if !math.IsNaN(p.cog) {
			c = uint64(math.Round(p.cog))
		}
		w.u(s, 6)
		w.u(c, 9)
		w.u(0, 2)
	default:
		panic(fmt.Sprintf("type %d", p.typ))
	}
	return w
}

// aisStatic is a type 5 or type 24 message to encode.
type aisStatic struct {
	typ      int // 5, or 24 for part A and 25 for part B of type 24
	mmsi     uint32
	imo      uint32
	callSign string
	name     string
	shipType int
	dest     string
}

func (s aisStatic) encode() *bitWriter {
	w := &bitWriter{}
	typ := s.typ
	if typ == 25 {
		typ = 24
	}
	w.u(uint64(typ), 6)
	w.u(0, 2)
	w.u(uint64(s.mmsi), 30)
	switch s.typ {
	case 5:
		w.u(0, 2)
		w.u(uint64(s.imo), 30)
		w.text(s.callSign, 7)
		w.text(s.name, 20)
		w.u(uint64(s.shipType), 8)
		w.u(100, 9)
		w.u(20, 9)
		w.u(10, 6)
		w.u(10, 6)
		w.u(1, 4)
		w.u(9, 4)
		w.u(12, 5)
		w.u(8, 5)
		w.u(0, 6)
		w.u(75, 8)
		w.text(s.dest, 20)
		w.u(0, 2)
	case 24:
		w.u(0, 2)
		w.text(s.name, 20)
	case 25:
		w.u(1, 2)
		w.u(uint64(s.shipType), 8)
		w.text("ABC", 3)
		w.u(0, 4)
		w.u(0, 20)
		w.text(s.callSign, 7)
		w.u(0, 30+6)
	}
	return w
}

// sentences writes a message as VDM sentences of at most 60 payload
// characters, with sequential id seq (used only when there are several).
func sentences(w *bitWriter, channel string, seq int) []string {
	payload, fill := w.armour()
	var parts []string
	for len(payload) > 60 {
		parts = append(parts, payload[:60])
		payload = payload[60:]
	}
	parts = append(parts, payload)
	var out []string
	for i, part := range parts {
		id := ""
		if len(parts) > 1 {
			id = fmt.Sprint(seq)
		}
		f := 0
		if i == len(parts)-1 {
			f = fill
		}
		out = append(out, nmeaSentence(fmt.Sprintf("AIVDM,%d,%d,%s,%s,%s,%d", len(parts), i+1, id, channel, part, f)))
	}
	return out
}

// nmeaSentence adds the ! and the checksum to a sentence body.
func nmeaSentence(body string) string {
	return "!" + body + "*" + checksum(body)
}

// tagBlock writes an IEC 62320 tag block around fields, with its checksum.
func tagBlock(fields string) string { return `\` + fields + "*" + checksum(fields) + `\` }

func checksum(s string) string {
	var x byte
	for i := range len(s) {
		x ^= s[i]
	}
	return fmt.Sprintf("%02X", x)
}
