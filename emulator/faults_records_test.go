package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

func recordEntries(prefix string, n int) []types.PutRecordsRequestEntry {
	out := make([]types.PutRecordsRequestEntry, n)
	for i := range out {
		out[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("k%d", i)), Data: []byte(fmt.Sprintf("%s-%d", prefix, i))}
	}
	return out
}

// failedPositions returns the positions of the failed entries of a PutRecords answer, checking
// that each failed entry is shaped as Kinesis shapes it.
func failedPositions(t *testing.T, out *kinesis.PutRecordsOutput, code, msg string) []int {
	t.Helper()
	var failed []int
	for i, r := range out.Records {
		if r.ErrorCode == nil {
			if r.SequenceNumber == nil || r.ShardId == nil {
				t.Fatalf("entry %d neither failed nor stored: %+v", i, r)
			}
			continue
		}
		if *r.ErrorCode != code || !strings.Contains(aws.ToString(r.ErrorMessage), msg) || r.SequenceNumber != nil {
			t.Fatalf("entry %d: %s %q, want %s %q", i, *r.ErrorCode, aws.ToString(r.ErrorMessage), code, msg)
		}
		failed = append(failed, i)
	}
	if int(aws.ToInt32(out.FailedRecordCount)) != len(failed) {
		t.Fatalf("FailedRecordCount %d, %d entries failed", aws.ToInt32(out.FailedRecordCount), len(failed))
	}
	return failed
}

// readShardData returns the data of every record of a stream's single shard.
func readShardData(t *testing.T, kc *kinesis.Client, stream string) []string {
	t.Helper()
	got, _ := persistReadShard(t, kc, persistIterator(t, kc, stream, "shardId-000000000000", types.ShardIteratorTypeTrimHorizon))
	out := make([]string, len(got))
	for i, r := range got {
		out[i] = string(r.Data)
	}
	return out
}

// TestFaultRecordsEveryNthThroughTheSDK fails every third record of each PutRecords: a producer's
// retry of the failed entries succeeds in the end, and every record is stored exactly once.
func TestFaultRecordsEveryNthThroughTheSDK(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	srv.Faults().Inject(emulator.Fault{Operation: "PutRecords", EveryNth: 3, Code: "ProvisionedThroughputExceededException"})

	entries := recordEntries("r", 10)
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	failed := failedPositions(t, out, "ProvisionedThroughputExceededException",
		"Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.")
	if fmt.Sprint(failed) != "[2 5 8]" {
		t.Fatalf("failed entries %v, want [2 5 8]", failed)
	}
	if got := readShardData(t, kc, "s"); len(got) != 7 {
		t.Fatalf("stored %v, want the 7 records that did not fail", got)
	}
	// A producer retries the failed entries until none fails: 3 entries (the third fails), then 1.
	pending := entries
	rounds := 0
	for len(failed) > 0 {
		var again []types.PutRecordsRequestEntry
		for _, i := range failed {
			again = append(again, pending[i])
		}
		pending = again
		out, err = kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: pending})
		if err != nil {
			t.Fatal(err)
		}
		failed = failedPositions(t, out, "ProvisionedThroughputExceededException", "Rate exceeded")
		rounds++
	}
	if rounds != 2 {
		t.Fatalf("retried %d times, want 2", rounds)
	}
	got := readShardData(t, kc, "s")
	seen := map[string]int{}
	for _, d := range got {
		seen[d]++
	}
	for _, e := range entries {
		if seen[string(e.Data)] != 1 {
			t.Fatalf("record %s stored %d times: %v", e.Data, seen[string(e.Data)], got)
		}
	}
	if len(got) != len(entries) {
		t.Fatalf("stored %d records, want %d", len(got), len(entries))
	}
}

