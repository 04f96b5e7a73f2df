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
// more than the producer's own work per record. TestEncodeMatchesMarshalEnvelope and
// FuzzEncodeMatchesMarshalEnvelope hold it to MarshalEnvelope.

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

// appendEnvelope appends the envelope of an event of type eventType, whose payload is
// payloadSize bytes, with p, up to and including the payload field's tag and length: the payload,
// the last field, is marshalled straight after them. idText, when not nil, is the event id in
// place of p.eventID: a default id that need not be made a string. valid says the caller knows every string to
// be valid UTF-8; when it is false they are checked here, and ok is false when one is not, which
// MarshalEnvelope refuses: the caller takes that path to report it.
func appendEnvelope(b []byte, eventType string, idText []byte, payloadSize int, p envelopeParams, valid bool) (_ []byte, ok bool) {
	if !valid && (!utf8.ValidString(p.eventID) || !utf8.ValidString(eventType) || !utf8.ValidString(p.producer) ||
		!utf8.ValidString(p.trace.TraceParent) || !utf8.ValidString(p.trace.TraceState)) {
		return b, false
	}
	b = append(b, tag(envVersion, protowire.VarintType))
	b = appendVarint(b, EnvelopeVersion)
	if idText != nil {
		b = append(b, tag(envEventID, protowire.BytesType))
		b = appendVarint(b, uint64(len(idText)))
		b = append(b, idText...)
	} else {
		b = appendStringField(b, envEventID, p.eventID)
	}
	b = appendStringField(b, envEventType, eventType)
	// occurred_at is always present (timestamppb.New), its zero fields left out.
	secs, nanos := p.occurredAt.Unix(), int32(p.occurredAt.Nanosecond())
	b = append(b, tag(envOccurredAt, protowire.BytesType))
	b = appendVarint(b, uint64(timestampSize(secs, nanos)))
	if secs != 0 {
		b = append(b, tag(1, protowire.VarintType))
		b = appendVarint(b, uint64(secs))
	}
	if nanos != 0 {
		b = append(b, tag(2, protowire.VarintType))
		b = appendVarint(b, uint64(int64(nanos)))
	}
	b = appendStringField(b, envProducer, p.producer)
	if !p.trace.IsZero() {
		b = append(b, tag(envTrace, protowire.BytesType))
		b = appendVarint(b, uint64(traceSize(p.trace)))
		b = appendStringField(b, 1, p.trace.TraceParent)
		b = appendStringField(b, 2, p.trace.TraceState)
	}
	if payloadSize > 0 {
		b = append(b, tag(envPayload, protowire.BytesType))
		b = appendVarint(b, uint64(payloadSize))
	}
	return b, true
}

// tag is the one-byte key of field n (below 16) of wire type t.
func tag(n protowire.Number, t protowire.Type) byte { return byte(n)<<3 | byte(t) }

// appendVarint is protowire.AppendVarint with the one-byte case inlined: most lengths here are
// below 128.
func appendVarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return protowire.AppendVarint(b, v)
}

// appendStringField appends a proto3 string field, nothing when s is empty.
func appendStringField(b []byte, n protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, tag(n, protowire.BytesType))
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

// stringFieldSize is the length of what appendStringField appends.
func stringFieldSize(s string) int {
	if s == "" {
		return 0
	}
	return 1 + protowire.SizeBytes(len(s))
}

// timestampSize is the length of a google.protobuf.Timestamp's fields.
func timestampSize(secs int64, nanos int32) int {
	size := 0
	if secs != 0 {
		size += 1 + protowire.SizeVarint(uint64(secs))
	}
	if nanos != 0 {
		size += 1 + protowire.SizeVarint(uint64(int64(nanos)))
	}
	return size
}

// traceSize is the length of a TraceContext message's fields.
func traceSize(tc TraceContext) int {
	return stringFieldSize(tc.TraceParent) + stringFieldSize(tc.TraceState)
}

// envelopeSize is the length of the envelope appendEnvelope starts and payloadSize bytes of
// payload end, so that the record is allocated once at its size.
func envelopeSize(eventType string, idText []byte, payloadSize int, p envelopeParams) int {
	size := 2 + stringFieldSize(p.eventID) + stringFieldSize(eventType) + stringFieldSize(p.producer)
	if idText != nil {
		size += 1 + protowire.SizeBytes(len(idText))
	}
	ts := timestampSize(p.occurredAt.Unix(), int32(p.occurredAt.Nanosecond()))
	size += 1 + protowire.SizeVarint(uint64(ts)) + ts
	if !p.trace.IsZero() {
		tr := traceSize(p.trace)
		size += 1 + protowire.SizeVarint(uint64(tr)) + tr
	}
	if payloadSize > 0 {
		size += 1 + protowire.SizeBytes(payloadSize)
	}
	return size
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
