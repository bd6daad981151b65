package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/web"
)

// uploads is the write API's web.Ingester: package ingest writing into the
// served store. It lives here because web and ingest never import each
// other. Legs without a line are drawn with the routers in prepare.
type uploads struct {
	store   routes.Store
	prepare routes.PrepareOptions
}

// Ingest reads one body as one file, all or nothing.
func (u uploads) Ingest(ctx context.Context, up web.Upload) (web.IngestSummary, error) {
	body := bufio.NewReaderSize(up.Body, ingest.SniffSize)
	if sum, ok, err := u.ingestAISUpload(ctx, up, body); ok {
		return sum, err
	}
	in := ingest.Stream(up.Name, body, ingest.Hint{Format: up.Format, MediaType: up.MediaType})
	sum, err := ingest.DocumentsWith(ctx, u.store, in, u.prepare)
	if err != nil {
		return web.IngestSummary{}, refusal(err)
	}
	return web.IngestSummary{Read: counts(sum.Read), Written: counts(sum.Written)}, nil
}

// refusals are the web answers to each kind of problem in a file.
var refusals = map[ingest.Kind]web.Refusal{
	ingest.Invalid:      web.Invalid,
	ingest.Malformed:    web.Malformed,
	ingest.Unrecognized: web.UnsupportedFormat,
	ingest.TooLarge:     web.TooLarge,
}

// refusal turns problems with the file into a web.IngestError; other
// errors (the body cut off, the store) pass as they are.
func refusal(err error) error {
	var fe ingest.Errors
	switch {
	case errors.As(err, &fe) && len(fe) > 0:
		ie := &web.IngestError{Reason: refusals[fe.Kind()]}
		for _, e := range fe {
			ie.Errors = append(ie.Errors, web.FieldProblem{Field: e.Field, Detail: e.Msg, Line: e.Line, Column: e.Column})
		}
		first := fe[0].Msg
		if fe[0].Field != "" {
			first = fe[0].Field + ": " + first
		}
		if len(fe) > 1 {
			first += fmt.Sprintf(" (and %d more problems)", len(fe)-1)
		}
		ie.Detail = first + "; nothing was written"
		return ie
	case errors.Is(err, ingest.ErrUnknownFormat):
		return &web.IngestError{Reason: web.UnsupportedFormat, Detail: err.Error()}
	}
	return err
}

// counts is a routes.Changes by kind, as the write API reports it.
func counts(c routes.Changes) map[string]int {
	return map[string]int{"places": c.Places, "vessels": c.Vessels, "sources": c.Sources, "shipments": c.Shipments,
		"legs": c.Legs, "tracks": c.Tracks, "gaps": c.Gaps, "observations": c.Observations}
}

// byteSize is a flag holding a number of bytes, written as 64MiB, 1GiB,
// 500KB or plain bytes.
type byteSize int64

var sizeUnits = []struct {
	suffix string
	n      int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}

func (b *byteSize) Set(s string) error {
	num, unit := strings.TrimSpace(s), int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return fmt.Errorf("%q is not a size such as 64MiB", s)
	}
	*b = byteSize(n * unit)
	return nil
}

func (b *byteSize) String() string {
	for _, u := range sizeUnits[:3] {
		if n := int64(*b); n >= u.n && n%u.n == 0 && n/u.n < 1024 {
			return strconv.FormatInt(n/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(*b), 10) + "B"
}

func (b *byteSize) Type() string { return "size" }
