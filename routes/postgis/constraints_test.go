package postgis

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// validRows are rows, as SQL literals by column, that each table accepts;
// the constraint cases break one column of one of them at a time. They rely
// on the source, places, vessel and shipment that TestConstraints inserts.
var validRows = map[string]map[string]string{
	"places": {"id": "'najin'", "name": "'Najin'", "kind": "'port'", "country": "'KP'", "unlocode": "'KPNJN'",
		"geom": "ST_SetSRID(ST_MakePoint(130.3, 42.2333), 4326)"},
	"vessels": {"id": "'angara'", "name": "'Angara'", "imo": "'9179842'", "mmsi": "'273000000'", "flag": "'RU'",
		"confidence": "'medium'"},
	"sources": {"id": "'wh'", "publisher": "'The White House'", "title": "'Briefing'", "published": "'2023-10-13'",
		"kind": "'government'"},
	"shipments": {"id": "'ship-2'", "title": "'T'", "cargo_description": "'containers'", "cargo_quantity": "1000",
		"status": "'reported'", "confidence": "'medium'", "start_time": "'2023-09-07Z'", "end_time": "'2023-10-30Z'",
		"bound_west": "130", "bound_south": "42", "bound_east": "133", "bound_north": "43", "length_km": "200"},
	"shipment_sources": {"shipment": "'ship'", "ord": "1", "source": "'src'", "claim": "'said so'"},
	"legs": {"id": "'leg-1'", "shipment": "'ship'", "seq": "1", "mode": "'sea'", "origin": "'from'",
		"destination": "'to'", "vessel": "'boat'", "depart_earliest": "'2023-09-07Z'", "depart_latest": "'2023-09-10Z'",
		"arrive_earliest": "'2023-09-12Z'", "arrive_latest": "'2023-09-12T23:59:59Z'",
		"geom":          "ST_GeomFromText('MULTILINESTRING((130.3 42.2, 132.3 42.9))', 4326)",
		"geometry_kind": "'reported'", "length_km": "190.5", "confidence": "'low'"},
	"leg_sources": {"leg": "'stored-leg'", "ord": "1", "source": "'src'", "claim": "'said so'"},
	"positions": {"mmsi": "'273000000'", "time": "'2023-09-08T06:00:00Z'",
		"geom": "ST_SetSRID(ST_MakePoint(131, 42.5), 4326)", "nav_status": "0"},
	"tracks": {"id": "'track-1'", "mmsi": "'273000000'", "start_time": "'2023-09-07Z'", "end_time": "'2023-09-08Z'",
		"points": "2", "geom": "ST_GeomFromText('MULTILINESTRING((130.3 42.2, 132.3 42.9))', 4326)", "length_km": "190"},
	"gaps": {"id": "'gap-1'", "mmsi": "'273000000'", "start_time": "'2023-09-07Z'", "end_time": "'2023-09-08Z'",
		"from_geom": "ST_SetSRID(ST_MakePoint(131, 42.5), 4326)", "to_geom": "ST_SetSRID(ST_MakePoint(132, 42.7), 4326)",
		"dark": "true", "offshore_nm": "12"},
	"observations": {"id": "'obs-1'", "time_earliest": "'2023-09-12Z'", "time_latest": "'2023-09-12T12:00:00Z'",
		"geom": "ST_SetSRID(ST_MakePoint(132.3, 42.9), 4326)", "kind": "'satellite_image'", "subject": "'angara'",
		"source": "'src'"},
}

