package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	ais "github.com/BertoldVdb/go-ais"
)

// benchFeed is a realistic mix of what a receiver logs, as lines with IEC
// 62320 tag blocks: mostly class A position reports, then class B, the
// two-sentence type 5 static reports, type 24, long-range type 27, and base
// station reports that are not kept. It returns the text, the number of
// position reports in it and their payloads alone for the raw decoders.
func benchFeed(lines int) ([]byte, int, []message) {
	var b bytes.Buffer
	positions, payloads := writeFeed(&b, lines, true)
	return b.Bytes(), positions, payloads
}

// writeFeed writes the feed to w, keeping the payloads if asked.
func writeFeed(w io.Writer, lines int, keep bool) (int, []message) {
	r := rand.New(rand.NewPCG(3, 4))
	b := bufio.NewWriterSize(w, 1<<16)
	defer b.Flush()
	var payloads []message
	positions := 0
	t := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	emit := func(w *bitWriter) {
		ss := sentences(w, "AB"[n%2:n%2+1], n%10)
		for i, s := range ss {
			tb := tagBlock(fmt.Sprintf("s:rcv%d,c:%d", n%7, t.Unix()))
			if len(ss) > 1 {
				tb = tagBlock(fmt.Sprintf("g:%d-%d-%d,s:rcv%d,c:%d", i+1, len(ss), n, n%7, t.Unix()))
			}
			b.WriteString(tb)
			b.WriteString(s)
			b.WriteByte('\n')
			n++
		}
		if !keep {
			return
		}
		var m message
		for _, s := range ss {
			sp, _ := splitSentence([]byte(s))
			m.armoured = append(m.armoured, sp.armoured...)
			m.fill = sp.fill
		}
		payloads = append(payloads, m)
	}
	for n < lines {
		t = t.Add(time.Duration(r.IntN(200)) * time.Millisecond)
		mmsi := uint32(200_000_000 + r.IntN(5000))
		p := aisPos{mmsi: mmsi, status: r.IntN(9), sog: math.Round(r.Float64()*300) / 10,
			lon: r.Float64()*20 + 5, lat: r.Float64()*10 + 50, cog: math.Round(r.Float64()*3599) / 10, heading: r.IntN(360)}
		switch k := r.IntN(100); {
		case k < 70:
			p.typ = 1 + r.IntN(3)
			emit(p.encode())
			positions++
		case k < 85:
			p.typ = 18
			emit(p.encode())
			positions++
		case k < 87:
			p.typ = 27
			p.sog, p.cog = float64(r.IntN(30)), float64(r.IntN(360))
			emit(p.encode())
			positions++
		case k < 92:
			emit(aisStatic{typ: 5, mmsi: mmsi, imo: 9179842, callSign: "UBCI7", name: "ANGARA", shipType: 70, dest: "DUNAY"}.encode())
		case k < 95:
			emit(aisStatic{typ: 24 + r.IntN(2), mmsi: mmsi, name: "YACHT", callSign: "AB12", shipType: 37}.encode())
		default:
			b.WriteString(tagBlock(fmt.Sprintf("s:rcv1,c:%d", t.Unix())) + nmeaSentence("AIVDM,1,1,,A,402M3b@000Htt<tSF0l4Q@100`Fq,0") + "\n")
			n++
		}
	}
	return positions, payloads
}

// TestWriteLoadFile writes the feed of BenchmarkNMEA, SHIPTRACK_LOAD_LINES
// lines long, to SHIPTRACK_LOAD_FILE, for a load run of the command line:
//
//	SHIPTRACK_LOAD_FILE=/tmp/load.nmea SHIPTRACK_LOAD_LINES=10000000 go test ./ingest -run WriteLoadFile
//	/usr/bin/time -v ./shiptrack ingest --db ... /tmp/load.nmea
func TestWriteLoadFile(t *testing.T) {
	path := os.Getenv("SHIPTRACK_LOAD_FILE")
	if path == "" {
		t.Skip("SHIPTRACK_LOAD_FILE is not set: no load file wanted")
	}
	lines, err := strconv.Atoi(os.Getenv("SHIPTRACK_LOAD_LINES"))
	if err != nil {
		t.Fatalf("SHIPTRACK_LOAD_LINES: %v", err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	positions, _ := writeFeed(f, lines, false)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d lines, %d position reports, to %s", lines, positions, path)
}

// BenchmarkNMEA reads a realistic feed with the NMEA reader, from lines to
// positions: tag blocks, checksums, assembly, decoding, values.
func BenchmarkNMEA(b *testing.B) {
	feed, positions, _ := benchFeed(200_000)
	b.SetBytes(int64(len(feed)))
	b.ResetTimer()
	for b.Loop() {
		stats := &aisStats{}
		rd := newNMEAReader(bytes.NewReader(feed), stats)
		n := 0
		for {
			if _, ok := rd.next(); !ok {
				break
			}
			n++
		}
		if n != positions || rd.readErr() != nil {
			b.Fatalf("read %d positions, want %d (%v)", n, positions, rd.readErr())
		}
	}
	b.ReportMetric(float64(positions)*float64(b.N)/b.Elapsed().Seconds(), "positions/s")
}

// BenchmarkDecodeOurs decodes the same feed's payloads alone with
// decodeAIS, the baseline for BenchmarkDecodeGoAIS.
func BenchmarkDecodeOurs(b *testing.B) {
	_, _, payloads := benchFeed(200_000)
	var buf payload
	b.ResetTimer()
	for b.Loop() {
		for _, m := range payloads {
			buf, _ = unarmour(buf[:0], m.armoured)
			decodeAIS(buf, buf.bitLen(m.fill))
		}
	}
	b.ReportMetric(float64(len(payloads))*float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}

// BenchmarkDecodeGoAIS decodes the same payloads with go-ais, with its fast
// parser: the payload expanded to one bit per byte, then DecodePacket.
func BenchmarkDecodeGoAIS(b *testing.B) {
	_, _, payloads := benchFeed(200_000)
	c := ais.CodecNewFast(false, false, true)
	c.DropSpace = true
	var buf payload
	var bits []byte
	b.ResetTimer()
	for b.Loop() {
		for _, m := range payloads {
			buf, _ = unarmour(buf[:0], m.armoured)
			bits = bits[:0]
			for _, v := range buf {
				bits = append(bits, v>>5&1, v>>4&1, v>>3&1, v>>2&1, v>>1&1, v&1)
			}
			c.DecodePacket(bits[:len(bits)-m.fill])
		}
	}
	b.ReportMetric(float64(len(payloads))*float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}

// BenchmarkCSV reads a NOAA CSV file with the CSV reader.
func BenchmarkCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n")
	const rows = 100_000
	for i := range rows {
		fmt.Fprintf(&sb, "%d,2022-06-20T%02d:%02d:%02d,29.%05d,-116.%05d,20.4,149.9,152.0,DEL MONTE PRIDE,IMO9869693,V7A4893,70,0,192,30,7.6,70,A\n",
			538000000+i%3000, i/3600%24, i/60%60, i%60, i%100000, i%99999)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		stats := &aisStats{}
		rd := newCSVReader(bytes.NewReader(data), &noaaCSV, stats)
		n := 0
		for {
			if _, ok := rd.next(); !ok {
				break
			}
			n++
		}
		if n != rows {
			b.Fatalf("read %d rows", n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
