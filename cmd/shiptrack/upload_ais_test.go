package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/internal/snapshot"
	"github.com/shiptrack/shiptrack/routes"
)

// TestWriteAIS sends AIS files to POST /api/ingest: NMEA and CSV are
// written with their tracks, again they change nothing, and a body that
// claims to be AIS but is not, or holds no usable line, is refused with the
// store unchanged.
func TestWriteAIS(t *testing.T) {
	nmea, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "ais", "angara-2023-09.nmea"))
	if err != nil {
		t.Fatal(err)
	}
	dma, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "ais", "dma-2023-09-10.csv"))
	if err != nil {
		t.Fatal(err)
	}
	auth := "Bearer " + writeToken
	eachWriteStore(t, func(t *testing.T, s routes.Store, srv *httptest.Server) {
		status, v := sendFile(t, srv, "/api/ingest?filename=angara.nmea", "", strings.NewReader(string(nmea)), -1, auth)
		if status != 201 {
			t.Fatalf("NMEA: %d %v", status, v)
		}
		written := v["written"].(map[string]any)
		if written["positions"] != 195.0 || written["tracks"] != 3.0 || written["legs"] != 1.0 {
			t.Errorf("NMEA wrote %v; want 195 positions, 3 tracks and the observed leg", written)
		}
		if skipped, _ := v["skipped"].([]any); len(skipped) != 6 {
			t.Errorf("skipped %v, want the sample's 6 reasons", v["skipped"])
		}
		// The content tells a DMA CSV sent as text/csv from a CSV of places.
		status, v = sendFile(t, srv, "/api/ingest", "text/csv", strings.NewReader(string(dma)), -1, auth)
		if status != 201 || v["written"].(map[string]any)["positions"] != 6.0 {
			t.Errorf("DMA CSV: %d %v", status, v)
		}
		status, v = sendFile(t, srv, "/api/ingest?filename=angara.nmea", "", strings.NewReader(string(nmea)), -1, auth)
		if status != 200 {
			t.Errorf("the same NMEA again: %d %v, want 200 and nothing written", status, v)
		}

		before := snapshot.Of(t, s)
		for _, c := range []struct {
			name, path, body string
			status           int
		}{
			{"not AIS, named .nmea", "/api/ingest?filename=x.nmea", "GET / HTTP/1.1\r\n", 415},
			{"no usable line", "/api/ingest?filename=x.nmea", "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n", 400},
			{"a CSV without a latitude column", "/api/ingest?filename=x.csv", "MMSI,BaseDateTime,LON\n273999001,2023-09-01T00:00:00,130\n", 400},
			{"AIS named by the format parameter, but not", "/api/ingest?format=nmea", "hello", 400},
		} {
			status, v := sendFile(t, srv, c.path, "", strings.NewReader(c.body), -1, auth)
			if status != c.status {
				t.Errorf("%s: %d %v, want %d", c.name, status, v, c.status)
			}
			if after := snapshot.Of(t, s); !reflect.DeepEqual(after, before) {
				t.Errorf("%s changed the store", c.name)
			}
		}
	})
}
