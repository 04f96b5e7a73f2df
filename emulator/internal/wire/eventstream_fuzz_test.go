package wire

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// FuzzDecodeEventStream reads arbitrary bytes as a sequence of event-stream messages through
// ReadMessage and the SDK's decoder. It must never panic, must stop at the first error, and every
// message it accepts must survive encoding and decoding again unchanged.
func FuzzDecodeEventStream(f *testing.F) {
	golden, _ := filepath.Glob(filepath.Join("testdata", "*.eventstream"))
	var all []byte
	for _, path := range golden {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		all = append(all, b...)
	}
	f.Add(all)
	f.Add([]byte{})
	f.Add(mustHex(f, "00000010 00000000 05c248eb 7d98c8ff")) // an empty message
	f.Add(mustHex(f, "ffffffff 00000000 00000000"))

	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for range 64 {
			before := r.Len()
			msg, err := ReadMessage(r)
			if err != nil {
				if errors.Is(err, io.EOF) && before != 0 {
					t.Fatalf("io.EOF with %d bytes unread", before)
				}
				return
			}
			if before-r.Len() < preludeSize+messageCRCSize {
				t.Fatalf("a message consumed only %d bytes", before-r.Len())
			}
			var buf bytes.Buffer
			if err := eventstream.NewEncoder().Encode(&buf, msg); err != nil {
				t.Fatalf("cannot encode the decoded message %+v: %v", msg, err)
			}
			again, err := ReadMessage(&buf)
			if err != nil {
				t.Fatalf("cannot read our own encoding: %v", err)
			}
			if !reflect.DeepEqual(msg.Headers, again.Headers) || !bytes.Equal(msg.Payload, again.Payload) {
				t.Fatalf("round trip changed the message:\n%+v\n%+v", msg, again)
			}
		}
	})
}
