package ingest_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/shiptrack/shiptrack/ingest"
)

// meterOutput is written by the meter's goroutine and read by the test.
type meterOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *meterOutput) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestMeter ingests two files with a meter and reads the lines it drew at
// each phase, and the clearing of its line at the end.
func TestMeter(t *testing.T) {
	var out meterOutput
	m := ingest.NewMeter(&out)
	files := map[string]string{"a.json": base, "b.csv": "name,kind,country,lat,lon\nC,depot,RU,45.9,40.1\n"}
	_, err := ingest.Documents(t.Context(), openGeoPackage(t), ingest.FS(mapFS(files), ".").Metered(m))
	m.Done()
	if err != nil {
		t.Fatal(err)
	}
	text := out.b.String()
	for _, want := range []string{
		"\r\033[Kchecking 6 records from 2 files (0.0 MiB), 0:0",
		"\r\033[Kwriting 6 records from 2 files (0.0 MiB), 0:0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the meter did not draw %q:\n%q", want, text)
		}
	}
	if !strings.HasSuffix(text, "\r\033[K") {
		t.Errorf("the meter did not clear its line: %q", text)
	}
}
