package routes

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Resolution is the precision every time is kept at. PostgreSQL stores
// microseconds; truncating everywhere keeps both stores' answers identical.
const Resolution = time.Microsecond

// endOfDay is the last representable instant of a UTC day at Resolution.
const endOfDay = 24*time.Hour - Resolution

// Window is a reported time: the event happened somewhere in the closed
// range [Earliest, Latest]. An exact time has Earliest equal to Latest; a bare
// date covers its whole UTC day.
type Window struct {
	Earliest time.Time `json:"earliest"`
	Latest   time.Time `json:"latest"`
}

// IsZero reports whether the window is unset.
func (w Window) IsZero() bool { return w.Earliest.IsZero() && w.Latest.IsZero() }

// Duration is the width of the window.
func (w Window) Duration() time.Duration { return w.Latest.Sub(w.Earliest) }

// ParseWindow reads a window written as a date ("2023-09-12", the whole UTC
// day), an RFC 3339 time (exact), or a range of either separated by "/"
// ("2023-09-07/2023-09-10", from the start of the first to the end of the last).
func ParseWindow(s string) (Window, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Window{}, errors.New("empty time")
	}
	first, last, isRange := strings.Cut(s, "/")
	a, err := parseBound(first)
	if err != nil {
		return Window{}, err
	}
	if !isRange {
		return Window{Earliest: a.start, Latest: a.end}, nil
	}
	b, err := parseBound(last)
	if err != nil {
		return Window{}, err
	}
	w := Window{Earliest: a.start, Latest: b.end}
	if w.Latest.Before(w.Earliest) {
		return Window{}, fmt.Errorf("%q ends before it starts", s)
	}
	return w, nil
}

// String writes the window in the shortest form ParseWindow reads back.
func (w Window) String() string {
	if w.Earliest.Equal(w.Latest) {
		return FormatTime(w.Earliest)
	}
	dayStart := func(t time.Time) bool { return t.Equal(t.Truncate(24 * time.Hour)) }
	if dayStart(w.Earliest) && dayStart(w.Latest.Add(Resolution)) {
		a := w.Earliest.Format(time.DateOnly)
		b := w.Latest.Format(time.DateOnly)
		if a == b {
			return a
		}
		return a + "/" + b
	}
	return FormatTime(w.Earliest) + "/" + FormatTime(w.Latest)
}

// MarshalJSON writes {"earliest": ..., "latest": ...} in RFC 3339 UTC.
func (w Window) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"earliest":%q,"latest":%q}`, FormatTime(w.Earliest), FormatTime(w.Latest)), nil
}

// UnmarshalJSON reads either a string in ParseWindow's forms or an object
// {"earliest": ..., "latest": ...} whose members are in those forms; an
// object's earliest takes the start of its value and latest the end.
func (w *Window) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := ParseWindow(s)
		if err != nil {
			return err
		}
		*w = v
		return nil
	}
	var o struct {
		Earliest *string `json:"earliest"`
		Latest   *string `json:"latest"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return errors.New("want a date, a time, or an object with earliest and latest")
	}
	if o.Earliest == nil || o.Latest == nil {
		return errors.New("a window object needs both earliest and latest")
	}
	a, err := parseBound(*o.Earliest)
	if err != nil {
		return fmt.Errorf("earliest: %w", err)
	}
	z, err := parseBound(*o.Latest)
	if err != nil {
		return fmt.Errorf("latest: %w", err)
	}
	*w = Window{Earliest: a.start, Latest: z.end}
	return nil
}

// FormatTime writes t as RFC 3339 in UTC, with fractional seconds only when
// there are some.
func FormatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// span is the closed range one written time stands for.
type span struct{ start, end time.Time }

// parseBound reads a date (its whole UTC day) or an RFC 3339 time.
func parseBound(s string) (span, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return span{t, t.Add(endOfDay)}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return span{}, fmt.Errorf("%q is neither a date (2023-09-12) nor an RFC 3339 time (2023-09-12T06:00:00Z)", s)
	}
	t = t.UTC().Truncate(Resolution)
	return span{t, t}, nil
}

// Interval is a closed time range used to filter. A zero Start or End is open
// on that side; the zero Interval matches everything.
type Interval struct {
	Start time.Time
	End   time.Time
}

// IsZero reports whether the interval is open on both sides.
func (i Interval) IsZero() bool { return i.Start.IsZero() && i.End.IsZero() }

// Intersects reports whether the closed range [start, end] shares an instant
// with i.
func (i Interval) Intersects(start, end time.Time) bool {
	if !i.Start.IsZero() && end.Before(i.Start) {
		return false
	}
	if !i.End.IsZero() && start.After(i.End) {
		return false
	}
	return true
}

// Contains reports whether t lies in i.
func (i Interval) Contains(t time.Time) bool { return i.Intersects(t, t) }

// String writes the interval in the OGC API datetime form.
func (i Interval) String() string {
	bound := func(t time.Time) string {
		if t.IsZero() {
			return ".."
		}
		return FormatTime(t)
	}
	if !i.Start.IsZero() && i.Start.Equal(i.End) {
		return FormatTime(i.Start)
	}
	return bound(i.Start) + "/" + bound(i.End)
}

// ParseInterval reads an OGC API Features datetime: an instant or a date, or
// two of them separated by "/" with ".." or an empty side for an open end. A
// date covers its whole UTC day, at either end of an interval. "../.." is
// open at both ends and matches every time.
func ParseInterval(s string) (Interval, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Interval{}, errors.New("empty datetime")
	}
	first, last, isRange := strings.Cut(s, "/")
	if !isRange {
		b, err := parseBound(first)
		if err != nil {
			return Interval{}, err
		}
		return Interval{Start: b.start, End: b.end}, nil
	}
	open := func(x string) bool { x = strings.TrimSpace(x); return x == "" || x == ".." }
	var iv Interval
	if !open(first) {
		b, err := parseBound(first)
		if err != nil {
			return Interval{}, err
		}
		iv.Start = b.start
	}
	if !open(last) {
		b, err := parseBound(last)
		if err != nil {
			return Interval{}, err
		}
		iv.End = b.end
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && iv.End.Before(iv.Start) {
		return Interval{}, fmt.Errorf("%q ends before it starts", s)
	}
	return iv, nil
}
