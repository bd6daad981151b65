package gpkg

import (
	"fmt"
	"time"
)

// dateTimeLayout is how DATETIME columns are written: ISO 8601 in UTC with a
// 'Z' and a decimal fraction of a second (GeoPackage 1.3, table 1). The
// fraction has six digits where the specification shows three, because
// shiptrack keeps microseconds — a bare date ends at 23:59:59.999999 — and
// both stores must read back exactly the time written. GDAL and QGIS read
// these values, to the millisecond, with one "non-conformant content"
// warning per file opened; the alternative, a second column for every time,
// would clutter every attribute table. The width is fixed so that text order
// is time order: indexes and range conditions on these columns work as on
// times.
const dateTimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatDateTime writes t for a GeoPackage DATETIME column.
func FormatDateTime(t time.Time) string {
	return normTime(t).Format(dateTimeLayout)
}

// ParseDateTime reads a GeoPackage DATETIME value: RFC 3339, in any
// precision, as other writers may have stored it.
func ParseDateTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a GeoPackage DATETIME such as 2023-09-07T00:00:00.000000Z", s)
	}
	return normTime(t), nil
}
