package emulator

import (
	"regexp"
	"strconv"
	"sync/atomic"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// operations is the operation table: every Kinesis operation the emulator answers, gathered from
// the files of each family.
func operations() map[string]operation {
	all := map[string]operation{}
	for _, family := range []map[string]operation{
		streamOperations(),
		recordOperations(),
		iteratorOperations(),
		shardOperations(),
		consumerOperations(),
		tagOperations(),
		settingOperations(),
		accountOperations(),
		channelOperations(),
	} {
		for name, o := range family {
			all[name] = o
		}
	}
	return all
}

// Operations lists the names of the operations the emulator answers.
func (s *Server) Operations() []string {
	names := make([]string, 0, len(s.ops))
	for n := range s.ops {
		names = append(names, n)
	}
	return names
}

func errDryRun() *Error {
	return newError("DryRunOperationException", 400, "Request would have succeeded, but DryRun flag is set.")
}

func mustPattern(p string) *regexp.Regexp { return regexp.MustCompile(p) }

func itoa(i int) string { return strconv.Itoa(i) }

// autoCounter is the round-robin position of a stream with the AUTO distribution strategy.
func (s *Server) autoCounter(st *store.Stream) *atomic.Uint64 {
	v, _ := s.autoNext.LoadOrStore(st, new(atomic.Uint64))
	return v.(*atomic.Uint64)
}
