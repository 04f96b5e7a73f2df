package emulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// streamARN is the ARN of a stream.
func streamARN(k store.Key) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", k.Region, k.Account, k.Name)
}

// parseStreamARN returns the key an ARN names; ok is false for anything that is not a stream ARN.
func parseStreamARN(arn string) (store.Key, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return store.Key{}, false
	}
	name, ok := strings.CutPrefix(parts[5], "stream/")
	if !ok || name == "" || strings.Contains(name, "/") || !accountKeyPattern.MatchString(parts[4]) {
		return store.Key{}, false
	}
	return store.Key{Account: parts[4], Region: parts[3], Name: name}, true
}

// streamKey resolves the stream a request names by StreamName or StreamARN (or both, which must
// agree).
func (s *Server) streamKey(c *call, name, arn string) (store.Key, error) {
	switch {
	case arn != "":
		k, ok := parseStreamARN(arn)
		if !ok {
			return store.Key{}, errInvalidStreamARN(arn)
		}
		if name != "" && name != k.Name {
			return store.Key{}, errInvalidArgument("StreamARN %s and StreamName %s do not name the same stream.", arn, name)
		}
		return k, nil
	case name != "":
		return store.Key{Account: c.account, Region: c.region, Name: name}, nil
	}
	return store.Key{}, errInvalidArgument("Either StreamName or StreamARN should be provided.")
}

// stream finds the stream a request names, settling any state transition that is due. A stream in
// DELETING is still found; callers that need it ACTIVE check.
func (s *Server) stream(c *call, name, arn string) (*store.Stream, error) {
	k, err := s.streamKey(c, name, arn)
	if err != nil {
		return nil, err
	}
	st := s.store.Get(k)
	if st == nil {
		return nil, errStreamNotFound(k)
	}
	if s.settle(st, c.now) {
		return nil, errStreamNotFound(k)
	}
	return st, nil
}

func errStreamNotFound(k store.Key) error {
	return errResourceNotFound("Stream %s under account %s not found.", k.Name, k.Account)
}

// activeStream finds a stream that must be ACTIVE (or UPDATING, for data-plane calls when
// allowUpdating) for the call to go on.
func (s *Server) activeStream(c *call, name, arn string, allowUpdating bool) (*store.Stream, error) {
	st, err := s.stream(c, name, arn)
	if err != nil {
		return nil, err
	}
	var status string
	st.View(func() { status = st.Status })
	if status == store.StatusActive || (allowUpdating && status == store.StatusUpdating) {
		return st, nil
	}
	if status == store.StatusDeleting && allowUpdating {
		return nil, errStreamNotFound(st.Key)
	}
	return nil, errStreamNotActive(st.Key.Name, st.Key.Account, status)
}

// settle completes a state transition whose time has come. It reports whether the stream is gone.
func (s *Server) settle(st *store.Stream, now time.Time) (gone bool) {
	due, consumersDue := false, false
	st.View(func() {
		due = st.Status != store.StatusActive && !now.Before(st.PendingUntil)
		for _, cons := range st.Consumers {
			if cons.Status != consumerActive && !now.Before(cons.PendingUntil) {
				consumersDue = true
			}
		}
	})
	if !due && !consumersDue {
		return false
	}
	changed, deleted := false, false
	st.Update(func() {
		if st.Status != store.StatusActive && !now.Before(st.PendingUntil) {
			if st.Status == store.StatusDeleting {
				deleted = true
				return
			}
			s.completeUpdate(st, st.PendingUntil)
			changed = true
		}
		for name, cons := range st.Consumers {
			if cons.Status == consumerActive || now.Before(cons.PendingUntil) {
				continue
			}
			if cons.Status == consumerDeleting {
				delete(st.Consumers, name)
			} else {
				cons.Status = consumerActive
			}
			changed = true
		}
	})
	if deleted {
		s.store.Remove(st.Key, st)
		s.subs.endStream(st)
		s.saveMeta()
		return true
	}
	if changed {
		s.saveMeta()
	}
	return false
}

// saveMeta saves the metadata after a change no client waits on: a transition that came due. A
// failure is logged only, since the change is made again when it is next due (at the latest by
// the restart that reads the older metadata). Inside an operation's commit it leaves the saving
// to the commit.
func (s *Server) saveMeta() {
	if err := s.store.Save(); err != nil {
		s.log.Error("emulator: saving stream metadata", "err", err)
	}
}

// commit runs a control-plane operation and saves the metadata if it succeeded. When the save
// fails the operation's changes are undone and the call fails with InternalFailure, so that a
// change is acknowledged only once a restart would find it.
func (s *Server) commit(c *call, run func() error) error {
	var opErr error
	err := s.store.Change(func() bool {
		opErr = run()
		return opErr == nil
	})
	if opErr != nil {
		return opErr
	}
	if err != nil {
		s.log.Error("emulator: saving stream metadata failed; the change is undone", "op", c.op, "err", err)
		return errInternalServiceFailure()
	}
	return nil
}

// openShardCount counts the open shards of an account in a region, for the shard limit.
func (s *Server) openShardCount(account, region string) int {
	n := 0
	for _, st := range s.store.List(account, region) {
		st.View(func() {
			for _, sh := range st.Shards {
				if !sh.Closed() {
					n++
				}
			}
		})
	}
	return n
}

// consumer states.
const (
	consumerCreating = "CREATING"
	consumerActive   = "ACTIVE"
	consumerDeleting = "DELETING"
)
