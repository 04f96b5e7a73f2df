package pelican

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/aggregation"
)

// KinesisHandler is a Lambda function for a Kinesis event source mapping with
// ReportBatchItemFailures, in the signature lambda.Start takes.
type KinesisHandler func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error)

// LambdaOption configures LambdaHandler.
type LambdaOption func(*lambdaSettings)

type lambdaSettings struct {
	logger *slog.Logger
}

// WithLambdaLogger logs the records that fail through l; the default is the Subscriber's logger.
func WithLambdaLogger(l *slog.Logger) LambdaOption {
	return func(s *lambdaSettings) { s.logger = l }
}

// LambdaHandler returns the Lambda function that delivers a Kinesis event's records to sub: the
// handler to pass to lambda.Start, in AWS and under Pelican's local event source mapping alike.
// The mapping must have FunctionResponseTypes ["ReportBatchItemFailures"].
//
// Records are delivered in order. KPL aggregates are deaggregated (Lambda delivers them whole);
// an aggregate whose body does not decode is delivered as a plain record, as the consumer does.
// Each record is handed to Subscriber.Deliver, so unknown event types, dead letters and panics
// are treated as the Subscriber treats them everywhere else.
//
// A record whose delivery fails is reported in batchItemFailures by its sequence number, so Lambda
// checkpoints before it and sends it again, while the records before it are done: one poison
// event does not hold back the others. An aggregate is reported once, by the Kinesis record's
// sequence number, when any of its user records fails. Later records with the partition key of a
// failed one are not delivered but reported with it, so that a key's events are never handled
// out of order; records of other keys go on.
//
// The returned error is always nil: failures are reported per record.
func LambdaHandler(sub *Subscriber, opts ...LambdaOption) KinesisHandler {
	s := lambdaSettings{logger: sub.logger}
	for _, o := range opts {
		o(&s)
	}
	return func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		var resp events.KinesisEventResponse
		held := map[string]bool{} // partition keys with a failed record in this batch
		for _, r := range ev.Records {
			seq := r.Kinesis.SequenceNumber
			if err := deliverKinesisRecord(ctx, sub, r, held); err != nil {
				s.logger.WarnContext(ctx, "pelican: record failed; reported for retry",
					"event_id", r.EventID, "sequence_number", seq, "error", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: seq})
			}
		}
		return resp, nil
	}
}

// errHeldBack marks a record not delivered because an earlier record of its key failed.
type errHeldBack struct{ key string }

func (e errHeldBack) Error() string {
	return "held back behind a failed record of partition key " + e.key
}

// deliverKinesisRecord delivers one Kinesis record's user records and returns the first failure.
// Every user record of an aggregate is tried, whatever happens to the others, as they will all
// come again together.
func deliverKinesisRecord(ctx context.Context, sub *Subscriber, r events.KinesisEventRecord, held map[string]bool) error {
	k := r.Kinesis
	base := Record{
		Data:           k.Data,
		PartitionKey:   k.PartitionKey,
		ShardID:        shardOfEventID(r.EventID),
		SequenceNumber: k.SequenceNumber,
		ArrivedAt:      k.ApproximateArrivalTimestamp.Time,
	}
	users, aggregated, err := aggregation.Deaggregate(k.Data)
	if err != nil {
		sub.logger.WarnContext(ctx, "pelican: aggregated record does not decode; delivered as a plain record",
			"sequence_number", k.SequenceNumber, "error", err)
		aggregated = false
	}
	recs := []Record{base}
	if aggregated {
		recs = make([]Record, len(users))
		for i, u := range users {
			rec := base
			rec.Data, rec.PartitionKey, rec.SubSequenceNumber = u.Data, u.PartitionKey, int64(i)
			recs[i] = rec
		}
	}
	var first error
	for _, rec := range recs {
		var err error
		if held[rec.PartitionKey] {
			err = errHeldBack{rec.PartitionKey}
		} else {
			err = sub.Deliver(ctx, rec)
		}
		if err != nil {
			held[rec.PartitionKey] = true
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// shardOfEventID reads the shard id from a Kinesis event record's eventID, "shardId-…:<sequence
// number>".
func shardOfEventID(id string) string {
	shard, _, _ := strings.Cut(id, ":")
	return shard
}
