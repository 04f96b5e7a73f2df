package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// metaVersion is the metadata format this build writes; Load reads minMetaVersion on. Version 2
// saves a stream's pending change; a version 1 file still loads, its pending changes lost.
const (
	metaVersion    = 2
	minMetaVersion = 1
)

// writeMeta writes meta.json from the source (or all) and then drops the logs of deleted streams.
func (j *FileJournal) writeMeta(all []*Stream) error {
	j.mu.RLock()
	closed, loaded := j.closed, j.loaded
	j.mu.RUnlock()
	switch {
	case closed:
		return ErrJournalClosed
	case !loaded:
		return ErrNotLoaded
	}
	doc := metaDoc{Version: metaVersion}
	if j.source != nil {
		src := j.source()
		all = src.All()
		accounts, err := src.snapshotAccounts()
		if err != nil {
			return err
		}
		doc.Accounts = accounts
	}
	doc.Streams = make([]metaStream, 0, len(all))
	saved := make(map[*Stream]map[int]bool, len(all))
	for _, st := range all {
		j.mu.Lock()
		gone := j.gone[st]
		name := ""
		if !gone {
			name = j.nameLocked(st)
		}
		j.mu.Unlock()
		if gone {
			continue // removed from the store since the listing was taken
		}
		ms := snapshot(st, name)
		doc.Streams = append(doc.Streams, ms)
		idx := make(map[int]bool, len(ms.Shards))
		for _, sh := range ms.Shards {
			idx[sh.Index] = true
		}
		saved[st] = idx
	}
	sort.Slice(doc.Streams, func(a, b int) bool { return doc.Streams[a].Log < doc.Streams[b].Log })
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encoding metadata: %w", err)
	}
	if err := writeAtomic(j.fault, j.dir, metaFile, b, 0o644); err != nil {
		return err
	}
	// A stream is deleted for good when the store no longer holds it: a listing taken now, not
	// the one written, so that a stream added during the write keeps its log.
	present := make(map[*Stream]bool, len(all))
	if j.source != nil {
		all = j.source().All()
	}
	for _, st := range all {
		present[st] = true
	}
	j.mu.Lock()
	j.saved = saved
	var removed []string
	for st, name := range j.names {
		if present[st] {
			continue
		}
		if l := j.logs[st]; l != nil {
			l.close(ErrStreamDeleted)
			delete(j.logs, st)
		}
		removed = append(removed, name)
		delete(j.names, st)
		delete(j.owners, name)
		j.gone[st] = true
	}
	j.mu.Unlock()
	for _, name := range removed {
		if err := os.Remove(logPath(j.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: removing the log of a deleted stream: %w", err)
		}
	}
	if len(removed) > 0 {
		return syncDir(filepath.Join(j.dir, logsDir))
	}
	return nil
}

// metaDoc is the content of meta.json.
type metaDoc struct {
	Version  int           `json:"version"`
	Streams  []metaStream  `json:"streams"`
	Accounts []metaAccount `json:"accounts,omitempty"`
}

// metaAccount is the saved form of an Account. Channels and Commitment are saved as they are, so
// that fields added to them are kept without a change here.
type metaAccount struct {
	Account      string                       `json:"account"`
	Region       string                       `json:"region"`
	Commitment   Commitment                   `json:"commitment"`
	Channels     []Channel                    `json:"channels,omitempty"`
	Tags         map[string]map[string]string `json:"tags,omitempty"`
	Policies     map[string]string            `json:"policies,omitempty"`
	ModeSwitches map[string][]time.Time       `json:"modeSwitches,omitempty"`
}

