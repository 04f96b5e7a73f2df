package store

import (
	"sort"
	"sync"
	"time"
)

// Stream states, as Kinesis names them.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
)

// Stream is one Kinesis data stream. Its lock guards every field below it: read them inside View
// and change them inside Update (or the generic ViewStream and UpdateStream). A shard's records
// have their own lock so that writers to different shards do not contend. When an account's lock
// is needed too, it is taken first (UpdateAccount around UpdateStream), never the other way round.
type Stream struct {
	Key Key
	ARN string

	mu sync.RWMutex

	Status           string
	Created          time.Time
	Mode             string // PROVISIONED or ON_DEMAND
	RetentionHours   int
	EncryptionType   string // NONE or KMS
	KeyID            string
	Metrics          []string // enhanced monitoring: shard-level metrics enabled
	Tags             map[string]string
	MaxRecordSizeKiB int
	Distribution     string // record distribution strategy
	WarmThroughput   *WarmThroughput
	Policy           string // resource policy document, "" for none
	Shards           []*Shard
	Consumers        map[string]*Consumer // by consumer name
	// PendingUntil is when a state transition (CREATING, UPDATING, DELETING) completes.
	PendingUntil time.Time
	// Pending is the change an UPDATING stream takes when its transition completes (for example
	// the shard changes of UpdateShardCount); nil for none. It is data, so the journal saves it.
	Pending *Change
	// Generation changes whenever the stream is created anew; iterators carry it.
	Generation int64
}

// WarmThroughput is a stream's warm throughput setting (On-demand streams).
type WarmThroughput struct {
	TargetMiBps  int
	CurrentMiBps int
}

// Consumer is an enhanced fan-out consumer registered on a stream.
type Consumer struct {
	Name    string
	ARN     string
	Status  string // CREATING, ACTIVE, DELETING
	Created time.Time
	// PendingUntil is when a CREATING or DELETING consumer changes state.
	PendingUntil time.Time
}

// View runs fn with the stream's fields locked for reading.
func (st *Stream) View(fn func()) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	fn()
}

// Update runs fn with the stream's fields locked for writing.
func (st *Stream) Update(fn func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	fn()
}

// ViewStream runs fn with st's fields locked for reading and returns what fn returns.
func ViewStream[T any](st *Stream, fn func() (T, error)) (T, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return fn()
}

// UpdateStream runs fn with st's fields locked for writing and returns what fn returns.
func UpdateStream[T any](st *Stream, fn func() (T, error)) (T, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return fn()
}

// OpenShards returns the stream's open shards in hash key order. Callers are inside View or Update.
func (st *Stream) OpenShards() []*Shard {
	out := make([]*Shard, 0, len(st.Shards))
	for _, sh := range st.Shards {
		if !sh.Closed() {
			out = append(out, sh)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartHash.Cmp(out[j].StartHash) < 0 })
	return out
}

// Shard returns the shard with id, or nil. Callers are inside View or Update.
func (st *Stream) Shard(id string) *Shard {
	for _, sh := range st.Shards {
		if sh.ID == id {
			return sh
		}
	}
	return nil
}

// Route returns the open shard whose hash range holds k. Callers are inside View or Update.
func (st *Stream) Route(k HashKey) *Shard {
	for _, sh := range st.Shards {
		if !sh.Closed() && sh.StartHash.Cmp(k) <= 0 && k.Cmp(sh.EndHash) <= 0 {
			return sh
		}
	}
	return nil
}
