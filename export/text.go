package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"

	"github.com/shiptrack/shiptrack/routes"
)

// Formats are the text formats one layer is written in, by file extension.
var Formats = map[string]func(ctx context.Context, st routes.Store, l Layer, w io.Writer) error{
	"geojson": GeoJSON,
	"csv":     CSV,
}

// bufferSize is how much of a text export is gathered before it is written
// on: large enough for few writes, small enough that the first bytes leave
// at once.
const bufferSize = 32 << 10

// GeoJSON writes a layer as an RFC 7946 FeatureCollection, each feature as
// it is read from the store. Times are RFC 3339 in UTC, as the API writes
// them; a table without geometry has features with a null geometry.
func GeoJSON(ctx context.Context, st routes.Store, l Layer, w io.Writer) error {
	bw := bufio.NewWriterSize(w, bufferSize)
	name, _ := json.Marshal(l.Name)
	fmt.Fprintf(bw, `{"type":"FeatureCollection","name":%s,"features":[`, name)
	keys := make([][]byte, len(l.Fields))
	for i, f := range l.Fields {
		k, _ := json.Marshal(f.Name)
		keys[i] = append(k, ':')
	}
	n := 0
	for r, err := range l.Rows(ctx, st) {
		if err != nil {
			return fmt.Errorf("export %s: %w", l.Name, err)
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		bw.WriteString("\n{\"type\":\"Feature\",")
		if id := l.FeatureID(r); id != "" {
			b, _ := json.Marshal(id)
			bw.WriteString(`"id":`)
			bw.Write(b)
			bw.WriteByte(',')
		}
		bw.WriteString(`"geometry":`)
		if r.Geometry == nil {
			bw.WriteString("null")
		} else {
			b, err := json.Marshal(geojson.NewGeometry(r.Geometry))
			if err != nil {
				return fmt.Errorf("export %s: %w", l.Name, err)
			}
			bw.Write(b)
		}
		bw.WriteString(`,"properties":{`)
		for i, v := range r.Values {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(keys[i])
			if err := writeJSONValue(bw, v); err != nil {
				return fmt.Errorf("export %s: %s: %w", l.Name, l.Fields[i].Name, err)
			}
		}
		bw.WriteString("}}")
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

func writeJSONValue(w *bufio.Writer, v any) error {
	switch v := v.(type) {
	case nil:
		w.WriteString("null")
	case time.Time:
		w.WriteByte('"')
		w.WriteString(routes.FormatTime(v))
		w.WriteByte('"')
	case int64:
		w.WriteString(strconv.FormatInt(v, 10))
	case bool:
		w.WriteString(strconv.FormatBool(v))
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		w.Write(b)
	}
	return nil
}

// CSV writes a layer as comma-separated values with a header row, each row
// as it is read from the store. A feature's geometry is the last column,
// wkt, as well-known text, which GDAL and QGIS read as the geometry. Times
// are RFC 3339 in UTC; an empty field is a null.
func CSV(ctx context.Context, st routes.Store, l Layer, w io.Writer) error {
	bw := bufio.NewWriterSize(w, bufferSize)
	cw := csv.NewWriter(bw)
	header := make([]string, 0, len(l.Fields)+1)
	for _, f := range l.Fields {
		header = append(header, f.Name)
	}
	if l.Geometry != "" {
		header = append(header, "wkt")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for r, err := range l.Rows(ctx, st) {
		if err != nil {
			return fmt.Errorf("export %s: %w", l.Name, err)
		}
		for i, v := range r.Values {
			rec[i] = csvValue(v)
		}
		if l.Geometry != "" {
			rec[len(rec)-1] = wkt.MarshalString(r.Geometry)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func csvValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case time.Time:
		return routes.FormatTime(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}