// snapshotAccounts reads every account's state, each under its lock. The copies are encoded at
// once, so that they share nothing with the live maps.
func (s *Store) snapshotAccounts() ([]metaAccount, error) {
	s.accounts.mu.Lock()
	keys := make([]accountKey, 0, len(s.accounts.m))
	for k := range s.accounts.m {
		keys = append(keys, k)
	}
	s.accounts.mu.Unlock()
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].account != keys[b].account {
			return keys[a].account < keys[b].account
		}
		return keys[a].region < keys[b].region
	})
	out := make([]metaAccount, 0, len(keys))
	for _, k := range keys {
		a := s.Account(k.account, k.region)
		a.mu.Lock()
		ma := metaAccount{Account: k.account, Region: k.region, Commitment: a.Commitment,
			Tags: a.Tags, Policies: a.Policies, ModeSwitches: a.ModeSwitches}
		for _, ch := range a.SortedChannels() {
			ma.Channels = append(ma.Channels, *ch)
		}
		b, err := json.Marshal(ma)
		a.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("store: encoding account %s: %w", k.account, err)
		}
		var copied metaAccount
		if err := json.Unmarshal(b, &copied); err != nil {
			return nil, fmt.Errorf("store: encoding account %s: %w", k.account, err)
		}
		out = append(out, copied)
	}
	return out, nil
}

