package routes

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseWindow(t *testing.T) {
	for _, c := range []struct {
		in       string
		earliest string
		latest   string
		err      string
	}{
		{in: "2023-09-12", earliest: "2023-09-12T00:00:00Z", latest: "2023-09-12T23:59:59.999999Z"},
		{in: "2023-09-12T06:30:00Z", earliest: "2023-09-12T06:30:00Z", latest: "2023-09-12T06:30:00Z"},
		{in: "2023-09-12T09:30:00+03:00", earliest: "2023-09-12T06:30:00Z", latest: "2023-09-12T06:30:00Z"},
		{in: "2023-09-07/2023-09-10", earliest: "2023-09-07T00:00:00Z", latest: "2023-09-10T23:59:59.999999Z"},
		{in: "2023-09-07T12:00:00Z/2023-09-08", earliest: "2023-09-07T12:00:00Z", latest: "2023-09-08T23:59:59.999999Z"},
		{in: "2023-09-12T06:30:00.1234567Z", earliest: "2023-09-12T06:30:00.123456Z", latest: "2023-09-12T06:30:00.123456Z"},
		{in: "", err: "empty"},
		{in: "2023-13-45", err: "neither a date"},
		{in: "12 September 2023", err: "neither a date"},
		{in: "2023-09-10/2023-09-07", err: "ends before it starts"},
		{in: "2023-09-10/", err: "neither a date"},
	} {
		t.Run(c.in, func(t *testing.T) {
			w, err := ParseWindow(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ParseWindow(%q) = %v, %v; want error containing %q", c.in, w, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !w.Earliest.Equal(ts(c.earliest)) || !w.Latest.Equal(ts(c.latest)) {
				t.Errorf("ParseWindow(%q) = %s .. %s; want %s .. %s", c.in,
					FormatTime(w.Earliest), FormatTime(w.Latest), c.earliest, c.latest)
			}
			// String writes what ParseWindow reads back.
			again, err := ParseWindow(w.String())
			if err != nil || again != w {
				t.Errorf("ParseWindow(%q.String() = %q) = %v, %v", c.in, w.String(), again, err)
			}
		})
	}
}

func TestWindowJSON(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{in: `"2023-09-12"`, want: `{"earliest":"2023-09-12T00:00:00Z","latest":"2023-09-12T23:59:59.999999Z"}`},
		{in: `{"earliest":"2023-09-07","latest":"2023-09-10"}`, want: `{"earliest":"2023-09-07T00:00:00Z","latest":"2023-09-10T23:59:59.999999Z"}`},
		{in: `{"earliest":"2023-09-07"}`, err: "both earliest and latest"},
		{in: `42`, err: "want a date"},
		{in: `"yesterday"`, err: "neither a date"},
	} {
		var w Window
		err := json.Unmarshal([]byte(c.in), &w)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Unmarshal(%s) = %v; want error containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Unmarshal(%s): %v", c.in, err)
		}
		out, _ := json.Marshal(w)
		if string(out) != c.want {
			t.Errorf("Unmarshal(%s) then Marshal = %s; want %s", c.in, out, c.want)
		}
	}
}

func TestParseInterval(t *testing.T) {
	for _, c := range []struct{ in, start, end, err string }{
		{in: "2023-09-10", start: "2023-09-10T00:00:00Z", end: "2023-09-10T23:59:59.999999Z"},
		{in: "2023-09-10T12:00:00Z", start: "2023-09-10T12:00:00Z", end: "2023-09-10T12:00:00Z"},
		{in: "2023-09-07/2023-10-01", start: "2023-09-07T00:00:00Z", end: "2023-10-01T23:59:59.999999Z"},
		{in: "../2023-10-01T00:00:00Z", end: "2023-10-01T00:00:00Z"},
		{in: "2023-09-07T00:00:00Z/..", start: "2023-09-07T00:00:00Z"},
		{in: "/2023-10-01", end: "2023-10-01T23:59:59.999999Z"},
		{in: "../.."},
		{in: "2023-10-01/2023-09-07", err: "ends before it starts"},
		{in: "2023-13-45", err: "neither a date"},
		{in: "tomorrow/..", err: "neither a date"},
		{in: "", err: "empty"},
	} {
		iv, err := ParseInterval(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseInterval(%q) = %v, %v; want error containing %q", c.in, iv, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ParseInterval(%q): %v", c.in, err)
		}
		want := Interval{}
		if c.start != "" {
			want.Start = ts(c.start)
		}
		if c.end != "" {
			want.End = ts(c.end)
		}
		if !iv.Start.Equal(want.Start) || !iv.End.Equal(want.End) {
			t.Errorf("ParseInterval(%q) = %v; want %v", c.in, iv, want)
		}
	}
}

func TestIntervalIntersects(t *testing.T) {
	day, _ := ParseInterval("2023-09-12")
	for _, c := range []struct {
		name       string
		iv         Interval
		start, end string
		want       bool
	}{
		{"inside", day, "2023-09-12T10:00:00Z", "2023-09-12T11:00:00Z", true},
		{"ends at the first instant", day, "2023-09-01T00:00:00Z", "2023-09-12T00:00:00Z", true},
		{"ends just before", day, "2023-09-01T00:00:00Z", "2023-09-11T23:59:59.999999Z", false},
		{"starts at the last instant", day, "2023-09-12T23:59:59.999999Z", "2023-09-20T00:00:00Z", true},
		{"starts the next day", day, "2023-09-13T00:00:00Z", "2023-09-20T00:00:00Z", false},
		{"covers it", day, "2023-09-01T00:00:00Z", "2023-09-30T00:00:00Z", true},
		{"open interval", Interval{}, "1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z", true},
		{"open end", Interval{Start: ts("2023-09-12T00:00:00Z")}, "2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z", true},
		{"open start", Interval{End: ts("2023-09-12T00:00:00Z")}, "2023-09-12T00:00:00.000001Z", "2030-01-02T00:00:00Z", false},
	} {
		if got := c.iv.Intersects(ts(c.start), ts(c.end)); got != c.want {
			t.Errorf("%s: Intersects = %v; want %v", c.name, got, c.want)
		}
	}
}
