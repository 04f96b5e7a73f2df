package emulator

import (
	"sync"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// sweepInterval is how often, on the emulator's clock, the sweeper trims every stream's records by
// retention and compacts record logs that trimming left mostly dead. Reads trim as they go; without
// the sweep a stream that is only ever written would keep every record in memory and on disk.
const sweepInterval = time.Minute

// sweeper runs the sweep on a timer of the emulator's clock until stopped.
type sweeper struct {
	mu      sync.Mutex // held during a sweep, so that stopping waits for one under way
	stopped bool
	cancel  func() bool
}

func (s *Server) startSweeper() {
	s.sweeper = &sweeper{}
	s.armSweep()
}

// armSweep sets the timer of the next sweep; the caller holds s.sweeper.mu or is starting it.
func (s *Server) armSweep() {
	sw := s.sweeper
	sw.cancel = s.cfg.clock.AfterFunc(sweepInterval, func() {
		sw.mu.Lock()
		defer sw.mu.Unlock()
		if sw.stopped {
			return
		}
		s.sweep(s.now())
		s.armSweep()
	})
}

// stopSweeper cancels the next sweep and waits for one under way.
func (s *Server) stopSweeper() {
	sw := s.sweeper
	if sw == nil {
		return
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.stopped = true
	if sw.cancel != nil {
		sw.cancel()
	}
}

// sweep trims every stream by retention and, with a data directory, compacts the logs whose records
// are now mostly trimmed.
func (s *Server) sweep(now time.Time) {
	j, durable := s.store.Journal().(*store.FileJournal)
	for _, st := range s.store.All() {
		s.trimStream(st, now)
		if !durable {
			continue
		}
		did, err := j.CompactIfMostlyTrimmed(st)
		switch {
		case err != nil:
			s.log.Error("emulator: compacting a record log failed; the old log stays", "stream", st.Key.Name, "err", err)
		case did:
			s.log.Info("emulator: record log compacted", "stream", st.Key.Name, "account", st.Key.Account, "region", st.Key.Region)
		}
	}
}