// metaStream is the saved form of a Stream: every field but the records, which live in its log.
type metaStream struct {
	Account          string            `json:"account"`
	Region           string            `json:"region"`
	Name             string            `json:"name"`
	ARN              string            `json:"arn"`
	Log              string            `json:"log"`
	Status           string            `json:"status"`
	Created          time.Time         `json:"created"`
	Mode             string            `json:"mode"`
	RetentionHours   int               `json:"retentionHours"`
	EncryptionType   string            `json:"encryptionType"`
	KeyID            string            `json:"keyId,omitempty"`
	Metrics          []string          `json:"metrics,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	MaxRecordSizeKiB int               `json:"maxRecordSizeKiB"`
	Distribution     string            `json:"distribution"`
	WarmThroughput   *WarmThroughput   `json:"warmThroughput,omitempty"`
	Policy           string            `json:"policy,omitempty"`
	PendingUntil     time.Time         `json:"pendingUntil"`
	// Pending is the change the transition applies when it completes (version 2 on).
	Pending *Change `json:"pending,omitempty"`
	// PendingChange is only read: a version 1 file set it for a transition whose change (then a
	// function) could not be saved.
	PendingChange bool           `json:"pendingChange,omitempty"`
	Generation    int64          `json:"generation"`
	Shards        []metaShard    `json:"shards"`
	Consumers     []metaConsumer `json:"consumers,omitempty"`
}

type metaShard struct {
	ID             string    `json:"id"`
	Index          int       `json:"index"`
	StartHash      string    `json:"startHash"`
	EndHash        string    `json:"endHash"`
	Parent         string    `json:"parent,omitempty"`
	AdjacentParent string    `json:"adjacentParent,omitempty"`
	Created        time.Time `json:"created"`
	StartSequence  string    `json:"startSequence"`
	Closed         bool      `json:"closed,omitempty"`
	EndSequence    string    `json:"endSequence,omitempty"`
	ClosedAt       time.Time `json:"closedAt,omitzero"`
}

type metaConsumer struct {
	Name         string    `json:"name"`
	ARN          string    `json:"arn"`
	Status       string    `json:"status"`
	Created      time.Time `json:"created"`
	PendingUntil time.Time `json:"pendingUntil,omitzero"`
}

// snapshot reads the metadata of st under its lock.
func snapshot(st *Stream, log string) metaStream {
	st.mu.RLock()
	defer st.mu.RUnlock()
	ms := metaStream{
		Account: st.Key.Account, Region: st.Key.Region, Name: st.Key.Name, ARN: st.ARN, Log: log,
		Status: st.Status, Created: st.Created, Mode: st.Mode, RetentionHours: st.RetentionHours,
		EncryptionType: st.EncryptionType, KeyID: st.KeyID, Metrics: append([]string(nil), st.Metrics...),
		Tags: make(map[string]string, len(st.Tags)), MaxRecordSizeKiB: st.MaxRecordSizeKiB,
		Distribution: st.Distribution, Policy: st.Policy, PendingUntil: st.PendingUntil,
		Pending: st.Pending.Clone(), Generation: st.Generation,
		Shards: make([]metaShard, 0, len(st.Shards)),
	}
	for k, v := range st.Tags {
		ms.Tags[k] = v
	}
	if st.WarmThroughput != nil {
		wt := *st.WarmThroughput
		ms.WarmThroughput = &wt
	}
	for _, sh := range st.Shards {
		sh.mu.RLock()
		ms.Shards = append(ms.Shards, metaShard{
			ID: sh.ID, Index: sh.Index, StartHash: sh.StartHash.String(), EndHash: sh.EndHash.String(),
			Parent: sh.Parent, AdjacentParent: sh.AdjacentParent, Created: sh.Created,
			StartSequence: sh.StartSequence, Closed: sh.closed, EndSequence: sh.endSeq, ClosedAt: sh.closedAt,
		})
		sh.mu.RUnlock()
	}
	for _, c := range st.Consumers {
		ms.Consumers = append(ms.Consumers, metaConsumer{Name: c.Name, ARN: c.ARN, Status: c.Status,
			Created: c.Created, PendingUntil: c.PendingUntil})
	}
	sort.Slice(ms.Consumers, func(a, b int) bool { return ms.Consumers[a].Name < ms.Consumers[b].Name })
	return ms
}

// restoreAccounts puts saved account state back.
func (s *Store) restoreAccounts(saved []metaAccount) {
	for _, ma := range saved {
		a := s.Account(ma.Account, ma.Region)
		a.mu.Lock()
		a.Commitment = ma.Commitment
		for i := range ma.Channels {
			ch := ma.Channels[i]
			a.Channels[ch.Name] = &ch
		}
		for k, v := range ma.Tags {
			a.Tags[k] = v
		}
		for k, v := range ma.Policies {
			a.Policies[k] = v
		}
		for k, v := range ma.ModeSwitches {
			a.ModeSwitches[k] = v
		}
		a.mu.Unlock()
	}
}

// stream rebuilds a Stream and its shards, without records, from its saved form.
func (ms *metaStream) stream() (*Stream, error) {
	st := &Stream{
		Key: Key{Account: ms.Account, Region: ms.Region, Name: ms.Name}, ARN: ms.ARN,
		Status: ms.Status, Created: ms.Created, Mode: ms.Mode, RetentionHours: ms.RetentionHours,
		EncryptionType: ms.EncryptionType, KeyID: ms.KeyID, Metrics: ms.Metrics,
		Tags: make(map[string]string, len(ms.Tags)), MaxRecordSizeKiB: ms.MaxRecordSizeKiB,
		Distribution: ms.Distribution, Policy: ms.Policy, PendingUntil: ms.PendingUntil,
		Generation: ms.Generation, Consumers: make(map[string]*Consumer, len(ms.Consumers)),
	}
	for k, v := range ms.Tags {
		st.Tags[k] = v
	}
	if ms.WarmThroughput != nil {
		wt := *ms.WarmThroughput
		st.WarmThroughput = &wt
	}
	if ms.Pending != nil {
		if err := ms.Pending.Validate(); err != nil {
			return nil, fmt.Errorf("store: stream %s: %w", ms.Name, err)
		}
		st.Pending = ms.Pending.Clone()
	}
	for _, c := range ms.Consumers {
		st.Consumers[c.Name] = &Consumer{Name: c.Name, ARN: c.ARN, Status: c.Status, Created: c.Created, PendingUntil: c.PendingUntil}
	}
	for _, m := range ms.Shards {
		start, ok1 := ParseHashKey(m.StartHash)
		end, ok2 := ParseHashKey(m.EndHash)
		if !ok1 || !ok2 || m.ID != ShardID(m.Index) {
			return nil, fmt.Errorf("store: stream %s: shard %q is not valid in the metadata", ms.Name, m.ID)
		}
		sh := NewShard(m.Index, start, end, m.Created, m.Parent, m.AdjacentParent)
		sh.StartSequence = m.StartSequence
		if m.Closed {
			sh.restoreClosed(m.EndSequence, m.ClosedAt)
		}
		st.Shards = append(st.Shards, sh)
	}
	return st, nil
}