// TestFaultRecordsFractionIsDeterministic fails a fraction of the records with InternalFailure
// on a share of the calls: two servers given the same seed fail the same records of the same
// calls; another seed fails others.
func TestFaultRecordsFractionIsDeterministic(t *testing.T) {
	pattern := func(seed uint64) string {
		srv := emulator.RunT(t, emulator.WithStream("s", 1))
		kc := newClient(t, srv)
		srv.Faults().Inject(emulator.Fault{Fraction: 0.25, Probability: 0.5, Seed: seed, Code: "InternalFailure"})
		var b strings.Builder
		stored, failedTotal := 0, 0
		for range 20 {
			out, err := kc.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recordEntries("x", 20)})
			if err != nil {
				t.Fatal(err)
			}
			failed := failedPositions(t, out, "InternalFailure", "Internal service failure.")
			failedTotal += len(failed)
			stored += 20 - len(failed)
			fmt.Fprintln(&b, failed)
		}
		if got := len(readShardData(t, kc, "s")); got != stored {
			t.Fatalf("stored %d records, %d were acknowledged", got, stored)
		}
		// 400 records, half the calls hit, a quarter of their records: about 50 fail.
		if failedTotal < 15 || failedTotal > 110 {
			t.Fatalf("seed %d failed %d of 400 records", seed, failedTotal)
		}
		return b.String()
	}
	a, b, c := pattern(7), pattern(7), pattern(8)
	if a != b {
		t.Fatalf("the same seed failed different records:\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatal("another seed failed the same records")
	}
}

// TestFaultProbabilityOnWholeCalls fails a share of whole calls, the same calls for the same seed.
func TestFaultProbabilityOnWholeCalls(t *testing.T) {
	pattern := func(seed uint64) string {
		srv := emulator.RunT(t)
		kc := newClient(t, srv)
		srv.Faults().Inject(emulator.Fault{Operation: "DescribeLimits", Code: "LimitExceededException", Probability: 0.5, Seed: seed})
		var b strings.Builder
		failed := 0
		for range 40 {
			_, err := kc.DescribeLimits(ctxT(t), &kinesis.DescribeLimitsInput{})
			switch apiCode(err) {
			case "":
				b.WriteByte('.')
			case "LimitExceededException":
				b.WriteByte('x')
				failed++
			default:
				t.Fatal(err)
			}
		}
		if failed < 8 || failed > 32 {
			t.Fatalf("%d of 40 calls failed with probability 0.5", failed)
		}
		return b.String()
	}
	if a, b := pattern(3), pattern(3); a != b {
		t.Fatalf("the same seed failed different calls: %s %s", a, b)
	}
}

// TestFaultRecordsOverTheAdminEndpoint injects a record fault as JSON, lists it, and refuses
// faults out of range.
func TestFaultRecordsOverTheAdminEndpoint(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 1))
	post := func(body string) int {
		resp, err := http.Post(srv.URL()+"/_pelican/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	for _, bad := range []string{`{"fraction":1.5}`, `{"probability":-0.1}`, `{"everyNth":-2}`,
		`{"operation":"GetRecords","everyNth":2}`, `{"everyNth":2,"afterApply":true}`} {
		if code := post(bad); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, code)
		}
	}
	if code := post(`{"operation":"PutRecords","everyNth":2,"code":"InternalFailure","message":"disk on fire","times":1,"seed":9}`); code != http.StatusNoContent {
		t.Fatalf("status %d", code)
	}
	resp, err := http.Get(srv.URL() + "/_pelican/faults")
	if err != nil {
		t.Fatal(err)
	}
	listed, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !bytes.Contains(listed, []byte(`"everyNth":2`)) || !bytes.Contains(listed, []byte(`"seed":9`)) {
		t.Fatalf("listed %s", listed)
	}
	kc := newClient(t, srv)
	out, err := kc.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recordEntries("a", 4)})
	if err != nil {
		t.Fatal(err)
	}
	if failed := failedPositions(t, out, "InternalFailure", "disk on fire"); fmt.Sprint(failed) != "[1 3]" {
		t.Fatalf("failed %v, want [1 3]", failed)
	}
	// Times 1: the next call is whole.
	out, err = kc.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recordEntries("b", 4)})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("after the fault's one hit: %v, %d failed", err, aws.ToInt32(out.FailedRecordCount))
	}
	// A record fault never fails a PutRecord, nor a PutRecords as a whole.
	srv.Faults().Inject(emulator.Fault{EveryNth: 1})
	if _, err := kc.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("one")}); err != nil {
		t.Fatal(err)
	}
}
