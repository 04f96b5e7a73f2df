package store

import (
	"errors"
	"fmt"
)

// Kinds of Change: one per operation that takes a stream through UPDATING.
const (
	ChangeSplit          = "SplitShard"
	ChangeMerge          = "MergeShards"
	ChangeShardCount     = "UpdateShardCount"
	ChangeEncryption     = "StreamEncryption" // StartStreamEncryption and StopStreamEncryption
	ChangeMode           = "UpdateStreamMode"
	ChangeMaxRecordSize  = "UpdateMaxRecordSize"
	ChangeWarmThroughput = "UpdateStreamWarmThroughput"
)

// Change describes what an UPDATING stream becomes when its transition completes. It is data,
// not code, so that a data directory can keep it across a restart: only the fields its Kind
// names are set, and the emulator applies it once Stream.PendingUntil has passed. A Change is
// saved in the metadata as it is, so a field added here is saved without a change to the journal.
type Change struct {
	Kind string `json:"kind"`

	// ShardToSplit and NewStartingHashKey (a decimal string) describe a split.
	ShardToSplit       string `json:"shardToSplit,omitempty"`
	NewStartingHashKey string `json:"newStartingHashKey,omitempty"`

	// ShardToMerge and AdjacentShardToMerge describe a merge.
	ShardToMerge         string `json:"shardToMerge,omitempty"`
	AdjacentShardToMerge string `json:"adjacentShardToMerge,omitempty"`

	// TargetShardCount is the open shard count UpdateShardCount reaches.
	TargetShardCount int `json:"targetShardCount,omitempty"`

	// EncryptionType (NONE or KMS) and KeyID are the encryption the stream ends with.
	EncryptionType string `json:"encryptionType,omitempty"`
	KeyID          string `json:"keyId,omitempty"`

	// StreamMode is the capacity mode the stream ends in.
	StreamMode string `json:"streamMode,omitempty"`

	// MaxRecordSizeKiB is the record size limit the stream ends with.
	MaxRecordSizeKiB int `json:"maxRecordSizeKiB,omitempty"`

	// WarmThroughputMiBps is the warm throughput the stream reaches: required for
	// ChangeWarmThroughput, optional for a ChangeMode to ON_DEMAND.
	WarmThroughputMiBps *int `json:"warmThroughputMiBps,omitempty"`
}

// ErrInvalidChange is wrapped by Validate's errors.
var ErrInvalidChange = errors.New("store: invalid pending change")

// Validate reports a Change that cannot be applied whatever the stream: an unknown kind or a
// field its kind needs that is missing or malformed. Whether its shards exist is for the applier
// to find out.
func (c *Change) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidChange, c.Kind, fmt.Sprintf(format, args...))
	}
	switch c.Kind {
	case ChangeSplit:
		if c.ShardToSplit == "" {
			return bad("no shard to split")
		}
		if _, ok := ParseHashKey(c.NewStartingHashKey); !ok {
			return bad("starting hash key %q is not a hash key", c.NewStartingHashKey)
		}
	case ChangeMerge:
		if c.ShardToMerge == "" || c.AdjacentShardToMerge == "" {
			return bad("two shards are needed")
		}
	case ChangeShardCount:
		if c.TargetShardCount < 1 {
			return bad("target shard count %d", c.TargetShardCount)
		}
	case ChangeEncryption:
		if c.EncryptionType == "" {
			return bad("no encryption type")
		}
	case ChangeMode:
		if c.StreamMode == "" {
			return bad("no stream mode")
		}
	case ChangeMaxRecordSize:
		if c.MaxRecordSizeKiB < 1 {
			return bad("record size %d KiB", c.MaxRecordSizeKiB)
		}
	case ChangeWarmThroughput:
		if c.WarmThroughputMiBps == nil || *c.WarmThroughputMiBps < 0 {
			return bad("no warm throughput target")
		}
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidChange, c.Kind)
	}
	if c.WarmThroughputMiBps != nil && *c.WarmThroughputMiBps < 0 {
		return bad("warm throughput %d MiBps", *c.WarmThroughputMiBps)
	}
	return nil
}

// Clone returns a copy of c that shares nothing with it.
func (c *Change) Clone() *Change {
	if c == nil {
		return nil
	}
	out := *c
	if c.WarmThroughputMiBps != nil {
		v := *c.WarmThroughputMiBps
		out.WarmThroughputMiBps = &v
	}
	return &out
}
