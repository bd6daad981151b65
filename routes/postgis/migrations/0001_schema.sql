-- shiptrack schema, version 1.
--
-- Values are checked here as far as a database can check them, so that a
-- row written by hand or by an older binary cannot break what readers
-- assume. Rules that need the rest of the model (IMO check digits, line
-- endpoints near their places) stay in routes.Prepare.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Identifiers are URL path segments and file names.
CREATE DOMAIN slug AS text
    CONSTRAINT slug_check CHECK (VALUE ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(VALUE) <= 64);
CREATE DOMAIN country_code AS text
    CONSTRAINT country_code_check CHECK (VALUE ~ '^[A-Z]{2}$');
CREATE DOMAIN unlocode AS text
    CONSTRAINT unlocode_check CHECK (VALUE ~ '^[A-Z]{2}[A-Z2-9]{3}$');
CREATE DOMAIN imo_number AS text
    CONSTRAINT imo_number_check CHECK (VALUE ~ '^[0-9]{7}$');
CREATE DOMAIN mmsi_number AS text
    CONSTRAINT mmsi_number_check CHECK (VALUE ~ '^[0-9]{9}$');

-- Enumerations are checked text rather than enum types: adding a value is
-- then a constraint swap, not a type rewrite, and the values read back as
-- plain text.
CREATE DOMAIN place_kind AS text
    CONSTRAINT place_kind_check CHECK (VALUE IN ('port', 'rail_station', 'rail_terminal', 'depot', 'border_crossing'));
CREATE DOMAIN leg_mode AS text
    CONSTRAINT leg_mode_check CHECK (VALUE IN ('sea', 'rail', 'road', 'air'));
CREATE DOMAIN geometry_kind AS text
    CONSTRAINT geometry_kind_check CHECK (VALUE IN ('observed', 'reported', 'modeled', 'schematic'));
CREATE DOMAIN shipment_status AS text
    CONSTRAINT shipment_status_check CHECK (VALUE IN ('reported', 'alleged', 'confirmed', 'disputed'));
CREATE DOMAIN confidence_level AS text
    CONSTRAINT confidence_level_check CHECK (VALUE IN ('low', 'medium', 'high'));
CREATE DOMAIN source_kind AS text
    CONSTRAINT source_kind_check CHECK (VALUE IN ('government', 'media', 'research', 'imagery', 'ais'));
CREATE DOMAIN observation_kind AS text
    CONSTRAINT observation_kind_check CHECK (VALUE IN ('satellite_image', 'photo', 'port_call'));

-- lonlat_in_range reports whether every coordinate of g is a longitude in
-- [-180, 180] and a latitude in [-90, 90]; NaN is outside. The body is
-- parsed now, so it does not depend on search_path when a dump is restored.
CREATE FUNCTION lonlat_in_range(g geometry) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ST_XMin(g) >= -180 AND ST_XMax(g) <= 180 AND ST_YMin(g) >= -90 AND ST_YMax(g) <= 90;

CREATE TABLE places (
    id       slug PRIMARY KEY,
    name     text NOT NULL,
    kind     place_kind NOT NULL,
    country  country_code NOT NULL,
    unlocode unlocode,
    aliases  text[] NOT NULL DEFAULT '{}',
    note     text,
    geom     geometry(Point, 4326) NOT NULL,
    CONSTRAINT places_geom_range CHECK (lonlat_in_range(geom))
);
CREATE INDEX places_geom ON places USING gist (geom);

CREATE TABLE vessels (
    id           slug PRIMARY KEY,
    name         text NOT NULL,
    imo          imo_number,
    mmsi         mmsi_number,
    flag         country_code,
    type         text,
    owner        text,
    former_names text[] NOT NULL DEFAULT '{}',
    confidence   confidence_level,
    note         text
);
CREATE INDEX vessels_mmsi ON vessels (mmsi);

