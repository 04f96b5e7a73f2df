package consumer

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

var errTransient = errors.New("transient")

// countingMetrics records what a consumer reports.
type countingMetrics struct {
	mu      sync.Mutex
	records map[string]int
	lag     map[string]int64
	errors  map[ErrorKind]int
	changes map[LeaseChange]int
}

func newCountingMetrics() *countingMetrics {
	return &countingMetrics{records: map[string]int{}, lag: map[string]int64{}, errors: map[ErrorKind]int{}, changes: map[LeaseChange]int{}}
}

func (m *countingMetrics) RecordsProcessed(shard string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records[shard] += n
}

func (m *countingMetrics) MillisBehindLatest(shard string, ms int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lag[shard] = ms
}

func (m *countingMetrics) Error(_ string, kind ErrorKind) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors[kind]++
}

func (m *countingMetrics) LeaseChanged(_ string, c LeaseChange) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.changes[c]++
}

func (m *countingMetrics) errorCount(k ErrorKind) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.errors[k]
}

func (m *countingMetrics) changeCount(c LeaseChange) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changes[c]
}

func (m *countingMetrics) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, v := range m.records {
		n += v
	}
	return n
}

func TestMetricsReported(t *testing.T) {
	f := newFakeKinesis(2)
	w := newWriter()
	w.write(f, 10, 5)
	m := newCountingMetrics()
	rec := newRecorder()
	var failed atomic.Bool
	rec.fail = func(string, Batch) error {
		if failed.CompareAndSwap(false, true) {
			return errTransient
		}
		return nil
	}
	s := startWorker(t, f, lease.NewMemory(), rec.handler("a"), WithMetrics(m))
	waitFor(t, 10*time.Second, "every record", func() bool { return m.total() >= w.total() })
	s.stop(t)
	if m.total() != w.total() {
		t.Fatalf("records processed %d, want %d", m.total(), w.total())
	}
	if m.errorCount(ErrorHandler) != 1 {
		t.Fatalf("handler errors %d, want 1", m.errorCount(ErrorHandler))
	}
	if m.changeCount(LeaseTaken) != 2 || m.changeCount(LeaseReleased) != 2 {
		t.Fatalf("lease changes %v, want 2 taken and 2 released", m.changes)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.lag) != 2 {
		t.Fatalf("lag reported for %v, want both shards", m.lag)
	}
}
