package esm

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// record is one Kinesis record as read, with its part of the event already written.
type record struct {
	seq          string
	partitionKey string
	data         []byte
	arrival      time.Time
	readAt       time.Time
	lane         int
	eventJSON    []byte // the record's element of the event's Records array
	done         bool   // delivered, filtered out or discarded: the checkpoint may pass it
}

// eventRecord builds the element of an event's Records array for one record of shard.
func (e *Engine) eventRecord(shardID string, r *record) ([]byte, error) {
	return json.Marshal(events.KinesisEventRecord{
		AwsRegion:         e.src.Region,
		EventID:           shardID + ":" + r.seq,
		EventName:         "aws:kinesis:record",
		EventSource:       "aws:kinesis",
		EventSourceArn:    e.src.StreamARN,
		EventVersion:      "1.0",
		InvokeIdentityArn: e.cfg.identityARN,
		Kinesis: events.KinesisRecord{
			ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: r.arrival},
			Data:                        r.data,
			PartitionKey:                r.partitionKey,
			SequenceNumber:              r.seq,
			KinesisSchemaVersion:        "1.0",
		},
	})
}

// Sizes of the event around its records: {"Records":[ ... ]} and the commas between them.
const (
	eventOverhead = len(`{"Records":[]}`)
	// windowOverhead leaves room for a tumbling window's properties; the state is counted apart.
	windowOverhead = 512
)

// payloadSize is the size of an event carrying recs.
func payloadSize(recs []*record) int {
	n := eventOverhead
	for i, r := range recs {
		if i > 0 {
			n++
		}
		n += len(r.eventJSON)
	}
	return n
}

// buildEvent writes the event for recs, with the tumbling window's properties when tw is set.
func buildEvent(recs []*record, tw *events.TimeWindowProperties) []byte {
	var b bytes.Buffer
	b.Grow(payloadSize(recs) + 64)
	b.WriteString(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r.eventJSON)
	}
	b.WriteByte(']')
	if tw != nil {
		props, _ := json.Marshal(tw) // strings, bools, times and a map of strings: cannot fail
		b.WriteByte(',')
		b.Write(props[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes()
}
