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
}

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
