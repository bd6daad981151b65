package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shiptrack/shiptrack/internal/pgtest"
)

// These tests run the real binary as a user would, following the README:
// the embedded default with the bundled case, and PostGIS after migrate and
// ingest, asked the same questions.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shiptrack-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "shiptrack")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build shiptrack:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoRoot is where testdata/najin-dunay lives.
func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// shiptrack runs the binary in dir and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run shiptrack %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// serve starts `shiptrack serve` on a free port and returns its base URL.
func serve(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve did not shut down cleanly on SIGINT: %v", err)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Error("serve did not stop within 15 s of SIGINT")
		}
	})
	found := make(chan string, 1)
	var log bytes.Buffer
	go func() {
		re := regexp.MustCompile(`url=(http://\S+/)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- strings.TrimSuffix(m[1], "/")
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not say where it listens within 60 s:\n%s", log.String())
	}
	return ""
}

func get(t *testing.T, u string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %.200s", u, resp.StatusCode, body)
	}
	return resp.StatusCode, v
}

func featureIDs(t *testing.T, fc map[string]any) []string {
	t.Helper()
	feats, ok := fc["features"].([]any)
	if !ok {
		t.Fatalf("not a FeatureCollection: %v", fc)
	}
	var ids []string
	for _, f := range feats {
		ids = append(ids, f.(map[string]any)["id"].(string))
	}
	return ids
}

// askTheCase asks the questions the README's worked example asks and checks
// the answers the reporting supports.
func askTheCase(t *testing.T, base string) map[string]map[string]any {
	t.Helper()
	answers := map[string]map[string]any{}
	ask := func(path string, want int) map[string]any {
		code, v := get(t, base+path)
		if code != want {
			t.Errorf("GET %s = %d; want %d: %v", path, code, want, v)
		}
		answers[path] = v
		return v
	}
	if ids := featureIDs(t, ask("/api/shipments?datetime=2023-09-10", 200)); !slices.Contains(ids, "nk-ru-2023-09") {
		t.Errorf("shipments under way on 10 September 2023 = %v; want the White House shipment nk-ru-2023-09", ids)
	}
	if ids := featureIDs(t, ask("/api/legs?via=tikhoretsk", 200)); !slices.Contains(ids, "nk-ru-2023-09-rail") {
		t.Errorf("legs via Tikhoretsk = %v; want the rail leg nk-ru-2023-09-rail", ids)
	}
	route := ask("/api/shipments/nk-ru-2023-09/route", 200)
	ids := featureIDs(t, route)
	if len(ids) < 2 || ids[0] != "nk-ru-2023-09-sea" || !slices.Contains(ids, "nk-ru-2023-09-rail") {
		t.Errorf("route legs = %v; want the sea leg first, then the rail leg", ids)
	}
	totals, _ := route["totals"].(map[string]any)
	if km, _ := totals["distance_km"].(float64); km < 1000 {
		t.Errorf("route totals = %v; want a total distance of thousands of km", totals)
	}
	ask("/api/legs?datetime=2023-09-12&mode=sea", 200)
	ask("/api/places?bbox=129,41,134,44", 200)
	ask("/api/vessels", 200)
	ask("/api/shipments/no-such-shipment", 404)
	ask("/api/legs?bbox=1,2,3", 400)
	ask("/api/legs?via=nowhere", 400)
	return answers
}

func TestEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	base := serve(t, dir, nil)
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
	askTheCase(t, base)
	if _, err := os.Stat(filepath.Join(dir, "shiptrack.gpkg")); err != nil {
		t.Errorf("the embedded store was not created in the working directory: %v", err)
	}
}

func TestSameAnswersFromPostGIS(t *testing.T) {
	dbURL := testDatabase(t)
	root := repoRoot(t)
	env := []string{"DATABASE_URL="}

	out, errOut, code := runCLI(t, root, env, "migrate", "--db", dbURL)
	if code != 0 {
		t.Fatalf("migrate: exit %d: %s%s", code, out, errOut)
	}
	if out, _, _ := runCLI(t, root, env, "migrate", "--db", dbURL); !strings.Contains(out, "nothing to apply") {
		t.Errorf("a second migrate said %q; want nothing to apply", out)
	}
	out, errOut, code = runCLI(t, root, env, "ingest", "--db", dbURL, "testdata/najin-dunay")
	if code != 0 {
		t.Fatalf("ingest: exit %d: %s%s", code, out, errOut)
	}
	out, _, _ = runCLI(t, root, env, "ingest", "--db", dbURL, "testdata/najin-dunay")
	if !strings.Contains(out, " 0 records new or changed") {
		t.Errorf("ingesting the bundled case twice said %q; want 0 records new or changed", out)
	}

	fromPostGIS := askTheCase(t, serve(t, t.TempDir(), env, "--db", dbURL))
	fromEmbedded := askTheCase(t, serve(t, t.TempDir(), env))
	for path, want := range fromEmbedded {
		got, _ := json.Marshal(fromPostGIS[path])
		w, _ := json.Marshal(want)
		if !bytes.Equal(got, w) {
			t.Errorf("GET %s differs between the stores:\nPostGIS:  %.400s\nembedded: %.400s", path, got, w)
		}
	}
}

func TestQueryCommand(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want []string // substrings of stdout (code 0) or stderr
	}{
		{[]string{"query", "shipments", "--during", "2023-09-07/2023-10-01"}, 0, []string{"nk-ru-2023-09", "STATUS"}},
		{[]string{"query", "legs", "--via", "najin", "--during", "2023-09-01/2023-09-30", "--format", "csv"}, 0, []string{"id,shipment,seq", "nk-ru-2023-09-sea"}},
		{[]string{"query", "legs", "--via", "tikhoretsk", "--format", "geojson"}, 0, []string{`"FeatureCollection"`, "nk-ru-2023-09-rail"}},
		{[]string{"query", "legs", "--at", "2023-09-12", "--mode", "rail"}, 0, []string{"nk-ru-2023-09-rail"}},
		{[]string{"query", "legs", "--via", "nowhere"}, 2, []string{`--via: unknown place "nowhere"`}},
		{[]string{"query", "legs", "--bbox", "1,2,3"}, 2, []string{"--bbox", "four numbers"}},
		{[]string{"query", "legs", "--during", "2023-10-01/2023-09-01"}, 2, []string{"--during", "ends before it starts"}},
		{[]string{"query", "legs", "--mode", "boat"}, 2, []string{"--mode", "boat"}},
		{[]string{"query", "boats"}, 2, []string{`unknown subject "boats"`}},
		{[]string{"query", "legs", "--no-such-flag"}, 2, []string{"unknown flag"}},
		{[]string{"query", "positions", "--near", "dunay"}, 2, []string{"--near needs --within"}},
		{[]string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) { checkRun(t, dir, c.args, c.code, c.want) })
	}
}

// checkRun runs the binary in dir and wants the exit code and, in stdout
// when it succeeds or stderr when it fails, each of the substrings.
func checkRun(t *testing.T, dir string, args []string, wantCode int, want []string) {
	t.Helper()
	out, errOut, code := runCLI(t, dir, nil, args...)
	if code != wantCode {
		t.Fatalf("exit %d; want %d\nstdout: %s\nstderr: %s", code, wantCode, out, errOut)
	}
	text := out
	if wantCode != 0 {
		text = errOut
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("output lacks %q:\n%s", w, text)
		}
	}
}

func TestIngestBadDocumentChangesNothing(t *testing.T) {
	dir := t.TempDir()
	// Fill the embedded store with the bundled case first.
	before, _, code := runCLI(t, dir, nil, "query", "legs", "--format", "csv")
	if code != 0 {
		t.Fatal("query failed")
	}
	good := `{"places":[{"id":"fokino","name":"Fokino","kind":"port","country":"RU","lon":132.4,"lat":42.97}],
	  "shipments":[{"id":"x-1","title":"X","status":"alleged","confidence":"low","cargo":{"description":"crates"},
	    "sources":[{"source":"white-house-2023-10-13","claim":"c"}],
	    "legs":[{"id":"x-1-sea","seq":1,"mode":"sea","origin":"najin","destination":"fokino","depart":"2023-09-20","arrive":"2023-09-21"}]}]}`
	for _, c := range []struct {
		name, doc, want string
	}{
		{"latitude 95", strings.Replace(good, `"lat":42.97`, `"lat":95`, 1), "places[0].lat"},
		{"departure after arrival", strings.Replace(good, `"depart":"2023-09-20"`, `"depart":"2023-09-25"`, 1), "shipments[0].legs[0].depart"},
		{"unknown place", strings.Replace(good, `"destination":"fokino"`, `"destination":"atlantis"`, 1), `unknown place "atlantis"`},
		{"missing field", strings.Replace(good, `"title":"X",`, ``, 1), "shipments[0].title"},
		{"broken JSON", good[:len(good)-20], "bad.json:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.json")
			if err := os.WriteFile(path, []byte(c.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := runCLI(t, dir, nil, "ingest", "bad.json")
			if code == 0 {
				t.Fatalf("ingest of a bad document succeeded")
			}
			if !strings.Contains(errOut, "bad.json:") || !strings.Contains(errOut, c.want) {
				t.Errorf("error does not name the file, the position and the field (%q):\n%s", c.want, errOut)
			}
			after, _, _ := runCLI(t, dir, nil, "query", "legs", "--format", "csv")
			if after != before {
				t.Error("a rejected document changed the store")
			}
		})
	}
	// And the good one goes in.
	os.WriteFile(filepath.Join(dir, "good.json"), []byte(good), 0o644)
	if out, errOut, code := runCLI(t, dir, nil, "ingest", "good.json"); code != 0 {
		t.Fatalf("ingest of a good document: %s%s", out, errOut)
	}
	if out, _, _ := runCLI(t, dir, nil, "query", "legs", "--via", "fokino"); !strings.Contains(out, "x-1-sea") {
		t.Errorf("the ingested leg is not there:\n%s", out)
	}
}

// testDatabase creates an empty database for this test, as a user would
// before migrate, and drops it after.
func testDatabase(t *testing.T) string {
	t.Helper()
	return pgtest.Empty(t, "shiptrack_cmd")
}

// postgisCase is a database for this test that migrate and an ingest of
// the bundled case have filled, run from the repository root with
// $DATABASE_URL cleared, as env does for the commands that follow.
func postgisCase(t *testing.T) (dbURL string, env []string) {
	t.Helper()
	dbURL = testDatabase(t)
	env = []string{"DATABASE_URL="}
	for _, args := range [][]string{{"migrate", "--db", dbURL}, {"ingest", "--db", dbURL, "testdata/najin-dunay"}} {
		if out, errOut, code := runCLI(t, repoRoot(t), env, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s%s", args, code, out, errOut)
		}
	}
	return dbURL, env
}
