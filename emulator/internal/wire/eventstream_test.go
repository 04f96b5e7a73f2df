package wire

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSubscribeToShardEvent is the SubscribeToShardEvent shape.
type testSubscribeToShardEvent struct {
	Records                    []testRecord     `json:"Records"`
	ContinuationSequenceNumber string           `json:"ContinuationSequenceNumber"`
	MillisBehindLatest         int64            `json:"MillisBehindLatest"`
	ChildShards                []testChildShard `json:"ChildShards,omitempty"`
}

func sampleEvent() testSubscribeToShardEvent {
	arrival := FromMillis(1506440188749)
	return testSubscribeToShardEvent{
		Records: []testRecord{{
			SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ApproximateArrivalTimestamp: &arrival,
			Data: []byte("hello"), PartitionKey: "user-42",
		}},
		ContinuationSequenceNumber: "49590338271490256608559692538361571095921575989136588898",
		MillisBehindLatest:         0,
	}
}

// checkGoldenFrames compares got with testdata/name.eventstream and its hex twin, or rewrites
// both with -update.
func checkGoldenFrames(t *testing.T, name string, got []byte) {
	t.Helper()
	bin := filepath.Join("testdata", name+".eventstream")
	hx := filepath.Join("testdata", name+".hex")
	if *update {
		require.NoError(t, os.WriteFile(bin, got, 0o644))
		require.NoError(t, os.WriteFile(hx, []byte(hexLines(got)), 0o644))
	}
	want, err := os.ReadFile(bin)
	require.NoError(t, err, "run the test with -update to create the golden file")
	assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(got), "%s differs from the golden bytes", bin)
	text, err := os.ReadFile(hx)
	require.NoError(t, err)
	assert.Equal(t, want, mustHex(t, string(text)), "%s does not spell %s", hx, bin)
}

func headerMap(t *testing.T, hs eventstream.Headers) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, h := range hs {
		s, ok := h.Value.(eventstream.StringValue)
		require.True(t, ok, "header %s is a %T, not a string", h.Name, h.Value)
		m[h.Name] = string(s)
	}
	return m
}

func TestEventWriterGoldenFrames(t *testing.T) {
	jsonEvent, err := JSON.Encode(sampleEvent())
	require.NoError(t, err)
	cborEvent, err := CBOR.Encode(sampleEvent())
	require.NoError(t, err)
	exception, err := JSON.Encode(map[string]string{"message": "Stream s under account 000000000000 not found."})
	require.NoError(t, err)

	tests := []struct {
		name        string
		write       func(w *EventWriter) error
		wantHeaders map[string]string
		wantPayload []byte
	}{
		{"initial_response_json", func(w *EventWriter) error { return w.WriteInitialResponse(JSON) },
			map[string]string{":message-type": "event", ":event-type": "initial-response", ":content-type": "application/x-amz-json-1.1"},
			[]byte("{}")},
		{"initial_response_cbor", func(w *EventWriter) error { return w.WriteInitialResponse(CBOR) },
			map[string]string{":message-type": "event", ":event-type": "initial-response", ":content-type": "application/x-amz-cbor-1.1"},
			[]byte{0xbf, 0xff}},
		{"subscribe_to_shard_event_json", func(w *EventWriter) error {
			return w.WriteEvent(EventSubscribeToShardEvent, jsonEvent, ContentTypeJSON)
		}, map[string]string{":message-type": "event", ":event-type": "SubscribeToShardEvent", ":content-type": "application/x-amz-json-1.1"},
			jsonEvent},
		{"subscribe_to_shard_event_cbor", func(w *EventWriter) error {
			return w.WriteEvent(EventSubscribeToShardEvent, cborEvent, ContentTypeCBOR)
		}, map[string]string{":message-type": "event", ":event-type": "SubscribeToShardEvent", ":content-type": "application/x-amz-cbor-1.1"},
			cborEvent},
		{"resource_not_found_exception_json", func(w *EventWriter) error {
			return w.WriteException("ResourceNotFoundException", exception, ContentTypeJSON)
		}, map[string]string{":message-type": "exception", ":exception-type": "ResourceNotFoundException", ":content-type": "application/x-amz-json-1.1"},
			exception},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			flushes := 0
			w := NewEventWriter(&buf, func() { flushes++ })
			require.NoError(t, tt.write(w))
			assert.Equal(t, 1, flushes, "each message is flushed")
			checkGoldenFrames(t, tt.name, buf.Bytes())

			msg, err := eventstream.NewDecoder().Decode(bytes.NewReader(buf.Bytes()), nil)
			require.NoError(t, err)
			assert.Equal(t, tt.wantHeaders, headerMap(t, msg.Headers))
			assert.Equal(t, tt.wantPayload, msg.Payload)
		})
	}
	t.Run("the JSON event carries base64 data and epoch seconds", func(t *testing.T) {
		assert.Contains(t, string(jsonEvent), `"Data":"aGVsbG8="`)
		assert.Contains(t, string(jsonEvent), `"ApproximateArrivalTimestamp":1506440188.749`)
	})
}