CREATE TABLE sources (
    id        slug PRIMARY KEY,
    publisher text NOT NULL,
    title     text NOT NULL,
    url       text,
    published date NOT NULL,
    kind      source_kind NOT NULL
);
CREATE INDEX sources_order ON sources (published, id);

-- A shipment's period, extent and length are derived from its legs in Go
-- (routes.Derive) and stored, so that they read back bit for bit as the
-- embedded store computes them.
CREATE TABLE shipments (
    id                slug PRIMARY KEY,
    title             text NOT NULL,
    summary           text,
    cargo_description text NOT NULL,
    cargo_quantity    float8 NOT NULL DEFAULT 0,
    cargo_unit        text,
    cargo_qualifier   text,
    status            shipment_status NOT NULL,
    confidence        confidence_level NOT NULL,
    start_time        timestamptz NOT NULL,
    end_time          timestamptz NOT NULL,
    bound_west        float8 NOT NULL,
    bound_south       float8 NOT NULL,
    bound_east        float8 NOT NULL,
    bound_north       float8 NOT NULL,
    length_km         float8 NOT NULL,
    CONSTRAINT shipments_cargo_quantity CHECK (cargo_quantity >= 0),
    CONSTRAINT shipments_period_order CHECK (start_time <= end_time)
);
CREATE INDEX shipments_order ON shipments (start_time, id);

CREATE TABLE shipment_sources (
    shipment slug NOT NULL REFERENCES shipments ON DELETE CASCADE,
    ord      integer NOT NULL,
    source   slug NOT NULL REFERENCES sources,
    claim    text NOT NULL,
    PRIMARY KEY (shipment, ord)
);
CREATE INDEX shipment_sources_source ON shipment_sources (source);

