package harness

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
)

// Effects collects what handlers did, one line per effect, under a key: the partition key, or
// whatever the effects must keep their order by. Bytes lists the keys sorted and each key's
// effects in the order they happened, so a live run, whose shards run concurrently, and a
// replay, which runs them one at a time, give the same bytes when the handlers did the same. It
// is safe for concurrent use.
type Effects struct {
	mu    sync.Mutex
	byKey map[string][]string
}

// NewEffects returns an empty Effects.
func NewEffects() *Effects { return &Effects{byKey: make(map[string][]string)} }

// Add records an effect under key, formatted as fmt.Sprintf does.
func (e *Effects) Add(key, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byKey[key] = append(e.byKey[key], line)
}

// Len returns the number of effects recorded.
func (e *Effects) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, lines := range e.byKey {
		n += len(lines)
	}
	return n
}

// Keys returns the keys that have effects, sorted.
func (e *Effects) Keys() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Sorted(mapKeys(e.byKey))
}

// Of returns the effects recorded under key, in order.
func (e *Effects) Of(key string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.byKey[key])
}

// Bytes returns the effects as text: for each key in sorted order, one "key: effect" line per
// effect, in the order they happened.
func (e *Effects) Bytes() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b bytes.Buffer
	for _, k := range slices.Sorted(mapKeys(e.byKey)) {
		for _, line := range e.byKey[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, line)
		}
	}
	return b.Bytes()
}

// String returns Bytes as a string.
func (e *Effects) String() string { return string(e.Bytes()) }

func mapKeys(m map[string][]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
