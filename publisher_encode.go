package pelican

import (
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

// appendEnvelope appends the envelope of an event, whose payload is payloadSize bytes, with p,
// up to and including the payload field's tag and length: the payload, the last field, is
// marshalled straight after them. typeField and producerField are the event type's and the
// producer's fields as fieldBytes makes them, once per type and publisher. id, when not nil, is
// the event id in place of p.eventID: a default id, written as text straight into the record.
// Every string must be valid UTF-8, which MarshalEnvelope requires; the caller checks those that
// come from its caller.
func appendEnvelope(b, typeField, producerField []byte, id *[16]byte, payloadSize int, p envelopeParams) []byte {
	b = append(b, tag(envVersion, protowire.VarintType), EnvelopeVersion)
	if id != nil {
		b = append(b, tag(envEventID, protowire.BytesType), uuidTextLen)
		b = append(b, uuidTextSpace[:]...)
		putUUIDText(b[len(b)-uuidTextLen:], id)
	} else {
		b = appendStringField(b, envEventID, p.eventID)
	}
	b = append(b, typeField...)
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
	b = append(b, producerField...)
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
	return b
}

// uuidTextLen is the length of a UUID's text form.
const uuidTextLen = 36

// uuidTextSpace is appended to make room for a UUID's text.
var uuidTextSpace [uuidTextLen]byte

// fieldBytes returns the envelope's string field n holding s, as appendStringField writes it:
// the event type's and the producer's, made once and copied into every record.
func fieldBytes(n protowire.Number, s string) []byte {
	return appendStringField(nil, n, s)
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
func envelopeSize(typeField, producerField []byte, id *[16]byte, payloadSize int, p envelopeParams) int {
	size := 2 + len(typeField) + len(producerField)
	if id != nil {
		size += 2 + uuidTextLen
	} else {
		size += stringFieldSize(p.eventID)
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
