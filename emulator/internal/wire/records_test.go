package wire

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"
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
	for i := range o.Records {
		if r := &o.Records[i]; r.jsonBound() < r.jsonLen(&arrivalText{}) {
			t.Fatalf("record %d: bound %d below its length %d", i, r.jsonBound(), r.jsonLen(&arrivalText{}))
		}
	}
	if n := o.JSONLen(); n != len(want) {
		t.Fatalf("JSONLen %d, the answer is %d bytes", n, len(want))
	}
	for _, size := range []int{0, minWriteBuffer, minWriteBuffer + 1, 64 << 10} {
		var w pieces
		if err := o.WriteJSON(&w, make([]byte, 0, size)); err != nil {
			t.Fatal(err)
		}
		if got := w.Bytes(); string(got) != string(want) {
			t.Fatalf("WriteJSON through %d bytes\n got %.200s\nwant %.200s", size, got, want)
		}
		if w.largest > max(size, minWriteBuffer) {
			t.Fatalf("WriteJSON through %d bytes wrote a piece of %d", size, w.largest)
		}
	}
}

// pieces collects what WriteJSON writes and the largest piece.
type pieces struct {
	bytes.Buffer
	largest int
}

func (p *pieces) Write(b []byte) (int, error) {
	p.largest = max(p.largest, len(b))
	return p.Buffer.Write(b)
}

// TestGetRecordsWriteJSONInPieces holds WriteJSON to AppendJSON for records larger than its
// buffer, of every length modulo three, and for a writer that fails.
func TestGetRecordsWriteJSONInPieces(t *testing.T) {
	next := "AAAAAAAAAAF+/iterator=="
	at := NewTimestamp(time.UnixMilli(1764000000120))
	var recs []Record
	for _, n := range []int{minWriteBuffer - 200, minWriteBuffer, 3 * minWriteBuffer, 3*minWriteBuffer + 1, 1 << 20, 1<<20 + 2, 10} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		recs = append(recs, Record{SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
			ApproximateArrivalTimestamp: at, Data: data, PartitionKey: "k\u2028", EncryptionType: "KMS"})
	}
	compareGetRecordsJSON(t, &GetRecordsOutput{Records: recs, NextShardIterator: &next, MillisBehindLatest: 5})
	o := &GetRecordsOutput{Records: recs}
	if err := o.WriteJSON(failingWriter{}, nil); err == nil {
		t.Fatal("WriteJSON to a failing writer reported no error")
	}
}

func TestGetRecordsJSONMatchesEncodingJSON(t *testing.T) {
	seq := "49590338271490256608559692538361571095921575989136588898"
	next := "AAAAAAAAAAF+/iterator=="
	at := NewTimestamp(time.UnixMilli(1764000000123))
	for _, o := range []*GetRecordsOutput{
		{},
		{Records: []Record{}, NextShardIterator: &next, MillisBehindLatest: 12},
		{Records: []Record{
			{SequenceNumber: seq, ApproximateArrivalTimestamp: at, Data: []byte("hello"), PartitionKey: "k"},
			{SequenceNumber: seq, ApproximateArrivalTimestamp: NewTimestamp(time.UnixMilli(1764000000000)), Data: []byte{}, PartitionKey: "<&\"é\xff>", EncryptionType: "KMS"},
			{SequenceNumber: seq, ApproximateArrivalTimestamp: NewTimestamp(time.UnixMilli(-1500)), Data: nil, PartitionKey: ""},
			{SequenceNumber: "0", ApproximateArrivalTimestamp: NewTimestamp(time.UnixMilli(math.MinInt64)), Data: []byte{}, PartitionKey: "\x1f\x1f\x1f"},
			{SequenceNumber: seq, ApproximateArrivalTimestamp: NewTimestamp(time.UnixMilli(math.MaxInt64)), Data: []byte{1}, PartitionKey: "\xff\xfe"},
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
			{SequenceNumber: "1", ApproximateArrivalTimestamp: NewTimestamp(time.UnixMilli(ms)), Data: data, PartitionKey: key},
			{SequenceNumber: strconv.FormatInt(ms, 10), ApproximateArrivalTimestamp: NewTimestamp(time.UnixMilli(-ms)), Data: []byte(key), PartitionKey: iterator, EncryptionType: key},
		}})
	})
}

