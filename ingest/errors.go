package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// FileError is one problem with one input file.
type FileError struct {
	File string // the file as it was named to ingest
	// Line and Column locate the problem, both from 1; the column counts
	// characters. Both are 0 when the problem is with the file as a whole.
	Line   int
	Column int
	// Field is the JSON path of the value at fault in this file, such as
	// "shipments[0].legs[1].depart"; empty when no field is at fault.
	Field string
	Msg   string
	// Kind says what sort of problem this is.
	Kind Kind
}

// Kind says what sort of problem a FileError is, for callers such as an
// HTTP server that answer each sort differently. Kinds are ordered from the
// least to the most grave.
type Kind uint8

const (
	// Invalid is a file that is well-formed in its format but holds a value
	// that is wrong: a wrong type, an unknown field or column, a broken rule
	// of the model.
	Invalid Kind = iota
	// Malformed is a file that is not well-formed in its format: not JSON,
	// cut short, a CSV quote left open, not UTF-8 text.
	Malformed
	// Unrecognized is a file whose format ingest cannot tell.
	Unrecognized
	// TooLarge is a file larger than MaxFileSize.
	TooLarge
)

// Error writes the problem as file:line:column: field: message, the form
// compilers use, so that editors can jump to it.
func (e FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in the input, one per line, in the order of
// the files and of their content. Nothing is written when there are any.
type Errors []FileError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Kind is the gravest kind among the errors.
func (es Errors) Kind() Kind {
	k := Invalid
	for _, e := range es {
		k = max(k, e.Kind)
	}
	return k
}

// Unwrap lets errors.As find each FileError.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// position turns a byte offset into a line and a column, both from 1.
func position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[lineStart:]) + 1
}
