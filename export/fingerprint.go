package export

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"time"

	"github.com/paulmach/orb/encoding/wkb"

	"github.com/shiptrack/shiptrack/routes"
)

// formatVersion changes whenever what an export writes changes, so that
// fingerprints of the same data made by different versions differ.
const formatVersion = "shiptrack-export-1"

// Fingerprint identifies what an export of st would hold, without writing
// it: a hash of every record of every layer but positions, and of the
// number of positions. Positions are only ever added, never changed or
// removed (routes.Store has no way to), so their number tells their
// versions apart without reading millions of rows. Use it as an ETag.
func Fingerprint(ctx context.Context, st routes.Store) (string, error) {
	h := sha256.New()
	h.Write([]byte(formatVersion))
	for _, l := range Layers {
		if l.Name == "positions" {
			n, err := st.CountPositions(ctx, routes.Query{})
			if err != nil {
				return "", fmt.Errorf("count positions: %w", err)
			}
			fmt.Fprintf(h, "\x00positions\x00%d", n)
			continue
		}
		fmt.Fprintf(h, "\x00%s", l.Name)
		for r, err := range l.rows(ctx, st) {
			if err != nil {
				return "", err
			}
			if err := hashRow(h, r); err != nil {
				return "", err
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashRow writes a row to h, each value tagged with its type so that no two
// different rows write the same bytes.
func hashRow(h hash.Hash, r Row) error {
	var b []byte
	for _, v := range r.Values {
		switch v := v.(type) {
		case nil:
			b = append(b, 'n')
		case string:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case int64:
			b = append(b, 'i')
			b = binary.AppendVarint(b, v)
		case float64:
			b = append(b, 'f')
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		case bool:
			b = append(b, 'b')
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		case time.Time:
			b = append(b, 't')
			b = binary.AppendVarint(b, v.UnixMicro())
		default:
			return fmt.Errorf("fingerprint: unexpected %T", v)
		}
	}
	b = append(b, 'g')
	if r.Geometry != nil {
		g, err := wkb.Marshal(r.Geometry)
		if err != nil {
			return fmt.Errorf("fingerprint: %w", err)
		}
		b = binary.AppendUvarint(b, uint64(len(g)))
		b = append(b, g...)
	}
	h.Write(b)
	return nil
}
