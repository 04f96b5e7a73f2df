package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/pelicanhq/pelican/emulator"
)

// The conformance suite drives every operation of the pinned SDK client against a Kinesis
// endpoint: a call that succeeds, a check that reads the change back through the matching
// Describe, List or Get call, and bad inputs that must each get AWS's error type and a clear
// message. The suite speaks only through the client it is given, so it can aim at the emulator
// over JSON or CBOR, at a peer emulator, or at AWS itself.

// conformanceTarget gives each row a client aimed at a fresh endpoint (or a fresh corner of one).
type conformanceTarget func(t *testing.T) *kinesis.Client

// conformanceRow is one SDK operation.
type conformanceRow struct {
	op string
	// setup prepares what the call needs beyond the env's ACTIVE two-shard stream.
	setup func(t *testing.T, e *confEnv)
	// call performs the operation successfully; what it answers goes in e.out for check.
	call func(t *testing.T, e *confEnv) error
	// check reads the state back and fails the test when the operation had no effect.
	check func(t *testing.T, e *confEnv)
	// bad are requests the endpoint must refuse, run after the successful call.
	bad []confBad
}

// confBad is a request that must fail with code, its message containing msg.
type confBad struct {
	name string
	call func(e *confEnv) error
	code string
	msg  string
}

// confEnv is the state a row works in: a client and a provisioned stream of two shards.
type confEnv struct {
	ctx       context.Context
	kc        *kinesis.Client
	stream    string
	streamARN string
	account   string
	out       any               // what call answered
	v         map[string]string // values a row hands from setup to call, check and bad inputs
}

func TestConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) *kinesis.Client {
		return newClient(t, emulator.RunT(t))
	})
}

// runConformance runs every row against target, each in its own subtest.
func runConformance(t *testing.T, target conformanceTarget) {
	for _, row := range conformanceRows() {
		t.Run(row.op, func(t *testing.T) {
			e := &confEnv{ctx: ctxT(t), kc: target(t), stream: "conformance", v: map[string]string{}}
			e.streamARN = e.createStream(t, e.stream, 2)
			e.account = strings.Split(e.streamARN, ":")[4]
			if row.setup != nil {
				row.setup(t, e)
			}
			if err := row.call(t, e); err != nil {
				t.Fatalf("%s: %v", row.op, err)
			}
			row.check(t, e)
			for _, b := range row.bad {
				if err := matchAPIError(b.call(e), b.code, b.msg); err != nil {
					t.Errorf("%s / %s: %v", row.op, b.name, err)
				}
			}
		})
	}
}

// TestConformanceCoversEveryOperation fails for any operation of the pinned SDK client that has
// no conformance row, for rows that name no SDK operation, and for rows without bad inputs when
// the operation takes any input.
func TestConformanceCoversEveryOperation(t *testing.T) {
	ops := sdkOperations()
	if len(ops) < 45 {
		t.Fatalf("found only %d operations on *kinesis.Client; the reflection is broken", len(ops))
	}
	rows := map[string]conformanceRow{}
	for _, r := range conformanceRows() {
		if _, dup := rows[r.op]; dup {
			t.Errorf("two rows for %s", r.op)
		}
		rows[r.op] = r
	}
	var missing []string
	for op, hasInput := range ops {
		r, ok := rows[op]
		switch {
		case !ok:
			missing = append(missing, op)
		case hasInput && len(r.bad) == 0:
			t.Errorf("row %s has no bad inputs", op)
		case r.call == nil || r.check == nil:
			t.Errorf("row %s lacks a call or a check", op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without a conformance row: %s", strings.Join(missing, ", "))
	}
	for op := range rows {
		if _, ok := ops[op]; !ok {
			t.Errorf("row %s names no operation of the SDK client", op)
		}
	}
}

// sdkOperations lists the operations of *kinesis.Client: the methods shaped
// (context.Context, *kinesis.XInput, ...func(*kinesis.Options)) (*kinesis.XOutput, error). The
// value says whether the input has any member a caller can get wrong.
func sdkOperations() map[string]bool {
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	ct := reflect.TypeFor[*kinesis.Client]()
	ops := map[string]bool{}
	for i := 0; i < ct.NumMethod(); i++ {
		m := ct.Method(i).Type // receiver first
		if m.NumIn() != 4 || m.NumOut() != 2 || !m.IsVariadic() || m.In(1) != ctxType || m.Out(1) != errType {
			continue
		}
		in, out := m.In(2), m.Out(0)
		name := ct.Method(i).Name
		if in.Kind() != reflect.Pointer || in.Elem().Name() != name+"Input" || out.Kind() != reflect.Pointer || out.Elem().Name() != name+"Output" {
			continue
		}
		hasInput := false
		for j := 0; j < in.Elem().NumField(); j++ {
			if f := in.Elem().Field(j); f.IsExported() && f.Name != "StreamId" {
				hasInput = true
			}
		}
		ops[name] = hasInput
	}
	return ops
}

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

// --- what rows share ---

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

// conformanceRows is the table: one row per operation of the SDK client.
func conformanceRows() []conformanceRow {
	var rows []conformanceRow
	rows = append(rows, streamRows()...)
	rows = append(rows, recordRows()...)
	rows = append(rows, shardRows()...)
	rows = append(rows, consumerRows()...)
	rows = append(rows, tagRows()...)
	rows = append(rows, settingRows()...)
	rows = append(rows, accountRows()...)
	rows = append(rows, channelRows()...)
	return rows
}

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

func recordRows() []conformanceRow {
	return []conformanceRow{{
		op: "PutRecord",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"), Data: []byte("hello")})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			seq := *e.out.(*kinesis.PutRecordOutput).SequenceNumber
			recs := e.readAll(t, e.stream)
			if len(recs) != 1 || *recs[0].SequenceNumber != seq || string(recs[0].Data) != "hello" {
				t.Errorf("read back %d records", len(recs))
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String("missing"), PartitionKey: aws.String("k"), Data: []byte("x")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"hash key over 2^128-1", func(e *confEnv) error {
				_, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"),
					ExplicitHashKey: aws.String("340282366920938463463374607431768211456"), Data: []byte("x")})
				return err
			}, "InvalidArgumentException", "ExplicitHashKey"},
			{"record over 1 MiB", func(e *confEnv) error {
				_, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"), Data: make([]byte, 1<<20)})
				return err
			}, "InvalidArgumentException", "1024 KiB"},
		},
	}, {
		op: "PutRecords",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.PutRecords(e.ctx, &kinesis.PutRecordsInput{StreamName: aws.String(e.stream), Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("a"), Data: []byte("1")}, {PartitionKey: aws.String("b"), Data: []byte("2")}}})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if out := e.out.(*kinesis.PutRecordsOutput); aws.ToInt32(out.FailedRecordCount) != 0 || len(out.Records) != 2 {
				t.Fatalf("PutRecords answered %d failures of %d", aws.ToInt32(out.FailedRecordCount), len(out.Records))
			}
			if recs := e.readAll(t, e.stream); len(recs) != 2 {
				t.Errorf("read back %d records, want 2", len(recs))
			}
		},
		bad: []confBad{
			{"501 records", func(e *confEnv) error {
				recs := make([]types.PutRecordsRequestEntry, 501)
				for i := range recs {
					recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
				}
				_, err := e.kc.PutRecords(e.ctx, &kinesis.PutRecordsInput{StreamName: aws.String(e.stream), Records: recs})
				return err
			}, "ValidationException", "500"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.PutRecords(e.ctx, &kinesis.PutRecordsInput{StreamName: aws.String("missing"), Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "GetRecords",
		setup: func(t *testing.T, e *confEnv) {
			e.v["shard"] = *e.put(t, "k", "payload").ShardId
		},
		call: func(t *testing.T, e *confEnv) error {
			it, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
				ShardId: aws.String(e.v["shard"]), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			if err != nil {
				return err
			}
			out, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			out := e.out.(*kinesis.GetRecordsOutput)
			if len(out.Records) != 1 || string(out.Records[0].Data) != "payload" || out.NextShardIterator == nil {
				t.Errorf("got %d records, next iterator %v", len(out.Records), out.NextShardIterator != nil)
			}
		},
		bad: []confBad{
			{"garbage iterator", func(e *confEnv) error {
				_, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAgarbage")})
				return err
			}, "InvalidArgumentException", "ShardIterator"},
			{"zero limit", func(e *confEnv) error {
				_, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAgarbage"), Limit: aws.Int32(0)})
				return err
			}, "ValidationException", "limit"},
		},
	}, {
		op: "GetShardIterator",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
				ShardId: aws.String("shardId-000000000001"), ShardIteratorType: types.ShardIteratorTypeLatest})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			it := e.out.(*kinesis.GetShardIteratorOutput).ShardIterator
			out, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: it})
			if err != nil || len(out.Records) != 0 || out.NextShardIterator == nil {
				t.Errorf("LATEST iterator read %v, err %v", out, err)
			}
		},
		bad: []confBad{
			{"unknown shard", func(e *confEnv) error {
				_, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
					ShardId: aws.String("shardId-000000000009"), ShardIteratorType: types.ShardIteratorTypeLatest})
				return err
			}, "ResourceNotFoundException", "shardId-000000000009"},
			{"sequence type without sequence", func(e *confEnv) error {
				_, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
					ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})
				return err
			}, "InvalidArgumentException", "StartingSequenceNumber"},
			{"unknown iterator type", func(e *confEnv) error {
				_, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
					ShardId: aws.String("shardId-000000000000"), ShardIteratorType: "SOMEWHERE"})
				return err
			}, "ValidationException", "shardIteratorType"},
		},
	}}
}

