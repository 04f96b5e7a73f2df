package lease_test

import (
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/consumer/lease/leasetest"
)

func TestMemory(t *testing.T) {
	leasetest.Run(t, func(*testing.T) lease.Store { return lease.NewMemory() })
}
