package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb/encoding/wkt"

	"github.com/shiptrack/shiptrack/routes"
)

// outputApproaches answers "which vessels came within --within of --near":
// each MMSI among the matching AIS positions, with its closest approach.
func outputApproaches(ctx context.Context, st routes.Store, q routes.Query, format string, w io.Writer) error {
	if q.Via != "" || q.Mode != "" {
		return usageError{"--via and --mode select vessels by their legs; --near finds vessels by their AIS positions: give one or the other"}
	}
	limit, offset := q.Limit, q.Offset
	q.Limit, q.Offset = 0, 0
	all, err := routes.Approaches(st.Positions(ctx, q), q.Near.Point)
	if err != nil {
		return fmt.Errorf("query positions: %w", err)
	}
	refs, err := routes.LoadRefs(ctx, st)
	if err != nil {
		return err
	}
	byMMSI := routes.VesselsByMMSI(refs)
	pg := routes.Paginate(all, limit, offset)
	t := &table{header: []string{"mmsi", "vessel", "name", "imo", "flag", "closest_km", "closest_time", "closest_lon", "closest_lat",
		"first_seen", "last_seen", "positions", "wkt"}, matched: pg.Matched,
		human: &grid{header: []string{"mmsi", "vessel", "name", "closest km", "closest at", "first seen", "last seen", "positions"}}}
	for _, a := range pg.Items {
		v := byMMSI[a.MMSI]
		p := a.Closest
		t.features = append(t.features, routes.ApproachFeature(a, byMMSI))
		dist := strconv.FormatFloat(a.Meters/1000, 'f', 3, 64)
		first, last, closest := routes.FormatTime(a.First), routes.FormatTime(a.Last), routes.FormatTime(p.Time)
		t.rows = append(t.rows, []string{a.MMSI, v.ID, v.Name, v.IMO, v.Flag, dist, closest,
			strconv.FormatFloat(p.Lon, 'f', -1, 64), strconv.FormatFloat(p.Lat, 'f', -1, 64),
			first, last, strconv.Itoa(a.Positions), wkt.MarshalString(p.Point())})
		t.human.rows = append(t.human.rows, []string{a.MMSI, v.ID, v.Name, km(a.Meters / 1000), closest, first, last,
			strconv.Itoa(a.Positions)})
	}
	return t.write(format, w)
}
