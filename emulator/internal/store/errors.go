package store

import "errors"

// ErrShardClosed is returned by Append on a shard a reshard has closed.
var ErrShardClosed = errors.New("store: shard is closed")