func shardRows() []conformanceRow {
	return []conformanceRow{{
		op: "ListShards",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(e.stream), MaxResults: aws.Int32(1)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			first := e.out.(*kinesis.ListShardsOutput)
			if len(first.Shards) != 1 || first.NextToken == nil {
				t.Fatalf("first page: %d shards, token %v", len(first.Shards), first.NextToken != nil)
			}
			next, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{NextToken: first.NextToken})
			if err != nil {
				t.Fatal(err)
			}
			if len(next.Shards) != 1 || *next.Shards[0].ShardId != "shardId-000000000001" {
				t.Errorf("second page %v", next.Shards)
			}
		},
		bad: []confBad{
			{"zero max results", func(e *confEnv) error {
				_, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(e.stream), MaxResults: aws.Int32(0)})
				return err
			}, "ValidationException", "maxResults"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String("missing")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"token with stream name", func(e *confEnv) error {
				_, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(e.stream), NextToken: aws.String("AAAA")})
				return err
			}, "InvalidArgumentException", "NextToken"},
		},
	}, {
		op: "SplitShard",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.SplitShard(e.ctx, &kinesis.SplitShardInput{StreamName: aws.String(e.stream),
				ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("85070591730234615865843651857942052864")})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			e.waitActive(t, e.stream)
			if open := e.openShards(t, e.stream); len(open) != 3 {
				t.Errorf("%d open shards after a split, want 3", len(open))
			}
		},
		bad: []confBad{
			{"hash key outside the shard", func(e *confEnv) error {
				_, err := e.kc.SplitShard(e.ctx, &kinesis.SplitShardInput{StreamName: aws.String(e.stream),
					ShardToSplit: aws.String("shardId-000000000001"), NewStartingHashKey: aws.String("1")})
				return err
			}, "InvalidArgumentException", "NewStartingHashKey"},
			{"unknown shard", func(e *confEnv) error {
				_, err := e.kc.SplitShard(e.ctx, &kinesis.SplitShardInput{StreamName: aws.String(e.stream),
					ShardToSplit: aws.String("shardId-000000000042"), NewStartingHashKey: aws.String("1")})
				return err
			}, "ResourceNotFoundException", "shardId-000000000042"},
		},
	}, {
		op: "MergeShards",
		setup: func(t *testing.T, e *confEnv) {
			e.createStream(t, "trio", 3)
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.MergeShards(e.ctx, &kinesis.MergeShardsInput{StreamName: aws.String(e.stream),
				ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			e.waitActive(t, e.stream)
			if open := e.openShards(t, e.stream); len(open) != 1 {
				t.Errorf("%d open shards after a merge, want 1", len(open))
			}
		},
		bad: []confBad{
			{"not adjacent", func(e *confEnv) error {
				_, err := e.kc.MergeShards(e.ctx, &kinesis.MergeShardsInput{StreamName: aws.String("trio"),
					ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
				return err
			}, "InvalidArgumentException", "adjacent"},
			{"unknown shard", func(e *confEnv) error {
				_, err := e.kc.MergeShards(e.ctx, &kinesis.MergeShardsInput{StreamName: aws.String(e.stream),
					ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000042")})
				return err
			}, "ResourceNotFoundException", "shardId-000000000042"},
		},
	}, {
		op: "UpdateShardCount",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.UpdateShardCount(e.ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(e.stream),
				TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, e.stream); aws.ToInt32(d.OpenShardCount) != 4 {
				t.Errorf("%d open shards, want 4", aws.ToInt32(d.OpenShardCount))
			}
		},
		bad: []confBad{
			{"more than double", func(e *confEnv) error {
				_, err := e.kc.UpdateShardCount(e.ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(e.stream),
					TargetShardCount: aws.Int32(9), ScalingType: types.ScalingTypeUniformScaling})
				return err
			}, "LimitExceededException", "double"},
			{"unknown scaling type", func(e *confEnv) error {
				_, err := e.kc.UpdateShardCount(e.ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(e.stream),
					TargetShardCount: aws.Int32(2), ScalingType: "LOPSIDED"})
				return err
			}, "ValidationException", "scalingType"},
		},
	}}
}

func consumerRows() []conformanceRow {
	return []conformanceRow{{
		op: "RegisterStreamConsumer",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.RegisterStreamConsumer(e.ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String("reader")})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			arn := e.out.(*kinesis.RegisterStreamConsumerOutput).Consumer.ConsumerARN
			out, err := e.kc.DescribeStreamConsumer(e.ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: arn})
			if err != nil || *out.ConsumerDescription.ConsumerName != "reader" || *out.ConsumerDescription.StreamARN != e.streamARN {
				t.Errorf("registered consumer described as %v (%v)", out, err)
			}
		},
		bad: []confBad{
			{"existing name", func(e *confEnv) error {
				_, err := e.kc.RegisterStreamConsumer(e.ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String("reader")})
				return err
			}, "ResourceInUseException", "reader"},
			{"bad name", func(e *confEnv) error {
				_, err := e.kc.RegisterStreamConsumer(e.ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String("bad name")})
				return err
			}, "ValidationException", "consumerName"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.RegisterStreamConsumer(e.ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(e.missingARN()), ConsumerName: aws.String("x")})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "DeregisterStreamConsumer",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "leaving")
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.DeregisterStreamConsumer(e.ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(e.v["consumer"])})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			for i := 0; ; i++ {
				_, err := e.kc.DescribeStreamConsumer(e.ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(e.v["consumer"])})
				if matchAPIError(err, "ResourceNotFoundException", "leaving") == nil {
					return
				}
				if i == 120 {
					t.Fatalf("deregistered consumer still described: %v", err)
				}
				time.Sleep(time.Second)
			}
		},
		bad: []confBad{
			{"unknown consumer", func(e *confEnv) error {
				_, err := e.kc.DeregisterStreamConsumer(e.ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String("nobody")})
				return err
			}, "ResourceNotFoundException", "nobody"},
			{"malformed consumer ARN", func(e *confEnv) error {
				_, err := e.kc.DeregisterStreamConsumer(e.ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(e.streamARN)})
				return err
			}, "ValidationException", "consumerARN"},
		},
	}, {
		op: "DescribeStreamConsumer",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "described")
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.DescribeStreamConsumer(e.ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String("described")})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			d := e.out.(*kinesis.DescribeStreamConsumerOutput).ConsumerDescription
			if *d.ConsumerARN != e.v["consumer"] || d.ConsumerStatus != types.ConsumerStatusActive {
				t.Errorf("described %s %s", *d.ConsumerARN, d.ConsumerStatus)
			}
		},
		bad: []confBad{
			{"unknown consumer", func(e *confEnv) error {
				_, err := e.kc.DescribeStreamConsumer(e.ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String("nobody")})
				return err
			}, "ResourceNotFoundException", "nobody"},
			{"naming nothing", func(e *confEnv) error {
				_, err := e.kc.DescribeStreamConsumer(e.ctx, &kinesis.DescribeStreamConsumerInput{})
				return err
			}, "InvalidArgumentException", "ConsumerARN"},
		},
	}, {
		op: "ListStreamConsumers",
		setup: func(t *testing.T, e *confEnv) {
			e.registerConsumer(t, "one")
			e.registerConsumer(t, "two")
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListStreamConsumers(e.ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(e.streamARN)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			var names []string
			for _, c := range e.out.(*kinesis.ListStreamConsumersOutput).Consumers {
				names = append(names, *c.ConsumerName)
			}
			sort.Strings(names)
			if fmt.Sprint(names) != "[one two]" {
				t.Errorf("listed %v", names)
			}
		},
		bad: []confBad{
			{"zero max results", func(e *confEnv) error {
				_, err := e.kc.ListStreamConsumers(e.ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(e.streamARN), MaxResults: aws.Int32(0)})
				return err
			}, "ValidationException", "maxResults"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.ListStreamConsumers(e.ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(e.missingARN())})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "SubscribeToShard",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "subscriber")
			out, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"),
				ExplicitHashKey: aws.String("0"), Data: []byte("pushed")})
			if err != nil {
				t.Fatal(err)
			}
			e.v["seq"] = *out.SequenceNumber
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.SubscribeToShard(e.ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(e.v["consumer"]),
				ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			es := e.out.(*kinesis.SubscribeToShardOutput).GetStream()
			defer es.Close()
			for ev := range es.Events() {
				sub, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
				if !ok || len(sub.Value.Records) == 0 {
					continue
				}
				if r := sub.Value.Records[0]; *r.SequenceNumber != e.v["seq"] || string(r.Data) != "pushed" {
					t.Errorf("pushed record %s %q", *r.SequenceNumber, r.Data)
				}
				return
			}
			t.Errorf("subscription ended without the record: %v", es.Err())
		},
		bad: []confBad{
			{"unknown consumer", func(e *confEnv) error {
				_, err := e.kc.SubscribeToShard(e.ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(e.streamARN + "/consumer/nobody:1"),
					ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
				return err
			}, "ResourceNotFoundException", "nobody"},
			{"unknown shard", func(e *confEnv) error {
				_, err := e.kc.SubscribeToShard(e.ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(e.v["consumer"]),
					ShardId: aws.String("shardId-000000000042"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
				return err
			}, "ResourceNotFoundException", "shardId-000000000042"},
		},
	}}
}

