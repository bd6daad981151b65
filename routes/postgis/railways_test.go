package postgis

import (
	"testing"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/storetest"
)

func TestRailWaysContract(t *testing.T) {
	storetest.RunRailWays(t, func(t *testing.T) routes.RailStore {
		s, _ := newStore(t)
		return s
	})
}
