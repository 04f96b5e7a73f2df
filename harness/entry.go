package harness

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pelicanhq/pelican"
)

// FormatVersion is the fixture format version this package writes, and the latest it reads.
const FormatVersion = 1

// Header is a fixture's first line.
type Header struct {
	// Version is the format version the fixture was written in (the "pelican_fixture" key).
	Version int
	// Stream is the stream the records were read from.
	Stream string
	// Redacted lists the full names of the fields whose values were replaced while recording,
	// sorted.
	Redacted []string
}

// Entry is one user record of a fixture: a Kinesis record, or one of the user records of a KPL
// aggregate.
type Entry struct {
	// Stream is the stream the record was read from.
	Stream string
	// ShardID is the shard the record was read from.
	ShardID string
	// SequenceNumber is the Kinesis record's sequence number, shared by the user records of one
	// aggregate.
	SequenceNumber string
	// SubSequenceNumber is the user record's index in its aggregate; see Aggregated.
	SubSequenceNumber int64
	// Aggregated reports that the record came out of a KPL aggregate; only then does the line
	// carry a sub-sequence number.
	Aggregated bool
	// PartitionKey is the user record's partition key.
	PartitionKey string
	// ExplicitHashKey is the hash key an aggregated user record was put with, if any.
	ExplicitHashKey string
	// ArrivedAt is when Kinesis stored the record (ApproximateArrivalTimestamp).
	ArrivedAt time.Time
	// Data is the record's bytes. It is the record; the event fields below are read from it.
	Data []byte

	// EventType is the envelope's event type when Data is a Pelican envelope; empty otherwise.
	EventType string
	// EventID is the envelope's event id.
	EventID string
	// OccurredAt is the envelope's occurred-at time; zero when it has none.
	OccurredAt time.Time
	// Event is the payload as protojson, with proto field names and sorted keys; nil when the
	// event type was not known where the fixture was written.
	Event json.RawMessage

	// Line is the entry's line in the file it was read from, counting from 1; 0 for entries
	// that were not read from a file.
	Line int
}

// Record returns the entry as the pelican.Record a Subscriber is delivered.
func (e *Entry) Record() pelican.Record {
	return pelican.Record{
		Data:              e.Data,
		PartitionKey:      e.PartitionKey,
		ShardID:           e.ShardID,
		SequenceNumber:    e.SequenceNumber,
		SubSequenceNumber: e.SubSequenceNumber,
		ArrivedAt:         e.ArrivedAt,
	}
}

// headerJSON is the header line; the struct's field order is the line's key order.
type headerJSON struct {
	Version  *int     `json:"pelican_fixture"`
	Stream   string   `json:"stream"`
	Redacted []string `json:"redacted,omitempty"`
}

// entryJSON is a record line; the struct's field order is the line's key order, which the
// format fixes so that diffs stay small.
type entryJSON struct {
	Stream            string          `json:"stream"`
	ShardID           string          `json:"shard_id"`
	SequenceNumber    string          `json:"sequence_number"`
	SubSequenceNumber *int64          `json:"sub_sequence_number,omitempty"`
	PartitionKey      string          `json:"partition_key"`
	ExplicitHashKey   string          `json:"explicit_hash_key,omitempty"`
	ArrivedAt         string          `json:"arrived_at"`
	Data              *string         `json:"data"`
	EventType         string          `json:"event_type,omitempty"`
	EventID           string          `json:"event_id,omitempty"`
	OccurredAt        string          `json:"occurred_at,omitempty"`
	Event             json.RawMessage `json:"event,omitempty"`
}

// timeLayout is RFC 3339 in UTC with as many fractional digits as the time needs.
const timeLayout = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func marshalHeader(h Header) ([]byte, error) {
	v := h.Version
	if v == 0 {
		v = FormatVersion
	}
	return marshalLine(headerJSON{Version: &v, Stream: h.Stream, Redacted: h.Redacted})
}