func TestConstraints(t *testing.T) {
	ctx := context.Background()
	_, dbURL := newStore(t)
	conn := connect(t, dbURL)
	if _, err := conn.Exec(ctx, `
		INSERT INTO sources (id, publisher, title, published, kind) VALUES ('src', 'P', 'T', '2023-10-13', 'media');
		INSERT INTO places (id, name, kind, country, geom) VALUES
			('from', 'From', 'port', 'KP', ST_SetSRID(ST_MakePoint(130.3, 42.2), 4326)),
			('to', 'To', 'port', 'RU', ST_SetSRID(ST_MakePoint(132.3, 42.9), 4326));
		INSERT INTO vessels (id, name) VALUES ('boat', 'Boat');
		INSERT INTO shipments (id, title, cargo_description, status, confidence, start_time, end_time,
			bound_west, bound_south, bound_east, bound_north, length_km)
			VALUES ('ship', 'T', 'c', 'alleged', 'low', '2023-09-01Z', '2023-09-02Z', 0, 0, 0, 0, 0);
		INSERT INTO legs (id, shipment, seq, mode, origin, destination, depart_earliest, depart_latest,
			arrive_earliest, arrive_latest, geom, geometry_kind, length_km)
			VALUES ('stored-leg', 'ship', 9, 'rail', 'from', 'to', '2023-09-01Z', '2023-09-01Z', '2023-09-02Z',
				'2023-09-02Z', ST_GeomFromText('MULTILINESTRING((130.3 42.2, 132.3 42.9))', 4326), 'schematic', 190)`); err != nil {
		t.Fatalf("insert the rows the cases refer to: %v", err)
	}

	cases := []struct {
		table, column, value string
		constraint           string // "" for a row that must be accepted
		code                 string // SQLSTATE when not a CHECK violation (23514)
		also                 map[string]string
	}{
		// Each table's valid row is accepted, so a rejection below is the
		// broken column's doing.
		{table: "places"}, {table: "vessels"}, {table: "sources"}, {table: "shipments"},
		{table: "shipment_sources"}, {table: "legs"}, {table: "leg_sources"}, {table: "positions"},
		{table: "tracks"}, {table: "gaps"}, {table: "observations"},
		// Coordinates at the very edges are in range.
		{table: "places", column: "geom", value: "ST_SetSRID(ST_MakePoint(-180, 90), 4326)"},
		{table: "legs", column: "geom", value: "ST_GeomFromText('MULTILINESTRING((180 -90, 179 0))', 4326)"},
		// An exact time is a window of no width.
		{table: "legs", column: "arrive_latest", value: "'2023-09-12Z'"},

		{"places", "id", "'Najin'", "slug_check", "", nil},
		{"places", "id", "'najin--port'", "slug_check", "", nil},
		{"places", "id", "'-najin'", "slug_check", "", nil},
		{"places", "id", "''", "slug_check", "", nil},
		{"places", "id", "'" + strings.Repeat("a", 65) + "'", "slug_check", "", nil},
		{"places", "id", "'najin; DROP TABLE places'", "slug_check", "", nil},
		{"places", "kind", "'harbour'", "place_kind_check", "", nil},
		{"places", "country", "'kp'", "country_code_check", "", nil},
		{"places", "country", "'PRK'", "country_code_check", "", nil},
		{"places", "unlocode", "'KPNJ1'", "unlocode_check", "", nil},
		{"places", "geom", "ST_SetSRID(ST_MakePoint(180.000001, 42), 4326)", "places_geom_range", "", nil},
		{"places", "geom", "ST_SetSRID(ST_MakePoint(-181, 42), 4326)", "places_geom_range", "", nil},
		{"places", "geom", "ST_SetSRID(ST_MakePoint(130, 90.5), 4326)", "places_geom_range", "", nil},
		{"places", "geom", "ST_SetSRID(ST_MakePoint(130, -91), 4326)", "places_geom_range", "", nil},
		{"places", "geom", "ST_SetSRID(ST_MakePoint('NaN', 42), 4326)", "places_geom_range", "", nil},
		{"places", "geom", "ST_SetSRID(ST_MakePoint(130, 42), 3857)", "", "22023", nil},       // another SRID
		{"places", "geom", "ST_GeomFromText('LINESTRING(0 0, 1 1)', 4326)", "", "22023", nil}, // not a point
		{"vessels", "imo", "'917984'", "imo_number_check", "", nil},
		{"vessels", "imo", "'IMO9179842'", "imo_number_check", "", nil},
		{"vessels", "mmsi", "'27300000'", "mmsi_number_check", "", nil},
		{"vessels", "mmsi", "'27300000x'", "mmsi_number_check", "", nil},
		{"vessels", "flag", "'Russia'", "country_code_check", "", nil},
		{"vessels", "confidence", "'certain'", "confidence_level_check", "", nil},
		{"vessels", "id", "'Angara'", "slug_check", "", nil},
		{"sources", "kind", "'blog'", "source_kind_check", "", nil},
		{"sources", "published", "'13 October'", "", "22007", nil}, // not a date
		{"shipments", "status", "'rumoured'", "shipment_status_check", "", nil},
		{"shipments", "confidence", "'none'", "confidence_level_check", "", nil},
		{"shipments", "cargo_quantity", "-1", "shipments_cargo_quantity", "", nil},
		{"shipments", "end_time", "'2023-09-06Z'", "shipments_period_order", "", nil},
		{"shipment_sources", "source", "'no-such-source'", "shipment_sources_source_fkey", "23503", nil},
		{"shipment_sources", "shipment", "'no-such-shipment'", "shipment_sources_shipment_fkey", "23503", nil},
		{"legs", "mode", "'ship'", "leg_mode_check", "", nil},
		{"legs", "geometry_kind", "'guessed'", "geometry_kind_check", "", nil},
		{"legs", "confidence", "'sure'", "confidence_level_check", "", nil},
		{"legs", "seq", "0", "legs_seq_positive", "", nil},
		{"legs", "seq", "9", "legs_shipment_seq", "23505", nil}, // stored-leg has seq 9 (checked at commit)
		{"legs", "depart_latest", "'2023-09-06Z'", "legs_depart_order", "", nil},
		{"legs", "arrive_earliest", "'2023-09-13Z'", "legs_arrive_order", "", nil},
		{"legs", "arrive_latest", "'2023-09-11Z'", "legs_arrive_order", "", nil},
		{"legs", "depart_earliest", "'2023-09-11Z'", "legs_depart_order", "", nil},
		// Departing after the latest arrival, with each window in order.
		{"legs", "depart_earliest", "'2023-09-13Z'", "legs_active_order", "",
			map[string]string{"depart_latest": "'2023-09-14Z'"}},
		{"legs", "geom", "ST_GeomFromText('MULTILINESTRING((130.3 42.2, 200 42.9))', 4326)", "legs_geom_range", "", nil},
		{"legs", "geom", "ST_GeomFromText('MULTILINESTRING((130.3 -90.5, 132 42.9))', 4326)", "legs_geom_range", "", nil},
		{"legs", "geom", "ST_GeomFromText('MULTILINESTRING EMPTY', 4326)", "legs_geom_not_empty", "", nil},
		{"legs", "geom", "ST_GeomFromText('LINESTRING(130.3 42.2, 132.3 42.9)', 4326)", "", "22023", nil},
		{"legs", "length_km", "-0.5", "legs_length_km", "", nil},
		{"legs", "shipment", "'no-such-shipment'", "legs_shipment_fkey", "23503", nil},
		{"legs", "origin", "'no-such-place'", "legs_origin_fkey", "23503", nil},
		{"legs", "destination", "'no-such-place'", "legs_destination_fkey", "23503", nil},
		{"legs", "vessel", "'no-such-vessel'", "legs_vessel_fkey", "23503", nil},
		{"leg_sources", "source", "'no-such-source'", "leg_sources_source_fkey", "23503", nil},
		{"positions", "geom", "ST_SetSRID(ST_MakePoint(131, 91), 4326)", "positions_geom_range", "", nil},
		{"positions", "geom", "ST_SetSRID(ST_MakePoint(181, 42), 4326)", "positions_geom_range", "", nil},
		{"tracks", "end_time", "'2023-09-06Z'", "tracks_period_order", "", nil},
		{"tracks", "geom", "ST_GeomFromText('MULTILINESTRING((130.3 42.2, 180.5 42.9))', 4326)", "tracks_geom_range", "", nil},
		{"gaps", "end_time", "'2023-09-06Z'", "gaps_period_order", "", nil},
		{"gaps", "from_geom", "ST_SetSRID(ST_MakePoint(131, -95), 4326)", "gaps_from_range", "", nil},
		{"gaps", "to_geom", "ST_SetSRID(ST_MakePoint(-190, 42), 4326)", "gaps_to_range", "", nil},
		{"observations", "kind", "'rumour'", "observation_kind_check", "", nil},
		{"observations", "time_latest", "'2023-09-11Z'", "observations_time_order", "", nil},
		{"observations", "geom", "ST_SetSRID(ST_MakePoint(132, 100), 4326)", "observations_geom_range", "", nil},
		{"observations", "source", "'no-such-source'", "observations_source_fkey", "23503", nil},
		{"observations", "id", "'obs 1'", "slug_check", "", nil},
	}
	for _, c := range cases {
		name := c.table
		if c.column != "" {
			name += "." + c.column + "=" + c.value
		}
		t.Run(name, func(t *testing.T) {
			row := maps.Clone(validRows[c.table])
			if c.column != "" {
				row[c.column] = c.value
			}
			maps.Copy(row, c.also)
			cols := slices.Sorted(maps.Keys(row))
			vals := make([]string, len(cols))
			for i, col := range cols {
				vals[i] = row[col]
			}
			// Test-only SQL from the literals above; the store never builds
			// SQL from values.
			sql := "INSERT INTO " + c.table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")"
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			// Deferred constraints are checked now, so that every row can be
			// rolled back.
			if _, err := tx.Exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
				t.Fatal(err)
			}
			_, err = tx.Exec(ctx, sql)
			if c.constraint == "" && c.code == "" {
				if err != nil {
					t.Fatalf("a valid row was rejected: %v", err)
				}
				return
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				t.Fatalf("inserting %s = %v; want it rejected", c.value, err)
			}
			code := c.code
			if code == "" {
				code = "23514" // check_violation
			}
			if pgErr.Code != code || pgErr.ConstraintName != c.constraint {
				t.Errorf("rejected with %s %q (%v); want %s %q", pgErr.Code, pgErr.ConstraintName, err, code, c.constraint)
			}
		})
	}
}
