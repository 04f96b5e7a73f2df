package wire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

func ExampleMarshalCBOR() {
	type record struct {
		Data                        []byte          `json:"Data"`
		PartitionKey                string          `json:"PartitionKey"`
		ApproximateArrivalTimestamp *wire.Timestamp `json:"ApproximateArrivalTimestamp,omitempty"`
	}
	arrival := wire.FromMillis(1506440188749)
	b, err := wire.MarshalCBOR(record{Data: []byte("hi"), PartitionKey: "k", ApproximateArrivalTimestamp: &arrival})
	if err != nil {
		panic(err)
	}
	fmt.Println(hex.EncodeToString(b))
	// Output:
	// bf64446174614268696c506172746974696f6e4b6579616b781b417070726f78696d6174654172726976616c54696d657374616d70c11b0000015ebed5134dff
}

func ExampleUnmarshalCBOR() {
	// {"StreamName": "s", "Data": h'6869', "Unknown": [1]}, as a client may send it.
	body, _ := hex.DecodeString("bf6a53747265616d4e616d656173644461746142686967556e6b6e6f776e8101ff")
	var req struct {
		StreamName string `json:"StreamName"`
		Data       []byte `json:"Data"`
	}
	err := wire.UnmarshalCBOR(body, &req)
	fmt.Printf("%q %q %v\n", req.StreamName, req.Data, err)

	var se *wire.SyntaxError
	err = wire.UnmarshalCBOR([]byte{0xbf, 0x61}, &req)
	fmt.Println(errors.As(err, &se), se.Msg)
	// Output:
	// "s" "hi" <nil>
	// true cbor: string length 1 exceeds the 0 bytes left (offset 2)
}

func ExampleEventWriter() {
	rec := httptest.NewRecorder()
	w := wire.NewEventWriter(rec, rec.Flush)
	if err := w.WriteInitialResponse(wire.JSON); err != nil {
		panic(err)
	}
	if err := w.WriteEvent(wire.EventSubscribeToShardEvent, []byte(`{"Records":[]}`), wire.ContentTypeJSON); err != nil {
		panic(err)
	}
	for {
		msg, err := wire.ReadMessage(rec.Body)
		if err != nil {
			break
		}
		fmt.Println(msg.Headers.Get(":event-type"), string(msg.Payload))
	}
	// Output:
	// initial-response {}
	// SubscribeToShardEvent {"Records":[]}
}

func ExampleVerify() {
	body := []byte(`{}`)
	sum := sha256.Sum256(body)
	signed := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	r := httptest.NewRequest("POST", "http://localhost:4567/", bytes.NewReader(body))
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", signed); err != nil {
		panic(err)
	}

	cred, err := wire.ParseAuth(r)
	fmt.Println(cred.AccessKey, cred.Region, cred.Service, err)
	fmt.Println(wire.Verify(r, body, "secret", signed.Add(time.Minute)))

	err = wire.Verify(r, body, "other", signed)
	var ae *wire.AuthError
	if errors.As(err, &ae) {
		fmt.Println(ae.Type, strings.SplitN(ae.Message, ".", 2)[0])
	}
	// Output:
	// AKID us-east-1 kinesis <nil>
	// <nil>
	// InvalidSignatureException The request signature we calculated does not match the signature you provided
}
