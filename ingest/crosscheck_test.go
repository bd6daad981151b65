package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	ais "github.com/BertoldVdb/go-ais"
)

// The decoder is checked against two decoders written independently of it:
// go-ais (github.com/BertoldVdb/go-ais) and gpsd's gpsdecode (Debian package
// gpsd-clients). Each decodes the same messages: those of the sample files
// and a few thousand random position and static reports across every range.

// message is one whole AIS message as sentences carry it.
type message struct {
	sentences []string // the bare NMEA sentences
	armoured  []byte
	fill      int
}

// messagesIn assembles the messages of NMEA text, in order, ignoring
// sentences that are broken (the reader's tests cover those).
func messagesIn(t *testing.T, text string) []message {
	t.Helper()
	var out []message
	var cur *message
	for line := range strings.Lines(text) {
		i := strings.IndexByte(line, '!')
		if i < 0 {
			continue
		}
		s, reason := splitSentence([]byte(strings.TrimSpace(line[i:])))
		if reason != "" {
			continue
		}
		bare := strings.TrimSpace(line[i:])
		if j := strings.IndexByte(bare, '*'); j >= 0 && len(bare) > j+3 {
			bare = bare[:j+3]
		}
		if s.num == 1 {
			cur = &message{}
		}
		if cur == nil {
			continue
		}
		cur.sentences = append(cur.sentences, bare)
		cur.armoured = append(cur.armoured, s.armoured...)
		if s.num == s.total {
			if len(cur.sentences) == s.total {
				cur.fill = s.fill
				out = append(out, *cur)
			}
			cur = nil
		}
	}
	return out
}

// randomMessages are messages of every kept type with random fields.
func randomMessages(n int) []message {
	r := rand.New(rand.NewPCG(1, 2))
	var out []message
	add := func(w *bitWriter) {
		ss := sentences(w, "A", len(out)%10)
		var m message
		for _, s := range ss {
			sp, _ := splitSentence([]byte(s))
			m.sentences = append(m.sentences, s)
			m.armoured = append(m.armoured, sp.armoured...)
			m.fill = sp.fill
		}
		out = append(out, m)
	}
	types := []int{1, 2, 3, 18, 19, 27}
	for i := range n {
		p := aisPos{typ: types[i%len(types)], mmsi: uint32(r.IntN(999_999_999) + 1), status: r.IntN(16),
			sog: math.Round(r.Float64()*1022) / 10, lon: r.Float64()*360 - 180, lat: r.Float64()*180 - 90,
			cog: math.Round(r.Float64()*3599) / 10, heading: r.IntN(360), name: "VESSEL " + string(rune('A'+i%26)), shipType: r.IntN(100)}
		if p.typ == 27 {
			p.sog, p.cog = float64(r.IntN(63)), float64(r.IntN(360))
		}
		switch i % 7 {
		case 3:
			p.sog, p.cog, p.heading = math.NaN(), math.NaN(), 511
		case 5:
			p.lon, p.lat = 181, 91
		}
		add(p.encode())
		if i%5 == 0 {
			add(aisStatic{typ: 5, mmsi: p.mmsi, imo: uint32(r.IntN(9_999_999)), callSign: "C" + string(rune('A'+i%26)) + "12", name: "SHIP " + string(rune('A'+i%26)), shipType: r.IntN(100), dest: "PORT"}.encode())
			add(aisStatic{typ: 24, mmsi: p.mmsi, name: "B SHIP"}.encode())
			add(aisStatic{typ: 25, mmsi: p.mmsi, shipType: 37, callSign: "XY12"}.encode())
		}
	}
	return out
}

// decoded is what the three decoders are compared on. Coordinates are in
// the message's own units (1/10000 or 1/10 minute), speeds and courses in
// tenths, so that the comparison is exact.
type decoded struct {
	Type, MMSI            int
	Lon, Lat              int64
	SOG, COG, Heading     int
	Status                int
	IMO                   int
	Name, CallSign        string
	ShipType              int
	HasStatic, HasPositon bool
}

