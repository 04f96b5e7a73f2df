package pelicantest

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that servers, processes and loggers may write to while the test reads
// it: the log of an emulator, a function's output, a command's stdout. The zero value is ready.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
