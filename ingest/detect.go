package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// ErrUnknownFormat is returned, wrapped, for a file named outright whose
// format ingest cannot read, and for a stream whose hint names no format.
var ErrUnknownFormat = errors.New("unknown format")

// unknownFormat says why a file's format is unknown; it is ErrUnknownFormat.
type unknownFormat string

func (e unknownFormat) Error() string      { return string(e) }
func (unknownFormat) Is(target error) bool { return target == ErrUnknownFormat }

// Hint says what format a stream is in, for when its name does not.
type Hint struct {
	// Format is a format's id (see Formats); it overrides everything else.
	Format string
	// MediaType is the media type the stream was sent as, such as
	// "application/geo+json", without parameters.
	MediaType string
}

// Stream names one file given as a stream, such as a request body. Its name
// (which may be empty) is how messages name it, and its extension says the
// format; failing that the hint does, and failing that the content.
func Stream(name string, r io.Reader, hint Hint) Inputs {
	display := name
	if display == "" {
		display = "body"
	}
	return Inputs{roots: []root{{name: name, display: display, stream: r, hint: hint}}}
}

// Formats lists the ids of the formats ingest reads, as Hint.Format takes
// them.
func Formats() []string {
	ids := make([]string, len(formats))
	for i, f := range formats {
		ids[i] = f.id
	}
	return ids
}

// genericMedia are media types that say nothing about the format.
var genericMedia = []string{"", "application/octet-stream", "text/plain"}

// detect finds the formats a file named name may be in, from its
// extension, or says why there is none.
func detect(name string) ([]format, string) {
	ext := strings.ToLower(path.Ext(name))
	var out []format
	for _, f := range formats {
		if slices.Contains(f.exts, ext) {
			out = append(out, f)
		}
	}
	if len(out) > 0 {
		return out, ""
	}
	known := []string{}
	for _, f := range formats {
		known = append(known, f.name+" ("+strings.Join(f.exts, ", ")+")")
	}
	return nil, fmt.Sprintf("not a format ingest reads: %s", strings.Join(known, ", "))
}

// streamFormats finds the formats a stream may be in: the one its hint
// names, else those of its extension, else those of its media type, else
// (guessed) every format.
func streamFormats(name string, h Hint) (fs []format, guessed bool, err error) {
	if h.Format != "" {
		for _, f := range formats {
			if f.id == h.Format {
				return []format{f}, false, nil
			}
		}
		return nil, false, unknownFormat(fmt.Sprintf("unknown format %q: want one of %s", h.Format, strings.Join(Formats(), ", ")))
	}
	if fs, _ := detect(name); len(fs) > 0 {
		return fs, false, nil
	}
	if slices.Contains(genericMedia, h.MediaType) {
		return formats, true, nil
	}
	var media []string
	for _, f := range formats {
		if slices.Contains(f.media, h.MediaType) {
			fs = append(fs, f)
		}
		for _, m := range f.media {
			if !slices.Contains(media, m) {
				media = append(media, m)
			}
		}
	}
	if len(fs) == 0 {
		return nil, false, unknownFormat(fmt.Sprintf("media type %q is not a format ingest reads: %s", h.MediaType, strings.Join(media, ", ")))
	}
	return fs, false, nil
}

// choose picks the format of a file from its content: the first of its
// formats that recognises it or, when its name or hint narrowed them down,
// the first, whose reader then says what is wrong.
func choose(fi fileInput, data []byte) (format, *FileError) {
	for _, f := range fi.formats {
		if f.sniff == nil || f.sniff(data) {
			return f, nil
		}
	}
	if !fi.guessed {
		return fi.formats[0], nil
	}
	var names []string
	for _, f := range fi.formats {
		names = append(names, f.id+" ("+f.name+")")
	}
	return format{}, &FileError{File: fi.display, Kind: Unrecognized,
		Msg: "cannot tell the format from the content; name it: " + strings.Join(names, ", ")}
}

// isGeoJSON reports whether data is a JSON object with a "type" member, as
// every GeoJSON object has and a shipment document never does.
func isGeoJSON(data []byte) bool {
	return jsonObject(data) && topLevelType(data)
}

// isDocument reports whether data is a JSON object that is not GeoJSON.
func isDocument(data []byte) bool {
	return jsonObject(data) && !topLevelType(data)
}

func jsonObject(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// topLevelType looks for a "type" member at the top level of a JSON
// object, reading no further than it must and giving up at the first syntax
// error.
func topLevelType(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return false
		}
		if key == "type" {
			return true
		}
		// Skip the member's value, token by token: a decoded value would
		// be built in memory only to be dropped.
		for depth := 0; ; {
			tok, err := dec.Token()
			if err != nil {
				return false
			}
			switch tok {
			case json.Delim('{'), json.Delim('['):
				depth++
			case json.Delim('}'), json.Delim(']'):
				depth--
			}
			if depth == 0 {
				break
			}
		}
	}
	return false
}
