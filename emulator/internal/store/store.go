package store

import (
	"sort"
	"sync"
	"sync/atomic"
)

// Key names a stream: Kinesis namespaces streams by account and region.
type Key struct{ Account, Region, Name string }

// Store holds every stream of every account and region the emulator has seen.
type Store struct {
	mu       sync.RWMutex
	streams  map[Key]*Stream
	journal  Journal
	accounts accounts // account settings and channels, see account.go
	change   struct {
		mu      sync.Mutex  // held by a change and its save, and by every other metadata save
		running atomic.Bool // a change's fn is running
		skipped atomic.Bool // a Save was left to the change under way
	}
}

// New returns an empty store that keeps its state with j (Memory() for none).
func New(j Journal) *Store {
	if j == nil {
		j = Memory()
	}
	return &Store{streams: make(map[Key]*Stream), journal: j}
}

// Journal returns the store's journal.
func (s *Store) Journal() Journal { return s.journal }

// Get returns the stream named by k, or nil.
func (s *Store) Get(k Key) *Stream {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.streams[k]
}

// Add inserts st unless a stream of that key exists; it reports whether it did.
func (s *Store) Add(st *Stream) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.streams[st.Key]; ok {
		return false
	}
	s.streams[st.Key] = st
	return true
}

// Remove deletes the stream named by k if it is st.
func (s *Store) Remove(k Key, st *Stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.streams[k] == st {
		delete(s.streams, k)
	}
}

// List returns the streams of one account and region, sorted by name.
func (s *Store) List(account, region string) []*Stream {
	s.mu.RLock()
	out := make([]*Stream, 0, len(s.streams))
	for k, st := range s.streams {
		if k.Account == account && k.Region == region {
			out = append(out, st)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key.Name < out[j].Key.Name })
	return out
}

// All returns every stream, in no particular order.
func (s *Store) All() []*Stream {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Stream, 0, len(s.streams))
	for _, st := range s.streams {
		out = append(out, st)
	}
	return out
}

// Count returns how many streams one account has in one region.
func (s *Store) Count(account, region string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for k := range s.streams {
		if k.Account == account && k.Region == region {
			n++
		}
	}
	return n
}
