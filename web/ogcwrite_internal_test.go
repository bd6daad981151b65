package web

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
)

// TestAppendFloat wants exactly the text encoding/json writes, for numbers
// on and off the fast path of six decimal places.
func TestAppendFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 130.3, 42.2333, -165.4064, 180, -90, 1e-6, 1e-7, 123456.000001, 999999999.999999, 1e9, 8774381149.34896, 0.000001, 0.0000015,
		0.1 + 0.2, 1.0 / 3, 6919.342181009798, 1e20, 1e21, 123456789012.5, math.MaxFloat64, math.SmallestNonzeroFloat64}
	for range 100000 {
		values = append(values, math.Round((r.Float64()*360-180)*1e6)/1e6, r.Float64()*20000, float64(r.Int64N(1<<40))/1e6,
			// Beyond 2^33 doubles are more than a millionth apart: six
			// decimals there may not be the shortest text.
			float64(r.Int64N(1<<53))/1e6, -float64(r.Int64N(1e15))/1e6)
	}
	for _, f := range values {
		want := strconv.FormatFloat(f, 'f', -1, 64)
		if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
			want = string(appendFloatSlow(f))
		}
		if got := string(appendFloat(nil, f)); got != want {
			t.Fatalf("appendFloat(%v) = %s; want %s", f, got, want)
		}
		if back, err := strconv.ParseFloat(string(appendFloat(nil, f)), 64); err != nil || back != f {
			t.Fatalf("appendFloat(%v) reads back as %v, %v", f, back, err)
		}
	}
}

// appendFloatSlow is encoding/json's exponent form.
func appendFloatSlow(f float64) []byte {
	b := strconv.AppendFloat(nil, f, 'e', -1, 64)
	if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

// TestAppendTime wants exactly the text routes.FormatTime writes.
func TestAppendTime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	times := []time.Time{{}, time.Unix(0, 0), time.Date(2023, 9, 12, 6, 0, 0, 0, time.UTC),
		time.Date(2023, 9, 12, 6, 0, 0, 1, time.UTC), time.Date(2023, 9, 12, 23, 59, 59, 999999999, time.UTC),
		time.Date(2023, 9, 12, 6, 0, 0, 120000000, time.FixedZone("Vladivostok", 10*3600)),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 100000 {
		at := time.Unix(0, r.Int64N(math.MaxInt64)-r.Int64N(math.MaxInt64/2))
		times = append(times, at, at.Truncate(time.Microsecond), at.Truncate(time.Second), time.Unix(r.Int64N(1<<40)-1<<39, 0))
	}
	for _, tm := range times {
		if got, want := string(appendTime(nil, tm)), routes.FormatTime(tm); got != want {
			t.Fatalf("appendTime(%v) = %s; want %s", tm, got, want)
		}
	}
}

// TestAppendString wants JSON that reads back as the string, with each
// byte of invalid UTF-8 read as U+FFFD, and the escapes encoding/json uses.
func TestAppendString(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	texts := []string{"", "najin", `say "hi"\`, "a\nb\tc\rd\x00\x1f\x7f", "Тихорецк 北 🚢", "\xff", "a\xc3", "\xe2\x80\xa8",
		"<&>", strings.Repeat("x", 100) + "\x01"}
	alphabet := []rune{'a', 'Z', '"', '\\', '\n', 0, 0x1f, 0x7f, 'é', 'Ж', '北', '🚢', utf8.RuneError, 0x2028}
	for range 20000 {
		var b []byte
		for range r.IntN(20) {
			if r.IntN(8) == 0 {
				b = append(b, byte(r.IntN(256)))
			} else {
				b = utf8.AppendRune(b, alphabet[r.IntN(len(alphabet))])
			}
		}
		texts = append(texts, string(b))
		// Long plain runs with a few bytes that need care anywhere in
		// them, for the eight-byte steps.
		plain := []byte(strings.Repeat("Najin to Dunay ", 5))[:r.IntN(70)]
		for range r.IntN(3) {
			if len(plain) > 0 {
				plain[r.IntN(len(plain))] = []byte{'"', '\\', '\n', 0, 0x1f, 0x7f, 0x80, 0xff, 0xe2}[r.IntN(9)]
			}
		}
		texts = append(texts, string(plain))
	}
	for _, s := range texts {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendString(%q) = %s, not JSON: %v", s, got, err)
		}
		var want strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			want.WriteRune(r) // RuneError for a bad byte
			i += size
		}
		if back != want.String() {
			t.Fatalf("appendString(%q) = %s, reads back as %q", s, got, back)
		}
	}
	if got := string(appendString(nil, "a\"\\\n\x01\xff")); got != `"a\"\\\n\u0001\ufffd"` {
		t.Errorf("escapes = %s", got)
	}
}

// BenchmarkFeatureWriter writes 1,000 legs of 50 points, as a page of the
// OGC API does, without a store or HTTP.
func BenchmarkFeatureWriter(b *testing.B) {
	start := time.Date(2023, 9, 7, 6, 0, 0, 0, time.UTC)
	legs := make([]routes.Leg, 1000)
	for i := range legs {
		l := routes.Leg{ID: fmt.Sprintf("shipment-%03d-%d", i/2, i%2), Shipment: fmt.Sprintf("shipment-%03d", i/2),
			Seq: i%2 + 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay", Vessel: "angara",
			Depart:       routes.Window{Earliest: start, Latest: start.Add(time.Hour)},
			Arrive:       routes.Window{Earliest: start.Add(48 * time.Hour), Latest: start.Add(50 * time.Hour)},
			GeometryKind: routes.Reported, LengthKm: 182.123456789, Confidence: routes.Medium,
			Sources:  []routes.Claim{{Source: "rusi", Claim: "Angara loaded containers at Najin"}},
			Geometry: orb.MultiLineString{make(orb.LineString, 50)}}
		for k := range l.Geometry[0] {
			l.Geometry[0][k] = orb.Point{130 + float64(k)/10, 42 + float64(i%100)/1000}
		}
		legs[i] = l
	}
	fw := newFeatureWriter(routes.LegSchema, nil)
	var buf []byte
	for b.Loop() {
		buf = buf[:0]
		for _, l := range legs {
			buf = fw.append(buf, l)
		}
	}
	b.SetBytes(int64(len(buf)))
}
