package storetest

import "testing"

// The generator must make valid data at any size and seed, or the contract
// tests nothing.
func TestGenerate(t *testing.T) {
	for seed := range uint64(20) {
		if _, err := Generate(seed, Sizes{Places: 40, Vessels: 8, Shipments: 600, Positions: 10}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}
