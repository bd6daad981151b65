package gpkg

import (
	"fmt"
	"time"

	"github.com/shiptrack/shiptrack/routes"
)

// dateTimeLayout is how DATETIME columns are written: ISO 8601 in UTC with a
// 'Z' and a decimal fraction of a second, as GeoPackage asks (clause 1.1.1.1.1,
// table 1). The fraction has six digits, not three, because shiptrack keeps
// microseconds (a bare date ends at 23:59:59.999999) and a time read back must
// equal the time written. The width is fixed so that text order is time
// order: indexes and range conditions on these columns work as on times.
const dateTimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatDateTime writes t for a GeoPackage DATETIME column.
func FormatDateTime(t time.Time) string {
	return t.UTC().Truncate(routes.Resolution).Format(dateTimeLayout)
}

// ParseDateTime reads a GeoPackage DATETIME value: RFC 3339, in any
// precision, as other writers may have stored it.
func ParseDateTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a GeoPackage DATETIME such as 2023-09-07T00:00:00.000000Z", s)
	}
	return t.UTC().Truncate(routes.Resolution), nil
}
