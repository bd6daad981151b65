package postgis

import (
	"context"
	"encoding/binary"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/shiptrack/shiptrack/routes"
)

// TestTextArray reads text[] in PostgreSQL's binary form, and refuses what
// is cut short or holds a NULL.
func TestTextArray(t *testing.T) {
	array := func(dims []int, elems ...[]byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(dims)))
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 25) // text
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, uint32(d))
			b = binary.BigEndian.AppendUint32(b, 1)
		}
		for _, e := range elems {
			if e == nil {
				b = binary.BigEndian.AppendUint32(b, 0xffffffff)
				continue
			}
			b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
			b = append(b, e...)
		}
		return b
	}
	good := array([]int{3}, []byte("rusi"), []byte(""), []byte("Тихорецк"))
	for _, c := range []struct {
		name string
		b    []byte
		want []string
		dims []int
		err  string
	}{
		{"three", good, []string{"rusi", "", "Тихорецк"}, []int{3}, ""},
		{"pairs", array([]int{2, 2}, []byte("wh"), []byte("a claim"), []byte("rusi"), []byte("another")),
			[]string{"wh", "a claim", "rusi", "another"}, []int{2, 2}, ""},
		{"empty", array(nil), nil, nil, ""},
		{"cut", good[:len(good)-1], nil, nil, "cut element"},
		{"cut in a length", good[:22], nil, nil, "malformed"},
		{"a NULL", array([]int{2}, []byte("a"), nil), nil, nil, "NULL"},
		{"seven dimensions", array([]int{1, 1, 1, 1, 1, 1, 1}, []byte("a")), nil, nil, "7 dimensions"},
		{"no header", good[:8], nil, nil, "malformed"},
		{"a huge count", binary.BigEndian.AppendUint32(slices.Clone(good[:12]), 1<<30), nil, nil, "malformed"},
		{"a negative count", binary.BigEndian.AppendUint32(slices.Clone(good[:12]), 1<<31), nil, nil, "malformed"},
	} {
		got, dims, err := textArray(c.b)
		if c.err == "" && (err != nil || !slices.Equal(got, c.want) || (got == nil) != (c.want == nil) || !slices.Equal(dims, c.dims)) {
			t.Errorf("%s: textArray = %q %v, %v; want %q %v", c.name, got, dims, err, c.want, c.dims)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: textArray = %q, %v; want an error saying %q", c.name, got, err, c.err)
		}
	}
}

// TestSimpleProtocol reads legs through a store that uses the simple
// protocol, as behind PgBouncer, where every value comes as text: each is
// then read by pgx's codecs, and the answers are the same.
func TestSimpleProtocol(t *testing.T) {
	ctx := context.Background()
	s, dbURL := newStore(t)
	prepareAndApply(t, s, caseDoc())
	loadLegs(t, s, 3)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	params := u.Query()
	params.Set("default_query_exec_mode", "simple_protocol")
	u.RawQuery = params.Encode()
	simple, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer simple.Close()
	rows, err := simple.pool.Query(ctx, "SELECT "+legs.cols+" FROM "+legs.from)
	if err != nil {
		t.Fatal(err)
	}
	fields := rows.FieldDescriptions()
	rows.Close()
	if fields[2].Format != pgtype.TextFormatCode {
		t.Fatalf("the simple protocol sends seq in format %d; want text", fields[2].Format)
	}

	for name, read := range map[string]func(*Store) (any, error){
		"Legs": func(s *Store) (any, error) { return s.Legs(ctx, routes.Query{Limit: 4, Offset: 1}) },
		"Leg":  func(s *Store) (any, error) { return s.Leg(ctx, "sea") },
		"Shipment": func(s *Store) (any, error) {
			return s.Shipment(ctx, "nk-ru-2023-09")
		},
		"LegItems": func(s *Store) (any, error) {
			var ls []routes.Leg
			for l, err := range s.LegItems(ctx, routes.FeatureQuery{}) {
				if err != nil {
					return nil, err
				}
				ls = append(ls, l)
			}
			return ls, nil
		},
	} {
		want, err := read(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := read(simple)
		if err != nil {
			t.Fatalf("%s through the simple protocol: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s through the simple protocol = %+v\nwant %+v", name, got, want)
		}
	}
}
