package sdkhttp

import (
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// OwnProtocol gives one SubscribeToShard call a protocol of its own; pass it as the call's option.
// The SDK's JSON protocol holds one event stream codec for every call of a client, and its scratch
// state is written by each open stream's reader without a lock (aws/smithy-go#714): a data race as
// soon as two subscriptions are open. A fresh protocol per subscription, identical to the client's
// default, keeps each stream's decoding to itself.
func OwnProtocol(o *kinesis.Options) {
	if _, ok := o.Protocol.(*awsjson.Protocol); ok {
		o.Protocol = awsjson.New11(schemas.Kinesis_20131202)
	}
}