func tagRows() []conformanceRow {
	return []conformanceRow{{
		op: "AddTagsToStream",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"team": "data", "env": "test"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			out, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Tags) != 2 || *out.Tags[0].Key != "env" || *out.Tags[1].Value != "data" {
				t.Errorf("tags %v", out.Tags)
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("missing"), Tags: map[string]string{"a": "b"}})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"more than 50 tags", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: manyTags(49)})
				return err
			}, "InvalidArgumentException", "50 tags"},
			{"invalid characters", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"semi;colon": "x"}})
				return err
			}, "InvalidArgumentException", "invalid characters"},
			{"key too long", func(e *confEnv) error {
				_, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{strings.Repeat("k", 129): "x"}})
				return err
			}, "ValidationException", "128"},
		},
	}, {
		op: "RemoveTagsFromStream",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"keep": "1", "drop": "2"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String(e.stream), TagKeys: []string{"drop", "absent"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.tags(t, e.streamARN); fmt.Sprint(got) != "map[keep:1]" {
				t.Errorf("tags after removal %v", got)
			}
		},
		bad: []confBad{
			{"no keys", func(e *confEnv) error {
				_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String(e.stream), TagKeys: []string{}})
				return err
			}, "ValidationException", "tagKeys"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.RemoveTagsFromStream(e.ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("missing"), TagKeys: []string{"a"}})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "ListTagsForStream",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"a": "1", "b": "2", "c": "3"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream), Limit: aws.Int32(2)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			first := e.out.(*kinesis.ListTagsForStreamOutput)
			if len(first.Tags) != 2 || !aws.ToBool(first.HasMoreTags) {
				t.Fatalf("first page %d tags, more %v", len(first.Tags), aws.ToBool(first.HasMoreTags))
			}
			rest, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream), ExclusiveStartTagKey: first.Tags[1].Key})
			if err != nil {
				t.Fatal(err)
			}
			if len(rest.Tags) != 1 || *rest.Tags[0].Key != "c" || aws.ToBool(rest.HasMoreTags) {
				t.Errorf("second page %v", rest.Tags)
			}
		},
		bad: []confBad{
			{"zero limit", func(e *confEnv) error {
				_, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(e.stream), Limit: aws.Int32(0)})
				return err
			}, "ValidationException", "limit"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.ListTagsForStream(e.ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("missing")})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "TagResource",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "tagged")
		},
		call: func(t *testing.T, e *confEnv) error {
			if _, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.streamARN), Tags: map[string]string{"on": "stream"}}); err != nil {
				return err
			}
			_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.v["consumer"]), Tags: map[string]string{"on": "consumer"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if s, c := e.tags(t, e.streamARN), e.tags(t, e.v["consumer"]); s["on"] != "stream" || c["on"] != "consumer" || len(s) != 1 || len(c) != 1 {
				t.Errorf("stream tags %v, consumer tags %v", s, c)
			}
		},
		bad: []confBad{
			{"not a stream or consumer ARN", func(e *confEnv) error {
				_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:" + e.account + ":table/x"), Tags: map[string]string{"a": "b"}})
				return err
			}, "ValidationException", "resourceARN"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.missingARN()), Tags: map[string]string{"a": "b"}})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"reserved prefix", func(e *confEnv) error {
				_, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.streamARN), Tags: map[string]string{"aws:owner": "x"}})
				return err
			}, "InvalidArgumentException", "aws:"},
		},
	}, {
		op: "UntagResource",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "untagged")
			if _, err := e.kc.TagResource(e.ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(e.v["consumer"]), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.UntagResource(e.ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(e.v["consumer"]), TagKeys: []string{"a"}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.tags(t, e.v["consumer"]); fmt.Sprint(got) != "map[b:2]" {
				t.Errorf("consumer tags after untag %v", got)
			}
		},
		bad: []confBad{
			{"unknown consumer", func(e *confEnv) error {
				_, err := e.kc.UntagResource(e.ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(e.streamARN + "/consumer/nobody:1"), TagKeys: []string{"a"}})
				return err
			}, "ResourceNotFoundException", "nobody"},
			{"too many keys", func(e *confEnv) error {
				keys := make([]string, 51)
				for i := range keys {
					keys[i] = fmt.Sprint("k", i)
				}
				_, err := e.kc.UntagResource(e.ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(e.v["consumer"]), TagKeys: keys})
				return err
			}, "ValidationException", "tagKeys"},
		},
	}, {
		op: "ListTagsForResource",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.AddTagsToStream(e.ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(e.stream), Tags: map[string]string{"z": "26", "a": "1"}}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(e.streamARN)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			tags := e.out.(*kinesis.ListTagsForResourceOutput).Tags
			if len(tags) != 2 || *tags[0].Key != "a" || *tags[1].Value != "26" {
				t.Errorf("tags %v", tags)
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(e.missingARN())})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"malformed ARN", func(e *confEnv) error {
				_, err := e.kc.ListTagsForResource(e.ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:12:stream/x")})
				return err
			}, "ValidationException", "resourceARN"},
		},
	}, {
		op: "PutResourcePolicy",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String(testPolicy)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.policy(t, e.streamARN); got != testPolicy {
				t.Errorf("policy %s", got)
			}
		},
		bad: []confBad{
			{"not JSON", func(e *confEnv) error {
				_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String("allow everyone")})
				return err
			}, "InvalidArgumentException", "JSON"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.missingARN()), Policy: aws.String(testPolicy)})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "GetResourcePolicy",
		setup: func(t *testing.T, e *confEnv) {
			e.v["consumer"] = e.registerConsumer(t, "governed")
			if _, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.v["consumer"]), Policy: aws.String(testPolicy)}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.GetResourcePolicy(e.ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(e.v["consumer"])})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := aws.ToString(e.out.(*kinesis.GetResourcePolicyOutput).Policy); got != testPolicy {
				t.Errorf("consumer policy %s", got)
			}
			if got := e.policy(t, e.streamARN); got != "{}" {
				t.Errorf("stream without a policy answered %s", got)
			}
		},
		bad: []confBad{
			{"unknown consumer", func(e *confEnv) error {
				_, err := e.kc.GetResourcePolicy(e.ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(e.streamARN + "/consumer/nobody:1")})
				return err
			}, "ResourceNotFoundException", "nobody"},
		},
	}, {
		op: "DeleteResourcePolicy",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.PutResourcePolicy(e.ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(e.streamARN), Policy: aws.String(testPolicy)}); err != nil {
				t.Fatal(err)
			}
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.DeleteResourcePolicy(e.ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(e.streamARN)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.policy(t, e.streamARN); got != "{}" {
				t.Errorf("policy after delete %s", got)
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.DeleteResourcePolicy(e.ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(e.missingARN())})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}}
}

