package esm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

// TestEventIsLambdasKinesisEvent checks every member of the event against aws-lambda-go's types.
func TestEventIsLambdasKinesisEvent(t *testing.T) {
	e := newEnv(t, 1)
	seqs := e.put(t, "key-1", "hello", "world")
	var payloads [][]byte
	fn := esm.FunctionFunc(func(_ context.Context, p []byte) ([]byte, error) {
		payloads = append(payloads, append([]byte(nil), p...))
		return nil, nil
	})
	l := pelicantest.AttachLambda(t, e.client, e.stream, fn, pelicantest.WithLambdaClock(e.clock),
		pelicantest.WithEngineOptions(esm.WithInvokeIdentityARN("arn:aws:iam::123456789012:role/test")))
	l.WaitIdle(t)
	if len(payloads) != 1 {
		t.Fatalf("invocations = %d, want 1", len(payloads))
	}
	var ev events.KinesisEvent
	dec := json.NewDecoder(strings.NewReader(string(payloads[0])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event does not decode as events.KinesisEvent: %v\n%s", err, payloads[0])
	}
	sum, err := e.client.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: &e.stream})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(sum.StreamDescriptionSummary.StreamARN)
	src, _ := esm.ParseSourceARN(arn)
	shard := pelicantest.ShardIDs(t, e.client, e.stream)[0]
	for i, r := range ev.Records {
		want := events.KinesisEventRecord{
			AwsRegion: src.Region, EventID: shard + ":" + seqs[i], EventName: "aws:kinesis:record",
			EventSource: "aws:kinesis", EventSourceArn: arn, EventVersion: "1.0",
			InvokeIdentityArn: "arn:aws:iam::123456789012:role/test",
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: start},
				Data:                        []byte([]string{"hello", "world"}[i]),
				PartitionKey:                "key-1", SequenceNumber: seqs[i], KinesisSchemaVersion: "1.0",
			},
		}
		if !r.Kinesis.ApproximateArrivalTimestamp.Equal(start) {
			t.Errorf("record %d arrival = %v, want %v", i, r.Kinesis.ApproximateArrivalTimestamp.Time, start)
		}
		r.Kinesis.ApproximateArrivalTimestamp = want.Kinesis.ApproximateArrivalTimestamp
		if mustJSON(t, r) != mustJSON(t, want) {
			t.Errorf("record %d:\n got %s\nwant %s", i, mustJSON(t, r), mustJSON(t, want))
		}
	}
	// The arrival time is seconds with milliseconds, as a JSON number.
	if !strings.Contains(string(payloads[0]), `"approximateArrivalTimestamp":1772366400`) {
		t.Errorf("arrival is not in Unix seconds: %s", payloads[0])
	}
}

// TestAggregatedRecordsStayAggregated: a KPL aggregate is delivered as stored, one Kinesis
// record carrying its user records, as Lambda delivers it.
func TestAggregatedRecordsStayAggregated(t *testing.T) {
	e := newEnv(t, 1)
	agg := aggregation.Aggregate(
		aggregation.Record{PartitionKey: "a", Data: []byte("one")},
		aggregation.Record{PartitionKey: "b", Data: []byte("two")},
	)
	pelicantest.Put(t, e.client, e.stream, "a", agg)
	var r recorder
	l := attach(t, e, &r, esm.Mapping{})
	l.WaitIdle(t)
	calls := r.invocations()
	if len(calls) != 1 || len(calls[0].Event.Records) != 1 {
		t.Fatalf("invocations = %+v, want one record", calls)
	}
	data := calls[0].Event.Records[0].Kinesis.Data
	if !bytes.Equal(data, agg) {
		t.Fatalf("data is not the aggregate as stored")
	}
	recs, aggregated, err := aggregation.Deaggregate(data)
	if err != nil || !aggregated || len(recs) != 2 {
		t.Fatalf("deaggregate: %v, %v, %d records", err, aggregated, len(recs))
	}
}
