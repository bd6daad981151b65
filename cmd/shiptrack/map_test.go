package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestMapInBrowser opens the map of `shiptrack serve`, the embedded default
// with the bundled case, in Chromium driven by Playwright
// (web/browsertest/map.mjs): the legs are drawn, the time slider takes them
// away before they depart, the popup of the sea leg lists its sources, and
// a style of a front-end developer's own, using only the TileJSON URL,
// draws the legs. The screenshots are kept in out/browser/.
func TestMapInBrowser(t *testing.T) {
	if os.Getenv("SHIPTRACK_SKIP_BROWSER") == "1" {
		t.Skip("SHIPTRACK_SKIP_BROWSER=1")
	}
	root := repoRoot(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("Node.js is needed to drive the browser (run ./scripts/setup, or set SHIPTRACK_SKIP_BROWSER=1): %v", err)
	}
	chromium := "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed at %s (run ./scripts/setup, or set SHIPTRACK_SKIP_BROWSER=1): %v", chromium, err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core")); err != nil {
		t.Fatalf("playwright-core is not installed (run ./scripts/setup, or set SHIPTRACK_SKIP_BROWSER=1): %v", err)
	}
	base := serve(t, t.TempDir(), nil)
	out := filepath.Join(root, "out", "browser")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "web", "browsertest", "map.mjs"), base, out)
	cmd.Env = append(os.Environ(), "SHIPTRACK_CHROMIUM="+chromium)
	output, err := cmd.CombinedOutput()
	t.Logf("%s", output)
	if err != nil {
		t.Fatalf("the map failed in the browser: %v (screenshots in %s)", err, out)
	}
}