func settingRows() []conformanceRow {
	return []conformanceRow{{
		op: "IncreaseStreamRetentionPeriod",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.IncreaseStreamRetentionPeriod(e.ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(e.stream), RetentionPeriodHours: aws.Int32(168)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, e.stream); aws.ToInt32(d.RetentionPeriodHours) != 168 {
				t.Errorf("retention %d", aws.ToInt32(d.RetentionPeriodHours))
			}
		},
		bad: []confBad{
			{"shorter than now", func(e *confEnv) error {
				_, err := e.kc.IncreaseStreamRetentionPeriod(e.ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(e.stream), RetentionPeriodHours: aws.Int32(48)})
				return err
			}, "InvalidArgumentException", "can not be shorter than existing retention period (168 hours)"},
			{"over a year", func(e *confEnv) error {
				_, err := e.kc.IncreaseStreamRetentionPeriod(e.ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(e.stream), RetentionPeriodHours: aws.Int32(8761)})
				return err
			}, "InvalidArgumentException", "Maximum allowed retention period is 8760 hours"},
		},
	}, {
		op: "DecreaseStreamRetentionPeriod",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.IncreaseStreamRetentionPeriod(e.ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(e.stream), RetentionPeriodHours: aws.Int32(72)}); err != nil {
				t.Fatal(err)
			}
			e.waitActive(t, e.stream)
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.DecreaseStreamRetentionPeriod(e.ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamARN: aws.String(e.streamARN), RetentionPeriodHours: aws.Int32(48)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, e.stream); aws.ToInt32(d.RetentionPeriodHours) != 48 {
				t.Errorf("retention %d", aws.ToInt32(d.RetentionPeriodHours))
			}
		},
		bad: []confBad{
			{"longer than now", func(e *confEnv) error {
				_, err := e.kc.DecreaseStreamRetentionPeriod(e.ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String(e.stream), RetentionPeriodHours: aws.Int32(96)})
				return err
			}, "InvalidArgumentException", "can not be longer than existing retention period (48 hours)"},
			{"under a day", func(e *confEnv) error {
				_, err := e.kc.DecreaseStreamRetentionPeriod(e.ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String(e.stream), RetentionPeriodHours: aws.Int32(12)})
				return err
			}, "InvalidArgumentException", "Minimum allowed retention period is 24 hours"},
		},
	}, {
		op: "StartStreamEncryption",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.StartStreamEncryption(e.ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(e.stream),
				EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			d := e.waitActive(t, e.stream)
			if d.EncryptionType != types.EncryptionTypeKms || aws.ToString(d.KeyId) != "alias/aws/kinesis" {
				t.Errorf("encryption %s key %s", d.EncryptionType, aws.ToString(d.KeyId))
			}
			if out := e.put(t, "k", "secret"); out.EncryptionType != types.EncryptionTypeKms {
				t.Errorf("PutRecord reports encryption %s", out.EncryptionType)
			}
			if recs := e.readAll(t, e.stream); len(recs) != 1 || recs[0].EncryptionType != types.EncryptionTypeKms {
				t.Errorf("GetRecords reports %v", recs)
			}
		},
		bad: []confBad{
			{"encryption type NONE", func(e *confEnv) error {
				_, err := e.kc.StartStreamEncryption(e.ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(e.stream), EncryptionType: types.EncryptionTypeNone, KeyId: aws.String("alias/aws/kinesis")})
				return err
			}, "InvalidArgumentException", "KMS"},
			{"not a key", func(e *confEnv) error {
				_, err := e.kc.StartStreamEncryption(e.ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(e.stream), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("my key")})
				return err
			}, "InvalidArgumentException", "KeyId"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.StartStreamEncryption(e.ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("missing"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "StopStreamEncryption",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.StartStreamEncryption(e.ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(e.stream),
				EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("12345678-1234-1234-1234-123456789012")}); err != nil {
				t.Fatal(err)
			}
			e.waitActive(t, e.stream)
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.StopStreamEncryption(e.ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String(e.stream),
				EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("12345678-1234-1234-1234-123456789012")})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, e.stream); d.EncryptionType != types.EncryptionTypeNone || d.KeyId != nil {
				t.Errorf("encryption %s key %v after stop", d.EncryptionType, aws.ToString(d.KeyId))
			}
			if out := e.put(t, "k", "plain"); out.EncryptionType == types.EncryptionTypeKms {
				t.Errorf("PutRecord still reports KMS")
			}
		},
		bad: []confBad{
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.StopStreamEncryption(e.ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("missing"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"unknown encryption type", func(e *confEnv) error {
				_, err := e.kc.StopStreamEncryption(e.ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String(e.stream), EncryptionType: "ROT13", KeyId: aws.String("alias/aws/kinesis")})
				return err
			}, "ValidationException", "encryptionType"},
		},
	}, {
		op: "EnableEnhancedMonitoring",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.EnableEnhancedMonitoring(e.ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(e.stream),
				ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameIteratorAgeMilliseconds}})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			out := e.out.(*kinesis.EnableEnhancedMonitoringOutput)
			if len(out.CurrentShardLevelMetrics) != 0 || len(out.DesiredShardLevelMetrics) != 2 {
				t.Errorf("answer: current %v desired %v", out.CurrentShardLevelMetrics, out.DesiredShardLevelMetrics)
			}
			d := e.waitActive(t, e.stream)
			if len(d.EnhancedMonitoring) != 1 || fmt.Sprint(d.EnhancedMonitoring[0].ShardLevelMetrics) != "[IncomingBytes IteratorAgeMilliseconds]" {
				t.Errorf("described metrics %v", d.EnhancedMonitoring)
			}
		},
		bad: []confBad{
			{"unknown metric", func(e *confEnv) error {
				_, err := e.kc.EnableEnhancedMonitoring(e.ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(e.stream), ShardLevelMetrics: []types.MetricsName{"Latency"}})
				return err
			}, "ValidationException", "shardLevelMetrics"},
			{"no metrics", func(e *confEnv) error {
				_, err := e.kc.EnableEnhancedMonitoring(e.ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(e.stream), ShardLevelMetrics: []types.MetricsName{}})
				return err
			}, "ValidationException", "shardLevelMetrics"},
		},
	}, {
		op: "DisableEnhancedMonitoring",
		setup: func(t *testing.T, e *confEnv) {
			if _, err := e.kc.EnableEnhancedMonitoring(e.ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(e.stream), ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}}); err != nil {
				t.Fatal(err)
			}
			e.waitActive(t, e.stream)
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.DisableEnhancedMonitoring(e.ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String(e.stream),
				ShardLevelMetrics: []types.MetricsName{types.MetricsNameOutgoingBytes, types.MetricsNameOutgoingRecords}})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			out := e.out.(*kinesis.DisableEnhancedMonitoringOutput)
			if len(out.CurrentShardLevelMetrics) != 7 || len(out.DesiredShardLevelMetrics) != 5 {
				t.Errorf("answer: current %v desired %v", out.CurrentShardLevelMetrics, out.DesiredShardLevelMetrics)
			}
			d := e.waitActive(t, e.stream)
			for _, m := range d.EnhancedMonitoring[0].ShardLevelMetrics {
				if m == types.MetricsNameOutgoingBytes || m == types.MetricsNameOutgoingRecords {
					t.Errorf("%s still enabled", m)
				}
			}
		},
		bad: []confBad{
			{"unknown metric", func(e *confEnv) error {
				_, err := e.kc.DisableEnhancedMonitoring(e.ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String(e.stream), ShardLevelMetrics: []types.MetricsName{"Everything"}})
				return err
			}, "ValidationException", "shardLevelMetrics"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.DisableEnhancedMonitoring(e.ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("missing"), ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "UpdateStreamMode",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.UpdateStreamMode(e.ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(e.streamARN),
				StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, e.stream); d.StreamModeDetails.StreamMode != types.StreamModeOnDemand || aws.ToInt32(d.OpenShardCount) != 2 {
				t.Errorf("mode %s with %d shards", d.StreamModeDetails.StreamMode, aws.ToInt32(d.OpenShardCount))
			}
		},
		bad: []confBad{
			{"same mode", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamMode(e.ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(e.streamARN), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
				return err
			}, "InvalidArgumentException", "already in ON_DEMAND mode"},
			{"warm throughput to provisioned", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamMode(e.ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(e.streamARN),
					StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}, WarmThroughputMiBps: aws.Int32(10)})
				return err
			}, "InvalidArgumentException", "WarmThroughputMiBps"},
			{"unknown mode", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamMode(e.ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(e.streamARN), StreamModeDetails: &types.StreamModeDetails{StreamMode: "SERVERLESS"}})
				return err
			}, "ValidationException", "streamMode"},
		},
	}, {
		op: "UpdateMaxRecordSize",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.UpdateMaxRecordSize(e.ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(e.streamARN), MaxRecordSizeInKiB: aws.Int32(4096)})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, e.stream); aws.ToInt32(d.MaxRecordSizeInKiB) != 4096 {
				t.Errorf("max record size %d KiB", aws.ToInt32(d.MaxRecordSizeInKiB))
			}
			if _, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String(e.stream), PartitionKey: aws.String("k"), Data: make([]byte, 2<<20)}); err != nil {
				t.Errorf("a 2 MiB record was refused: %v", err)
			}
		},
		bad: []confBad{
			{"under 1 MiB", func(e *confEnv) error {
				_, err := e.kc.UpdateMaxRecordSize(e.ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(e.streamARN), MaxRecordSizeInKiB: aws.Int32(512)})
				return err
			}, "ValidationException", "maxRecordSizeInKiB"},
			{"over 10 MiB", func(e *confEnv) error {
				_, err := e.kc.UpdateMaxRecordSize(e.ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(e.streamARN), MaxRecordSizeInKiB: aws.Int32(10241)})
				return err
			}, "ValidationException", "10240"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.UpdateMaxRecordSize(e.ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(e.missingARN()), MaxRecordSizeInKiB: aws.Int32(2048)})
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "UpdateStreamWarmThroughput",
		setup: func(t *testing.T, e *confEnv) {
			e.enableCommitment(t)
			e.v["ondemand"] = e.createOnDemand(t, "warm")
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.UpdateStreamWarmThroughput(e.ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: aws.String(e.v["ondemand"]), WarmThroughputMiBps: aws.Int32(200)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if w := e.out.(*kinesis.UpdateStreamWarmThroughputOutput).WarmThroughput; aws.ToInt32(w.TargetMiBps) != 200 {
				t.Errorf("answered target %d", aws.ToInt32(w.TargetMiBps))
			}
			d := e.waitActive(t, "warm")
			if d.WarmThroughput == nil || aws.ToInt32(d.WarmThroughput.TargetMiBps) != 200 || aws.ToInt32(d.WarmThroughput.CurrentMiBps) != 200 {
				t.Errorf("described warm throughput %+v", d.WarmThroughput)
			}
		},
		bad: []confBad{
			{"provisioned stream", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamWarmThroughput(e.ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: aws.String(e.stream), WarmThroughputMiBps: aws.Int32(10)})
				return err
			}, "InvalidArgumentException", "ON_DEMAND"},
			{"over 10 GiB/s", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamWarmThroughput(e.ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: aws.String("warm"), WarmThroughputMiBps: aws.Int32(10241)})
				return err
			}, "LimitExceededException", "10240"},
			{"negative", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamWarmThroughput(e.ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: aws.String("warm"), WarmThroughputMiBps: aws.Int32(-1)})
				return err
			}, "ValidationException", "warmThroughputMiBps"},
		},
	}, {
		op: "UpdateStreamRecordDistributionStrategy",
		setup: func(t *testing.T, e *confEnv) {
			e.v["ondemand"] = e.createOnDemand(t, "spread")
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.UpdateStreamRecordDistributionStrategy(e.ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: aws.String(e.v["ondemand"]),
				RecordDistributionStrategy: types.RecordDistributionStrategyAuto})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.summary(t, "spread"); d.RecordDistributionStrategy != types.RecordDistributionStrategyAuto {
				t.Errorf("strategy %s", d.RecordDistributionStrategy)
			}
			shards := map[string]bool{}
			for i := 0; i < 8; i++ {
				out, err := e.kc.PutRecord(e.ctx, &kinesis.PutRecordInput{StreamName: aws.String("spread"), PartitionKey: aws.String("same"), Data: []byte("x")})
				if err != nil {
					t.Fatal(err)
				}
				shards[*out.ShardId] = true
			}
			if len(shards) < 2 {
				t.Errorf("one partition key stayed on %v under AUTO", shards)
			}
		},
		bad: []confBad{
			{"AUTO on a provisioned stream", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamRecordDistributionStrategy(e.ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: aws.String(e.streamARN),
					RecordDistributionStrategy: types.RecordDistributionStrategyAuto})
				return err
			}, "InvalidArgumentException", "ON_DEMAND"},
			{"unknown strategy", func(e *confEnv) error {
				_, err := e.kc.UpdateStreamRecordDistributionStrategy(e.ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: aws.String(e.v["ondemand"]),
					RecordDistributionStrategy: "RANDOM"})
				return err
			}, "ValidationException", "recordDistributionStrategy"},
		},
	}}
}

