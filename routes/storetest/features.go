package storetest

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/shiptrack/shiptrack/geo"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/cql2"
)

// The feature contract: CQL2 filters, sort keys and pages of every
// collection, each checked against a predicate and an order written here by
// hand from the meaning of the filter, independently of routes.Match and of
// SQL.

// itemCase is one filter of one collection and what it must select.
type itemCase[T any] struct {
	filter string
	sortBy string // as the sortby parameter: name, -name, +name
	keep   func(T) bool
	order  func(a, b T) int // after which the list's own order holds
}

func testFeatures(t *testing.T, s routes.Store) {
	fs, ok := s.(routes.FeatureStore)
	if !ok {
		t.Fatalf("%T does not implement routes.FeatureStore", s)
	}
	ctx := context.Background()
	g := generated(t)
	apply(t, s, g.Batch)
	if _, err := s.AddPositions(ctx, seq(g.Positions)); err != nil {
		t.Fatal(err)
	}
	o := newOracle(g.Batch, g.Positions)

	places, _ := o.places(routes.Query{})
	legs, _ := o.legs(routes.Query{})
	tracks, _ := o.tracks(routes.Query{})
	gaps, _ := o.gaps(routes.Query{})
	obs, _ := o.observations(routes.Query{})
	shipments := slices.Clone(o.b.Shipments)
	slices.SortFunc(shipments, func(a, b routes.Shipment) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})

	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	endOf := func(s string) time.Time { return day(s).Add(24*time.Hour - time.Microsecond) }
	box := func(w, s, e, n float64) routes.BBox { return routes.BBox{West: w, South: s, East: e, North: n} }
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}

	t.Run("places", func(t *testing.T) {
		checkItems(t, fs, routes.PlaceSchema, places, fs.PlaceItems, []itemCase[routes.Place]{
			{filter: `kind = 'port'`, keep: func(p routes.Place) bool { return p.Kind == routes.Port }},
			{filter: `country IN ('RU', 'KP') AND NOT kind = 'depot'`,
				keep: func(p routes.Place) bool { return (p.Country == "RU" || p.Country == "KP") && p.Kind != routes.Depot }},
			{filter: `name LIKE 'Place 1%'`, keep: func(p routes.Place) bool { return strings.HasPrefix(p.Name, "Place 1") }},
			{filter: `name LIKE 'Place _'`, keep: func(p routes.Place) bool { return len(p.Name) == len("Place 1") }},
			{filter: `name NOT LIKE '%5'`, keep: func(p routes.Place) bool { return !strings.HasSuffix(p.Name, "5") }},
			{filter: `unlocode IS NULL`, keep: func(p routes.Place) bool { return p.UNLOCODE == "" }},
			// A null unlocode makes both the comparison and its negation unknown.
			{filter: `NOT unlocode = 'RUAAQ'`, keep: func(p routes.Place) bool { return str(p.UNLOCODE) != nil && p.UNLOCODE != "RUAAQ" }},
			{filter: `unlocode > 'DE' OR note = 'none'`, keep: func(p routes.Place) bool { return p.UNLOCODE != "" && p.UNLOCODE > "DE" }},
			{filter: `S_INTERSECTS(geometry, BBOX(170, -90, -170, 90))`, keep: func(p routes.Place) bool { return pointInBox(p.Point(), box(170, -90, -170, 90)) }},
			{filter: `S_DISJOINT(geometry, BBOX(-60, -30, 60, 30))`, keep: func(p routes.Place) bool { return !pointInBox(p.Point(), box(-60, -30, 60, 30)) }},
			{filter: `S_WITHIN(geometry, POLYGON((0 0, 90 0, 90 60, 0 60, 0 0)))`,
				keep: func(p routes.Place) bool { return p.Lon > 0 && p.Lon < 90 && p.Lat > 0 && p.Lat < 60 }},
			{filter: `S_CONTAINS(POLYGON((-180 -90, 0 -90, 0 0, -180 -90)), geometry)`, // the lower-left triangle, boundary excluded
				keep: func(p routes.Place) bool { return p.Lon < 0 && p.Lat < 0 && p.Lat > -90 && p.Lat+90 < (p.Lon+180)/2 }},
			{filter: `S_DWITHIN(geometry, POINT(175 0), 3000000)`, keep: func(p routes.Place) bool { return geo.Distance(p.Point(), orb.Point{175, 0}) <= 3e6 }},
			{filter: `TRUE`, sortBy: "-name", keep: func(routes.Place) bool { return true },
				order: func(a, b routes.Place) int { return cmp.Compare(b.Name, a.Name) }},
			{filter: `kind <> 'port'`, sortBy: "country,-name", keep: func(p routes.Place) bool { return p.Kind != routes.Port },
				order: func(a, b routes.Place) int {
					return cmp.Or(cmp.Compare(a.Country, b.Country), cmp.Compare(b.Name, a.Name))
				}},
			{sortBy: "unlocode", keep: func(routes.Place) bool { return true },
				order: func(a, b routes.Place) int { return nullsLast(str(a.UNLOCODE), str(b.UNLOCODE)) }},
		})
	})
	t.Run("legs", func(t *testing.T) {
		checkItems(t, fs, routes.LegSchema, legs, fs.LegItems, []itemCase[routes.Leg]{
			{filter: `mode = 'sea' AND length_km > 1000`, keep: func(l routes.Leg) bool { return l.Mode == routes.Sea && l.LengthKm > 1000 }},
			{filter: `seq BETWEEN 2 AND 3`, keep: func(l routes.Leg) bool { return l.Seq >= 2 && l.Seq <= 3 }},
			{filter: `seq NOT BETWEEN 2 AND 3 OR seq = 1.5`, keep: func(l routes.Leg) bool { return l.Seq < 2 || l.Seq > 3 }},
			{filter: `vessel IS NULL AND carrier IS NOT NULL`, keep: func(l routes.Leg) bool { return l.Vessel == "" && l.Carrier != "" }},
			{filter: `NOT vessel = 'vessel-01'`, keep: func(l routes.Leg) bool { return l.Vessel != "" && l.Vessel != "vessel-01" }},
			{filter: `vessel <> 'vessel-01' OR confidence = 'low'`,
				keep: func(l routes.Leg) bool {
					return (l.Vessel != "" && l.Vessel != "vessel-01") || l.Confidence == routes.Low
				}},
			{filter: `NOT (vessel <> 'vessel-01' OR seq > 1)`, // unknown OR false is unknown; NOT unknown is unknown
				keep: func(l routes.Leg) bool { return l.Vessel == "vessel-01" && l.Seq <= 1 }},
			{filter: `origin > destination`, keep: func(l routes.Leg) bool { return l.Origin > l.Destination }},
			{filter: `T_INTERSECTS(INTERVAL(start, end), INTERVAL('2023-03-01', '2023-03-31'))`,
				keep: func(l routes.Leg) bool {
					return !l.End().Before(day("2023-03-01")) && !l.Start().After(endOf("2023-03-31"))
				}},
			{filter: `T_DURING(INTERVAL(start, end), INTERVAL('2023-03-01T00:00:00Z', '2023-06-30T00:00:00Z'))`,
				keep: func(l routes.Leg) bool {
					return l.Start().After(day("2023-03-01")) && l.End().Before(day("2023-06-30"))
				}},
			{filter: `T_BEFORE(INTERVAL(start, end), DATE('2023-04-01'))`, keep: func(l routes.Leg) bool { return l.End().Before(day("2023-04-01")) }},
			{filter: `T_AFTER(start, TIMESTAMP('2023-10-01T12:00:00Z'))`,
				keep: func(l routes.Leg) bool { return l.Start().After(day("2023-10-01").Add(12 * time.Hour)) }},
			{filter: `T_INTERSECTS(INTERVAL(start, end), INTERVAL('..', '2023-02-01'))`, keep: func(l routes.Leg) bool { return !l.Start().After(endOf("2023-02-01")) }},
			{filter: `T_DISJOINT(INTERVAL(depart_earliest, arrive_latest), INTERVAL('2023-02-01', '..'))`, keep: func(l routes.Leg) bool { return l.End().Before(day("2023-02-01")) }},
			{filter: `start >= DATE('2023-06-01') AND start < DATE('2023-07-01')`,
				keep: func(l routes.Leg) bool {
					return !l.Start().Before(day("2023-06-01")) && l.Start().Before(day("2023-07-01"))
				}},
			{filter: `start = DATE('2023-06-15') OR depart_latest > TIMESTAMP('2023-12-01T00:00:00.5Z')`,
				keep: func(l routes.Leg) bool {
					return l.Start().Truncate(24*time.Hour).Equal(day("2023-06-15")) || l.Depart.Latest.After(day("2023-12-01").Add(500*time.Millisecond))
				}},
			{filter: `S_INTERSECTS(geometry, BBOX(170, -60, -170, 60))`, keep: func(l routes.Leg) bool { return linesInBox(l.Geometry, box(170, -60, -170, 60)) }},
			{filter: `geometry_kind = 'reported' AND S_INTERSECTS(geometry, BBOX(-180, 0, 180, 90))`,
				keep: func(l routes.Leg) bool {
					return l.GeometryKind == routes.Reported && linesInBox(l.Geometry, box(-180, 0, 180, 90))
				}},
			{filter: `note LIKE 'gen%'`, sortBy: "-length_km", keep: func(l routes.Leg) bool { return strings.HasPrefix(l.Note, "gen") },
				order: func(a, b routes.Leg) int { return cmp.Compare(b.LengthKm, a.LengthKm) }},
			{sortBy: "confidence,-seq", keep: func(routes.Leg) bool { return true },
				order: func(a, b routes.Leg) int {
					return cmp.Or(nullsLast(str(string(a.Confidence)), str(string(b.Confidence))), cmp.Compare(b.Seq, a.Seq))
				}},
		})
	})
	t.Run("shipments", func(t *testing.T) {
		checkItems(t, fs, routes.ShipmentSchema, shipments, fs.ShipmentItems, []itemCase[routes.Shipment]{
			{filter: `status IN ('reported', 'alleged') AND cargo_quantity > 1000`,
				keep: func(s routes.Shipment) bool {
					return (s.Status == routes.StatusReported || s.Status == routes.StatusAlleged) && s.Cargo.Quantity > 1000
				}},
			{filter: `cargo_quantity IS NOT NULL AND cargo_quantity < 300`, keep: func(s routes.Shipment) bool { return s.Cargo.Quantity != 0 && s.Cargo.Quantity < 300 }},
			{filter: `T_OVERLAPS(INTERVAL(start, end), INTERVAL('2023-06-01', '2023-06-30'))`,
				keep: func(s routes.Shipment) bool {
					return s.Start.Before(day("2023-06-01")) && s.End.After(day("2023-06-01")) && s.End.Before(endOf("2023-06-30"))
				}},
			{filter: `S_INTERSECTS(geometry, BBOX(0, 0, 90, 60))`, keep: func(s routes.Shipment) bool {
				return slices.ContainsFunc(s.Legs, func(l routes.Leg) bool { return linesInBox(l.Geometry, box(0, 0, 90, 60)) })
			}},
			{sortBy: "title", keep: func(routes.Shipment) bool { return true },
				order: func(a, b routes.Shipment) int { return strings.Compare(a.Title, b.Title) }},
		})
	})
	t.Run("positions", func(t *testing.T) {
		checkItems(t, fs, routes.PositionSchema, o.positions, fs.PositionItems, []itemCase[routes.Position]{
			{filter: `sog > 10 AND heading < 180`, keep: func(p routes.Position) bool { return p.SOG != nil && *p.SOG > 10 && *p.Heading < 180 }},
			{filter: `sog IS NULL`, keep: func(p routes.Position) bool { return p.SOG == nil }},
			{filter: `NOT nav_status = 5`, keep: func(p routes.Position) bool { return p.NavStatus != nil && *p.NavStatus != 5 }},
			{filter: `mmsi = '273100001'`, keep: func(p routes.Position) bool { return p.MMSI == "273100001" }},
			{filter: `T_INTERSECTS(time, INTERVAL('2023-05-01', '2023-05-31'))`,
				keep: func(p routes.Position) bool {
					return !p.Time.Before(day("2023-05-01")) && !p.Time.After(endOf("2023-05-31"))
				}},
			{filter: `S_INTERSECTS(geometry, BBOX(100, 20, 150, 60))`, keep: func(p routes.Position) bool { return pointInBox(p.Point(), box(100, 20, 150, 60)) }},
			{filter: `S_DWITHIN(geometry, POINT(0 0), 2000000) AND time > TIMESTAMP('2023-06-01T00:00:00Z')`,
				keep: func(p routes.Position) bool {
					return geo.Distance(p.Point(), orb.Point{0, 0}) <= 2e6 && p.Time.After(day("2023-06-01"))
				}},
			{filter: `sog >= 0`, sortBy: "-cog", keep: func(p routes.Position) bool { return p.SOG != nil },
				order: func(a, b routes.Position) int { return cmp.Compare(*b.COG, *a.COG) }},
			{sortBy: "-sog", keep: func(routes.Position) bool { return true },
				order: func(a, b routes.Position) int { return -nullsLast(a.SOG, b.SOG) }},
		})
	})
	t.Run("tracks", func(t *testing.T) {
		checkItems(t, fs, routes.TrackSchema, tracks, fs.TrackItems, []itemCase[routes.Track]{
			{filter: `points = 3 AND leg IS NOT NULL`, keep: func(x routes.Track) bool { return x.Points == 3 && x.Leg != "" }},
			{filter: `length_km > 500`, keep: func(x routes.Track) bool { return x.LengthKm > 500 }},
			{filter: `T_INTERSECTS(INTERVAL(start, end), INTERVAL('2023-01-01', '2023-06-30'))`,
				keep: func(x routes.Track) bool {
					return !x.End.Before(day("2023-01-01")) && !x.Start.After(endOf("2023-06-30"))
				}},
		})
	})
	t.Run("gaps", func(t *testing.T) {
		checkItems(t, fs, routes.GapSchema, gaps, fs.GapItems, []itemCase[routes.Gap]{
			{filter: `dark = TRUE`, keep: func(x routes.Gap) bool { return x.Dark }},
			{filter: `offshore_nm BETWEEN 50 AND 150`, keep: func(x routes.Gap) bool { return x.OffshoreNm >= 50 && x.OffshoreNm <= 150 }},
			{filter: `S_INTERSECTS(geometry, BBOX(-90, -45, 90, 45))`,
				keep: func(x routes.Gap) bool { return linesInBox(orb.MultiLineString{{x.From, x.To}}, box(-90, -45, 90, 45)) }},
			{sortBy: "-offshore_nm", keep: func(routes.Gap) bool { return true },
				order: func(a, b routes.Gap) int { return cmp.Compare(b.OffshoreNm, a.OffshoreNm) }},
		})
	})
	t.Run("observations", func(t *testing.T) {
		checkItems(t, fs, routes.ObservationSchema, obs, fs.ObservationItems, []itemCase[routes.Observation]{
			{filter: `kind = 'photo' OR subject = 'vessel-02'`, keep: func(x routes.Observation) bool { return x.Kind == routes.Photo || x.Subject == "vessel-02" }},
			{filter: `T_DURING(INTERVAL(start, end), INTERVAL('2023-02-01', '2023-08-01'))`,
				keep: func(x routes.Observation) bool {
					return x.Time.Earliest.After(day("2023-02-01")) && x.Time.Latest.Before(endOf("2023-08-01"))
				}},
		})
	})
	t.Run("extents", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			bound orb.Bound
			start time.Time
			end   time.Time
		}{
			{"legs", legsBound(legs), legs[0].Start(), maxTime(legs, routes.Leg.End)},
			{"places", placesBound(places), time.Time{}, time.Time{}},
		} {
			got, err := fs.Extent(ctx, c.name)
			if err != nil || got.Empty || got.Bound != c.bound || !got.Start.Equal(c.start) || !got.End.Equal(c.end) {
				t.Errorf("Extent(%s) = %+v, %v; want %v %v/%v", c.name, got, err, c.bound, c.start, c.end)
			}
		}
	})
}

