//go:build !unix

package store

import "os"

// lockDir does nothing where flock(2) is missing: the data directory is not guarded against a
// second emulator there.
func lockDir(string) (*os.File, error) { return nil, nil }
