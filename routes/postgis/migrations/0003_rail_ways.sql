-- Railway track from OpenStreetMap, for the rail router: one row per way, or
-- per part of a way whose file lacked some of its nodes. nodes are the way's
-- node ids, one per vertex: the router joins ways where they share one.
CREATE TABLE rail_ways (
  way_id bigint NOT NULL,
  part integer NOT NULL CHECK (part >= 0),
  nodes bigint[] NOT NULL CHECK (cardinality(nodes) >= 2),
  geom geometry(LineString, 4326) NOT NULL CHECK (ST_NPoints(geom) = cardinality(nodes)),
  PRIMARY KEY (way_id, part)
);
CREATE INDEX rail_ways_geom ON rail_ways USING gist (geom);
