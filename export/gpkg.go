package export

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
)

// Summary is what an export wrote: each layer's count and extent, and the
// span of time the temporal layers cover. A QGIS project is framed on it.
type Summary struct {
	Layers []LayerSummary
	// Bound is the extent of every feature; Empty when there is none.
	Bound orb.Bound
	Empty bool
	// Start and End bound the active periods of every temporal feature;
	// zero when there is none.
	Start, End time.Time
}

// LayerSummary is what was written of one layer.
type LayerSummary struct {
	Name  string
	Count int64
	Bound orb.Bound // zero when the layer has no feature with a geometry
}

// Count is how many rows the named layer has.
func (s Summary) Count(layer string) int64 {
	for _, l := range s.Layers {
		if l.Name == layer {
			return l.Count
		}
	}
	return 0
}

// span widens the summary's time range to [start, end].
func (s *Summary) span(start, end time.Time) {
	if s.Start.IsZero() || start.Before(s.Start) {
		s.Start = start
	}
	if s.End.IsZero() || end.After(s.End) {
		s.End = end
	}
}

// extend widens the summary's extent to b.
func (s *Summary) extend(b orb.Bound) {
	if s.Empty {
		s.Bound, s.Empty = b, false
		return
	}
	s.Bound = s.Bound.Union(b)
}

// GeoPackage writes every layer of st to a new GeoPackage file at path,
// which must not exist or be empty. Rows are streamed from the store to the
// file; the spatial indexes are packed with temporary files beside path.
// Callers publish the file atomically: see WriteFile.
func GeoPackage(ctx context.Context, st routes.Store, path string) (Summary, error) {
	w, err := gpkg.Create(ctx, path, filepath.Dir(path))
	if err != nil {
		return Summary{}, err
	}
	sum, err := writeLayers(ctx, st, w)
	if err != nil {
		w.Abort()
		return Summary{}, err
	}
	if err := w.Close(); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

func writeLayers(ctx context.Context, st routes.Store, w *gpkg.Writer) (Summary, error) {
	sum := Summary{Empty: true}
	for _, l := range Layers {
		ls, err := writeLayer(ctx, st, w, l, &sum)
		if err != nil {
			return Summary{}, err
		}
		sum.Layers = append(sum.Layers, ls)
	}
	return sum, nil
}

// writeLayer writes one layer's rows and notes its count, extent and time
// range in sum.
func writeLayer(ctx context.Context, st routes.Store, w *gpkg.Writer, l Layer, sum *Summary) (LayerSummary, error) {
	tw, err := w.Table(ctx, l.Table())
	if err != nil {
		return LayerSummary{}, err
	}
	start, end := fieldIndex(l, "start"), fieldIndex(l, "end")
	for r, err := range l.rows(ctx, st) {
		if err != nil {
			return LayerSummary{}, fmt.Errorf("export %s: %w", l.Name, err)
		}
		if err := tw.Append(ctx, r.Values, r.Geometry); err != nil {
			return LayerSummary{}, fmt.Errorf("export %s: %w", l.Name, err)
		}
		if l.Temporal {
			sum.span(r.Values[start].(time.Time), r.Values[end].(time.Time))
		}
	}
	ls := LayerSummary{Name: l.Name, Count: tw.Rows()}
	if b, ok := tw.Extent(); ok {
		ls.Bound = b
		sum.extend(b)
	}
	if err := tw.Close(ctx); err != nil {
		return LayerSummary{}, fmt.Errorf("export %s: %w", l.Name, err)
	}
	return ls, nil
}

// fieldIndex is the position of the named field in l, or -1.
func fieldIndex(l Layer, name string) int {
	for i, f := range l.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}