func TestEventWriterRejects(t *testing.T) {
	w := NewEventWriter(io.Discard, nil)
	assert.Error(t, w.WriteEvent("", nil, ContentTypeJSON))
	assert.Error(t, w.WriteException("", nil, ContentTypeJSON))
	assert.Error(t, w.WriteEvent(EventSubscribeToShardEvent, make([]byte, MaxEventPayload+1), ContentTypeJSON))
	require.NoError(t, w.WriteEvent(EventSubscribeToShardEvent, make([]byte, 16), ContentTypeJSON), "no flush function is fine")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestEventWriterReportsWriteFailures(t *testing.T) {
	w := NewEventWriter(failingWriter{}, func() { t.Error("nothing to flush after a failed write") })
	assert.ErrorContains(t, w.WriteInitialResponse(JSON), "connection reset")
}

func TestEventWriterConcurrentWritesKeepFramesWhole(t *testing.T) {
	var buf bytes.Buffer
	w := NewEventWriter(&buf, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				assert.NoError(t, w.WriteEvent(EventSubscribeToShardEvent, bytes.Repeat([]byte{byte(i)}, 100+i), ContentTypeJSON))
			}
		})
	}
	wg.Wait()

	r := bytes.NewReader(buf.Bytes())
	n := 0
	for {
		msg, err := ReadMessage(r)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		b := msg.Payload[0]
		assert.Equal(t, bytes.Repeat([]byte{b}, 100+int(b)), msg.Payload)
		n++
	}
	assert.Equal(t, 400, n)
}

