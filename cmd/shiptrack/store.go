package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	shiptrack "github.com/shiptrack/shiptrack"
	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/gpkg"
	"github.com/shiptrack/shiptrack/routes/postgis"
)

// storeFlags are the flags that choose the store.
type storeFlags struct {
	db    string
	data  string
	empty bool
}

const defaultData = "shiptrack.gpkg"

func (s *storeFlags) register(fs *flagSet) {
	fs.StringVar(&s.db, "db", "", "PostGIS connection URL (default $DATABASE_URL)")
	fs.StringVar(&s.data, "data", defaultData, "embedded GeoPackage store, used when no database is given")
	fs.BoolVar(&s.empty, "empty", false, "do not fill a new embedded store with the bundled Najin–Dunay case")
}

// dbURL is the PostGIS store's URL, --db or else $DATABASE_URL, or empty
// when the store is the embedded one at --data.
func (s *storeFlags) dbURL(e *env) string {
	if s.db != "" {
		return s.db
	}
	return e.getenv("DATABASE_URL")
}

// open opens the chosen store: PostGIS when --db or $DATABASE_URL is set,
// otherwise the GeoPackage at --data, which is created if missing and, when
// it holds nothing yet, filled with the bundled case.
func (s *storeFlags) open(ctx context.Context, e *env, fs *flagSet) (routes.Store, error) {
	if db := s.dbURL(e); db != "" {
		if fs.Changed("data") {
			return nil, usageError{"give --db or --data, not both"}
		}
		st, err := postgis.Open(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("open PostGIS store: %w", err)
		}
		return st, nil
	}
	_, statErr := os.Stat(s.data)
	isNew := errors.Is(statErr, os.ErrNotExist)
	st, err := gpkg.Open(ctx, s.data)
	if err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	if s.empty {
		return st, nil
	}
	page, err := st.Shipments(ctx, routes.Query{Limit: 1})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("read embedded store %s: %w", s.data, err)
	}
	if page.Matched == 0 {
		opts, err := prepareOptions(ctx, e, st, true)
		if err != nil {
			st.Close()
			return nil, err
		}
		sum, err := ingest.DocumentsWith(ctx, st, ingest.FS(shiptrack.Bundled, shiptrack.BundledDir), opts)
		if err != nil {
			st.Close()
			if isNew {
				os.Remove(s.data)
			}
			return nil, fmt.Errorf("load the bundled case into %s: %w", s.data, err)
		}
		for _, u := range sum.Unrouted {
			e.log.Warn("leg left schematic", "leg", u.Leg, "reason", u.Reason)
		}
		e.log.Info("loaded the bundled Najin–Dunay case", "store", s.data, "summary", sum.String())
	}
	return st, nil
}
