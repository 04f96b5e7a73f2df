package filelease

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// FormatVersion is the layout of the file that Format writes and Parse reads.
const FormatVersion = 1

// file is the saved form: a version and the leases, sorted by key.
type file struct {
	Version int    `json:"version"`
	Leases  []item `json:"leases"`
}

// item is one lease, under the attribute names of the KCL's lease table.
type item struct {
	LeaseKey                        string   `json:"leaseKey"`
	LeaseOwner                      string   `json:"leaseOwner,omitempty"`
	CheckpointOwner                 string   `json:"checkpointOwner,omitempty"`
	LeaseCounter                    int64    `json:"leaseCounter"`
	Checkpoint                      string   `json:"checkpoint,omitempty"`
	CheckpointSubSequenceNumber     int64    `json:"checkpointSubSequenceNumber,omitempty"`
	PendingCheckpoint               string   `json:"pendingCheckpoint,omitempty"`
	PendingCheckpointSubSequenceNum int64    `json:"pendingCheckpointSubSequenceNumber,omitempty"`
	OwnerSwitchesSinceCheckpoint    int64    `json:"ownerSwitchesSinceCheckpoint,omitempty"`
	ParentShardID                   []string `json:"parentShardId,omitempty"`
	ChildShardIDs                   []string `json:"childShardIds,omitempty"`
	StartingHashKey                 string   `json:"startingHashKey,omitempty"`
	EndingHashKey                   string   `json:"endingHashKey,omitempty"`
}

// Format returns the file's bytes for leases: indented JSON, leases sorted by key.
func Format(leases []lease.Lease) ([]byte, error) {
	f := file{Version: FormatVersion, Leases: make([]item, 0, len(leases))}
	for _, l := range leases {
		f.Leases = append(f.Leases, item{
			LeaseKey:                        l.Key,
			LeaseOwner:                      l.Owner,
			CheckpointOwner:                 l.CheckpointOwner,
			LeaseCounter:                    l.Counter,
			Checkpoint:                      l.Checkpoint.SequenceNumber,
			CheckpointSubSequenceNumber:     l.Checkpoint.SubSequenceNumber,
			PendingCheckpoint:               l.PendingCheckpoint.SequenceNumber,
			PendingCheckpointSubSequenceNum: l.PendingCheckpoint.SubSequenceNumber,
			OwnerSwitchesSinceCheckpoint:    l.OwnerSwitchesSinceCheckpoint,
			ParentShardID:                   slices.Clone(l.ParentShardIDs),
			ChildShardIDs:                   slices.Clone(l.ChildShardIDs),
			StartingHashKey:                 l.StartingHashKey,
			EndingHashKey:                   l.EndingHashKey,
		})
	}
	slices.SortFunc(f.Leases, func(a, b item) int { return strings.Compare(a.LeaseKey, b.LeaseKey) })
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Parse reads a file that Format wrote. It refuses another version, a lease without a key, and two
// leases with one key.
func Parse(data []byte) ([]lease.Lease, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if dec.More() {
		return nil, errors.New("parse: data after the leases")
	}
	if f.Version != FormatVersion {
		return nil, fmt.Errorf("parse: version %d, this reader knows %d", f.Version, FormatVersion)
	}
	seen := make(map[string]bool, len(f.Leases))
	out := make([]lease.Lease, 0, len(f.Leases))
	for i, it := range f.Leases {
		if it.LeaseKey == "" {
			return nil, fmt.Errorf("parse: lease %d has no leaseKey", i)
		}
		if seen[it.LeaseKey] {
			return nil, fmt.Errorf("parse: lease %s appears twice", it.LeaseKey)
		}
		seen[it.LeaseKey] = true
		out = append(out, lease.Lease{
			Key:                          it.LeaseKey,
			Owner:                        it.LeaseOwner,
			CheckpointOwner:              it.CheckpointOwner,
			Counter:                      it.LeaseCounter,
			Checkpoint:                   lease.Checkpoint{SequenceNumber: it.Checkpoint, SubSequenceNumber: it.CheckpointSubSequenceNumber},
			PendingCheckpoint:            lease.Checkpoint{SequenceNumber: it.PendingCheckpoint, SubSequenceNumber: it.PendingCheckpointSubSequenceNum},
			OwnerSwitchesSinceCheckpoint: it.OwnerSwitchesSinceCheckpoint,
			ParentShardIDs:               it.ParentShardID,
			ChildShardIDs:                it.ChildShardIDs,
			StartingHashKey:              it.StartingHashKey,
			EndingHashKey:                it.EndingHashKey,
		})
	}
	return out, nil
}