// checkItems runs each case on the store, whole and as one page, and
// compares with the oracle.
func checkItems[T any](t *testing.T, fs routes.FeatureStore, schema *routes.Schema[T], all []T,
	items func(context.Context, routes.FeatureQuery) iter.Seq2[T, error], cases []itemCase[T]) {
	t.Helper()
	ctx := context.Background()
	for _, c := range cases {
		var q routes.FeatureQuery
		if c.filter != "" {
			e, err := cql2.Parse(c.filter)
			if err != nil {
				t.Fatalf("%s: %v", c.filter, err)
			}
			if q.Filter, err = schema.CheckFilter(e); err != nil {
				t.Fatalf("%s: %v", c.filter, err)
			}
		}
		for _, k := range strings.Split(c.sortBy, ",") {
			if k != "" {
				q.SortBy = append(q.SortBy, routes.SortKey{Field: strings.TrimLeft(k, "+-"), Descending: k[0] == '-'})
			}
		}
		want := slices.DeleteFunc(slices.Clone(all), func(x T) bool { return !c.keep(x) })
		if c.order != nil {
			slices.SortStableFunc(want, c.order)
		}
		name := fmt.Sprintf("%s filter %q sortby %q", schema.Name, c.filter, c.sortBy)
		if len(want) == 0 || len(want) == len(all) && c.filter != "" && c.filter != "TRUE" {
			t.Errorf("%s: the oracle keeps %d of %d: the case tells nothing", name, len(want), len(all))
		}
		got, err := collect(items(ctx, q))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if g, w := featureIDs(schema, got), featureIDs(schema, want); !slices.Equal(g, w) {
			t.Errorf("%s:\n got %d %v\nwant %d %v", name, len(g), g, len(w), w)
			continue
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Errorf("%s: the items differ from what was written", name)
		}
		n, err := fs.CountItems(ctx, schema.Name, q)
		if err != nil || n != len(want) {
			t.Errorf("%s: CountItems = %d, %v; want %d", name, n, err, len(want))
		}
		q.Offset, q.Limit = 2, 5
		page, err := collect(items(ctx, q))
		wantPage := want[min(2, len(want)):]
		wantPage = wantPage[:min(5, len(wantPage))]
		if g, w := featureIDs(schema, page), featureIDs(schema, wantPage); err != nil || !slices.Equal(g, w) {
			t.Errorf("%s offset 2 limit 5: got %v, %v; want %v", name, g, err, w)
		}
	}
}

func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for x, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func featureIDs[T any](schema *routes.Schema[T], xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = schema.ID(x)
	}
	return out
}

// nullsLast orders values with missing ones after every value.
func nullsLast[T cmp.Ordered](a, b *T) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*a, *b)
}

func legsBound(ls []routes.Leg) orb.Bound {
	b := ls[0].Geometry.Bound()
	for _, l := range ls {
		b = b.Union(l.Geometry.Bound())
	}
	return b
}

func placesBound(ps []routes.Place) orb.Bound {
	b := ps[0].Point().Bound()
	for _, p := range ps {
		b = b.Extend(p.Point())
	}
	return b
}

func maxTime[T any](xs []T, f func(T) time.Time) time.Time {
	m := f(xs[0])
	for _, x := range xs {
		if t := f(x); t.After(m) {
			m = t
		}
	}
	return m
}
