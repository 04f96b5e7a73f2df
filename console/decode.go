package console

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/aggregation"
)

// Kinds of payload, as the records view labels them.
const (
	kindEvent  = "event"  // a Pelican envelope
	kindJSON   = "json"   // JSON
	kindText   = "text"   // UTF-8 text
	kindBinary = "binary" // anything else, shown as a hex dump
)

// userRecord is one user record as the console shows it: a Kinesis record, or one user record of
// a KPL aggregate, decoded.
type userRecord struct {
	Stream          string
	ShardID         string
	Sequence        string
	SubSequence     int // index in its KPL aggregate; -1 when the record is not aggregated
	PartitionKey    string
	ExplicitHashKey string
	Arrival         time.Time
	Size            int
	Data            []byte

	Kind       string
	EventType  string
	EventID    string
	Producer   string
	OccurredAt time.Time
	Trace      string
	Event      string // the payload as indented protojson; "" when the type is unknown
	EventJSON  []byte // the payload as compact protojson with proto names, for fixtures
	DecodeNote string // why an envelope's payload is not shown decoded
	Body       string // JSON indented, text, or a hex dump, for records that are not envelopes
}

// Aggregated reports whether the record is one user record of a KPL aggregate.
func (u *userRecord) Aggregated() bool { return u.SubSequence >= 0 }

// searchText is the decoded form that the text filter searches.
func (u *userRecord) searchText() string {
	return strings.Join([]string{u.PartitionKey, u.EventType, u.EventID, u.Producer, u.Event, u.Body, u.Sequence}, "\n")
}

// decodeRecord turns a Kinesis record into its user records: a KPL aggregate's, or itself.
func decodeRecord(stream, shard string, r types.Record, types Resolver) []userRecord {
	base := userRecord{Stream: stream, ShardID: shard, Sequence: aws.ToString(r.SequenceNumber),
		SubSequence: -1, PartitionKey: aws.ToString(r.PartitionKey), Arrival: aws.ToTime(r.ApproximateArrivalTimestamp)}
	subs, aggregated, err := aggregation.Deaggregate(r.Data)
	if err != nil || !aggregated {
		base.Data = r.Data
		base.Size = len(r.Data)
		decodePayload(&base, types)
		return []userRecord{base}
	}
	out := make([]userRecord, len(subs))
	for i, s := range subs {
		u := base
		u.SubSequence = i
		u.PartitionKey, u.ExplicitHashKey, u.Data, u.Size = s.PartitionKey, s.ExplicitHashKey, s.Data, len(s.Data)
		decodePayload(&u, types)
		out[i] = u
	}
	return out
}

// decodePayload fills u's decoded fields from u.Data.
func decodePayload(u *userRecord, types Resolver) {
	if env, err := pelican.UnmarshalEnvelope(u.Data); err == nil {
		u.Kind = kindEvent
		u.EventType, u.EventID, u.Producer = env.GetEventType(), env.GetEventId(), env.GetProducer()
		if ts := env.GetOccurredAt(); ts != nil {
			u.OccurredAt = ts.AsTime()
		}
		if tr := env.GetTrace(); tr != nil && tr.GetTraceparent() != "" {
			u.Trace = tr.GetTraceparent()
			if tr.GetTracestate() != "" {
				u.Trace += " " + tr.GetTracestate()
			}
		}
		decodeEvent(u, env, types)
		return
	}
	switch {
	case json.Valid(u.Data) && len(bytes.TrimSpace(u.Data)) > 0:
		u.Kind = kindJSON
		var buf bytes.Buffer
		if json.Indent(&buf, u.Data, "", "  ") == nil {
			u.Body = buf.String()
		} else {
			u.Body = string(u.Data)
		}
	case utf8.Valid(u.Data) && printable(u.Data):
		u.Kind, u.Body = kindText, string(u.Data)
	default:
		u.Kind, u.Body = kindBinary, hex.Dump(u.Data)
	}
}

// decodeEvent decodes an envelope's payload as its event type.
func decodeEvent(u *userRecord, env *pelican.Envelope, types Resolver) {
	mt, err := types.FindMessageByName(protoreflect.FullName(env.GetEventType()))
	if errors.Is(err, protoregistry.NotFound) {
		u.DecodeNote = "unknown event type " + env.GetEventType() + " (not in --proto): payload shown as hex"
		u.Body = hex.Dump(env.GetPayload())
		return
	}
	if err != nil {
		u.DecodeNote = err.Error()
		return
	}
	msg := mt.New().Interface()
	if err := (proto.UnmarshalOptions{Resolver: types}).Unmarshal(env.GetPayload(), msg); err != nil {
		u.DecodeNote = "payload does not decode as " + env.GetEventType() + ": " + err.Error()
		u.Body = hex.Dump(env.GetPayload())
		return
	}
	compact, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: types}.Marshal(msg)
	if err != nil {
		u.DecodeNote = err.Error()
		return
	}
	// protojson varies its whitespace on purpose; Indent settles it.
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, compact, "", "  "); err != nil {
		u.DecodeNote = err.Error()
		return
	}
	u.Event, u.EventJSON = pretty.String(), compact
}

// printable reports whether b is text a person can read: no control characters but whitespace.
func printable(b []byte) bool {
	for _, r := range string(b) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}
