package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"github.com/shiptrack/shiptrack/routes"
)

// IsOSM reports whether the file at name is, by its name, an OpenStreetMap
// PBF extract, which OSMRail reads.
func IsOSM(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".osm.pbf") }

// OSMStats is what OSMRail read.
type OSMStats struct {
	Ways  int // railway=rail ways found
	Nodes int // their nodes found in the file
	// Missing counts node references the file had no node for; the ways
	// are cut there (see routes.RailWay.Part).
	Missing int
}

// OSMRail reads the railway=rail ways of the OpenStreetMap PBF file at path,
// with their nodes' coordinates. It reads the file twice so that memory
// grows with the railway, not the file: once for the ways, keeping only
// their node ids, then for those nodes alone. A file that is not PBF, or is
// cut short, is an error naming it; so is one without any railway.
func OSMRail(ctx context.Context, path string) ([]routes.RailWay, OSMStats, error) {
	var st OSMStats
	fail := func(err error) ([]routes.RailWay, OSMStats, error) {
		return nil, st, fmt.Errorf("%s: %w", path, err)
	}
	type way struct {
		id         int64
		start, end int // its node ids are refs[start:end]
	}
	var ways []way
	var refs []int64
	err := scanOSM(ctx, path, func(s *osmpbf.Scanner) {
		s.SkipNodes, s.SkipRelations = true, true
		s.FilterWay = func(w *osm.Way) bool { return w.Tags.Find("railway") == "rail" }
	}, func(o osm.Object) {
		w, ok := o.(*osm.Way)
		if !ok || len(w.Nodes) < 2 {
			return
		}
		start := len(refs)
		for _, n := range w.Nodes {
			refs = append(refs, int64(n.ID))
		}
		ways = append(ways, way{int64(w.ID), start, len(refs)})
	})
	if err != nil {
		return fail(err)
	}
	if len(ways) == 0 {
		return fail(errors.New("no railway=rail ways in this file"))
	}
	st.Ways = len(ways)

	needed := slices.Clone(refs)
	slices.Sort(needed)
	needed = slices.Compact(needed)
	coords := make([]orb.Point, len(needed))
	found := make([]bool, len(needed))
	err = scanOSM(ctx, path, func(s *osmpbf.Scanner) {
		s.SkipWays, s.SkipRelations = true, true
		s.FilterNode = func(n *osm.Node) bool {
			_, ok := slices.BinarySearch(needed, int64(n.ID))
			return ok
		}
	}, func(o osm.Object) {
		n, ok := o.(*osm.Node)
		if !ok {
			return
		}
		if i, ok := slices.BinarySearch(needed, int64(n.ID)); ok && !found[i] {
			coords[i], found[i] = orb.Point{n.Lon, n.Lat}, true
			st.Nodes++
		}
	})
	if err != nil {
		return fail(err)
	}

	var out []routes.RailWay
	for _, w := range ways {
		part := routes.RailWay{ID: w.id}
		flush := func() {
			if len(part.Nodes) >= 2 {
				out = append(out, part)
				part = routes.RailWay{ID: w.id, Part: part.Part + 1}
			} else {
				part.Nodes, part.Line = nil, nil
			}
		}
		for _, id := range refs[w.start:w.end] {
			i, _ := slices.BinarySearch(needed, id)
			if !found[i] {
				st.Missing++
				flush()
				continue
			}
			p := coords[i]
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
				return fail(fmt.Errorf("node %d of way %d: %v,%v is not a longitude and latitude", id, w.id, p[0], p[1]))
			}
			part.Nodes = append(part.Nodes, id)
			part.Line = append(part.Line, p)
		}
		flush()
	}
	if len(out) == 0 {
		return fail(errors.New("the file has railway=rail ways but not their nodes"))
	}
	return out, st, nil
}

// scanOSM reads every object of the PBF file at path that the scanner,
// once set up, lets through.
func scanOSM(ctx context.Context, path string, setUp func(*osmpbf.Scanner), each func(osm.Object)) error {
	f, err := os.Open(path)
	if err != nil {
		return unwrapPath(err)
	}
	defer f.Close()
	s := osmpbf.New(ctx, f, min(runtime.GOMAXPROCS(0), 4))
	defer s.Close()
	setUp(s)
	if _, err := s.Header(); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("not an OpenStreetMap PBF file: it is empty")
		}
		return fmt.Errorf("not an OpenStreetMap PBF file: %w", err)
	}
	for s.Scan() {
		each(s.Object())
	}
	if err := s.Err(); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("not a readable OpenStreetMap PBF file (cut short or corrupt?): %w", err)
	}
	return ctx.Err()
}
