package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

// csvDialect is one published AIS CSV layout: which header names (compared
// without case, spaces, underscores and a leading "#") hold which field, and
// how its times are written.
type csvDialect struct {
	name string
	// columns maps a field to the header names it may have.
	columns map[csvField][]string
	// required are the fields every file must have.
	required []csvField
	// parseTime reads the time column.
	parseTime func(string) (time.Time, bool)
	// kind, when the layout has a "type of mobile" column, says whether a
	// row is a vessel; other rows (base stations, aids to navigation) are
	// skipped.
	vesselKind func(string) bool
	// navStatus reads the navigational status column.
	navStatus func(string) (int, bool)
}

type csvField int

const (
	colTime csvField = iota
	colMMSI
	colLat
	colLon
	colSOG
	colCOG
	colHeading
	colStatus
	colIMO
	colCallSign
	colName
	colShipType
	colMobile
	numCSVFields
)

var csvFieldNames = [numCSVFields]string{"time", "MMSI", "latitude", "longitude", "SOG", "COG", "heading",
	"navigational status", "IMO", "call sign", "name", "ship type", "type of mobile"}

// dmaCSV is the Danish Maritime Authority's AIS archive: "# Timestamp,Type of
// mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,
// IMO,Callsign,Name,Ship type,..." with times as dd/mm/yyyy hh:mm:ss UTC.
var dmaCSV = csvDialect{
	name: "Danish Maritime Authority AIS CSV",
	columns: map[csvField][]string{
		colTime: {"timestamp"}, colMobile: {"typeofmobile"}, colMMSI: {"mmsi"},
		colLat: {"latitude"}, colLon: {"longitude"}, colStatus: {"navigationalstatus"},
		colSOG: {"sog"}, colCOG: {"cog"}, colHeading: {"heading"}, colIMO: {"imo"},
		colCallSign: {"callsign"}, colName: {"name"}, colShipType: {"shiptype"},
	},
	required:   []csvField{colTime, colMMSI, colLat, colLon},
	parseTime:  parseDMATime,
	vesselKind: func(s string) bool { return strings.HasPrefix(strings.ToLower(s), "class ") },
	navStatus:  navStatusText,
}

// noaaCSV is NOAA's MarineCadastre archive of US Coast Guard AIS, in its
// older upper-case header (MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,
// VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,
// TranscieverClass) and its newer lower-case one (mmsi,base_date_time,
// longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,vessel_type,
// status,...). Times are ISO 8601 in UTC, with a T or a space.
var noaaCSV = csvDialect{
	name: "NOAA MarineCadastre AIS CSV",
	columns: map[csvField][]string{
		colTime: {"basedatetime"}, colMMSI: {"mmsi"}, colLat: {"lat", "latitude"}, colLon: {"lon", "longitude"},
		colSOG: {"sog"}, colCOG: {"cog"}, colHeading: {"heading"}, colStatus: {"status"},
		colIMO: {"imo"}, colCallSign: {"callsign"}, colName: {"vesselname"}, colShipType: {"vesseltype"},
	},
	required:  []csvField{colTime, colMMSI, colLat, colLon},
	parseTime: parseNOAATime,
	navStatus: func(s string) (int, bool) {
		v, err := strconv.Atoi(strings.TrimSuffix(s, ".0"))
		return v, err == nil && v >= 0 && v <= 15
	},
}

// normHeader is a header name compared: lower case, without spaces,
// underscores and a leading "#".
func normHeader(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")), "#"))
	return strings.ToLower(headerSpacing.Replace(s))
}

// headerSpacing drops what separates the words of a header name.
var headerSpacing = strings.NewReplacer(" ", "", "_", "")

// sniffCSV reports which dialect a file's first line names, if any.
func sniffCSV(head []byte) *csvDialect {
	line, _, _ := bytes.Cut(head, []byte{'\n'})
	cols := map[string]bool{}
	for _, c := range strings.Split(string(line), ",") {
		cols[normHeader(c)] = true
	}
	switch {
	case cols["timestamp"] && cols["typeofmobile"] && cols["mmsi"]:
		return &dmaCSV
	case cols["mmsi"] && cols["basedatetime"]:
		return &noaaCSV
	}
	return nil
}

