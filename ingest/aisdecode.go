package ingest

// This file decodes the binary payload of the AIS messages ingest keeps
// (ITU-R M.1371-5): position reports of types 1, 2, 3, 18, 19 and 27 and the
// static data of types 5, 19 and 24. It reads fields straight from the
// six-bit armoured characters, without expanding them to bits first, which
// is what makes the NMEA reader fast enough for national archives.

// payload is a message's six-bit values, one per armoured character.
type payload []byte

// unarmour turns the armoured characters of a VDM payload into six-bit
// values, appending to dst. ok is false if a character is outside the
// armour alphabet ('0' to 'W' and '`' to 'w').
func unarmour(dst payload, s []byte) (payload, bool) {
	for _, c := range s {
		v := c - 48
		if v > 40 {
			v -= 8
		}
		if c < '0' || c > 'w' || (c > 'W' && c < '`') {
			return dst, false
		}
		dst = append(dst, v)
	}
	return dst, true
}

// bitLen is the number of payload bits, less the fill bits of the last
// character.
func (p payload) bitLen(fill int) int { return len(p)*6 - fill }

// u reads n bits (at most 64) from bit start, most significant first. The
// caller has checked that they lie within the payload.
func (p payload) u(start, n int) uint64 {
	var v uint64
	for n > 0 {
		idx, off := start/6, start%6
		take := min(6-off, n)
		v = v<<take | uint64(p[idx]>>(6-off-take))&(1<<take-1)
		start += take
		n -= take
	}
	return v
}

// s reads n bits from bit start as a two's complement signed number.
func (p payload) s(start, n int) int64 {
	v := p.u(start, n)
	if v&(1<<(n-1)) != 0 {
		return int64(v) - 1<<n
	}
	return int64(v)
}

// text reads chars six-bit characters from bit start, dropping the '@'
// padding and the spaces that end them. A field cut short by the end of
// the payload reads as far as it goes.
func (p payload) text(start, chars, bits int) string {
	var b [32]byte
	n := 0
	for i := 0; i < chars && start+6 <= bits; i++ {
		v := byte(p.u(start, 6))
		start += 6
		if v < 32 {
			v += 64 // '@' to '_'
		}
		b[n] = v
		n++
	}
	// '@' marks the end of the text; what follows it is padding.
	for i := range n {
		if b[i] == '@' {
			n = i
			break
		}
	}
	for n > 0 && b[n-1] == ' ' {
		n--
	}
	return string(b[:n])
}

// aisReport is what one decoded message holds that ingest keeps. Fields
// not available in the message are marked by the has* flags.
type aisReport struct {
	kind int    // message type
	mmsi uint32 // the station's identity
	// Position fields, for the position report types. lon and lat are in
	// degrees; hasPos is false when the message says they are not available.
	hasPos     bool
	lon, lat   float64
	hasSOG     bool
	sog        float64 // knots
	hasCOG     bool
	cog        float64 // degrees
	hasHeading bool
	heading    int
	hasStatus  bool
	status     int
	// Static fields, for types 5, 19 and 24. imo is 0 when not given.
	static   bool
	imo      uint32
	callSign string
	name     string
	shipType int // 0 when not given
}

// isPosition reports whether the message type carries a position.
func (r *aisReport) isPosition() bool {
	switch r.kind {
	case 1, 2, 3, 18, 19, 27:
		return true
	}
	return false
}

// Bit lengths below which a message cannot hold the fields read from it.
// Class A reports are 168 bits; a type 5 is 424 bits but some transmitters
// cut it at 420 or 422, so only what ingest reads is required.
const (
	minClassA   = 168
	minClassB   = 168
	minType19   = 271 // through the ship type
	minType27   = 94  // through the course
	minType5    = 240 // through the ship type
	minType24A  = 160
	minType24B  = 132 // through the call sign
	notAvailLon = 181 * 600000
	notAvailLat = 91 * 600000
)

// decodeAIS decodes a payload of bits bits. ok is false when the message is
// shorter than its type needs; known is false for a type ingest does not keep.
func decodeAIS(p payload, bits int) (r aisReport, known, ok bool) {
	if bits < 38 {
		return r, true, false
	}
	r.kind = int(p.u(0, 6))
	r.mmsi = uint32(p.u(8, 30))
	switch r.kind {
	case 1, 2, 3:
		if bits < minClassA {
			return r, true, false
		}
		r.hasStatus, r.status = true, int(p.u(38, 4))
		r.fine(p, 50, 61, 89, 116, 128)
	case 18:
		if bits < minClassB {
			return r, true, false
		}
		r.fine(p, 46, 57, 85, 112, 124)
	case 19:
		if bits < minType19 {
			return r, true, false
		}
		r.fine(p, 46, 57, 85, 112, 124)
		r.static = true
		r.name = p.text(143, 20, bits)
		r.shipType = int(p.u(263, 8))
	case 27:
		if bits < minType27 {
			return r, true, false
		}
		r.hasStatus, r.status = true, int(p.u(40, 4))
		lon, lat := p.s(44, 18), p.s(62, 17)
		r.setPos(lon*1000, lat*1000) // tenths of a minute to 1/10000 minute
		if sog := p.u(79, 6); sog != 63 {
			r.hasSOG, r.sog = true, float64(sog)
		}
		if cog := p.u(85, 9); cog < 360 {
			r.hasCOG, r.cog = true, float64(cog)
		}
	case 5:
		if bits < minType5 {
			return r, true, false
		}
		r.static = true
		r.imo = uint32(p.u(40, 30))
		r.callSign = p.text(70, 7, bits)
		r.name = p.text(112, 20, bits)
		r.shipType = int(p.u(232, 8))
	case 24:
		if bits < 40 {
			return r, true, false
		}
		r.static = true
		switch p.u(38, 2) {
		case 0:
			if bits < minType24A {
				return r, true, false
			}
			r.name = p.text(40, 20, bits)
		case 1:
			if bits < minType24B {
				return r, true, false
			}
			r.shipType = int(p.u(40, 8))
			r.callSign = p.text(90, 7, bits)
		default:
			return r, true, false
		}
	default:
		return r, false, true
	}
	return r, true, true
}

// fine reads the fields shared by the class A and class B reports: speed,
// position in 1/10000 minute, course and heading, at their bit offsets.
func (r *aisReport) fine(p payload, sogAt, lonAt, latAt, cogAt, headingAt int) {
	if sog := p.u(sogAt, 10); sog != 1023 {
		r.hasSOG, r.sog = true, float64(sog)/10
	}
	r.setPos(p.s(lonAt, 28), p.s(latAt, 27))
	if cog := p.u(cogAt, 12); cog < 3600 {
		r.hasCOG, r.cog = true, float64(cog)/10
	}
	if h := p.u(headingAt, 9); h < 360 {
		r.hasHeading, r.heading = true, int(h)
	}
}

// setPos takes a position in 1/10000 minute, unless it is the "not
// available" value (longitude 181, latitude 91).
func (r *aisReport) setPos(lon, lat int64) {
	if lon == notAvailLon || lat == notAvailLat {
		return
	}
	r.hasPos = true
	r.lon = float64(lon) / 600000
	r.lat = float64(lat) / 600000
}
