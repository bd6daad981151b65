package cql2

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError is text that is not CQL2 this package reads. Offset is the
// byte offset of the fault in the text.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("at character %d: %s", e.Offset+1, e.Msg)
}

type tokenKind int

const (
	tEOF    tokenKind = iota
	tIdent            // a name or keyword
	tQuoted           // a "double-quoted" property name
	tString           // a 'single-quoted' literal, unescaped
	tNumber
	tPunct // ( ) , = <> < > <= >=
)

type token struct {
	kind tokenKind
	text string
	pos  int
}

// describe writes a token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the text"
	case tString:
		return fmt.Sprintf("'%s'", t.text)
	case tQuoted:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits text into tokens.
func lex(text string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == '=':
			toks = append(toks, token{tPunct, text[i : i+1], i})
			i++
		case c == '<' || c == '>':
			j := i + 1
			if j < len(text) && (text[j] == '=' || (c == '<' && text[j] == '>')) {
				j++
			}
			toks = append(toks, token{tPunct, text[i:j], i})
			i = j
		case c == '\'':
			s, end, err := quoted(text, i, '\'')
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, s, i})
			i = end
		case c == '"':
			s, end, err := quoted(text, i, '"')
			if err != nil {
				return nil, err
			}
			if s == "" {
				return nil, &SyntaxError{i, "an empty quoted property name"}
			}
			toks = append(toks, token{tQuoted, s, i})
			i = end
		case isDigit(c) || ((c == '-' || c == '+' || c == '.') && i+1 < len(text) && (isDigit(text[i+1]) || text[i+1] == '.')):
			j := number(text, i)
			toks = append(toks, token{tNumber, text[i:j], i})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(text) && isIdentPart(text[j]) {
				j++
			}
			toks = append(toks, token{tIdent, text[i:j], i})
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(text[i:])
			return nil, &SyntaxError{i, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return append(toks, token{tEOF, "", len(text)}), nil
}

// quoted reads a literal between quote characters starting at text[start],
// where a doubled quote stands for one. It returns the value and the offset
// after the closing quote.
func quoted(text string, start int, q byte) (string, int, error) {
	var b strings.Builder
	i := start + 1
	for i < len(text) {
		if text[i] == q {
			if i+1 < len(text) && text[i+1] == q {
				b.WriteByte(q)
				i += 2
				continue
			}
			return b.String(), i + 1, nil
		}
		b.WriteByte(text[i])
		i++
	}
	return "", 0, &SyntaxError{start, "a quoted text is not closed"}
}

// number returns the end of the number starting at text[i]: an optional
// sign, digits with an optional fraction, an optional exponent.
func number(text string, i int) int {
	if text[i] == '-' || text[i] == '+' {
		i++
	}
	for i < len(text) && (isDigit(text[i]) || text[i] == '.') {
		i++
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		j := i + 1
		if j < len(text) && (text[j] == '-' || text[j] == '+') {
			j++
		}
		if j < len(text) && isDigit(text[j]) {
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '.' || c == ':' }
