package emulator

import (
	"errors"
	"fmt"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// iteratorKeyName names the shard iterator key in a data directory: kept there so that iterators and
// NextTokens issued before a restart still open after it.
const iteratorKeyName = "iterator"

// openJournal returns the journal for the data directory: memory when there is none.
func openJournal(dir string, s *Server) (store.Journal, error) {
	if dir == "" {
		return store.Memory(), nil
	}
	// The source is read when metadata is written, after New has set s.store.
	j, err := store.OpenFile(dir, func() *store.Store { return s.store })
	var inUse *store.DirInUseError
	if errors.As(err, &inUse) {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: data directory: %w", err)
	}
	return j, nil
}

// restore loads the streams a data directory kept: their shards, records, consumers and settings,
// and the iterator key. Records that retention has passed are trimmed, in memory and on disk.
func (s *Server) restore() error {
	j, ok := s.store.Journal().(*store.FileJournal)
	if !ok {
		return nil
	}
	key, err := j.Secret(iteratorKeyName, len(s.iterKey))
	if err != nil {
		_ = j.Close()
		return fmt.Errorf("emulator: data directory: %w", err)
	}
	s.iterKey = key
	restored, rep, err := j.Load()
	if err != nil {
		_ = j.Close()
		return fmt.Errorf("emulator: data directory: %w", err)
	}
	// Load has put the streams in s.store; nothing writes to them before restore returns.
	now := s.now()
	for _, r := range restored {
		st := r.Stream
		if r.ChangeLost {
			// Only a data directory written before pending changes were saved has these.
			s.log.Warn("emulator: a stream transition in progress at shutdown completes without its change",
				"stream", st.Key.Name, "account", st.Key.Account, "region", st.Key.Region, "status", st.Status)
		}
		before := retainedFrom(st)
		s.trimStream(st, now)
		if retainedFrom(st) != before {
			if err := j.Compact(st); err != nil {
				_ = j.Close()
				return fmt.Errorf("emulator: data directory: %w", err)
			}
		}
		// Transitions that came due while the server was down end now: a stream whose deletion
		// was under way goes, with its records.
		s.settle(st, now)
	}
	if rep.TornBytes > 0 || rep.Orphans > 0 {
		s.log.Warn("emulator: data directory repaired", "dir", j.Dir(),
			"torn_bytes", rep.TornBytes, "orphan_logs", rep.Orphans)
	}
	s.log.Info("emulator: data directory loaded", "dir", j.Dir(), "streams", len(restored), "records", rep.Records)
	return nil
}

// retainedFrom sums the oldest retained index of every shard: it changes when a trim drops records.
func retainedFrom(st *store.Stream) uint64 {
	var n uint64
	st.View(func() {
		for _, sh := range st.Shards {
			n += sh.Oldest()
		}
	})
	return n
}
