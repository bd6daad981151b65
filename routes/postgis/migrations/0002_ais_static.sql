-- AIS static data (message types 5, 19 and 24, and the identity columns of
-- AIS CSV archives), by MMSI, so that a vessel documented later with its IMO
-- number can be given the MMSI it broadcasts under.
CREATE TABLE ais_static (
    mmsi           mmsi_number PRIMARY KEY,
    imo            imo_number,
    name           text,
    call_sign      text,
    ship_type      integer,
    ship_type_text text,
    CONSTRAINT ais_static_ship_type CHECK (ship_type BETWEEN 1 AND 255)
);
CREATE INDEX ais_static_imo ON ais_static (imo);