func accountRows() []conformanceRow {
	return []conformanceRow{{
		op: "DescribeLimits",
		setup: func(t *testing.T, e *confEnv) {
			e.createOnDemand(t, "ondemand")
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.DescribeLimits(e.ctx, &kinesis.DescribeLimitsInput{})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			out := e.out.(*kinesis.DescribeLimitsOutput)
			if aws.ToInt32(out.OpenShardCount) != 6 || aws.ToInt32(out.OnDemandStreamCount) != 1 || aws.ToInt32(out.ShardLimit) < 6 || aws.ToInt32(out.OnDemandStreamCountLimit) < 1 {
				t.Errorf("limits: %d open shards of %d, %d on-demand streams of %d", aws.ToInt32(out.OpenShardCount), aws.ToInt32(out.ShardLimit),
					aws.ToInt32(out.OnDemandStreamCount), aws.ToInt32(out.OnDemandStreamCountLimit))
			}
		},
	}, {
		op: "DescribeAccountSettings",
		setup: func(t *testing.T, e *confEnv) {
			e.enableCommitment(t)
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.DescribeAccountSettings(e.ctx, &kinesis.DescribeAccountSettingsInput{})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			cm := e.out.(*kinesis.DescribeAccountSettingsOutput).MinimumThroughputBillingCommitment
			if cm == nil || cm.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled || cm.StartedAt == nil || cm.EarliestAllowedEndAt == nil {
				t.Errorf("commitment %+v", cm)
			}
		},
	}, {
		op: "UpdateAccountSettings",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.UpdateAccountSettings(e.ctx, &kinesis.UpdateAccountSettingsInput{
				MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if cm := e.out.(*kinesis.UpdateAccountSettingsOutput).MinimumThroughputBillingCommitment; cm.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled {
				t.Errorf("answered %s", cm.Status)
			}
			out, err := e.kc.DescribeAccountSettings(e.ctx, &kinesis.DescribeAccountSettingsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if cm := out.MinimumThroughputBillingCommitment; cm.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled ||
				cm.EarliestAllowedEndAt.Sub(*cm.StartedAt) != 24*time.Hour {
				t.Errorf("described %s from %v to %v", cm.Status, cm.StartedAt, cm.EarliestAllowedEndAt)
			}
		},
		bad: []confBad{
			{"unknown status", func(e *confEnv) error {
				_, err := e.kc.UpdateAccountSettings(e.ctx, &kinesis.UpdateAccountSettingsInput{
					MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: "PAUSED"}})
				return err
			}, "ValidationException", "status"},
		},
	}}
}

func channelRows() []conformanceRow {
	return []conformanceRow{{
		op: "CreateChannel",
		setup: func(t *testing.T, e *confEnv) {
			e.v["source"] = e.createOnDemand(t, "source")
		},
		call: func(t *testing.T, e *confEnv) error {
			in := e.s3Channel("delivery", e.v["source"])
			in.Tags = map[string]string{"team": "data"}
			out, err := e.kc.CreateChannel(e.ctx, in)
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			created := e.out.(*kinesis.CreateChannelOutput).ChannelDescription
			if created.ChannelStatus != types.ChannelStatusCreating {
				t.Errorf("CreateChannel answered %s, want CREATING", created.ChannelStatus)
			}
			out, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: created.ChannelARN})
			if err != nil {
				t.Fatal(err)
			}
			d := out.ChannelDescription
			if *d.ChannelName != "delivery" || len(d.StreamConfigurationList) != 1 || *d.StreamConfigurationList[0].StreamARN != e.v["source"] ||
				d.S3DestinationConfiguration == nil || aws.ToInt32(d.S3DestinationConfiguration.DataFreshnessInSeconds) != 300 {
				t.Errorf("described %+v", d)
			}
		},
		bad: []confBad{
			{"existing name", func(e *confEnv) error {
				_, err := e.kc.CreateChannel(e.ctx, e.s3Channel("delivery", e.v["source"]))
				return err
			}, "ResourceInUseException", "delivery"},
			{"provisioned source", func(e *confEnv) error {
				_, err := e.kc.CreateChannel(e.ctx, e.s3Channel("other", e.streamARN))
				return err
			}, "InvalidArgumentException", "ON_DEMAND"},
			{"both destinations", func(e *confEnv) error {
				in := e.s3Channel("both", e.v["source"])
				in.S3TablesDestinationConfiguration = &types.S3TablesDestinationConfiguration{
					DeadLetterQueueS3Configuration: &types.DeadLetterQueueS3Configuration{BucketARN: aws.String("arn:aws:s3:::dlq-bucket"), ExpectedBucketOwner: aws.String(e.account)},
					S3TablesConfigurationList: []types.S3TablesConfiguration{{TableBucketARN: aws.String("arn:aws:s3tables:us-east-1:" + e.account + ":bucket/tables"),
						Namespace: aws.String("ns"), TableName: aws.String("events"), CompressionType: types.S3TablesCompressionTypeZstd}}}
				_, err := e.kc.CreateChannel(e.ctx, in)
				return err
			}, "InvalidArgumentException", "exactly one"},
			{"freshness under 5 minutes", func(e *confEnv) error {
				in := e.s3Channel("fresh", e.v["source"])
				in.S3DestinationConfiguration.DataFreshnessInSeconds = aws.Int32(60)
				_, err := e.kc.CreateChannel(e.ctx, in)
				return err
			}, "InvalidArgumentException", "DataFreshnessInSeconds"},
			{"bad name", func(e *confEnv) error {
				_, err := e.kc.CreateChannel(e.ctx, e.s3Channel("no spaces", e.v["source"]))
				return err
			}, "ValidationException", "channelName"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.CreateChannel(e.ctx, e.s3Channel("lost", e.missingARN()))
				return err
			}, "ResourceNotFoundException", "missing"},
		},
	}, {
		op: "DescribeChannel",
		setup: func(t *testing.T, e *confEnv) {
			e.v["channel"] = e.createChannel(t, "described")
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(e.v["channel"])})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			d := e.out.(*kinesis.DescribeChannelOutput).ChannelDescription
			if d.ChannelStatus != types.ChannelStatusActive || *d.ChannelARN != e.v["channel"] || aws.ToString(d.ChannelId) == "" || d.ChannelCreationTimestamp.Year() < 2020 {
				t.Errorf("described %s %s id %q created %v", d.ChannelStatus, *d.ChannelARN, aws.ToString(d.ChannelId), d.ChannelCreationTimestamp)
			}
		},
		bad: []confBad{
			{"unknown channel", func(e *confEnv) error {
				_, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(strings.Replace(e.v["channel"], "described", "nothing", 1))})
				return err
			}, "ResourceNotFoundException", "nothing"},
			{"stream ARN", func(e *confEnv) error {
				_, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(e.streamARN)})
				return err
			}, "ValidationException", "channelARN"},
		},
	}, {
		op: "ListChannels",
		setup: func(t *testing.T, e *confEnv) {
			e.v["first"] = e.createChannel(t, "first")
			e.v["second"] = e.createChannel(t, "second")
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{MaxResults: aws.Int32(1)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			first := e.out.(*kinesis.ListChannelsOutput)
			if len(first.ChannelSummaries) != 1 || first.NextToken == nil || *first.ChannelSummaries[0].ChannelARN != e.v["first"] {
				t.Fatalf("first page %+v", first.ChannelSummaries)
			}
			next, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{NextToken: first.NextToken})
			if err != nil {
				t.Fatal(err)
			}
			if len(next.ChannelSummaries) != 1 || *next.ChannelSummaries[0].ChannelARN != e.v["second"] || next.NextToken != nil {
				t.Errorf("second page %+v", next.ChannelSummaries)
			}
			src := strings.TrimSuffix(e.streamARN, e.stream) + "second-source"
			filtered, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{StreamFilter: []types.StreamFilter{{StreamARN: aws.String(src)}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(filtered.ChannelSummaries) != 1 || *filtered.ChannelSummaries[0].ChannelName != "second" || filtered.ChannelSummaries[0].ChannelDestinationType != types.ChannelDestinationTypeS3 {
				t.Errorf("filtered %+v", filtered.ChannelSummaries)
			}
		},
		bad: []confBad{
			{"zero max results", func(e *confEnv) error {
				_, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{MaxResults: aws.Int32(0)})
				return err
			}, "ValidationException", "maxResults"},
			{"forged token", func(e *confEnv) error {
				_, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{NextToken: aws.String("AAAAforged")})
				return err
			}, "InvalidArgumentException", "NextToken"},
		},
	}, {
		op: "UpdateChannel",
		setup: func(t *testing.T, e *confEnv) {
			e.v["channel"] = e.createChannel(t, "updated")
		},
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.UpdateChannel(e.ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(e.v["channel"]),
				S3DestinationConfiguration: &types.S3DestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(600)},
				LoggingConfiguration:       &types.ChannelLoggingUpdateInput{CloudWatchLogs: &types.CloudWatchLogsUpdateInput{Enabled: aws.Bool(true)}}})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if got := e.out.(*kinesis.UpdateChannelOutput).ChannelDescription.ChannelStatus; got != types.ChannelStatusUpdating {
				t.Errorf("UpdateChannel answered %s, want UPDATING", got)
			}
			out, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(e.v["channel"])})
			if err != nil {
				t.Fatal(err)
			}
			d := out.ChannelDescription
			if aws.ToInt32(d.S3DestinationConfiguration.DataFreshnessInSeconds) != 600 || !aws.ToBool(d.LoggingConfiguration.CloudWatchLogs.Enabled) ||
				aws.ToString(d.LoggingConfiguration.CloudWatchLogs.LogStreamName) != "DestinationDelivery" {
				t.Errorf("described freshness %d, logging %+v", aws.ToInt32(d.S3DestinationConfiguration.DataFreshnessInSeconds), d.LoggingConfiguration.CloudWatchLogs)
			}
		},
		bad: []confBad{
			{"freshness over 15 minutes", func(e *confEnv) error {
				_, err := e.kc.UpdateChannel(e.ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(e.v["channel"]),
					S3DestinationConfiguration: &types.S3DestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(901)}})
				return err
			}, "InvalidArgumentException", "DataFreshnessInSeconds"},
			{"other destination kind", func(e *confEnv) error {
				_, err := e.kc.UpdateChannel(e.ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(e.v["channel"]),
					S3TablesDestinationConfiguration: &types.S3TablesDestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(600)}})
				return err
			}, "InvalidArgumentException", "S3DestinationConfiguration"},
			{"nothing to update", func(e *confEnv) error {
				_, err := e.kc.UpdateChannel(e.ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(e.v["channel"])})
				return err
			}, "InvalidArgumentException", "at least one"},
		},
	}, {
		op: "DeleteChannel",
		setup: func(t *testing.T, e *confEnv) {
			e.v["channel"] = e.createChannel(t, "deleted")
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.DeleteChannel(e.ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String(e.v["channel"])})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			for i := 0; ; i++ {
				_, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(e.v["channel"])})
				if matchAPIError(err, "ResourceNotFoundException", "deleted") == nil {
					break
				}
				if i == 300 {
					t.Fatalf("deleted channel still described: %v", err)
				}
				time.Sleep(time.Second)
			}
			out, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{})
			if err != nil || len(out.ChannelSummaries) != 0 {
				t.Errorf("channels after delete %+v (%v)", out, err)
			}
		},
		bad: []confBad{
			{"already deleted", func(e *confEnv) error {
				_, err := e.kc.DeleteChannel(e.ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String(e.v["channel"])})
				return err
			}, "ResourceNotFoundException", "deleted"},
			{"malformed ARN", func(e *confEnv) error {
				_, err := e.kc.DeleteChannel(e.ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String("channel/deleted")})
				return err
			}, "ValidationException", "channelARN"},
		},
	}}
}

func TestConformanceOverCBOR(t *testing.T) {
	runConformance(t, func(t *testing.T) *kinesis.Client {
		return newCBORClient(t, emulator.RunT(t))
	})
}
