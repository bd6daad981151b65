package ingest_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/shiptrack/shiptrack/ingest"
)

// syncBuffer is written by the display's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestDocumentsProgress ingests two files with a progress display and reads
// the lines it drew at each phase, and the blanking of its line at the end.
func TestDocumentsProgress(t *testing.T) {
	var out syncBuffer
	p := ingest.NewProgress(&out)
	files := map[string]string{"a.json": base, "b.csv": "name,kind,country,lat,lon\nC,depot,RU,45.9,40.1\n"}
	_, err := ingest.Documents(t.Context(), openGeoPackage(t), ingest.FS(mapFS(files), ".").WithProgress(p))
	p.Done()
	if err != nil {
		t.Fatal(err)
	}
	text := out.b.String()
	for _, want := range []string{"\rchecking 6 records, 0:00 elapsed", "\rwriting 6 records, 0:00 elapsed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the display did not draw %q:\n%q", want, text)
		}
	}
	if !strings.HasSuffix(text, strings.Repeat(" ", len("writing 6 records, 0:00 elapsed"))+"\r") {
		t.Errorf("the display did not blank its line: %q", text)
	}
}