func TestReadMessage(t *testing.T) {
	var stream bytes.Buffer
	w := NewEventWriter(&stream, nil)
	require.NoError(t, w.WriteInitialResponse(JSON))
	require.NoError(t, w.WriteEvent(EventSubscribeToShardEvent, []byte(`{"Records":[]}`), ContentTypeJSON))
	whole := bytes.Clone(stream.Bytes())

	t.Run("reads one message at a time, then io.EOF", func(t *testing.T) {
		r := bytes.NewReader(whole)
		first, err := ReadMessage(r)
		require.NoError(t, err)
		assert.Equal(t, "initial-response", first.Headers.Get(":event-type").String())
		second, err := ReadMessage(r)
		require.NoError(t, err)
		assert.Equal(t, `{"Records":[]}`, string(second.Payload))
		_, err = ReadMessage(r)
		assert.Equal(t, io.EOF, err)
	})
	t.Run("a truncated message is an unexpected EOF", func(t *testing.T) {
		_, err := ReadMessage(bytes.NewReader(whole[:20]))
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		_, err = ReadMessage(bytes.NewReader(whole[:5]))
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("a corrupted message fails its checksum", func(t *testing.T) {
		bad := bytes.Clone(whole)
		bad[len(bad)-6] ^= 0x01 // inside the second message's payload
		r := bytes.NewReader(bad)
		_, err := ReadMessage(r)
		require.NoError(t, err)
		_, err = ReadMessage(r)
		var crc eventstream.ChecksumError
		assert.ErrorAs(t, err, &crc)
	})
	t.Run("a frame that ends inside its own headers is not a clean end", func(t *testing.T) {
		// Consistent lengths and prelude checksum, but a header that claims more bytes than the
		// headers section holds (found by FuzzDecodeEventStream).
		frame := append(mustHex(t, "00000072 00000060 ab820d9e 43"), bytes.Repeat([]byte("0"), 67)...)
		frame = append(frame, 0x00, 0x1a)
		frame = append(frame, bytes.Repeat([]byte("0"), 32)...)
		_, err := ReadMessage(bytes.NewReader(frame))
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.NotErrorIs(t, err, io.EOF)
	})
	t.Run("lengths are checked before allocating", func(t *testing.T) {
		for name, prelude := range map[string]string{
			"below the minimum":     "00000004 00000000",
			"headers beyond total":  "00000020 00000011",
			"headers beyond 128 kB": "00100000 00020001",
			"payload beyond 24 MB":  "ffffffff 00000000",
		} {
			_, err := ReadMessage(bytes.NewReader(append(mustHex(t, prelude), 0, 0, 0, 0)))
			assert.Error(t, err, name)
		}
	})
}

// TestSubscribeToShardWithTheGoSDK serves the frames to the real Go SDK v2 client, which waits for
// the initial-response, decodes SubscribeToShardEvent, and turns an exception into its typed error.
func TestSubscribeToShardWithTheGoSDK(t *testing.T) {
	event, err := JSON.Encode(sampleEvent())
	require.NoError(t, err)
	exception, err := JSON.Encode(map[string]string{"message": "Consumer c is not active."})
	require.NoError(t, err)

	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "Kinesis_20131202.SubscribeToShard" {
			http.Error(rw, "unexpected target", http.StatusBadRequest)
			return
		}
		rw.Header().Set("Content-Type", ContentTypeEventStream)
		rw.WriteHeader(http.StatusOK)
		w := NewEventWriter(rw, rw.(http.Flusher).Flush)
		assert.NoError(t, w.WriteInitialResponse(JSON))
		assert.NoError(t, w.WriteEvent(EventSubscribeToShardEvent, event, ContentTypeJSON))
		assert.NoError(t, w.WriteException("ResourceInUseException", exception, ContentTypeJSON))
	}))
	defer srv.Close()

	client := kinesis.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  srv.Client(),
	}, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1"),
		ShardId:          aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	require.NoError(t, err)
	stream := out.GetStream()
	defer stream.Close()

	var got []types.SubscribeToShardEventStream
	for ev := range stream.Events() {
		got = append(got, ev)
	}
	require.Len(t, got, 1)
	ev, ok := got[0].(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
	require.True(t, ok, "got %T", got[0])
	require.Len(t, ev.Value.Records, 1)
	rec := ev.Value.Records[0]
	assert.Equal(t, []byte("hello"), rec.Data)
	assert.Equal(t, "user-42", aws.ToString(rec.PartitionKey))
	assert.Equal(t, time.UnixMilli(1506440188749).UTC(), rec.ApproximateArrivalTimestamp.UTC())
	assert.Equal(t, "49590338271490256608559692538361571095921575989136588898", aws.ToString(ev.Value.ContinuationSequenceNumber))
	assert.Equal(t, int64(0), aws.ToInt64(ev.Value.MillisBehindLatest))

	var inUse *types.ResourceInUseException
	require.ErrorAs(t, stream.Err(), &inUse)
	assert.Equal(t, "Consumer c is not active.", inUse.ErrorMessage())
}
