package web

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendFloat wants exactly the text encoding/json writes, for numbers
// on and off the fast path of six decimal places.
func TestAppendFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 130.3, 42.2333, -165.4064, 180, -90, 1e-6, 1e-7, 123456.000001,
		0.1 + 0.2, 1.0 / 3, 6919.342181009798, 1e20, 1e21, 123456789012.5, math.MaxFloat64, math.SmallestNonzeroFloat64}
	for range 100000 {
		values = append(values, math.Round((r.Float64()*360-180)*1e6)/1e6, r.Float64()*20000, float64(r.Int64N(1<<40))/1e6)
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
