package ingest

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Progress shows a long ingest's advance on one terminal line, redrawn
// every half second: what is being read, how many rows so far, the rate and
// the time elapsed. It is for terminals only; the caller decides whether
// its writer is one. A nil *Progress shows nothing, so code that reports
// progress need not check. Add may be called from any goroutine.
type Progress struct {
	w     io.Writer
	every time.Duration
	now   func() time.Time

	rows  atomic.Int64
	label atomic.Value // string

	mu      sync.Mutex
	start   time.Time
	stop    chan struct{}
	stopped chan struct{}

	drawMu sync.Mutex // over writes to w and width
	width  int        // of the last line drawn, to blank it out
}

// NewProgress starts showing progress on w.
func NewProgress(w io.Writer) *Progress { return startProgress(w, 500*time.Millisecond, time.Now) }

// startProgress starts a display redrawn every so often, on the clock now.
func startProgress(w io.Writer, every time.Duration, now func() time.Time) *Progress {
	p := &Progress{w: w, every: every, now: now,
		stop: make(chan struct{}), stopped: make(chan struct{})}
	p.start = p.now()
	p.label.Store("")
	go p.loop()
	return p
}

// Reset starts counting again from zero, under a new label, for the next
// phase of the work.
func (p *Progress) Reset(label string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.start = p.now()
	p.mu.Unlock()
	p.rows.Store(0)
	p.label.Store(label)
}

// Label says what is being read now, keeping the count and the clock: the
// rows of a run of files add up.
func (p *Progress) Label(label string) {
	if p != nil {
		p.label.Store(label)
	}
}

// phase is Reset drawn at once, so that a change of phase that counts
// nothing shows without waiting for the next tick.
func (p *Progress) phase(label string) {
	if p == nil {
		return
	}
	p.Reset(label)
	p.draw()
}

// Add counts n more rows.
func (p *Progress) Add(n int) {
	if p != nil {
		p.rows.Add(int64(n))
	}
}

// Done stops the display and clears its line, so that a summary printed
// next starts on a clean line.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	select {
	case <-p.stop:
		p.mu.Unlock()
		return
	default:
	}
	close(p.stop)
	p.mu.Unlock()
	<-p.stopped
	p.drawMu.Lock()
	defer p.drawMu.Unlock()
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%*s\r", p.width, "")
	}
}

func (p *Progress) loop() {
	defer close(p.stopped)
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.draw()
		}
	}
}

// draw writes the line once.
func (p *Progress) draw() {
	line := p.line()
	p.drawMu.Lock()
	defer p.drawMu.Unlock()
	pad := max(p.width-len(line), 0)
	fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
	p.width = len(line)
}

// line is what the display shows now.
func (p *Progress) line() string {
	p.mu.Lock()
	elapsed := p.now().Sub(p.start)
	p.mu.Unlock()
	rows := p.rows.Load()
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(rows) / s
	}
	label := p.label.Load().(string)
	if rows == 0 {
		// A phase that counts nothing, such as waiting for the store.
		return fmt.Sprintf("%s, %s elapsed", label, clock(elapsed))
	}
	if label != "" {
		label += ": "
	}
	return fmt.Sprintf("%s%s rows, %s rows/s, %s elapsed", label, thousands(rows), thousands(int64(rate)), clock(elapsed))
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// clock writes a duration as m:ss, or h:mm:ss past an hour.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
