package gpkg

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// Values go into columns as QGIS shows them best: an empty optional string
// as NULL, a list of strings as a JSON array, a time as a DATETIME. These
// scanners read them back into the model's types.

// nullText is s, or NULL when s is empty.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonList is a list as a JSON array, or NULL when it is empty.
func jsonList(xs []string) any {
	if len(xs) == 0 {
		return nil
	}
	b, _ := json.Marshal(xs) // a []string always marshals
	return string(b)
}

// nullFloat is x, or NULL when x is zero.
func nullFloat(x float64) any {
	if x == 0 {
		return nil
	}
	return x
}

// text scans TEXT, NULL as "".
type text struct{ s *string }

func (c text) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("want text, got %T", v)
	}
	return nil
}

// textAs scans TEXT into a string type such as routes.Mode.
type textAs[T ~string] struct{ p *T }

func (c textAs[T]) Scan(v any) error {
	var s string
	if err := (text{&s}).Scan(v); err != nil {
		return err
	}
	*c.p = T(s)
	return nil
}

// list scans a JSON array of strings, NULL as nil.
type list struct{ xs *[]string }

func (c list) Scan(v any) error {
	var s string
	if err := (text{&s}).Scan(v); err != nil {
		return err
	}
	*c.xs = nil
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), c.xs); err != nil {
		return fmt.Errorf("want a JSON array of strings: %w", err)
	}
	if len(*c.xs) == 0 {
		*c.xs = nil
	}
	return nil
}

// dateTime scans a DATETIME. The driver hands over the DATETIME values it
// can parse as times, and those it cannot as text.
type dateTime struct{ t *time.Time }

func (c dateTime) Scan(v any) error {
	if t, ok := v.(time.Time); ok {
		*c.t = normTime(t)
		return nil
	}
	var s string
	if err := (text{&s}).Scan(v); err != nil {
		return err
	}
	t, err := ParseDateTime(s)
	if err != nil {
		return err
	}
	*c.t = t
	return nil
}

// date scans a DATE as text such as 2023-10-13, which is how the model
// keeps dates.
type date struct{ s *string }

func (c date) Scan(v any) error {
	if t, ok := v.(time.Time); ok {
		*c.s = t.Format(time.DateOnly)
		return nil
	}
	return text(c).Scan(v)
}

// number scans REAL, NULL as 0.
type number struct{ x *float64 }

func (c number) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.x = 0
	case float64:
		*c.x = v
	case int64:
		*c.x = float64(v)
	default:
		return fmt.Errorf("want a number, got %T", v)
	}
	return nil
}

// optNumber scans REAL, NULL as nil.
type optNumber struct{ x **float64 }

func (c optNumber) Scan(v any) error {
	if v == nil {
		*c.x = nil
		return nil
	}
	var f float64
	if err := (number{&f}).Scan(v); err != nil {
		return err
	}
	*c.x = &f
	return nil
}

// optInt scans INTEGER, NULL as nil.
type optInt struct{ n **int }

func (c optInt) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.n = nil
	case int64:
		n := int(v)
		*c.n = &n
	default:
		return fmt.Errorf("want an integer, got %T", v)
	}
	return nil
}

// geometry scans a GeoPackage geometry blob of type T.
type geometry[T orb.Geometry] struct{ g *T }

func (c geometry[T]) Scan(v any) error {
	b, ok := v.([]byte)
	if !ok {
		return fmt.Errorf("want a geometry blob, got %T", v)
	}
	g, err := decodeAs[T](b)
	if err != nil {
		return err
	}
	*c.g = g
	return nil
}
