package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/fxamacker/cbor/v2"

	"github.com/pelicanhq/pelican/emulator"
)

// rawSubscribe sends a SubscribeToShard request in the given encoding, signed as the SDKs sign it,
// and returns the response.
func rawSubscribe(t *testing.T, endpoint, contentType string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.amazon.eventstream" {
		t.Fatalf("Content-Type %q", ct)
	}
	return resp
}

// The whole SubscribeToShard exchange, byte for byte, in each encoding: the initial-response, an
// event with the records written before the call, and at a split the last event with ChildShards.
// A manual clock makes sequence numbers and timestamps the same on every run. The frames are read
// back with the SDK's own event-stream decoder, which checks both CRCs of every message.
func TestSubscribeToShardFramesGolden(t *testing.T) {
	for _, tc := range []struct {
		name, contentType string
		marshal           func(any) ([]byte, error)
		unmarshal         func([]byte, any) error
	}{
		{"json", "application/x-amz-json-1.1", json.Marshal, json.Unmarshal},
		{"cbor", "application/x-amz-cbor-1.1", cbor.Marshal, cbor.Unmarshal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := emulator.NewManualClock(efoStart)
			f := newEFOFixture(t, 1, emulator.WithClock(clock))
			arn := f.active(t, "golden")
			clock.Advance(time.Second)
			f.put(t, "first", "second")

			body, err := tc.marshal(map[string]any{"ConsumerARN": arn, "ShardId": efoShard0,
				"StartingPosition": map[string]any{"Type": "TRIM_HORIZON"}})
			if err != nil {
				t.Fatal(err)
			}
			resp := rawSubscribe(t, "http://"+f.srv.Addr(), tc.contentType, body)
			var raw bytes.Buffer
			r := io.TeeReader(resp.Body, &raw)
			dec := eventstream.NewDecoder()
			var msgs []eventstream.Message
			for len(msgs) < 2 {
				m, err := dec.Decode(r, nil)
				if err != nil {
					t.Fatalf("message %d: %v", len(msgs), err)
				}
				msgs = append(msgs, m)
			}
			if _, err := f.kc.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String(f.stream), ShardToSplit: aws.String(efoShard0),
				NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
				t.Fatal(err)
			}
			for {
				m, err := dec.Decode(r, nil)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("message %d: %v", len(msgs), err)
				}
				msgs = append(msgs, m)
			}
			if len(msgs) != 3 {
				t.Fatalf("%d messages, want initial-response, records, end", len(msgs))
			}
			for i, want := range []string{"initial-response", "SubscribeToShardEvent", "SubscribeToShardEvent"} {
				h := msgs[i].Headers
				if got := h.Get(":message-type"); got == nil || got.String() != "event" {
					t.Fatalf("message %d: :message-type %v", i, got)
				}
				if got := h.Get(":event-type"); got == nil || got.String() != want {
					t.Fatalf("message %d: :event-type %v, want %s", i, got, want)
				}
				if got := h.Get(":content-type"); got == nil || got.String() != tc.contentType {
					t.Fatalf("message %d: :content-type %v, want %s", i, got, tc.contentType)
				}
			}
			var initial map[string]any
			if err := tc.unmarshal(msgs[0].Payload, &initial); err != nil || len(initial) != 0 {
				t.Fatalf("initial-response payload %x: %v", msgs[0].Payload, err)
			}
			var ev struct {
				Records []struct {
					Data         []byte
					PartitionKey string
				}
				ContinuationSequenceNumber *string
				ChildShards                []struct{ ShardId string }
			}
			if err := tc.unmarshal(msgs[1].Payload, &ev); err != nil || len(ev.Records) != 2 || string(ev.Records[1].Data) != "second" || ev.ContinuationSequenceNumber == nil {
				t.Fatalf("records event %s: %v", msgs[1].Payload, err)
			}
			ev.ContinuationSequenceNumber, ev.Records = nil, nil
			if err := tc.unmarshal(msgs[2].Payload, &ev); err != nil || len(ev.ChildShards) != 2 || ev.ContinuationSequenceNumber != nil {
				t.Fatalf("end event %s: %v", msgs[2].Payload, err)
			}
			golden(t, filepath.Join("testdata", "subscribe_to_shard_"+tc.name+".golden"), raw.Bytes())
		})
	}
}

// golden compares got with the file at path, or rewrites the file under -update (the flag is
// the package's, defined in cbor_test.go).
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("bytes differ from %s (run with -update after checking the change):\ngot  %x\nwant %x", path, got, want)
	}
}
