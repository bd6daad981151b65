package gpkg

import (
	"testing"

	"github.com/shiptrack/shiptrack/routes"
	"github.com/shiptrack/shiptrack/routes/storetest"
)

// TestContract runs the contract every store passes with identical answers.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) routes.Store {
		s, _ := openTemp(t)
		return s
	})
}