// comparePutRecordsDecoding decodes body as the emulator does and as encoding/json does, and fails
// on any difference. It returns whether PutRecordsInput's own scan took the body.
func comparePutRecordsDecoding(t *testing.T, body []byte) bool {
	t.Helper()
	var std PutRecordsInput
	errStd := json.Unmarshal(body, &std)
	if len(bytes.TrimSpace(body)) == 0 {
		errStd = nil // an empty body is an empty request, as AWS takes it
	}
	var got PutRecordsInput
	errGot := JSON.DecodeWith(body, &got, &Arena{})
	if (errGot == nil) != (errStd == nil) {
		t.Fatalf("%q: error %v, encoding/json %v", body, errGot, errStd)
	}
	if errStd == nil && !reflect.DeepEqual(got, std) {
		t.Fatalf("%q decodes to\n%+v\nencoding/json\n%+v", body, got, std)
	}
	var scanned PutRecordsInput
	took := ScanJSON(body, &scanned, nil)
	if took && (errStd != nil || !reflect.DeepEqual(scanned, std)) {
		t.Fatalf("%q: the scan took it as\n%+v\nencoding/json (%v)\n%+v", body, scanned, errStd, std)
	}
	if !took && !reflect.DeepEqual(scanned, PutRecordsInput{}) {
		t.Fatalf("%q: a declined scan left %+v", body, scanned)
	}
	return took
}

var putRecordsBodies = []string{
	`{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k1"},{"Data":"","ExplicitHashKey":"12","PartitionKey":"k2"}],"StreamName":"s"}`,
	` { "StreamARN" : "arn:aws:kinesis:us-east-1:123456789012:stream/s" , "Records" : [ {"PartitionKey":"k","Data":""} ] , "DryRun" : true } `,
	`{"Records":[{"PartitionKey":"é ü  ","Data":"AA=="}],"DryRun":false}`,
	`{}`,
	// Forms the scan leaves to the general decoder: present empty values and records without
	// their required members (the service reports them), then the unusual.
	`{"Records":[]}`, `{"Records":[{}]}`, `{"StreamName":"","Records":[{"PartitionKey":"k","Data":""}]}`,
	`{"Records":[{"PartitionKey":"","Data":""}]}`, `{"Records":[{"PartitionKey":"k"}]}`, `{"Records":[{"PartitionKey":"k","Data":"+/+="}]}`,
	`{"streamname":"lower"}`, `{"StreamName":"a","StreamName":"b"}`, `{"StreamName":null}`, `{"StreamName":"\u0041"}`,
	`{"Records":[{"Data":"aGVs\nbG8="}]}`, `{"Records":[{"Data":null,"PartitionKey":"k"}]}`, `{"Unknown":1,"StreamName":"s"}`,
	"{\"StreamName\":\"\xff\"}", `{"Records":{"PartitionKey":"k"}}`, `{"DryRun":"true"}`, `{"Records":[{"Data":"aGVsbG8"}]}`,
	`{"StreamName":"s"} x`, `{"StreamName":"s"`, `{"Records":[{"PartitionKey":"k",}]}`, `[]`, `null`, ``,
	`{"Records":[{"PartitionKey":"k","PartitionKey":"k2"}]}`, `{"Records":[1]}`, `{"DryRun":tru}`,
}

func TestPutRecordsScanMatchesEncodingJSON(t *testing.T) {
	took := 0
	for _, b := range putRecordsBodies {
		if comparePutRecordsDecoding(t, []byte(b)) {
			took++
		}
	}
	if took != 4 {
		t.Fatalf("the scan took %d of the bodies, want the 4 plain ones", took)
	}
	// What the Go SDK sends, 500 records of 1 KiB: the scan must take it.
	sdk, err := json.Marshal(PutRecordsInput{StreamName: "bench", Records: []PutRecordsRequestEntry{{PartitionKey: "k", Data: make([]byte, 1024)}}})
	if err != nil {
		t.Fatal(err)
	}
	if !comparePutRecordsDecoding(t, sdk) {
		t.Fatalf("the scan declined the SDK's body %s", sdk)
	}
}

func FuzzPutRecordsScan(f *testing.F) {
	for _, b := range putRecordsBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) { comparePutRecordsDecoding(t, body) })
}