func marshalEntry(e *Entry) ([]byte, error) {
	data := base64.StdEncoding.EncodeToString(e.Data)
	j := entryJSON{
		Stream:          e.Stream,
		ShardID:         e.ShardID,
		SequenceNumber:  e.SequenceNumber,
		PartitionKey:    e.PartitionKey,
		ExplicitHashKey: e.ExplicitHashKey,
		ArrivedAt:       formatTime(e.ArrivedAt),
		Data:            &data,
		EventType:       e.EventType,
		EventID:         e.EventID,
	}
	if e.Aggregated {
		sub := e.SubSequenceNumber
		j.SubSequenceNumber = &sub
	}
	if !e.OccurredAt.IsZero() {
		j.OccurredAt = formatTime(e.OccurredAt)
	}
	if len(e.Event) > 0 {
		ev, err := canonicalJSON(e.Event)
		if err != nil {
			return nil, fmt.Errorf("harness: event of %s/%s: %w", e.ShardID, e.SequenceNumber, err)
		}
		j.Event = ev
	}
	return marshalLine(j)
}

// marshalLine encodes v on one line, leaving <, > and & as they are so that text stays readable.
func marshalLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// canonicalJSON returns a JSON object compact, with its keys sorted at every level and numbers
// as written.
func canonicalJSON(raw []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the event object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("event is not a JSON object")
	}
	return marshalLine(v)
}

// parseHeader reads a header line. ok is false when the line is not a header at all.
func parseHeader(line []byte) (h Header, ok bool, err error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(line, &probe); err != nil {
		return Header{}, false, err
	}
	if _, ok := probe["pelican_fixture"]; !ok {
		return Header{}, false, nil
	}
	var j headerJSON
	if err := json.Unmarshal(line, &j); err != nil {
		return Header{}, true, err
	}
	if j.Version == nil {
		return Header{}, true, fmt.Errorf("pelican_fixture is null")
	}
	switch v := *j.Version; {
	case v < 1:
		return Header{}, true, fmt.Errorf("pelican_fixture %d is not a format version", v)
	case v > FormatVersion:
		return Header{}, true, fmt.Errorf("%w: version %d, this reader knows %d", ErrUnsupportedVersion, v, FormatVersion)
	}
	return Header{Version: *j.Version, Stream: j.Stream, Redacted: j.Redacted}, true, nil
}

// parseEntry reads a record line. Keys the format does not define are ignored, so that version
// 1 can grow by optional keys.
func parseEntry(line []byte, stream string) (*Entry, error) {
	var j entryJSON
	if err := json.Unmarshal(line, &j); err != nil {
		return nil, err
	}
	e := &Entry{
		Stream:          j.Stream,
		ShardID:         j.ShardID,
		SequenceNumber:  j.SequenceNumber,
		PartitionKey:    j.PartitionKey,
		ExplicitHashKey: j.ExplicitHashKey,
		EventType:       j.EventType,
		EventID:         j.EventID,
	}
	if e.Stream == "" {
		e.Stream = stream
	}
	switch {
	case e.ShardID == "":
		return nil, fmt.Errorf("no shard_id")
	case e.SequenceNumber == "":
		return nil, fmt.Errorf("no sequence_number")
	case !isDecimal(e.SequenceNumber):
		return nil, fmt.Errorf("sequence_number %q is not a decimal number", e.SequenceNumber)
	case e.PartitionKey == "":
		return nil, fmt.Errorf("no partition_key")
	case j.Data == nil:
		return nil, fmt.Errorf("no data")
	}
	if j.SubSequenceNumber != nil {
		if *j.SubSequenceNumber < 0 {
			return nil, fmt.Errorf("sub_sequence_number %d is negative", *j.SubSequenceNumber)
		}
		e.Aggregated, e.SubSequenceNumber = true, *j.SubSequenceNumber
	}
	var err error
	if e.ArrivedAt, err = parseTime("arrived_at", j.ArrivedAt); err != nil {
		return nil, err
	}
	if j.OccurredAt != "" {
		if e.OccurredAt, err = parseTime("occurred_at", j.OccurredAt); err != nil {
			return nil, err
		}
	}
	if e.Data, err = base64.StdEncoding.Strict().DecodeString(*j.Data); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if len(j.Event) > 0 && !bytes.Equal(j.Event, []byte("null")) {
		if e.Event, err = canonicalJSON(j.Event); err != nil {
			return nil, fmt.Errorf("event: %w", err)
		}
	}
	return e, nil
}

func parseTime(key, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("no %s", key)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", key, err)
	}
	return t.UTC(), nil
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
