package store

// Journal makes the store durable. The in-memory store uses Memory(); a data directory uses a
// file journal. Records must be durable when Records returns; Streams is called after every
// control-plane change with the whole metadata.
type Journal interface {
	// Records makes appended records of one shard durable.
	Records(st *Stream, sh *Shard, recs []Record) error
	// Streams saves the metadata of every stream (not their records).
	Streams(all []*Stream) error
	// Durable reports whether records need Records before they become visible.
	Durable() bool
	// Close releases files.
	Close() error
}

type memory struct{}

// Memory returns the journal of a store that lives only in memory.
func Memory() Journal { return memory{} }

func (memory) Records(*Stream, *Shard, []Record) error { return nil }
func (memory) Streams([]*Stream) error                 { return nil }
func (memory) Durable() bool                           { return false }
func (memory) Close() error                            { return nil }