CREATE TABLE legs (
    id              slug PRIMARY KEY,
    shipment        slug NOT NULL REFERENCES shipments ON DELETE CASCADE,
    seq             integer NOT NULL,
    mode            leg_mode NOT NULL,
    origin          slug NOT NULL REFERENCES places,
    destination     slug NOT NULL REFERENCES places,
    via             text[] NOT NULL DEFAULT '{}',
    vessel          slug REFERENCES vessels,
    carrier         text,
    depart_earliest timestamptz NOT NULL,
    depart_latest   timestamptz NOT NULL,
    arrive_earliest timestamptz NOT NULL,
    arrive_latest   timestamptz NOT NULL,
    -- The active period as a range, for the GiST index. The CASE keeps a row
    -- whose windows are out of order from failing here with a range error
    -- before legs_active_order can name the fault.
    period          tstzrange GENERATED ALWAYS AS (
                        CASE WHEN depart_earliest <= arrive_latest
                             THEN tstzrange(depart_earliest, arrive_latest, '[]') END) STORED,
    geom            geometry(MultiLineString, 4326) NOT NULL,
    geometry_kind   geometry_kind NOT NULL,
    length_km       float8 NOT NULL,
    confidence      confidence_level,
    note            text,
    CONSTRAINT legs_seq_positive CHECK (seq >= 1),
    CONSTRAINT legs_depart_order CHECK (depart_earliest <= depart_latest),
    CONSTRAINT legs_arrive_order CHECK (arrive_earliest <= arrive_latest),
    CONSTRAINT legs_active_order CHECK (depart_earliest <= arrive_latest),
    CONSTRAINT legs_geom_range CHECK (lonlat_in_range(geom)),
    CONSTRAINT legs_geom_not_empty CHECK (NOT ST_IsEmpty(geom)),
    CONSTRAINT legs_length_km CHECK (length_km >= 0),
    -- Deferred, so that a batch may renumber a shipment's legs.
    CONSTRAINT legs_shipment_seq UNIQUE (shipment, seq) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX legs_period ON legs USING gist (period);
CREATE INDEX legs_geom ON legs USING gist (geom);
CREATE INDEX legs_order ON legs (depart_earliest, shipment, seq, id);
CREATE INDEX legs_origin ON legs (origin);
CREATE INDEX legs_destination ON legs (destination);
CREATE INDEX legs_vessel ON legs (vessel);

CREATE TABLE leg_sources (
    leg    slug NOT NULL REFERENCES legs ON DELETE CASCADE,
    ord    integer NOT NULL,
    source slug NOT NULL REFERENCES sources,
    claim  text NOT NULL,
    PRIMARY KEY (leg, ord)
);
CREATE INDEX leg_sources_source ON leg_sources (source);

-- Positions grow without bound, so they are partitioned by time. Rows land
-- in the default partition until monthly partitions are attached.
CREATE TABLE positions (
    mmsi       text NOT NULL,
    time       timestamptz NOT NULL,
    geom       geometry(Point, 4326) NOT NULL,
    sog        float8,
    cog        float8,
    heading    integer,
    nav_status integer,
    CONSTRAINT positions_pkey PRIMARY KEY (mmsi, time),
    CONSTRAINT positions_geom_range CHECK (lonlat_in_range(geom))
) PARTITION BY RANGE (time);
CREATE TABLE positions_default PARTITION OF positions DEFAULT;
CREATE INDEX positions_order ON positions (time, mmsi);
CREATE INDEX positions_geom ON positions USING gist (geom);
-- Near filters measure on the ellipsoid; this index serves ST_DWithin on
-- geography without a cast defeating the geometry index.
CREATE INDEX positions_geog ON positions USING gist ((geom::geography));

-- Tracks and gaps are derived from positions; their ids and MMSIs come from
-- the AIS reader, not from documents, so they are not held to slug shape.
CREATE TABLE tracks (
    id         text PRIMARY KEY,
    mmsi       text NOT NULL,
    vessel     text,
    start_time timestamptz NOT NULL,
    end_time   timestamptz NOT NULL,
    points     integer NOT NULL,
    geom       geometry(MultiLineString, 4326) NOT NULL,
    length_km  float8 NOT NULL,
    leg        text,
    CONSTRAINT tracks_period_order CHECK (start_time <= end_time),
    CONSTRAINT tracks_geom_range CHECK (lonlat_in_range(geom))
);
CREATE INDEX tracks_order ON tracks (start_time, id);
CREATE INDEX tracks_mmsi ON tracks (mmsi);
CREATE INDEX tracks_geom ON tracks USING gist (geom);

CREATE TABLE gaps (
    id          text PRIMARY KEY,
    mmsi        text NOT NULL,
    vessel      text,
    start_time  timestamptz NOT NULL,
    end_time    timestamptz NOT NULL,
    from_geom   geometry(Point, 4326) NOT NULL,
    to_geom     geometry(Point, 4326) NOT NULL,
    dark        boolean NOT NULL,
    offshore_nm float8 NOT NULL,
    CONSTRAINT gaps_period_order CHECK (start_time <= end_time),
    CONSTRAINT gaps_from_range CHECK (lonlat_in_range(from_geom)),
    CONSTRAINT gaps_to_range CHECK (lonlat_in_range(to_geom))
);
CREATE INDEX gaps_order ON gaps (start_time, id);
CREATE INDEX gaps_mmsi ON gaps (mmsi);
CREATE INDEX gaps_from_geom ON gaps USING gist (from_geom);
CREATE INDEX gaps_to_geom ON gaps USING gist (to_geom);

CREATE TABLE observations (
    id            slug PRIMARY KEY,
    time_earliest timestamptz NOT NULL,
    time_latest   timestamptz NOT NULL,
    geom          geometry(Point, 4326) NOT NULL,
    kind          observation_kind NOT NULL,
    subject       text NOT NULL,
    source        slug NOT NULL REFERENCES sources,
    note          text,
    CONSTRAINT observations_time_order CHECK (time_earliest <= time_latest),
    CONSTRAINT observations_geom_range CHECK (lonlat_in_range(geom))
);
CREATE INDEX observations_order ON observations (time_earliest, id);
CREATE INDEX observations_geom ON observations USING gist (geom);
