package pelican

import (
	"crypto/rand"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// The envelope is written by hand on the publish path, byte for byte what MarshalEnvelope writes for
// the envelope wrap builds (deterministic, fields in number order, proto3 zero values left out):
// building an Envelope, a Timestamp and a TraceContext and marshalling them by reflection cost
// more than the producer's own work per record. TestAppendEnvelopeMatchesMarshal and
// FuzzAppendEnvelope hold it to MarshalEnvelope.

// Envelope field numbers (proto/pelican/v1/envelope.proto).
const (
	envVersion    protowire.Number = 1
	envEventID    protowire.Number = 2
	envEventType  protowire.Number = 3
	envOccurredAt protowire.Number = 4
	envProducer   protowire.Number = 5
	envTrace      protowire.Number = 6
	envPayload    protowire.Number = 7
)

// payloadBuffers lends the buffers payloads are marshalled into before they are copied into the
// record.
var payloadBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledPayload is the largest payload buffer kept for reuse.
const maxPooledPayload = 64 << 10

// appendEnvelope appends the envelope of payload, an event of type eventType, with p. valid says
// the caller knows every string to be valid UTF-8; when it is false they are checked here, and ok
// is false when one is not, which MarshalEnvelope refuses: the caller takes that path to report it.
func appendEnvelope(b []byte, eventType string, payload []byte, p envelopeParams, valid bool) (_ []byte, ok bool) {
	if !valid && (!utf8.ValidString(p.eventID) || !utf8.ValidString(eventType) || !utf8.ValidString(p.producer) ||
		!utf8.ValidString(p.trace.TraceParent) || !utf8.ValidString(p.trace.TraceState)) {
		return b, false
	}
	b = protowire.AppendTag(b, envVersion, protowire.VarintType)
	b = protowire.AppendVarint(b, EnvelopeVersion)
	b = appendStringField(b, envEventID, p.eventID)
	b = appendStringField(b, envEventType, eventType)
	// occurred_at is always present (timestamppb.New), its zero fields left out.
	secs, nanos := p.occurredAt.Unix(), int32(p.occurredAt.Nanosecond())
	size := 0
	if secs != 0 {
		size += 1 + protowire.SizeVarint(uint64(secs))
	}
	if nanos != 0 {
		size += 1 + protowire.SizeVarint(uint64(int64(nanos)))
	}
	b = protowire.AppendTag(b, envOccurredAt, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	if secs != 0 {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(secs))
	}
	if nanos != 0 {
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(nanos)))
	}
	b = appendStringField(b, envProducer, p.producer)
	if !p.trace.IsZero() {
		size := 0
		if p.trace.TraceParent != "" {
			size += 1 + protowire.SizeBytes(len(p.trace.TraceParent))
		}
		if p.trace.TraceState != "" {
			size += 1 + protowire.SizeBytes(len(p.trace.TraceState))
		}
		b = protowire.AppendTag(b, envTrace, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(size))
		b = appendStringField(b, 1, p.trace.TraceParent)
		b = appendStringField(b, 2, p.trace.TraceState)
	}
	if len(payload) > 0 {
		b = protowire.AppendTag(b, envPayload, protowire.BytesType)
		b = protowire.AppendBytes(b, payload)
	}
	return b, true
}

// appendStringField appends a proto3 string field, nothing when s is empty.
func appendStringField(b []byte, n protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, n, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// envelopeSize bounds the length of the envelope appendEnvelope writes.
func envelopeSize(eventType string, payload []byte, p envelopeParams) int {
	return 64 + len(p.eventID) + len(eventType) + len(p.producer) + len(p.trace.TraceParent) + len(p.trace.TraceState) + len(payload)
}

// randomBuffer hands out crypto/rand bytes read a few kilobytes at a time: one read per event id
// cost as much as writing the envelope.
type randomBuffer struct {
	mu  sync.Mutex
	buf [4096]byte
	off int // bytes of buf handed out; len(buf) when it needs refilling
}

func newRandomBuffer() *randomBuffer { return &randomBuffer{off: 4096} }

// read fills p (at most len(buf) bytes) with random bytes, never handed out twice.
func (r *randomBuffer) read(p []byte) {
	r.mu.Lock()
	if r.off+len(p) > len(r.buf) {
		_, _ = rand.Read(r.buf[:]) // crypto/rand.Read never fails (Go 1.24 and later).
		r.off = 0
	}
	copy(p, r.buf[r.off:])
	r.off += len(p)
	r.mu.Unlock()
}
