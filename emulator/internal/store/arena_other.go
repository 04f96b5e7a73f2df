//go:build !linux

package store

// mapArena returns nil: without mmap here, records stay on the Go heap.
func mapArena(size int) []byte { return nil }

// releaseArena is never called without mapped arenas.
func releaseArena(b []byte) {}

// populate does nothing without mapped arenas.
func populate(b []byte) {}
