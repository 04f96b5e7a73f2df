package store

import (
	"maps"
	"time"
)

// A control-plane change is acknowledged only once the metadata that holds it is saved. Change runs
// one under the store's change lock and saves; when the save fails the store's state goes back to
// what it was before the change, so that what a client reads afterwards, and what a restart finds,
// agree with the error it was given. Every other metadata save (Save, and the journal's own before
// the first record of a new shard) takes the same lock, so that no save ever writes a change that
// may still be undone.

// Change runs fn, a control-plane change, and saves the metadata when fn reports a change. When the
// save fails, the state fn (or anything else meanwhile) changed is put back and the save's error is
// returned. Changes run one at a time. fn may call Save, which then leaves the saving to Change.
func (s *Store) Change(fn func() (changed bool)) error {
	s.change.mu.Lock()
	defer s.change.mu.Unlock()
	var before *snapshotState
	if s.journal.Durable() {
		before = s.snapshot()
	}
	s.change.skipped.Store(false)
	s.change.running.Store(true)
	changed := fn()
	s.change.running.Store(false)
	if !changed && !s.change.skipped.Load() {
		return nil // nothing to save: not fn's change, nor one whose Save was left to it
	}
	if err := s.journal.Streams(s.All()); err != nil {
		if before != nil {
			s.restore(before)
		}
		return err
	}
	return nil
}

// Save saves the metadata after a change that no client waits on (a transition that came due). It
// leaves the saving to a Change under way, whose save covers this change too, or undoes it with
// the rest; a change undone so is made again when it is next due.
func (s *Store) Save() error {
	if s.change.running.Load() {
		s.change.skipped.Store(true)
		if s.change.running.Load() {
			return nil // the change sees skipped once its fn returns
		}
	}
	s.change.mu.Lock()
	defer s.change.mu.Unlock()
	return s.journal.Streams(s.All())
}

// saveLocked runs save, a metadata save of the journal's own (before the first record of a shard
// the saved metadata does not know yet, and at Close), once no change is under way: a shard a
// failed change made and undid must not reach the disk.
func (s *Store) saveLocked(save func() error) error {
	s.change.mu.Lock()
	defer s.change.mu.Unlock()
	return save()
}

// snapshotState is the state a change may alter: which streams exist, each stream's fields and its
// shards' closed state, and every account's state. Records are not part of it.
type snapshotState struct {
	streams  map[Key]*Stream
	fields   map[*Stream]streamFields
	accounts map[*Account]accountFields
}

type streamFields struct {
	status           string
	created          time.Time
	mode             string
	retentionHours   int
	encryptionType   string
	keyID            string
	metrics          []string
	tags             map[string]string
	maxRecordSizeKiB int
	distribution     string
	warmThroughput   *WarmThroughput
	policy           string
	shards           []*Shard
	closed           []shardClosed
	consumers        map[string]Consumer
	pendingUntil     time.Time
	pending          *Change
	generation       int64
}

type shardClosed struct {
	closed bool
	endSeq string
	at     time.Time
}

type accountFields struct {
	commitment   Commitment
	channels     map[string]Channel
	tags         map[string]map[string]string
	policies     map[string]string
	modeSwitches map[string][]time.Time
}

func (s *Store) snapshot() *snapshotState {
	s.mu.RLock()
	snap := &snapshotState{streams: maps.Clone(s.streams), fields: make(map[*Stream]streamFields, len(s.streams))}
	s.mu.RUnlock()
	for _, st := range snap.streams {
		snap.fields[st] = st.fields()
	}
	s.accounts.mu.Lock()
	all := make([]*Account, 0, len(s.accounts.m))
	for _, a := range s.accounts.m {
		all = append(all, a)
	}
	s.accounts.mu.Unlock()
	snap.accounts = make(map[*Account]accountFields, len(all))
	for _, a := range all {
		a.mu.Lock()
		snap.accounts[a] = a.fields()
		a.mu.Unlock()
	}
	return snap
}

