package emulator

import (
	"sync"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// bufferPool lends byte buffers to requests and takes them back when the request is done with
// them, so that a busy server does not allocate megabytes per call. Buffers over maxPooled bytes
// are left to the collector.
type bufferPool struct{ p sync.Pool }

// maxPooled is the largest buffer kept: a full PutRecords request, or a GetRecords answer of
// 10,000 records of 1 KiB (about 14 MB in JSON, base64 included) and some. Answers of that size are
// what a draining reader asks for; leaving them to the collector costs more than writing them.
const maxPooled = 24 << 20

// pieceSize is the buffer a large answer is written through (wire.JSONWriter): small enough to
// stay in the cache between encoding and the socket write, large enough that each write moves
// a good part of a socket buffer.
const pieceSize = 256 << 10

// get returns a buffer of length n, reused when one of that capacity is free.
func (bp *bufferPool) get(n int) []byte {
	if b, ok := bp.p.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return make([]byte, n)
}

// put gives b back for reuse; nothing may read or write it afterwards.
func (bp *bufferPool) put(b []byte) {
	if cap(b) > maxPooled {
		return
	}
	b = b[:0]
	bp.p.Put(&b)
}

var (
	bodies    bufferPool                                              // request bodies
	responses bufferPool                                              // encoded answers
	pieces    bufferPool                                              // pieces of answers written in pieces
	arenas    = sync.Pool{New: func() any { return new(wire.Arena) }} // *wire.Arena of decoded blobs
)
