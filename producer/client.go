package producer

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Client is the part of the Kinesis API the producer uses. *kinesis.Client satisfies it, against
// AWS or an emulator alike; tests may pass a fake.
type Client interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
}

var _ Client = (*kinesis.Client)(nil)

// streamRef names the stream by name or, when it starts with "arn:", by ARN.
type streamRef string

func (s streamRef) isARN() bool { return strings.HasPrefix(string(s), "arn:") }

func (s streamRef) setPut(in *kinesis.PutRecordsInput) {
	if s.isARN() {
		in.StreamARN = aws.String(string(s))
	} else {
		in.StreamName = aws.String(string(s))
	}
}

// oneAttempt turns off the SDK's own retries for a call: the producer retries per record, with its
// own backoff, deadline and ordering rules.
func oneAttempt(o *kinesis.Options) { o.RetryMaxAttempts = 1 }
