package ingest

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The AIS entries of the format table, and how AIS files are told from the
// other files that share their extensions: by the first 64 KiB.

// sniffSize is how much of a file detection looks at.
const sniffSize = 64 << 10

// aisFormats are the AIS entries of the format table.
var aisFormats = []format{
	{id: "nmea", name: "AIS NMEA 0183", exts: []string{".nmea", ".ais", ".txt", ".log"}, own: []string{".nmea", ".ais"},
		sniff: sniffNMEA, expect: "an !AIVDM or !AIVDO sentence in the first 64 KiB",
		positions: func(r io.Reader, s *aisStats) positionReader {
			return newNMEAReader(r, s)
		}},
	csvFormat("dma-csv", &dmaCSV, "a header starting # Timestamp,Type of mobile,MMSI"),
	csvFormat("noaa-csv", &noaaCSV, "a header with MMSI and BaseDateTime (or mmsi and base_date_time)"),
}

func csvFormat(id string, d *csvDialect, expect string) format {
	return format{id: id, name: d.name, exts: []string{".csv"}, media: []string{"text/csv"}, expect: expect,
		sniff: func(head []byte) bool { return sniffCSV(head) == d },
		positions: func(r io.Reader, s *aisStats) positionReader {
			return newCSVReader(r, d, s)
		}}
}

// IsAIS reports whether a stream, of which head is the first 64 KiB (or
// all, if shorter), is an AIS file for AISReader rather than a file for
// Documents: as Stream decides a format, by the hint's format, else the
// name's extension, else the content.
func IsAIS(name string, hint Hint, head []byte) bool {
	if hint.Format != "" {
		return slices.ContainsFunc(aisFormats, func(f format) bool { return f.id == hint.Format })
	}
	if cands, _ := detect(name); len(cands) > 0 {
		_, ok := sniffAIS(cands, head)
		return ok || len(aisOnly(cands)) == len(cands)
	}
	_, ok := sniffAIS(aisFormats, head)
	return ok
}

// SniffSize is how much of a stream IsAIS wants to see.
const SniffSize = sniffSize

// sniffAIS is the first AIS format among fmts that recognises head.
func sniffAIS(fmts []format, head []byte) (format, bool) {
	for _, f := range fmts {
		if f.positions != nil && f.sniff(head) {
			return f, true
		}
	}
	return format{}, false
}

// aisOnly is the AIS formats among fmts.
func aisOnly(fmts []format) []format {
	var out []format
	for _, f := range fmts {
		if f.positions != nil {
			out = append(out, f)
		}
	}
	return out
}

// notAIS says what the AIS formats fmts look for, for a file they do not
// recognise.
func notAIS(fmts []format) string {
	var wants []string
	for _, f := range fmts {
		wants = append(wants, fmt.Sprintf("%s files have %s", f.name, f.expect))
	}
	return "not a format ingest reads: " + strings.Join(wants, "; ")
}

// head reads the first sniffSize bytes of a file.
func head(fi fileInput) ([]byte, error) {
	f, err := fi.fsys.Open(fi.name)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	b := make([]byte, sniffSize)
	n, err := io.ReadFull(f, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return b[:n], err
}

// fileFormats finds the formats the file name in fsys may be in, or says
// why there is none: those its extension allows (see detect) less, when the
// extension is one many kinds of file have (.txt, .log), the AIS formats
// its content is not. Such a file that is not AIS is not a format ingest
// reads, rather than a broken AIS file.
func fileFormats(fsys fs.FS, name string) ([]format, string) {
	fmts, why := detect(name)
	if why != "" {
		return nil, why
	}
	ext := strings.ToLower(path.Ext(name))
	if len(aisOnly(fmts)) == 0 || slices.ContainsFunc(fmts, func(f format) bool { return slices.Contains(f.own, ext) }) {
		return fmts, ""
	}
	h, err := head(fileInput{fsys: fsys, name: name})
	if err != nil {
		return fmts, "" // reading it will say what is wrong
	}
	out := slices.DeleteFunc(slices.Clone(fmts), func(f format) bool { return f.positions != nil && !f.sniff(h) })
	if len(out) == 0 {
		return nil, notAIS(aisOnly(fmts))
	}
	return out, ""
}

// leaveToAIS reports whether Read leaves a file to AIS: one whose
// extension only AIS formats have, or whose content an AIS format
// recognises. A stream is read whole, as a document.
func leaveToAIS(fi fileInput) bool {
	if fi.stream != nil || len(aisOnly(fi.formats)) == 0 {
		return false
	}
	if len(aisOnly(fi.formats)) == len(fi.formats) {
		return true
	}
	h, err := head(fi)
	if err != nil {
		return false // reading it will say what is wrong
	}
	_, ok := sniffAIS(fi.formats, h)
	return ok
}