// Reasons a CSV row is skipped.
const (
	skipShifted   = "row has a different number of fields than the header"
	skipNotVessel = "not a vessel (base station, aid to navigation)"
	skipCSVSyntax = "malformed CSV"
)

// csvReader reads positions from an AIS CSV file, finding its columns by
// name in the header. A header without a required column is an error; a row
// that cannot be read is skipped and counted with its line.
type csvReader struct {
	d     *csvDialect
	cr    *csv.Reader
	stats *aisStats
	vals  valueSlab
	mmsis mmsiCache         // interned MMSIs
	col   [numCSVFields]int // index of each field's column, -1 if absent
	width int               // the header's number of columns
	err   error
	done  bool
}

func newCSVReader(r io.Reader, d *csvDialect, stats *aisStats) *csvReader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	c := &csvReader{d: d, cr: cr, stats: stats}
	c.header()
	return c
}

// header reads the first row and finds the columns.
func (c *csvReader) header() {
	h, err := c.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) || err == io.EOF {
			err = malformed{line: 1, msg: fmt.Sprintf("header: %v", err)}
		}
		c.fail(err)
		return
	}
	c.stats.lines++
	c.width = len(h)
	at := map[string]int{}
	for i, name := range h {
		k := normHeader(name)
		if _, dup := at[k]; !dup {
			at[k] = i
		}
	}
	for f := range numCSVFields {
		c.col[f] = -1
		for _, name := range c.d.columns[f] {
			if i, ok := at[name]; ok {
				c.col[f] = i
				break
			}
		}
	}
	var missing []string
	for _, f := range c.d.required {
		if c.col[f] < 0 {
			missing = append(missing, fmt.Sprintf("%s (%s)", csvFieldNames[f], strings.Join(c.d.columns[f], " or ")))
		}
	}
	if len(missing) > 0 {
		c.fail(malformed{line: 1, msg: fmt.Sprintf("header: missing column %s for the %s", strings.Join(missing, ", "), c.d.name)})
	}
}

func (c *csvReader) fail(err error) {
	c.err = err
	c.done = true
}

func (c *csvReader) readErr() error { return c.err }

// next returns the next position, or false at the end of the input or on
// an error (see readErr).
func (c *csvReader) next() (routes.Position, bool) {
	for !c.done {
		rec, err := c.cr.Read()
		if err != nil {
			if err == io.EOF {
				c.done = true
				break
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.stats.lines++
				c.stats.skip(skipCSVSyntax, pe.StartLine)
				continue
			}
			c.fail(err)
			break
		}
		c.stats.lines++
		line, _ := c.cr.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		if len(rec) != c.width {
			c.stats.skip(skipShifted, line)
			continue
		}
		if p, ok := c.row(rec, line); ok {
			return p, true
		}
	}
	return routes.Position{}, false
}

