package pelicantest

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// Record is a record as the helpers read it back.
type Record struct {
	ShardID        string
	SequenceNumber string
	PartitionKey   string
	Data           []byte
	Arrival        time.Time
}

// Put writes one record and fails the test on error. It returns the shard and sequence number.
func Put(t TB, client *kinesis.Client, stream, partitionKey string, data []byte) (shardID, sequence string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &stream, PartitionKey: &partitionKey, Data: data})
	if err != nil {
		t.Fatalf("pelicantest: put record to %s: %v", stream, err)
	}
	return aws.ToString(out.ShardId), aws.ToString(out.SequenceNumber)
}

// PutMany writes n records of size bytes each, with the partition keys "0" to n-1, in PutRecords
// calls of 500, and fails the test when a call or any of its records fails: a stream filled for a
// test or a benchmark.
func PutMany(t TB, client *kinesis.Client, stream string, n, size int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	data := make([]byte, size)
	for done := 0; done < n; {
		entries := make([]types.PutRecordsRequestEntry, min(500, n-done))
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(strconv.Itoa(done + i)), Data: data}
		}
		out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &stream, Records: entries})
		if err != nil {
			t.Fatalf("pelicantest: put records to %s: %v", stream, err)
		}
		if failed := aws.ToInt32(out.FailedRecordCount); failed != 0 {
			t.Fatalf("pelicantest: put records to %s: %d of %d failed", stream, failed, len(entries))
		}
		done += len(entries)
	}
}

// ReadAll reads every record of every shard of a stream from the trim horizon, shard by shard in
// shard order and in sequence order within a shard.
func ReadAll(t TB, client *kinesis.Client, stream string) []Record {
	t.Helper()
	recs, err := readAll(context.Background(), client, stream)
	if err != nil {
		t.Fatalf("pelicantest: read %s: %v", stream, err)
	}
	return recs
}

func readAll(ctx context.Context, client *kinesis.Client, stream string) ([]Record, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var out []Record
	shards, err := shardlist.List(ctx, client, stream)
	if err != nil {
		return nil, err
	}
	for _, sh := range shards {
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: &stream, ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return nil, err
		}
		iter := it.ShardIterator
		for iter != nil {
			page, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return nil, err
			}
			for _, r := range page.Records {
				out = append(out, Record{ShardID: aws.ToString(sh.ShardId), SequenceNumber: aws.ToString(r.SequenceNumber),
					PartitionKey: aws.ToString(r.PartitionKey), Data: r.Data, Arrival: aws.ToTime(r.ApproximateArrivalTimestamp)})
			}
			if len(page.Records) == 0 && aws.ToInt64(page.MillisBehindLatest) == 0 {
				break
			}
			iter = page.NextShardIterator
		}
	}
	return out, nil
}

// WaitFor polls the stream until match accepts a record, or fails the test after timeout with a
// description of what was seen. It returns the matching record.
func WaitFor(t TB, client *kinesis.Client, stream string, timeout time.Duration, what string, match func(Record) bool) Record {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var seen []Record
	var lastErr error
	for {
		recs, err := readAll(context.Background(), client, stream)
		if err == nil {
			seen = recs
			for _, r := range recs {
				if match(r) {
					return r
				}
			}
		} else {
			lastErr = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("pelicantest: no record in %s matched %q within %s; %s", stream, what, timeout, describe(seen, lastErr))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitForData waits for a record whose data equals data.
func WaitForData(t TB, client *kinesis.Client, stream string, timeout time.Duration, data []byte) Record {
	t.Helper()
	return WaitFor(t, client, stream, timeout, fmt.Sprintf("data %q", data), func(r Record) bool { return bytes.Equal(r.Data, data) })
}

func describe(seen []Record, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "saw %d records", len(seen))
	for i, r := range seen {
		if i == 10 {
			fmt.Fprintf(&b, "; ... %d more", len(seen)-10)
			break
		}
		fmt.Fprintf(&b, "; [%s key=%q data=%q]", r.ShardID, r.PartitionKey, truncate(r.Data))
	}
	if err != nil {
		fmt.Fprintf(&b, "; last read error: %v", err)
	}
	return b.String()
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return append(append([]byte{}, b[:64]...), "..."...)
	}
	return b
}
