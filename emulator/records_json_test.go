package emulator

import (
	"encoding/json"
	"testing"
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
