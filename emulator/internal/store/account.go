package store

import (
	"sort"
	"sync"
	"time"
)

// Account is what one account keeps in one region apart from its streams: account settings,
// channels, and the tags and policies of resources that have no record of their own in the store
// (enhanced fan-out consumers). Its lock guards every field: use them inside Update or
// UpdateAccount. An account's lock is taken before a stream's, never after.
type Account struct {
	mu sync.Mutex

	// Commitment is the minimum throughput billing commitment of the account.
	Commitment Commitment
	// Channels are the account's channels by name.
	Channels map[string]*Channel
	// Tags and Policies hold consumers' tags and resource policies by consumer ARN.
	Tags     map[string]map[string]string
	Policies map[string]string
	// ModeSwitches records when each stream (by StreamIncarnation) last changed capacity mode,
	// for the limit on switches in a rolling day.
	ModeSwitches map[string][]time.Time
}

// Commitment is an account's minimum throughput billing commitment. The zero value is DISABLED
// and never started.
type Commitment struct {
	Status               string // ENABLED, DISABLED or ENABLED_UNTIL_EARLIEST_ALLOWED_END; "" is DISABLED
	StartedAt            time.Time
	EarliestAllowedEndAt time.Time
	EndedAt              time.Time
}

// Channel is a delivery channel from a stream to a destination. The emulator keeps its state and
// lifecycle; no data leaves it.
type Channel struct {
	Name    string
	ID      string
	ARN     string
	Created time.Time
	// Status is CREATING, ACTIVE, UPDATING or DELETING; PendingUntil is when a transition ends.
	Status       string
	PendingUntil time.Time
	// Streams are the ARNs of the source streams and their creation times.
	Streams []ChannelStream
	// Config is the rest of the channel's configuration (role, destination, encryption,
	// logging), encoded by the operations; the store keeps it as it is.
	Config []byte
	Tags   map[string]string
}

// ChannelStream is a source stream of a channel.
type ChannelStream struct {
	ARN     string
	Created time.Time
}

// accounts holds the Account of every account and region; its zero value is ready to use.
type accounts struct {
	mu sync.Mutex
	m  map[accountKey]*Account
}

type accountKey struct{ account, region string }

// Account returns the state of an account in a region, creating it empty on first use.
func (s *Store) Account(account, region string) *Account {
	s.accounts.mu.Lock()
	defer s.accounts.mu.Unlock()
	if s.accounts.m == nil {
		s.accounts.m = make(map[accountKey]*Account)
	}
	k := accountKey{account, region}
	a := s.accounts.m[k]
	if a == nil {
		a = &Account{
			Channels:     make(map[string]*Channel),
			Tags:         make(map[string]map[string]string),
			Policies:     make(map[string]string),
			ModeSwitches: make(map[string][]time.Time),
		}
		s.accounts.m[k] = a
	}
	return a
}

// Update runs fn with the account's fields locked.
func (a *Account) Update(fn func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn()
}

// UpdateAccount runs fn with a's fields locked and returns what fn returns.
func UpdateAccount[T any](a *Account, fn func() (T, error)) (T, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fn()
}

// SortedChannels returns the account's channels ordered by name. Callers are inside Update.
func (a *Account) SortedChannels() []*Channel {
	out := make([]*Channel, 0, len(a.Channels))
	for _, ch := range a.Channels {
		out = append(out, ch)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// StreamIncarnation names one incarnation of a stream: a stream deleted and created again under
// the same name is another incarnation, with its own history.
func StreamIncarnation(st *Stream) string {
	return st.ARN + "@" + time.Unix(0, st.Generation).UTC().Format(time.RFC3339Nano)
}
