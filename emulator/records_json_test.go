package emulator

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// comparePutRecordsJSON fails when the hand-written PutRecords answer differs from encoding/json's.
func comparePutRecordsJSON(t *testing.T, o *PutRecordsOutput) {
	t.Helper()
	want, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.AppendJSON(nil); string(got) != string(want) {
		t.Fatalf("PutRecords answer\n got %s\nwant %s", got, want)
	}
}

func TestPutRecordsJSONMatchesEncodingJSON(t *testing.T) {
	seq := "49590338271490256608559692538361571095921575989136588898"
	for _, o := range []*PutRecordsOutput{
		{},
		{Records: []PutRecordsResultEntry{}},
		{Records: []PutRecordsResultEntry{{SequenceNumber: seq, ShardId: "shardId-000000000001"}, {}}},
		{FailedRecordCount: 2, EncryptionType: "KMS", Records: []PutRecordsResultEntry{
			{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000001 in stream s under account 123456789012."},
			{ErrorCode: "InternalFailure", ErrorMessage: "quote \" backslash \\ <html> & \u2028 \x01 \xff é"},
			{SequenceNumber: seq, ShardId: "shardId-000000000000"},
		}},
	} {
		comparePutRecordsJSON(t, o)
	}
}

func FuzzPutRecordsJSON(f *testing.F) {
	f.Add("shardId-000000000000", "InternalFailure", "a <b> & \"c\"", "KMS", 3)
	f.Add("", "", "\xff\xfe\u2029", "", 0)
	f.Fuzz(func(t *testing.T, shard, code, message, encryption string, failed int) {
		comparePutRecordsJSON(t, &PutRecordsOutput{FailedRecordCount: failed, EncryptionType: encryption, Records: []PutRecordsResultEntry{
			{SequenceNumber: "1", ShardId: "shardId-000000000002"}, {ErrorCode: code, ErrorMessage: message},
			{ErrorCode: shard}, {ErrorMessage: code}, {ShardId: "shardId-000000000001", ErrorMessage: message},
		}})
	})
}

// compareGetRecordsJSON fails when the hand-written GetRecords answer differs from encoding/json's.
func compareGetRecordsJSON(t *testing.T, o *GetRecordsOutput) {
	t.Helper()
	want, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.AppendJSON(nil); string(got) != string(want) {
		t.Fatalf("GetRecords answer\n got %s\nwant %s", got, want)
	}
}

func TestGetRecordsJSONMatchesEncodingJSON(t *testing.T) {
	seq := "49590338271490256608559692538361571095921575989136588898"
	next := "AAAAAAAAAAF+/iterator=="
	at := wire.NewTimestamp(time.UnixMilli(1764000000123))
	for _, o := range []*GetRecordsOutput{
		{},
		{Records: []Record{}, NextShardIterator: &next, MillisBehindLatest: 12},
		{Records: []Record{
			{SequenceNumber: seq, ApproximateArrivalTimestamp: at, Data: []byte("hello"), PartitionKey: "k"},
			{SequenceNumber: seq, ApproximateArrivalTimestamp: wire.NewTimestamp(time.UnixMilli(1764000000000)), Data: []byte{}, PartitionKey: "<&\"é\xff>", EncryptionType: "KMS"},
			{SequenceNumber: seq, ApproximateArrivalTimestamp: wire.NewTimestamp(time.UnixMilli(-1500)), Data: nil, PartitionKey: ""},
		}, ChildShards: []ChildShard{{ShardId: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"},
			HashKeyRange: HashKeyRange{StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455"}}}},
	} {
		compareGetRecordsJSON(t, o)
	}
}

func FuzzGetRecordsJSON(f *testing.F) {
	f.Add([]byte("data"), "key", int64(1764000000123), "AAAA", int64(0))
	f.Fuzz(func(t *testing.T, data []byte, key string, ms int64, iterator string, behind int64) {
		ms %= 1 << 42 // within the years a stream can hold
		compareGetRecordsJSON(t, &GetRecordsOutput{NextShardIterator: &iterator, MillisBehindLatest: behind, Records: []Record{
			{SequenceNumber: "1", ApproximateArrivalTimestamp: wire.NewTimestamp(time.UnixMilli(ms)), Data: data, PartitionKey: key},
			{SequenceNumber: key, ApproximateArrivalTimestamp: wire.NewTimestamp(time.UnixMilli(-ms)), Data: []byte(key), PartitionKey: iterator, EncryptionType: key},
		}})
	})
}
