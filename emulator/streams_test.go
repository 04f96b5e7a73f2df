package emulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// streamRows are the conformance rows of the operations of streams.go.
func streamRows() []conformanceRow {
	return []conformanceRow{{
		op: "CreateStream",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String("created"), ShardCount: aws.Int32(3)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, "created"); aws.ToInt32(d.OpenShardCount) != 3 || d.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
				t.Errorf("created stream: %d open shards, mode %s", aws.ToInt32(d.OpenShardCount), d.StreamModeDetails.StreamMode)
			}
		},
		bad: []confBad{
			{"existing name", func(e *confEnv) error {
				_, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String("created"), ShardCount: aws.Int32(1)})
				return err
			}, "ResourceInUseException", "already exists"},
			{"zero shards", func(e *confEnv) error {
				_, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String("zero"), ShardCount: aws.Int32(0)})
				return err
			}, "ValidationException", "shardCount"},
			{"bad name", func(e *confEnv) error {
				_, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String("no spaces"), ShardCount: aws.Int32(1)})
				return err
			}, "ValidationException", "streamName"},
			{"provisioned without shard count", func(e *confEnv) error {
				_, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String("noshards")})
				return err
			}, "InvalidArgumentException", "ShardCount"},
		},
	}, {
		op: "DeleteStream",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.DeleteStream(e.ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(e.stream)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			for i := 0; ; i++ {
				_, err := e.kc.DescribeStreamSummary(e.ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(e.stream)})
				if matchAPIError(err, "ResourceNotFoundException", "not found") == nil {
					return
				}
				if i == 120 {
					t.Fatalf("deleted stream still described: %v", err)
				}
				time.Sleep(time.Second)
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.DeleteStream(e.ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("missing")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"bad ARN", func(e *confEnv) error {
				_, err := e.kc.DeleteStream(e.ctx, &kinesis.DeleteStreamInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:123:stream/x")})
				return err
			}, "ValidationException", "streamARN"},
		},
	}, {
		op: "DescribeStream",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.DescribeStream(e.ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(e.stream)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			d := e.out.(*kinesis.DescribeStreamOutput).StreamDescription
			if len(d.Shards) != 2 || *d.StreamARN != e.streamARN || aws.ToInt32(d.RetentionPeriodHours) != 24 {
				t.Errorf("described %d shards, ARN %s, retention %d", len(d.Shards), *d.StreamARN, aws.ToInt32(d.RetentionPeriodHours))
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.DescribeStream(e.ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("missing")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"zero limit", func(e *confEnv) error {
				_, err := e.kc.DescribeStream(e.ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(e.stream), Limit: aws.Int32(0)})
				return err
			}, "ValidationException", "limit"},
		},
	}, {
		op: "DescribeStreamSummary",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.DescribeStreamSummary(e.ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(e.streamARN)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			d := e.out.(*kinesis.DescribeStreamSummaryOutput).StreamDescriptionSummary
			if aws.ToInt32(d.OpenShardCount) != 2 || *d.StreamName != e.stream || aws.ToInt32(d.MaxRecordSizeInKiB) != 1024 {
				t.Errorf("summary: %d open shards, name %s, max record %d KiB", aws.ToInt32(d.OpenShardCount), *d.StreamName, aws.ToInt32(d.MaxRecordSizeInKiB))
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.DescribeStreamSummary(e.ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("missing")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"name too long", func(e *confEnv) error {
				_, err := e.kc.DescribeStreamSummary(e.ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(strings.Repeat("a", 129))})
				return err
			}, "ValidationException", "128"},
		},
	}, {
		op: "ListStreams",
		setup: func(t *testing.T, e *confEnv) {
			e.createStream(t, "second", 1)
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListStreams(e.ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			first := e.out.(*kinesis.ListStreamsOutput)
			if len(first.StreamNames) != 1 || !aws.ToBool(first.HasMoreStreams) || first.NextToken == nil {
				t.Fatalf("first page %v, more %v", first.StreamNames, aws.ToBool(first.HasMoreStreams))
			}
			next, err := e.kc.ListStreams(e.ctx, &kinesis.ListStreamsInput{NextToken: first.NextToken})
			if err != nil {
				t.Fatal(err)
			}
			if got := append(first.StreamNames, next.StreamNames...); fmt.Sprint(got) != "[conformance second]" {
				t.Errorf("listed %v", got)
			}
		},
		bad: []confBad{
			{"zero limit", func(e *confEnv) error {
				_, err := e.kc.ListStreams(e.ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(0)})
				return err
			}, "ValidationException", "limit"},
			{"forged token", func(e *confEnv) error {
				_, err := e.kc.ListStreams(e.ctx, &kinesis.ListStreamsInput{NextToken: aws.String("AAAAforged")})
				return err
			}, "InvalidArgumentException", "NextToken"},
		},
	}}
}
