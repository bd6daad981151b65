package main

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/web"
)

// ingestAISUpload writes an AIS file sent to POST /api/ingest, if body is
// one: its positions, then its MMSIs' tracks. ok is false for any other
// file, which body still holds whole.
func (u uploads) ingestAISUpload(ctx context.Context, up web.Upload, body *bufio.Reader) (web.IngestSummary, bool, error) {
	head, err := body.Peek(ingest.SniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return web.IngestSummary{}, true, err
	}
	if !ingest.IsAIS(up.Name, ingest.Hint{Format: up.Format, MediaType: up.MediaType}, head) {
		return web.IngestSummary{}, false, nil
	}
	name := up.Name
	if name == "" {
		name = "body"
	}
	sum, err := ingest.AISReader(ctx, u.store, name, body, ingest.AISOptions{})
	if err != nil {
		return web.IngestSummary{}, true, refusal(err)
	}
	f := sum.Files[0]
	out := web.IngestSummary{Read: map[string]int{"positions": f.Positions, "static reports": f.Static},
		Written: counts(sum.Written)}
	out.Written["positions"] = f.Added
	for _, sk := range f.Skipped {
		out.Skipped = append(out.Skipped, web.Skip{Reason: sk.Reason, Count: sk.Count})
	}
	return out, true, nil
}