func (s *Store) restore(snap *snapshotState) {
	s.accounts.mu.Lock()
	all := make([]*Account, 0, len(s.accounts.m))
	for _, a := range s.accounts.m {
		all = append(all, a)
	}
	s.accounts.mu.Unlock()
	for _, a := range all {
		f, ok := snap.accounts[a]
		if !ok {
			// Made during the change: as empty as it was when it did not exist.
			f = accountFields{}
		}
		a.mu.Lock()
		a.setFields(f)
		a.mu.Unlock()
	}
	s.mu.Lock()
	s.streams = snap.streams
	s.mu.Unlock()
	for st, f := range snap.fields {
		st.setFields(f)
	}
}

// fields copies the stream's fields, sharing nothing with them.
func (st *Stream) fields() streamFields {
	st.mu.RLock()
	defer st.mu.RUnlock()
	f := streamFields{
		status: st.Status, created: st.Created, mode: st.Mode, retentionHours: st.RetentionHours,
		encryptionType: st.EncryptionType, keyID: st.KeyID, metrics: append([]string(nil), st.Metrics...),
		tags: maps.Clone(st.Tags), maxRecordSizeKiB: st.MaxRecordSizeKiB, distribution: st.Distribution,
		policy: st.Policy, shards: append([]*Shard(nil), st.Shards...), pendingUntil: st.PendingUntil,
		pending: st.Pending.Clone(), generation: st.Generation,
		consumers: make(map[string]Consumer, len(st.Consumers)),
	}
	if st.WarmThroughput != nil {
		wt := *st.WarmThroughput
		f.warmThroughput = &wt
	}
	for _, sh := range st.Shards {
		sh.mu.RLock()
		f.closed = append(f.closed, shardClosed{closed: sh.closed, endSeq: sh.endSeq, at: sh.closedAt})
		sh.mu.RUnlock()
	}
	for name, c := range st.Consumers {
		f.consumers[name] = *c
	}
	return f
}

// setFields puts back fields taken by fields. A shard closed since is open again.
func (st *Stream) setFields(f streamFields) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.Status, st.Created, st.Mode, st.RetentionHours = f.status, f.created, f.mode, f.retentionHours
	st.EncryptionType, st.KeyID, st.Metrics, st.Tags = f.encryptionType, f.keyID, f.metrics, f.tags
	st.MaxRecordSizeKiB, st.Distribution, st.WarmThroughput = f.maxRecordSizeKiB, f.distribution, f.warmThroughput
	st.Policy, st.Shards, st.PendingUntil, st.Pending, st.Generation = f.policy, f.shards, f.pendingUntil, f.pending, f.generation
	st.Consumers = make(map[string]*Consumer, len(f.consumers))
	for name, c := range f.consumers {
		st.Consumers[name] = &c
	}
	for i, sh := range f.shards {
		c := f.closed[i]
		sh.mu.Lock()
		if sh.closed != c.closed {
			sh.closed, sh.endSeq, sh.closedAt = c.closed, c.endSeq, c.at
			sh.broadcast()
		}
		sh.mu.Unlock()
	}
}

func (a *Account) fields() accountFields {
	f := accountFields{
		commitment: a.Commitment, channels: make(map[string]Channel, len(a.Channels)),
		tags: make(map[string]map[string]string, len(a.Tags)), policies: maps.Clone(a.Policies),
		modeSwitches: make(map[string][]time.Time, len(a.ModeSwitches)),
	}
	for name, ch := range a.Channels {
		f.channels[name] = ch.clone()
	}
	for arn, tags := range a.Tags {
		f.tags[arn] = maps.Clone(tags)
	}
	for k, v := range a.ModeSwitches {
		f.modeSwitches[k] = append([]time.Time(nil), v...)
	}
	return f
}

func (a *Account) setFields(f accountFields) {
	a.Commitment, a.Tags, a.Policies, a.ModeSwitches = f.commitment, f.tags, f.policies, f.modeSwitches
	if a.Tags == nil {
		a.Tags = make(map[string]map[string]string)
	}
	if a.Policies == nil {
		a.Policies = make(map[string]string)
	}
	if a.ModeSwitches == nil {
		a.ModeSwitches = make(map[string][]time.Time)
	}
	a.Channels = make(map[string]*Channel, len(f.channels))
	for name, ch := range f.channels {
		a.Channels[name] = &ch
	}
}

func (ch *Channel) clone() Channel {
	out := *ch
	out.Streams = append([]ChannelStream(nil), ch.Streams...)
	out.Config = append([]byte(nil), ch.Config...)
	out.Tags = maps.Clone(ch.Tags)
	return out
}
