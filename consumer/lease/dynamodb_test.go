package lease_test

import (
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/consumer/lease/leasetest"
)

// TestDynamoDB runs the store conformance suite against the DynamoDB store over the in-memory
// fake; TestInteropDynamoDB runs it against dynalite.
func TestDynamoDB(t *testing.T) {
	leasetest.Run(t, func(t *testing.T) lease.Store {
		s := lease.NewDynamoDB(newFakeDynamoDB(), "leases")
		if err := s.CreateTable(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}
