package postgis

import (
	"context"
	"errors"
	"testing"

	"github.com/shiptrack/shiptrack/routes"
)

func TestOpenUnreachable(t *testing.T) {
	ctx := context.Background()
	// Port 1 on loopback refuses connections at once.
	_, err := Open(ctx, "postgres://postgres@127.0.0.1:1/shiptrack?sslmode=disable&connect_timeout=5")
	if !errors.Is(err, routes.ErrUnavailable) {
		t.Errorf("Open of an unreachable server = %v; want an error wrapping routes.ErrUnavailable", err)
	}
	_, err = Migrate(ctx, "postgres://postgres@127.0.0.1:1/shiptrack?sslmode=disable&connect_timeout=5")
	if !errors.Is(err, routes.ErrUnavailable) {
		t.Errorf("Migrate of an unreachable server = %v; want an error wrapping routes.ErrUnavailable", err)
	}
	if _, err := Open(ctx, "postgres://%zz"); err == nil || errors.Is(err, routes.ErrUnavailable) {
		t.Errorf("Open of a malformed URL = %v; want a URL error, not unavailability", err)
	}
}

func TestClosedStore(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	_, placesErr := s.Places(ctx, routes.Query{})
	_, placeErr := s.Place(ctx, "najin")
	_, shipmentErr := s.Shipment(ctx, "x")
	_, applyErr := s.Apply(ctx, &routes.Batch{})
	_, addErr := s.AddPositions(ctx, seq(nil))
	_, countErr := s.CountPositions(ctx, routes.Query{})
	var streamErr error
	for _, err := range s.Positions(ctx, routes.Query{}) {
		streamErr = err
	}
	for name, err := range map[string]error{"Ping": s.Ping(ctx), "Places": placesErr, "Place": placeErr,
		"Shipment": shipmentErr, "Apply": applyErr, "AddPositions": addErr, "CountPositions": countErr,
		"Positions": streamErr} {
		if !errors.Is(err, routes.ErrUnavailable) {
			t.Errorf("%s on a closed store = %v; want routes.ErrUnavailable", name, err)
		}
	}
}

// When the server drops the store's connections, as on a restart or a
// failover, the next call either works or reports the store unavailable,
// and calls after that work again without reopening the store.
func TestRecoversFromDroppedConnections(t *testing.T) {
	ctx := context.Background()
	s, dbURL := newStore(t)
	prepareAndApply(t, s, caseDoc())
	admin := connect(t, dbURL)
	for round := range 3 {
		if _, err := s.Places(ctx, routes.Query{}); err != nil {
			t.Fatal(err)
		}
		var killed int
		err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
		if killed == 0 {
			t.Fatalf("round %d: no connection of the store was open to terminate", round)
		}
		_, err = s.Places(ctx, routes.Query{})
		t.Logf("round %d: first query after terminating %d connections: %v", round, killed, err)
		if err != nil && !errors.Is(err, routes.ErrUnavailable) {
			t.Errorf("round %d: first query after the connections were terminated = %v; want success or routes.ErrUnavailable", round, err)
		}
		recovered := false
		for range 5 {
			p, err := s.Places(ctx, routes.Query{})
			if err == nil && p.Matched == 3 {
				recovered = true
				break
			}
			if !errors.Is(err, routes.ErrUnavailable) {
				t.Fatalf("round %d: query while recovering = %v; want routes.ErrUnavailable", round, err)
			}
		}
		if !recovered {
			t.Fatalf("round %d: the store did not recover after its connections were terminated", round)
		}
		if err := s.Ping(ctx); err != nil {
			t.Errorf("round %d: Ping after recovery = %v", round, err)
		}
	}
}

func TestCanceledContext(t *testing.T) {
	s, _ := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Legs(ctx, routes.Query{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, routes.ErrUnavailable) {
		t.Errorf("Legs with a canceled context = %v; want context.Canceled, not unavailability", err)
	}
	_, err = s.Apply(ctx, &routes.Batch{Places: caseDoc().Places})
	if !errors.Is(err, context.Canceled) || errors.Is(err, routes.ErrUnavailable) {
		t.Errorf("Apply with a canceled context = %v; want context.Canceled, not unavailability", err)
	}
	if p, err := s.Places(context.Background(), routes.Query{}); err != nil || p.Matched != 0 {
		t.Errorf("after a canceled Apply Places = %d, %v; want none and no error", p.Matched, err)
	}
}
