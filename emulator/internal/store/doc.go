// Package store keeps the emulator's state: streams, shards, records and their sequence numbers,
// in memory and, with a data directory, durably on disk. It knows no HTTP and no encoding; the
// emulator's operations validate requests and decide, the store only keeps.
//
// The store owns its locks: the operations read a stream's fields inside Stream.View (or
// ViewStream) and change them inside Stream.Update (or UpdateStream), and an account's inside
// Account.Update (or UpdateAccount), taking an account before a stream when they need both. A
// shard's records have their own lock, inside Shard's methods.
//
// Records read out share the stored bytes. Past its first megabyte a shard keeps them in arenas
// outside the Go heap; arena.go states how long a record read out stays readable after retention
// trims it (readers must not keep records beyond the call that handles them).
package store
