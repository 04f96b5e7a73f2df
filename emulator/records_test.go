package emulator_test

import (
	"bytes"
	"fmt"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

func TestPutAndGetRecordsInOrder(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("orders", 3))
	kc := newClient(t, srv)
	ctx := ctxT(t)

	var seqs = map[string][]string{}
	for i := 0; i < 30; i++ {
		key := fmt.Sprintf("key-%d", i%5)
		out, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
			PartitionKey: aws.String(key), Data: []byte(fmt.Sprintf("%s/%d", key, i))})
		if err != nil {
			t.Fatal(err)
		}
		seqs[*out.ShardId] = append(seqs[*out.ShardId], *out.SequenceNumber)
	}
	total := 0
	for shard, want := range seqs {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
			ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Records) != len(want) {
			t.Fatalf("shard %s: got %d records, want %d", shard, len(got.Records), len(want))
		}
		prev := new(big.Int)
		for i, r := range got.Records {
			if *r.SequenceNumber != want[i] {
				t.Fatalf("shard %s record %d: sequence %s, want %s", shard, i, *r.SequenceNumber, want[i])
			}
			n, _ := new(big.Int).SetString(*r.SequenceNumber, 10)
			if n.Cmp(prev) <= 0 {
				t.Fatalf("sequence numbers not increasing: %s after %s", n, prev)
			}
			prev = n
			if len(*r.SequenceNumber) != 56 {
				t.Fatalf("sequence number %s has %d digits, want 56 like AWS's", *r.SequenceNumber, len(*r.SequenceNumber))
			}
			if r.ApproximateArrivalTimestamp == nil || r.ApproximateArrivalTimestamp.Year() < 2020 {
				t.Fatalf("bad arrival timestamp %v", r.ApproximateArrivalTimestamp)
			}
		}
		if got.NextShardIterator == nil {
			t.Fatal("open shard must return a NextShardIterator")
		}
		total += len(got.Records)
	}
	if total != 30 {
		t.Fatalf("read %d records, want 30", total)
	}
}

func TestPutRecordsPerRecordResults(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("batch", 2))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	var entries []types.PutRecordsRequestEntry
	for i := 0; i < 500; i++ {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(i)), Data: []byte{byte(i)}})
	}
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("batch"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	if *out.FailedRecordCount != 0 || len(out.Records) != 500 {
		t.Fatalf("failed %d, records %d", *out.FailedRecordCount, len(out.Records))
	}
	entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("x"), Data: []byte("x")})
	_, err = kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("batch"), Records: entries})
	requireCode(t, err, "ValidationException")
}

func TestExplicitHashKeyRoutes(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("ehk", 4))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	for _, tc := range []struct{ key, shard string }{
		{"0", "shardId-000000000000"},
		{max.String(), "shardId-000000000003"},
		{new(big.Int).Rsh(max, 1).String(), "shardId-000000000001"},
	} {
		out, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ehk"), PartitionKey: aws.String("p"),
			ExplicitHashKey: aws.String(tc.key), Data: []byte("d")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.ShardId != tc.shard {
			t.Errorf("hash key %s went to %s, want %s", tc.key, *out.ShardId, tc.shard)
		}
	}
	over := new(big.Int).Add(max, big.NewInt(1)).String()
	_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ehk"), PartitionKey: aws.String("p"),
		ExplicitHashKey: aws.String(over), Data: []byte("d")})
	requireCode(t, err, "InvalidArgumentException")
}

func TestGarbageIteratorIsInvalidArgument(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	_, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAGarbage")})
	requireCode(t, err, "InvalidArgumentException")
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	if err != nil {
		t.Fatal(err)
	}
	forged := []byte(*it.ShardIterator)
	forged[10] ^= 1
	_, err = kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(string(forged))})
	requireCode(t, err, "InvalidArgumentException")
	if bytes.Equal(forged, []byte(*it.ShardIterator)) {
		t.Fatal("forgery did not change the iterator")
	}
}

