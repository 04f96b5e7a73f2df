package consumer

import "errors"

// ErrLeaseLost is returned by a Checkpointer when the worker no longer holds the shard's lease:
// another worker took it, so this one must stop processing the shard.
var ErrLeaseLost = errors.New("consumer: lease lost")

// ErrShardEndNotCheckpointed is the error a manual-checkpoint handler's batch fails with when the
// handler returned nil for the last batch of a closed shard without checkpointing it: the children
// of a shard may start only once it is checkpointed, so the batch is delivered again.
var ErrShardEndNotCheckpointed = errors.New("consumer: the last batch of a closed shard was not checkpointed")
