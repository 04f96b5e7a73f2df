package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/pelicanhq/pelican/emulator"
)

// fakeAuth is a well-formed SigV4 Authorization header; the default mode does not verify it.
const fakeAuth = "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"

// serve sends one request to the handler and checks that the answer is AWS-shaped: never a 5xx,
// and an error body names its __type.
func serve(t *testing.T, srv *emulator.Server, contentType, op string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", fakeAuth)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s answered %d: %s", op, contentType, rec.Code, rec.Body.String())
	}
	if rec.Header().Get("x-amzn-RequestId") == "" {
		t.Fatalf("%s answered without x-amzn-RequestId", op)
	}
	if rec.Code != http.StatusOK {
		var e map[string]any
		var err error
		if strings.Contains(contentType, "cbor") {
			err = cbor.Unmarshal(rec.Body.Bytes(), &e)
		} else {
			err = json.Unmarshal(rec.Body.Bytes(), &e)
		}
		if err != nil || e["__type"] == nil || e["__type"] == "" {
			t.Fatalf("%s error body %q is not an AWS error (%v)", op, rec.Body.Bytes(), err)
		}
	}
	return rec
}

var fuzzOps = []string{"CreateStream", "PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "ListShards",
	"DescribeStream", "SplitShard", "MergeShards", "UpdateShardCount", "ListStreams", "DeleteStream"}

func FuzzRequestJSON(f *testing.F) {
	f.Add(uint8(1), []byte(`{"StreamName":"fuzz","PartitionKey":"k","Data":"aGVsbG8="}`))
	f.Add(uint8(2), []byte(`{"StreamName":"fuzz","Records":[{"PartitionKey":"k","Data":"aGk="}]}`))
	f.Add(uint8(4), []byte(`{"StreamName":"fuzz","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1.5e9}`))
	f.Add(uint8(3), []byte(`{"ShardIterator":"AAAA","Limit":-1}`))
	f.Add(uint8(5), []byte(`{"StreamName":"fuzz","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":"x"}}`))
	f.Add(uint8(0), []byte(`{"StreamName":"x","ShardCount":1e40}`))
	f.Add(uint8(7), []byte(`{"StreamName":"fuzz","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1"}`))
	f.Add(uint8(9), []byte(`[]`))
	f.Add(uint8(1), []byte(`{"StreamName":"fuzz","PartitionKey":"k","Data":"not base64!"}`))
	srv, err := emulator.New(emulator.WithStream("fuzz", 2))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		serve(t, srv, "application/x-amz-json-1.1", fuzzOps[int(op)%len(fuzzOps)], body)
	})
}

func FuzzRequestCBOR(f *testing.F) {
	seed := func(v any) []byte {
		b, err := cbor.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(uint8(1), seed(map[string]any{"StreamName": "fuzz", "PartitionKey": "k", "Data": []byte("hello")}))
	f.Add(uint8(2), seed(map[string]any{"StreamName": "fuzz", "Records": []any{map[string]any{"PartitionKey": "k", "Data": []byte("x")}}}))
	f.Add(uint8(4), seed(map[string]any{"StreamName": "fuzz", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
		"Timestamp": cbor.Tag{Number: 1, Content: int64(1_700_000_000_000)}}))
	f.Add(uint8(1), seed(map[string]any{"StreamName": "fuzz", "PartitionKey": "k", "Data": "text where bytes belong"}))
	f.Add(uint8(3), []byte{0xbf, 0x61, 0x41, 0xff})
	f.Add(uint8(3), []byte{0x9f, 0x9f, 0x9f, 0x9f})
	srv, err := emulator.New(emulator.WithStream("fuzz", 2))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		serve(t, srv, "application/x-amz-cbor-1.1", fuzzOps[int(op)%len(fuzzOps)], body)
	})
}

// FuzzIterator feeds GetRecords arbitrary iterators, including edits of a real one: every one is
// refused as InvalidArgumentException unless it is the real iterator itself.
func FuzzIterator(f *testing.F) {
	srv, err := emulator.New(emulator.WithStream("fuzz", 1))
	if err != nil {
		f.Fatal(err)
	}
	getIt := func(t testing.TB) string {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"StreamName":"fuzz","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.GetShardIterator")
		req.Header.Set("X-Amz-Date", "20260101T000000Z")
		req.Header.Set("Authorization", fakeAuth)
		srv.ServeHTTP(rec, req)
		var out struct{ ShardIterator string }
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.ShardIterator == "" {
			t.Fatalf("GetShardIterator: %d %s", rec.Code, rec.Body.String())
		}
		return out.ShardIterator
	}
	real := getIt(f)
	f.Add(real, uint16(0), byte(0))
	f.Add(real, uint16(5), byte(1))
	f.Add("", uint16(0), byte(0))
	f.Add("AAAAAAAAAAE=", uint16(3), byte(0xff))
	f.Fuzz(func(t *testing.T, it string, at uint16, flip byte) {
		b := []byte(it)
		if len(b) > 0 {
			b[int(at)%len(b)] ^= flip
		}
		body, _ := json.Marshal(map[string]string{"ShardIterator": string(b)})
		rec := serve(t, srv, "application/x-amz-json-1.1", "GetRecords", body)
		if string(b) == real {
			return
		}
		if rec.Code == http.StatusOK {
			t.Fatalf("forged iterator %q was accepted", b)
		}
	})
}