func ours(t *testing.T, m message) decoded {
	t.Helper()
	p, ok := unarmour(nil, m.armoured)
	if !ok {
		t.Fatalf("unarmour %s", m.sentences)
	}
	r, known, ok := decodeAIS(p, p.bitLen(m.fill))
	if !known || !ok {
		t.Fatalf("decode %s: known %v ok %v", m.sentences, known, ok)
	}
	d := decoded{Type: r.kind, MMSI: int(r.mmsi), SOG: -1, COG: -1, Heading: -1, Status: -1}
	scale := 600000.0
	if r.kind == 27 {
		scale = 600
	}
	switch {
	case r.isPosition() && r.hasPos:
		d.HasPositon = true
		d.Lon, d.Lat = int64(math.Round(r.lon*scale)), int64(math.Round(r.lat*scale))
	case r.isPosition():
		d.HasPositon = true
		d.Lon, d.Lat = int64(181*scale), int64(91*scale)
	}
	if r.hasSOG {
		d.SOG = int(math.Round(r.sog * 10))
	}
	if r.hasCOG {
		d.COG = int(math.Round(r.cog * 10))
	}
	if r.hasHeading {
		d.Heading = r.heading
	}
	if r.hasStatus {
		d.Status = r.status
	}
	if r.static {
		d.HasStatic = true
		d.IMO, d.Name, d.CallSign, d.ShipType = int(r.imo), r.name, r.callSign, r.shipType
	}
	return d
}

// notAvail maps "not available" raw values to -1, as ours does.
func notAvail(v, na int) int {
	if v >= na {
		return -1
	}
	return v
}

func viaGoAIS(t *testing.T, m message) decoded {
	t.Helper()
	p, _ := unarmour(nil, m.armoured)
	bits := make([]byte, 0, len(p)*6)
	for _, v := range p {
		for i := 5; i >= 0; i-- {
			bits = append(bits, v>>i&1)
		}
	}
	bits = bits[:len(bits)-m.fill]
	c := ais.CodecNew(false, false)
	c.DropSpace = true
	c.FloatWithoutConversion = true
	pkt := c.DecodePacket(bits)
	if pkt == nil {
		t.Fatalf("go-ais cannot decode %s", m.sentences)
	}
	h := pkt.GetHeader()
	d := decoded{Type: int(h.MessageID), MMSI: int(h.UserID), SOG: -1, COG: -1, Heading: -1, Status: -1}
	switch v := pkt.(type) {
	case ais.PositionReport:
		d.HasPositon, d.Lon, d.Lat = true, int64(v.Longitude), int64(v.Latitude)
		d.SOG, d.COG, d.Heading = notAvail(int(v.Sog), 1023), notAvail(int(v.Cog), 3600), notAvail(int(v.TrueHeading), 360)
		d.Status = int(v.NavigationalStatus)
	case ais.StandardClassBPositionReport:
		d.HasPositon, d.Lon, d.Lat = true, int64(v.Longitude), int64(v.Latitude)
		d.SOG, d.COG, d.Heading = notAvail(int(v.Sog), 1023), notAvail(int(v.Cog), 3600), notAvail(int(v.TrueHeading), 360)
	case ais.ExtendedClassBPositionReport:
		d.HasPositon, d.Lon, d.Lat = true, int64(v.Longitude), int64(v.Latitude)
		d.SOG, d.COG, d.Heading = notAvail(int(v.Sog), 1023), notAvail(int(v.Cog), 3600), notAvail(int(v.TrueHeading), 360)
		d.HasStatic, d.Name, d.ShipType = true, strings.TrimRight(v.Name, "@ "), int(v.Type)
	case ais.LongRangeAisBroadcastMessage:
		d.HasPositon, d.Lon, d.Lat = true, int64(v.Longitude), int64(v.Latitude)
		if v.Sog != 63 {
			d.SOG = int(v.Sog) * 10
		}
		if v.Cog < 360 {
			d.COG = int(v.Cog) * 10
		}
		d.Status = int(v.NavigationalStatus)
	case ais.ShipStaticData:
		d.HasStatic, d.IMO, d.CallSign, d.Name, d.ShipType = true, int(v.ImoNumber), strings.TrimRight(v.CallSign, "@ "), strings.TrimRight(v.Name, "@ "), int(v.Type)
	case ais.StaticDataReport:
		d.HasStatic = true
		if v.PartNumber {
			d.ShipType, d.CallSign = int(v.ReportB.ShipType), strings.TrimRight(v.ReportB.CallSign, "@ ")
		} else {
			d.Name = strings.TrimRight(v.ReportA.Name, "@ ")
		}
	default:
		t.Fatalf("go-ais decoded %s as %T", m.sentences, pkt)
	}
	return d
}

