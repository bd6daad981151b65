package ingest_test

import (
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/ingest"
)

// TestDocumentsProgress ingests two files with a progress display and reads
// the lines it drew at each phase, and the blanking of its line at the end.
func TestDocumentsProgress(t *testing.T) {
	var out ingest.LockedBuffer
	p := ingest.NewProgress(&out)
	files := map[string]string{"a.json": base, "b.csv": "name,kind,country,lat,lon\nC,depot,RU,45.9,40.1\n"}
	_, err := ingest.Documents(t.Context(), openGeoPackage(t), ingest.FS(mapFS(files), ".").WithProgress(p))
	p.Done()
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"\rchecking 6 records, 0:00 elapsed", "\rwriting 6 records, 0:00 elapsed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the display did not draw %q:\n%q", want, text)
		}
	}
	if !strings.HasSuffix(text, strings.Repeat(" ", len("writing 6 records, 0:00 elapsed"))+"\r") {
		t.Errorf("the display did not blank its line: %q", text)
	}
}
