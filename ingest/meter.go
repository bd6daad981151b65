package ingest

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Meter shows how far an ingest of files has got, for a person watching a
// terminal: one line, redrawn in place twice a second and at each change of
// phase, with the files, bytes and records read, the rate and the time
// elapsed. Done clears it. A nil *Meter shows nothing.
type Meter struct {
	w     io.Writer
	start time.Time
	stop  chan struct{}
	done  chan struct{}

	mu      sync.Mutex
	doing   string // the phase: reading, checking, writing
	current string // the file being read
	files   int
	bytes   int64
	records int
}

// NewMeter starts showing progress on w, which should be a terminal: the
// line is redrawn with a carriage return.
func NewMeter(w io.Writer) *Meter {
	m := &Meter{w: w, start: time.Now(), doing: "reading", stop: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	return m
}

// Metered returns in with m showing the progress of reading it.
func (in Inputs) Metered(m *Meter) Inputs {
	in.meter = m
	return in
}

func (m *Meter) run() {
	defer close(m.done)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-tick.C:
			m.mu.Lock()
			m.draw()
			m.mu.Unlock()
		}
	}
}

// reading names the file being read.
func (m *Meter) reading(name string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.current = name
}

// file counts a file read.
func (m *Meter) file(bytes, records int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files++
	m.bytes += int64(bytes)
	m.records += records
}

// phase says what the ingest does now, with how many records.
func (m *Meter) phase(name string, records int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.doing, m.records = name, records
	m.draw()
}

// draw writes the line; the caller holds mu.
func (m *Meter) draw() {
	elapsed := time.Since(m.start)
	files := fmt.Sprintf("%d files (%.1f MiB)", m.files, float64(m.bytes)/(1<<20))
	var line string
	if m.doing == "reading" {
		line = fmt.Sprintf("reading %s: %d records from %s", m.current, m.records, files)
		if elapsed >= time.Second {
			line += fmt.Sprintf(", %.0f records/s", float64(m.records)/elapsed.Seconds())
		}
	} else {
		line = fmt.Sprintf("%s %d records from %s", m.doing, m.records, files)
	}
	s := int(elapsed.Seconds())
	fmt.Fprintf(m.w, "\r\033[K%s, %d:%02d", line, s/60, s%60)
}

// Done stops the meter and clears its line.
func (m *Meter) Done() {
	if m == nil {
		return
	}
	close(m.stop)
	<-m.done
	fmt.Fprint(m.w, "\r\033[K")
}
