package wire

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// FuzzUnmarshalCBOR feeds arbitrary bodies to the decoder. It must never panic and must fail only
// with *SyntaxError; what it accepts must be well-formed to the reference decoder, must encode
// again, and must reach a fixed point after one round trip; where both decoders accept a request
// shape they must agree on its value.
func FuzzUnmarshalCBOR(f *testing.F) {
	seeds := [][]byte{
		javaPutRecord(f),
		javaGetShardIterator(f),
		mustHex(f, "bf 6178 1bffffffffffffffff 617a 9f 5f41ff42ffffff bf6179c1f6ff ff 6161 0a ff"),
		mustHex(f, "a2 6161 01 6162 82 02 03"),
		mustHex(f, "9f 018202039f0405ffff"),
		mustHex(f, "c1 fb4275ebed5134d800"),
		mustHex(f, "7f 657374726561646d696e67 ff"),
		mustHex(f, "5f 42 0102 43 030405 ff"),
		mustHex(f, "f9 7e00"),
		{0xff},
		{},
	}
	golden, _ := filepath.Glob(filepath.Join("testdata", "*.cbor"))
	for _, path := range golden {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, v := range []any{
		testPutRecordsInput{StreamName: "s", Records: []testPutRecordsEntry{{Data: []byte("x"), PartitionKey: "p", ExplicitHashKey: ptr("1")}}},
		testGetRecordsOutput{Records: []testRecord{{SequenceNumber: "1", ApproximateArrivalTimestamp: ptr(FromMillis(5)), Data: []byte{0}}}},
	} {
		b, err := MarshalCBOR(v)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, s := range seeds {
		f.Add(s)
	}

	ref := referenceDecoder(f)
	strict, err := cbor.DecOptions{
		MaxNestedLevels:  maxDecodeDepth * 4,
		MaxArrayElements: 1 << 30,
		MaxMapPairs:      1 << 30,
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	}.DecMode()
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		var doc any
		err := UnmarshalCBOR(data, &doc)
		assertSyntaxError(t, err)
		if err == nil {
			if werr := ref.Wellformed(data); werr != nil {
				t.Fatalf("accepted % x, which the reference decoder calls malformed: %v", data, werr)
			}
			first, err := MarshalCBOR(doc)
			if err != nil {
				t.Fatalf("cannot encode the decoded %#v: %v", doc, err)
			}
			var again any
			if err := UnmarshalCBOR(first, &again); err != nil {
				t.Fatalf("cannot decode our own % x: %v", first, err)
			}
			second, err := MarshalCBOR(again)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("no fixed point:\n% x\n% x", first, second)
			}
		}

		var resp testGetRecordsOutput
		err = UnmarshalCBOR(data, &resp)
		assertSyntaxError(t, err)
		if err == nil {
			if _, err := MarshalCBOR(resp); err != nil {
				t.Fatalf("cannot encode the decoded %#v: %v", resp, err)
			}
		}

		var ours, theirs testPutRecordsInput
		errOurs := UnmarshalCBOR(data, &ours)
		assertSyntaxError(t, errOurs)
		if errOurs == nil && strict.Unmarshal(data, &theirs) == nil {
			a, _ := MarshalCBOR(ours)
			b, _ := MarshalCBOR(theirs)
			if !bytes.Equal(a, b) {
				t.Fatalf("decoders disagree on % x:\nours   %#v\ntheirs %#v", data, ours, theirs)
			}
		}
		// Into a lent arena that an earlier request filled: the same value.
		var lent testPutRecordsInput
		arena := &Arena{buf: bytes.Repeat([]byte{0xAA}, 16)}
		errLent := unmarshalCBOR(data, &lent, arena)
		if (errLent == nil) != (errOurs == nil) {
			t.Fatalf("% x: error %v with an arena, %v without", data, errLent, errOurs)
		}
		if errOurs == nil {
			a, _ := MarshalCBOR(ours)
			b, _ := MarshalCBOR(lent)
			if !bytes.Equal(a, b) {
				t.Fatalf("% x decodes differently into an arena:\n%#v\n%#v", data, lent, ours)
			}
		}
		// Again into the same arena, its type cache warm: the same answer.
		var again testPutRecordsInput
		errAgain := unmarshalCBOR(data, &again, arena)
		if (errAgain == nil) != (errOurs == nil) || (errOurs != nil && errAgain.Error() != errOurs.Error()) {
			t.Fatalf("% x: error %v with a warm arena, %v without", data, errAgain, errOurs)
		}
		if errOurs == nil {
			a, _ := MarshalCBOR(ours)
			b, _ := MarshalCBOR(again)
			if !bytes.Equal(a, b) {
				t.Fatalf("% x decodes differently into a warm arena:\n%#v\n%#v", data, again, ours)
			}
		}
	})
}

func assertSyntaxError(t *testing.T, err error) {
	t.Helper()
	var se *SyntaxError
	if err != nil && !errors.As(err, &se) {
		t.Fatalf("decode failure is %T, not *SyntaxError: %v", err, err)
	}
}
