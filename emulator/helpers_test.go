package emulator_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// matchAPIError explains how err differs from an API error of code whose message contains msg.
func matchAPIError(err error, code, msg string) error {
	if err == nil {
		return fmt.Errorf("want %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("want %s, got a client-side error: %v", code, err)
	}
	if ae.ErrorCode() != code {
		return fmt.Errorf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if !strings.Contains(ae.ErrorMessage(), msg) {
		return fmt.Errorf("%s message %q does not mention %q", code, ae.ErrorMessage(), msg)
	}
	return nil
}

// createStream creates a provisioned stream and waits until it is ACTIVE; it returns its ARN.
func (e *confEnv) createStream(t *testing.T, name string, shards int32) string {
	t.Helper()
	if _, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
	return *e.waitActive(t, name).StreamARN
}

// createOnDemand creates an on-demand stream and waits until it is ACTIVE; it returns its ARN.
func (e *confEnv) createOnDemand(t *testing.T, name string) string {
	t.Helper()
	if _, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
	return *e.waitActive(t, name).StreamARN
}

// waitActive polls a stream until it is ACTIVE. The emulator's zero delays make that the first
// answer; a real endpoint takes seconds.
func (e *confEnv) waitActive(t *testing.T, name string) *types.StreamDescriptionSummary {
	t.Helper()
	for i := 0; ; i++ {
		d := e.summary(t, name)
		if d.StreamStatus == types.StreamStatusActive {
			return d
		}
		if i == 120 {
			t.Fatalf("stream %s still %s", name, d.StreamStatus)
		}
		time.Sleep(time.Second)
	}
}

func (e *confEnv) summary(t *testing.T, name string) *types.StreamDescriptionSummary {
	t.Helper()
	out, err := e.kc.DescribeStreamSummary(e.ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeStreamSummary %s: %v", name, err)
	}
	return out.StreamDescriptionSummary
}

func (e *confEnv) openShards(t *testing.T, name string) []types.Shard {
	t.Helper()
	out, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(name),
		ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil {
		t.Fatalf("ListShards %s: %v", name, err)
	}
	return out.Shards
}

// readAll reads every record of every shard from the trim horizon.
func (e *confEnv) readAll(t *testing.T, name string) []types.Record {
	t.Helper()
	shards, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListShards %s: %v", name, err)
	}
	var all []types.Record
	for _, sh := range shards.Shards {
		it, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
			ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatalf("GetShardIterator: %v", err)
		}
		got, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		all = append(all, got.Records...)
	}
	return all
}

func (e *confEnv) put(t *testing.T, key, data string) *kinesis.PutRecordOutput {
	t.Helper()
	out, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream),
		PartitionKey: aws.String(key), Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	return out
}

// registerConsumer registers a consumer on the env's stream and waits until it is ACTIVE.
func (e *confEnv) registerConsumer(t *testing.T, name string) string {
	t.Helper()
	out, err := e.kc.RegisterStreamConsumer(e.ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	arn := *out.Consumer.ConsumerARN
	for i := 0; ; i++ {
		d, err := e.kc.DescribeStreamConsumer(e.ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeStreamConsumer: %v", err)
		}
		if d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			return arn
		}
		if i == 120 {
			t.Fatalf("consumer %s still %s", arn, d.ConsumerDescription.ConsumerStatus)
		}
		time.Sleep(time.Second)
	}
}

func (e *confEnv) enableCommitment(t *testing.T) {
	t.Helper()
	_, err := e.kc.UpdateAccountSettings(e.ctx, &kinesis.UpdateAccountSettingsInput{
		MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}})
	if err != nil {
		t.Fatalf("UpdateAccountSettings: %v", err)
	}
}

// s3Channel is a CreateChannel request delivering streamARN to a general purpose bucket.
func (e *confEnv) s3Channel(name, streamARN string) *kinesis.CreateChannelInput {
	return &kinesis.CreateChannelInput{
		ChannelName:             aws.String(name),
		ServiceExecutionRoleARN: aws.String("arn:aws:iam::" + e.account + ":role/delivery"),
		StreamConfigurationList: []types.ChannelStreamConfiguration{{StreamARN: aws.String(streamARN),
			RecordConfiguration: &types.RecordConfiguration{RecordFormatType: types.RecordFormatTypeJson}}},
		S3DestinationConfiguration: &types.S3DestinationConfiguration{StorageConfiguration: &types.S3StorageConfiguration{
			BucketARN: aws.String("arn:aws:s3:::pelican-delivery"), CompressionType: types.S3CompressionTypeGzip,
			ExpectedBucketOwner: aws.String(e.account)}},
	}
}

// createChannel creates a channel from a new on-demand stream and waits until it is ACTIVE.
func (e *confEnv) createChannel(t *testing.T, name string) string {
	t.Helper()
	src := e.createOnDemand(t, name+"-source")
	out, err := e.kc.CreateChannel(e.ctx, e.s3Channel(name, src))
	if err != nil {
		t.Fatalf("CreateChannel: %v", err)
	}
	arn := *out.ChannelDescription.ChannelARN
	for i := 0; ; i++ {
		d, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeChannel: %v", err)
		}
		if d.ChannelDescription.ChannelStatus == types.ChannelStatusActive {
			return arn
		}
		if i == 300 {
			t.Fatalf("channel %s still %s", arn, d.ChannelDescription.ChannelStatus)
		}
		time.Sleep(time.Second)
	}
}

func (e *confEnv) tags(t *testing.T, arn string) map[string]string {
	t.Helper()
	out, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[*tg.Key] = aws.ToString(tg.Value)
	}
	return m
}

func (e *confEnv) policy(t *testing.T, arn string) string {
	t.Helper()
	out, err := e.kc.GetResourcePolicy(e.ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetResourcePolicy: %v", err)
	}
	return aws.ToString(out.Policy)
}

// missingARN is the ARN of a stream that does not exist in the env's account.
func (e *confEnv) missingARN() string {
	return strings.TrimSuffix(e.streamARN, e.stream) + "missing"
}

// manyTags returns n distinct tags.
func manyTags(n int) map[string]string {
	m := map[string]string{}
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("key-%03d", i)] = "v"
	}
	return m
}

const testPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kinesis:GetRecords","Resource":"*"}]}`
