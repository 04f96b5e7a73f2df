// Package store keeps the emulator's state: streams, shards, records and their sequence numbers,
// in memory and, with a data directory, durably on disk. It knows no HTTP and no encoding; the
// emulator's operations validate requests and decide, the store only keeps.
package store