// gpsdecodeAll decodes the messages with gpsdecode, one JSON object each.
func gpsdecodeAll(t *testing.T, ms []message) []decoded {
	t.Helper()
	path, err := exec.LookPath("gpsdecode")
	if err != nil {
		if os.Getenv("SHIPTRACK_SKIP_GPSDECODE") == "1" {
			t.Skip("gpsdecode is not installed and SHIPTRACK_SKIP_GPSDECODE=1")
		}
		t.Fatal("gpsdecode (Debian package gpsd-clients) is not installed; scripts/setup installs it, or set SHIPTRACK_SKIP_GPSDECODE=1")
	}
	var in bytes.Buffer
	for _, m := range ms {
		for _, s := range m.sentences {
			in.WriteString(s + "\n")
		}
	}
	cmd := exec.Command(path, "--json", "--unscaled", "--split24")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gpsdecode: %v", err)
	}
	var res []decoded
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var g struct {
			Type     int    `json:"type"`
			MMSI     int    `json:"mmsi"`
			Lon      *int64 `json:"lon"`
			Lat      *int64 `json:"lat"`
			Speed    *int   `json:"speed"`
			Course   *int   `json:"course"`
			Heading  *int   `json:"heading"`
			Status   *int   `json:"status"`
			IMO      int    `json:"imo"`
			Name     string `json:"shipname"`
			CallSign string `json:"callsign"`
			ShipType int    `json:"shiptype"`
			Part     string `json:"part"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatalf("gpsdecode wrote %s: %v", sc.Text(), err)
		}
		d := decoded{Type: g.Type, MMSI: g.MMSI, SOG: -1, COG: -1, Heading: -1, Status: -1}
		if g.Lon != nil {
			d.HasPositon, d.Lon, d.Lat = true, *g.Lon, *g.Lat
		}
		switch g.Type {
		case 1, 2, 3, 18, 19:
			d.SOG, d.COG, d.Heading = notAvail(*g.Speed, 1023), notAvail(*g.Course, 3600), notAvail(*g.Heading, 360)
		case 27:
			if *g.Speed != 63 {
				d.SOG = *g.Speed * 10
			}
			if *g.Course < 360 {
				d.COG = *g.Course * 10
			}
		}
		if g.Type == 1 || g.Type == 2 || g.Type == 3 || g.Type == 27 {
			d.Status = *g.Status
		}
		switch g.Type {
		case 5, 19:
			d.HasStatic, d.IMO, d.Name, d.CallSign, d.ShipType = true, g.IMO, g.Name, g.CallSign, g.ShipType
		case 24:
			// gpsdecode carries each part's fields over to the other's
			// output; each part is compared on its own fields.
			d.HasStatic = true
			if g.Part == "A" {
				d.Name = g.Name
			} else {
				d.CallSign, d.ShipType = g.CallSign, g.ShipType
			}
		}
		res = append(res, d)
	}
	return res
}

func crossCheckMessages(t *testing.T) []message {
	ms := messagesIn(t, sample(t, "angara-2023-09.nmea")+sample(t, "loggers.nmea"))
	var kept []message
	for _, m := range ms {
		p, _ := unarmour(nil, m.armoured)
		if _, known, ok := decodeAIS(p, p.bitLen(m.fill)); known && ok {
			kept = append(kept, m)
		}
	}
	return append(kept, randomMessages(3000)...)
}

func TestDecodeAgainstGoAIS(t *testing.T) {
	ms := crossCheckMessages(t)
	for _, m := range ms {
		if got, want := ours(t, m), viaGoAIS(t, m); got != want {
			t.Errorf("%s:\n ours   %+v\n go-ais %+v", m.sentences, got, want)
		}
	}
}

func TestDecodeAgainstGpsdecode(t *testing.T) {
	ms := crossCheckMessages(t)
	theirs := gpsdecodeAll(t, ms)
	if len(theirs) != len(ms) {
		t.Fatalf("gpsdecode decoded %d messages, want %d", len(theirs), len(ms))
	}
	for i, m := range ms {
		if got := ours(t, m); got != theirs[i] {
			t.Errorf("%s:\n ours      %+v\n gpsdecode %+v", m.sentences, got, theirs[i])
		}
	}
}
