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

// effect says whether an operation changes state.
type effect bool

const (
	reads   effect = false // Describe, List and Get calls
	changes effect = true  // everything else: the store's metadata is saved after each success
)

// controlOp is the row of a control-plane operation: f runs it, e says whether it changes state
// and rate is its documented rate (undocumented for none; the API reference gives each operation
// its rate, and the pinned SDK's doc comments carry the same figures).
func controlOp[In any, Out any](f func(s *Server, c *call, in *In) (*Out, error), e effect, rate opRate) operation {
	return operation{control: true, saves: bool(e), rate: rate, handle: decoded(f, true, rate)}
}

// dataOp is the row of a data-plane operation (records and iterators): no control-plane rate, and
// never a metadata save, since records reach the journal as they are written.
func dataOp[In any, Out any](f func(s *Server, c *call, in *In) (*Out, error)) operation {
	return operation{handle: decoded(f, false, opRate{})}
}

// opRate is the documented call rate of a control-plane operation: calls per second, counted per
// account or per stream (and region). The zero opRate is no documented rate.
type opRate struct {
	perSecond int
	perStream bool
}

// perAccount and perStream give a documented rate counted per account or per stream; undocumented
// is an operation the API reference gives no rate.
func perAccount(n int) opRate { return opRate{perSecond: n} }
func perStream(n int) opRate  { return opRate{perSecond: n, perStream: true} }

func undocumented() opRate { return opRate{} }

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
