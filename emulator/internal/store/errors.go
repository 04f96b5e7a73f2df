package store

import "errors"

// ErrShardClosed is returned by Append on a shard a reshard has closed.
var ErrShardClosed = errors.New("store: shard is closed")

// DirInUseError is returned by OpenFile when another process holds the data directory.
type DirInUseError struct {
	Dir   string
	Owner string // the owner's process id, when it wrote one
}

func (e *DirInUseError) Error() string {
	if e.Owner != "" {
		return "data directory " + e.Dir + " is in use by another emulator (pid " + e.Owner + ")"
	}
	return "data directory " + e.Dir + " is in use by another emulator"
}

// lockFile is the data directory's lock, holding its owner's process id.
const lockFile = "LOCK"
