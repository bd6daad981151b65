// Command seagen builds shiptrack's sea network from the land mask and writes
// it to a file; `go generate ./routes/network` runs it.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"github.com/shiptrack/shiptrack/routes/network"
)

func main() {
	out := flag.String("o", "sea.net.gz", "file to write")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var buf bytes.Buffer
	if err := network.WriteSeaNetwork(ctx, log, &buf); err != nil {
		fmt.Fprintln(os.Stderr, "seagen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "seagen:", err)
		os.Exit(1)
	}
}
