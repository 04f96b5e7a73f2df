package emulator

import (
	"fmt"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Pending changes: an operation that takes a stream through UPDATING describes its effect as a
// store.Change, which the stream holds (and a data directory keeps) until the transition
// completes; applyChange then carries it out. The reshard operations are in shards.go and the
// settings in settings.go; this file turns either kind of description into its effect.

// completeUpdate ends a stream's UPDATING transition at now, the moment it was due: the pending
// change takes effect and the stream is ACTIVE again. A change that cannot be applied is logged
// and dropped, so that the stream never stays stuck. Callers are inside st.Update.
func (s *Server) completeUpdate(st *store.Stream, now time.Time) {
	if st.Pending != nil {
		if err := applyChange(st, st.Pending, now); err != nil {
			s.log.Error("emulator: a pending stream change could not be applied", "stream", st.Key.Name,
				"account", st.Key.Account, "region", st.Key.Region, "kind", st.Pending.Kind, "err", err)
		}
		st.Pending = nil
	}
	st.Status = store.StatusActive
}

// applyChange makes ch take effect on st at now, the moment the transition completes. Callers
// are inside st.Update. A change that no longer fits the stream (a shard that is gone, from a damaged data
// directory) is refused whole with an error, and the stream is left as it was.
func applyChange(st *store.Stream, ch *store.Change, now time.Time) error {
	if err := ch.Validate(); err != nil {
		return err
	}
	switch ch.Kind {
	case store.ChangeSplit:
		sh, err := openShard(st, ch.ShardToSplit)
		if err != nil {
			return err
		}
		key, _ := store.ParseHashKey(ch.NewStartingHashKey)
		if key.Cmp(sh.StartHash) <= 0 || key.Cmp(sh.EndHash) > 0 {
			return fmt.Errorf("emulator: split of %s at %s: the key is outside the shard's range", sh.ID, ch.NewStartingHashKey)
		}
		split(st, sh, key, now)
	case store.ChangeMerge:
		a, err := openShard(st, ch.ShardToMerge)
		if err != nil {
			return err
		}
		b, err := openShard(st, ch.AdjacentShardToMerge)
		if err != nil {
			return err
		}
		if a == b || !(adjacent(a, b) || adjacent(b, a)) {
			return fmt.Errorf("emulator: merge of %s and %s: the shards are not adjacent", a.ID, b.ID)
		}
		merge(st, a, b, now)
	case store.ChangeShardCount:
		rescale(st, ch.TargetShardCount, now)
	case store.ChangeEncryption:
		st.EncryptionType = ch.EncryptionType
		st.KeyID = ch.KeyID
		if ch.EncryptionType == encryptionNone {
			st.KeyID = ""
		}
	case store.ChangeMode:
		st.Mode = ch.StreamMode
		switch {
		case ch.StreamMode == modeProvisioned:
			st.WarmThroughput = nil
		case ch.WarmThroughputMiBps != nil:
			st.WarmThroughput = &store.WarmThroughput{TargetMiBps: *ch.WarmThroughputMiBps, CurrentMiBps: *ch.WarmThroughputMiBps}
		}
	case store.ChangeMaxRecordSize:
		st.MaxRecordSizeKiB = ch.MaxRecordSizeKiB
	case store.ChangeWarmThroughput:
		w := *ch.WarmThroughputMiBps
		st.WarmThroughput = &store.WarmThroughput{TargetMiBps: w, CurrentMiBps: w}
	}
	return nil
}

// openShard returns the open shard id of st for a pending reshard. Callers are inside st.Update.
func openShard(st *store.Stream, id string) (*store.Shard, error) {
	sh := st.Shard(id)
	if sh == nil || sh.Closed() {
		return nil, fmt.Errorf("emulator: pending change on stream %s: shard %s is not open", st.Key.Name, id)
	}
	return sh, nil
}
