package esm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// checkpoint is where a shard's processing stands: everything up to SequenceNumber is done, and a
// finished shard (closed, and done to its end) is not read again.
type checkpoint struct {
	SequenceNumber string `json:"sequenceNumber,omitempty"`
	Finished       bool   `json:"finished,omitempty"`
}

// checkpointFile is the file's content: the mapping's source and its shards' checkpoints.
type checkpointFile struct {
	EventSourceArn string                `json:"eventSourceArn"`
	Shards         map[string]checkpoint `json:"shards"`
}

// checkpoints keeps the shards' checkpoints in memory and, when a path is set, in a file that is
// rewritten whole (write to a temporary file, then rename) on every change.
type checkpoints struct {
	mu     sync.Mutex
	path   string
	source string
	shards map[string]checkpoint
}

func openCheckpoints(path, source string) (*checkpoints, error) {
	c := &checkpoints{path: path, source: source, shards: map[string]checkpoint{}}
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("esm: read checkpoint file: %w", err)
	}
	var f checkpointFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("esm: checkpoint file %s: %w", path, err)
	}
	if f.EventSourceArn != source {
		return nil, fmt.Errorf("esm: checkpoint file %s belongs to %s, not %s", path, f.EventSourceArn, source)
	}
	for id, cp := range f.Shards {
		c.shards[id] = cp
	}
	return c, nil
}

func (c *checkpoints) get(shard string) (checkpoint, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp, ok := c.shards[shard]
	return cp, ok
}

func (c *checkpoints) set(shard string, cp checkpoint) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shards[shard] == cp {
		return nil
	}
	c.shards[shard] = cp
	if c.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(checkpointFile{EventSourceArn: c.source, Shards: c.shards}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), filepath.Base(c.path)+".*")
	if err != nil {
		return fmt.Errorf("esm: save checkpoint: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("esm: save checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("esm: save checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("esm: save checkpoint: %w", err)
	}
	return nil
}
