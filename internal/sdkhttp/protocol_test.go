package sdkhttp_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

// TestOwnProtocol pins the workaround for aws/smithy-go#714: each subscription decodes with a
// protocol of its own, equal to the client's default.
func TestOwnProtocol(t *testing.T) {
	client := kinesis.New(kinesis.Options{Region: "us-east-1"})
	shared := client.Options().Protocol
	if _, ok := shared.(*awsjson.Protocol); !ok {
		t.Fatalf("the client's protocol is %T; the workaround expects *awsjson.Protocol", shared)
	}
	o := client.Options()
	sdkhttp.OwnProtocol(&o)
	if o.Protocol == shared {
		t.Fatal("the subscription shares the client's protocol")
	}
	if _, ok := o.Protocol.(*awsjson.Protocol); !ok {
		t.Fatalf("the subscription's protocol is %T", o.Protocol)
	}
}