// field is the value of a field in rec, "" if the file has no such column.
func (c *csvReader) field(rec []string, f csvField) string {
	if i := c.col[f]; i >= 0 {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// row reads one row into a position; static fields go to the stats.
func (c *csvReader) row(rec []string, line int) (routes.Position, bool) {
	if c.d.vesselKind != nil && c.col[colMobile] >= 0 && !c.d.vesselKind(c.field(rec, colMobile)) {
		c.stats.skip(skipNotVessel, line)
		return routes.Position{}, false
	}
	v, err := strconv.ParseUint(c.field(rec, colMMSI), 10, 32)
	if err != nil || v == 0 || v > 999_999_999 {
		c.stats.skip(skipMMSI, line)
		return routes.Position{}, false
	}
	mmsi := c.mmsis.get(uint32(v))
	if c.col[colIMO] >= 0 || c.col[colName] >= 0 {
		c.static(rec, mmsi)
	}
	t, ok := c.d.parseTime(c.field(rec, colTime))
	if !ok {
		c.stats.skip(skipBadTime, line)
		return routes.Position{}, false
	}
	if !plausible(t) {
		c.stats.skip(skipTimeRange, line)
		return routes.Position{}, false
	}
	lat, err1 := strconv.ParseFloat(c.field(rec, colLat), 64)
	lon, err2 := strconv.ParseFloat(c.field(rec, colLon), 64)
	switch {
	case err1 != nil || err2 != nil:
		c.stats.skip(skipOutOfRange, line)
		return routes.Position{}, false
	case lat == 91 || lon == 181:
		c.stats.skip(skipNoPosition, line)
		return routes.Position{}, false
	case !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180): // NaN fails too
		c.stats.skip(skipOutOfRange, line)
		return routes.Position{}, false
	}
	p := routes.Position{MMSI: mmsi, Time: t, Lon: lon, Lat: lat}
	if v, ok := number(c.field(rec, colSOG)); ok && v >= 0 && v < 102.3 {
		p.SOG = c.vals.float(v)
	}
	if v, ok := number(c.field(rec, colCOG)); ok && v >= 0 && v < 360 {
		p.COG = c.vals.float(v)
	}
	if v, ok := number(c.field(rec, colHeading)); ok && v >= 0 && v < 360 && v == math.Trunc(v) {
		p.Heading = c.vals.int(int(v))
	}
	if s := c.field(rec, colStatus); s != "" {
		if v, ok := c.d.navStatus(s); ok {
			p.NavStatus = c.vals.int(v)
		}
	}
	c.stats.positions++
	return p, true
}

// static records the row's vessel identity, when it has one.
func (c *csvReader) static(rec []string, mmsi string) {
	s := staticReport{MMSI: mmsi, Name: aisText(c.field(rec, colName)), CallSign: aisText(c.field(rec, colCallSign))}
	imo := strings.TrimPrefix(strings.ToUpper(c.field(rec, colIMO)), "IMO")
	if v, err := strconv.ParseUint(imo, 10, 32); err == nil {
		s.IMO = uint32(v)
	}
	if v, err := strconv.Atoi(c.field(rec, colShipType)); err == nil {
		s.ShipType = v
	} else if t := aisText(c.field(rec, colShipType)); t != "" && !strings.EqualFold(t, "undefined") {
		s.ShipTypeText = t
	}
	if strings.EqualFold(s.Name, "unknown") {
		s.Name = ""
	}
	if strings.EqualFold(s.CallSign, "unknown") {
		s.CallSign = ""
	}
	if s.IMO != 0 || s.Name != "" || s.CallSign != "" {
		c.stats.addStatic(s)
	}
}

// number reads an optional number; false when empty or unreadable.
func number(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// parseDMATime reads dd/mm/yyyy hh:mm:ss, in UTC.
func parseDMATime(s string) (time.Time, bool) {
	if len(s) != 19 || s[2] != '/' || s[5] != '/' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	n := func(from, to int) int {
		v := 0
		for i := from; i < to; i++ {
			if s[i] < '0' || s[i] > '9' {
				return -1
			}
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	day, month, year := n(0, 2), n(3, 5), n(6, 10)
	hour, minute, sec := n(11, 13), n(14, 16), n(17, 19)
	if day < 1 || day > 31 || month < 1 || month > 12 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31/02
	}
	return t, true
}

// parseNOAATime reads 2022-06-20T00:00:04 or 2017-02-01 20:05:07, in UTC,
// with an optional fraction and zone.
func parseNOAATime(s string) (time.Time, bool) {
	if len(s) == 19 {
		// The common case, without the cost of time.Parse.
		if t, ok := parseDMATime(s[8:10] + "/" + s[5:7] + "/" + s[0:4] + " " + s[11:19]); ok && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') {
			return t, true
		}
		return time.Time{}, false
	}
	t, ok := parseReceiveTime([]byte(s))
	return t, ok
}

// navStatusText reads the Danish Maritime Authority's navigational status
// words into the AIS code; "Unknown value" is no status.
func navStatusText(s string) (int, bool) {
	s = strings.ToLower(s)
	for _, k := range navStatusWords {
		if strings.HasPrefix(s, k.prefix) {
			return k.code, true
		}
	}
	return 0, false
}

var navStatusWords = []struct {
	prefix string
	code   int
}{
	{"under way using engine", 0}, {"at anchor", 1}, {"not under command", 2}, {"restricted man", 3},
	{"constrained by", 4}, {"moored", 5}, {"aground", 6}, {"engaged in fishing", 7}, {"under way sailing", 8},
	{"reserved for future amendment [hsc]", 9}, {"reserved for future amendment [wig]", 10},
	{"power-driven vessel towing astern", 11}, {"power-driven vessel pushing ahead", 12},
	{"reserved for future use", 13}, {"ais-sart", 14},
}
