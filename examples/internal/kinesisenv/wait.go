package kinesisenv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Describer is the call WaitForStream makes; *kinesis.Client satisfies it.
type Describer interface {
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, optFns ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
}

// WaitForStream returns once the stream (a name or an ARN) takes records, that is once it is
// ACTIVE or UPDATING. Until then it asks again, with a backoff from 100ms up to 2s, whatever the
// error: the stream may not exist yet, or the endpoint may not be listening yet. It gives up with
// the last answer when timeout passes or ctx ends.
func WaitForStream(ctx context.Context, d Describer, stream string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	in := &kinesis.DescribeStreamSummaryInput{}
	if strings.HasPrefix(stream, "arn:") {
		in.StreamARN = aws.String(stream)
	} else {
		in.StreamName = aws.String(stream)
	}
	wait := 100 * time.Millisecond
	var last error
	for {
		out, err := d.DescribeStreamSummary(ctx, in)
		if err == nil && out.StreamDescriptionSummary != nil {
			switch st := out.StreamDescriptionSummary.StreamStatus; st {
			case types.StreamStatusActive, types.StreamStatusUpdating:
				return nil
			default:
				last = fmt.Errorf("stream is %s", st)
			}
		} else if err != nil && (ctx.Err() == nil || last == nil) {
			last = err
		} else if err == nil {
			last = errors.New("the answer has no stream description")
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("kinesisenv: stream %s did not become ACTIVE within %s: %w", stream, timeout, last)
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}
