package main

import (
	"context"
	"testing"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

// TestClientHidesWriterTo checks that the Kinesis client of record and replay carries the SDK
// body workaround, aimed at an emulator and at AWS.
func TestClientHidesWriterTo(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	for _, endpoint := range []string{"", "http://127.0.0.1:4567"} {
		k := &kinesisTarget{stream: "s", endpoint: endpoint}
		kc, err := k.client(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !sdkhttp.Wrapped(kc.Options().HTTPClient) {
			t.Errorf("endpoint %q: the client's HTTP client %T lacks the sdkhttp workaround", endpoint, kc.Options().HTTPClient)
		}
	}
}
