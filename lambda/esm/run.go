package esm

import "context"

type shardState struct{}

// Run reads the stream and invokes the function until ctx is done, then stops cleanly: the
// invocations in flight finish and the checkpoints are saved. It returns nil when ctx ended it,
// ErrDisabled for a disabled mapping, or the error that stopped it.
func (e *Engine) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// WaitIdle returns once the engine is idle: every shard has been read to its tip since the call,
// every record read has been delivered (or filtered out, or discarded to on-failure), and nothing
// is in flight or waiting to be retried. It returns ctx's error if ctx ends first.
func (e *Engine) WaitIdle(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// Stats returns what the engine has done so far.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}