// TestEmptyDataIsAccepted pins the API's minimum Data length of 0, over JSON and CBOR.
func TestEmptyDataIsAccepted(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("empty", 1))
	ctx := ctxT(t)
	for name, kc := range map[string]*kinesis.Client{"json": newClient(t, srv), "cbor": newCBORClient(t, srv)} {
		put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("empty"), PartitionKey: aws.String(name), Data: []byte{}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		batch, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("empty"),
			Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String(name), Data: []byte{}}}})
		if err != nil || aws.ToInt32(batch.FailedRecordCount) != 0 {
			t.Fatalf("%s: PutRecords of empty data: %v %+v", name, err, batch)
		}
		if got := readOne(t, kc, "empty", *put.ShardId, *put.SequenceNumber); len(got.Data) != 0 {
			t.Fatalf("%s: read back %q", name, got.Data)
		}
	}
}

// recordRows are the conformance rows of the operations of records.go.
func recordRows() []conformanceRow {
	return []conformanceRow{{
		op: "PutRecord",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"), Data: []byte("hello")})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			seq := *e.out.(*kinesis.PutRecordOutput).SequenceNumber
			recs := e.readAll(t, e.stream)
			if len(recs) != 1 || *recs[0].SequenceNumber != seq || string(recs[0].Data) != "hello" {
				t.Errorf("read back %d records", len(recs))
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String("missing"), PartitionKey: aws.String("k"), Data: []byte("x")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"hash key over 2^128-1", func(e *confEnv) error {
				_, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"),
					ExplicitHashKey: aws.String("340282366920938463463374607431768211456"), Data: []byte("x")})
				return err
			}, "InvalidArgumentException", "ExplicitHashKey"},
			{"record over 1 MiB", func(e *confEnv) error {
				_, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"), Data: make([]byte, 1<<20)})
				return err
			}, "InvalidArgumentException", "1024 KiB"},
		},
	}, {
		op: "PutRecords",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.PutRecords(e.ctx, &kinesis.PutRecordsInput{StreamName: aws.String(e.stream), Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("a"), Data: []byte("1")}, {PartitionKey: aws.String("b"), Data: []byte("2")}}})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if out := e.out.(*kinesis.PutRecordsOutput); aws.ToInt32(out.FailedRecordCount) != 0 || len(out.Records) != 2 {
				t.Fatalf("PutRecords answered %d failures of %d", aws.ToInt32(out.FailedRecordCount), len(out.Records))
			}
			if recs := e.readAll(t, e.stream); len(recs) != 2 {
				t.Errorf("read back %d records, want 2", len(recs))
			}
		},
		bad: []confBad{
			{"501 records", func(e *confEnv) error {
				recs := make([]types.PutRecordsRequestEntry, 501)
				for i := range recs {
					recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
				}
				_, err := e.kc.PutRecords(e.ctx, &kinesis.PutRecordsInput{StreamName: aws.String(e.stream), Records: recs})
				return err
			}, "ValidationException", "500"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.PutRecords(e.ctx, &kinesis.PutRecordsInput{StreamName: aws.String("missing"), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "GetRecords",
		setup: func(t *testing.T, e *confEnv) {
			e.v["shard"] = *e.put(t, "k", "payload").ShardId
		},
		call: func(t *testing.T, e *confEnv) error {
			it, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
				ShardId: aws.String(e.v["shard"]), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			if err != nil {
				return err
			}
			out, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			out := e.out.(*kinesis.GetRecordsOutput)
			if len(out.Records) != 1 || string(out.Records[0].Data) != "payload" || out.NextShardIterator == nil {
				t.Errorf("got %d records, next iterator %v", len(out.Records), out.NextShardIterator != nil)
			}
		},
		bad: []confBad{
			{"garbage iterator", func(e *confEnv) error {
				_, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAgarbage")})
				return err
			}, "InvalidArgumentException", "ShardIterator"},
			{"zero limit", func(e *confEnv) error {
				_, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAgarbage"), Limit: aws.Int32(0)})
				return err
			}, "ValidationException", "limit"},
		},
	}}
}
