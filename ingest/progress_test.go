package ingest

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the display's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestProgressLine(t *testing.T) {
	var out lockedBuffer
	start := time.Date(2023, 9, 10, 0, 0, 0, 0, time.UTC)
	now := start
	// Redrawn only when the test says, on a clock it sets.
	p := startProgress(&out, time.Hour, func() time.Time { return now })
	p.Reset("day.csv")
	now = start.Add(61 * time.Second)
	p.Add(1_220_000)
	p.Add(2)
	if got, want := p.line(), "day.csv: 1,220,002 rows, 20,000 rows/s, 1:01 elapsed"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	p.Reset("day.csv: writing 1,220,002 positions")
	now = now.Add(time.Minute)
	if got, want := p.line(), "day.csv: writing 1,220,002 positions, 1:00 elapsed"; got != want {
		t.Errorf("with nothing counted, line %q, want %q", got, want)
	}
	p.Reset("deriving tracks")
	now = now.Add(2 * time.Second)
	p.Add(500)
	if got, want := p.line(), "deriving tracks: 500 rows, 250 rows/s, 0:02 elapsed"; got != want {
		t.Errorf("after Reset, line %q, want %q", got, want)
	}
	p.draw()
	p.Done()
	p.Done() // twice is harmless
	s := out.String()
	if !strings.HasPrefix(s, "\rderiving tracks: 500 rows") || !strings.HasSuffix(s, "\r") {
		t.Errorf("display wrote %q; want the line, then blanks over it", s)
	}
	var none *Progress
	none.Add(5)
	none.Reset("x")
	none.Done()
}

func TestThousandsAndClock(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567", 10_000_000: "10,000,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0:00", 59 * time.Second: "0:59", 3725 * time.Second: "1:02:05"} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %q, want %q", d, got, want)
		}
	}
}
