package esm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Function is what the engine invokes. aws-lambda-go's lambda.Handler has exactly this method; a
// function run out of process through the Runtime API is another Function. A returned error is a
// function error (an unhandled error, a crash, a timeout) and counts toward the mapping's retries.
//
// The engine calls Invoke concurrently (one call per shard and lane at most) and reads the answer
// after the call returns, so the answer must stay the caller's. A lambda.Handler reuses its answer
// buffer and serves one invocation at a time: make a Go handler a Function with NewHandler, which
// gives each concurrent invocation a lambda.Handler of its own.
type Function interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// FunctionFunc adapts an ordinary function to Function.
type FunctionFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f FunctionFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// Engine runs one event source mapping: it reads the stream's shards through the Kinesis API
// (GetRecords, or SubscribeToShard when the mapping names a stream consumer) and invokes the
// function with batches, retrying, bisecting, windowing and checkpointing as Lambda
// does.
type Engine struct {
	client  *kinesis.Client
	m       Mapping
	src     SourceARN
	fn      Function
	cfg     config
	filters *filterSet
	log     *slog.Logger
	cps     *checkpoints

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change of state WaitIdle looks at
	relist    chan struct{} // asks Run to list the shards again
	shards    map[string]*shardState
	stats     Stats
	running   bool
	gen       uint64 // bumped by each WaitIdle or WaitQuiet call
	listedGen uint64 // the generation of the last shard listing
	relistDue bool   // a shard finished: its children may start at the next listing
}

// Stats counts what an engine has done since it started.
type Stats struct {
	// Invocations is how many times the function was invoked; FunctionErrors how many of those
	// failed (errors, partial failures and malformed answers).
	Invocations, FunctionErrors int
	// Records is how many records were delivered in invocations (counting retries again);
	// Filtered how many were dropped by FilterCriteria; Discarded how many went to on-failure.
	Records, Filtered, Discarded int
	// Shards holds the same counts per shard id.
	Shards map[string]ShardStats
}

// ShardStats counts what the engine did with one shard.
type ShardStats struct {
	Invocations, FunctionErrors, Records, Filtered, Discarded int
	// Checkpoint is the sequence number everything up to which is done ("" before any).
	Checkpoint string
	// Finished is true once a closed shard has been read and processed to its end.
	Finished bool
}

// ErrDisabled is returned by Run for a mapping whose Enabled is false.
var ErrDisabled = errors.New("esm: mapping is disabled")

// New makes an engine for mapping m that reads with client and invokes fn. The mapping gets
// Lambda's defaults and is validated; nothing is read until Run.
func New(client *kinesis.Client, m Mapping, fn Function, opts ...Option) (*Engine, error) {
	if client == nil || fn == nil {
		return nil, errors.New("esm: New needs a Kinesis client and a function")
	}
	m = m.WithDefaults()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	src, _ := ParseSourceARN(m.EventSourceArn)
	cfg := config{clock: realClock{}, pollInterval: time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.functionARN == "" {
		cfg.functionARN = functionARN(m.FunctionName, src)
	}
	if cfg.identityARN == "" {
		cfg.identityARN = "arn:" + src.Partition + ":iam::" + src.Account + ":role/lambda-role"
	}
	e := &Engine{client: client, m: m, src: src, fn: fn, cfg: cfg, log: cfg.logger,
		changed: make(chan struct{}), relist: make(chan struct{}, 1), shards: map[string]*shardState{}}
	if m.FilterCriteria != nil {
		fs, err := compileFilters(*m.FilterCriteria)
		if err != nil {
			return nil, err
		}
		e.filters = fs
	}
	cps, err := openCheckpoints(cfg.checkpointFile, src.StreamARN)
	if err != nil {
		return nil, err
	}
	e.cps = cps
	return e, nil
}

// Mapping returns the engine's mapping, defaults filled in.
func (e *Engine) Mapping() Mapping { return e.m }

// functionARN makes the ARN of a function named name in the stream's region and account.
func functionARN(name string, src SourceARN) string {
	if len(name) > 4 && name[:4] == "arn:" {
		return name
	}
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", src.Partition, src.Region, src.Account, name)
}
