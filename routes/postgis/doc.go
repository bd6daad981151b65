// Package postgis is the routes.Store on PostgreSQL 15 with PostGIS 3.
//
// The schema lives in migrations/, embedded in the binary and applied by
// Migrate (shiptrack migrate) in one transaction under an advisory lock.
// Open never migrates: it refuses a database with pending migrations and
// says how to apply them, because a schema change is an operator's call.
//
// Schema choices:
//
//   - Geometry is geometry(Point, 4326) or geometry(MultiLineString, 4326):
//     lon/lat degrees, as RFC 7946 writes them, with lines already split at
//     the antimeridian. Coordinates go in through ST_MakePoint and WKB and
//     come out through ST_X, ST_Y and ST_AsBinary, so doubles round-trip bit
//     for bit and answers match the embedded store exactly.
//   - Every geometry has a GiST index. A leg's active period is a stored
//     generated tstzrange, closed at both ends, with its own GiST index so
//     that datetime filters use it. Positions also index geom::geography,
//     which the geodesic Near filter (ST_DWithin on geography) needs.
//   - What a database can check, it checks: identifiers, codes and
//     enumerations are domains over text with CHECKs (text rather than enum
//     types, so adding a value is a constraint swap), coordinates must lie
//     in range, windows must be in order, and references are foreign keys.
//     Rules that need the rest of the model, such as IMO check digits, stay
//     in routes.Prepare.
//   - A shipment's derived fields (period, extent, length) are computed in Go
//     by routes.Derive and stored, rather than recomputed in SQL where a sum
//     in another order could differ in the last bit.
//   - Claims are rows of shipment_sources and leg_sources, in order, so that
//     each cited source is a foreign key.
//   - Positions, the one table that grows without bound, are partitioned by
//     RANGE on time with a DEFAULT partition; monthly partitions can be
//     attached later without changing queries.
//
// Writes: Apply upserts with ON CONFLICT ... WHERE the stored row IS
// DISTINCT FROM the new one, so unchanged records are not rewritten and
// Changes counts only what differs; all of a batch goes in one transaction
// and one round trip. AddPositions copies into a temporary table and inserts
// from it, skipping duplicates. Reads bind every value as a parameter;
// Positions streams through a server-side cursor.
package postgis
