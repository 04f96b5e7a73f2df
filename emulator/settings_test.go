package emulator_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

// settingsStart is the start of the manual clocks of the settings tests.
var settingsStart = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

// settingsFixture is a server on a manual clock with one provisioned stream.
type settingsFixture struct {
	clock *emulator.ManualClock
	kc    *kinesis.Client
	env   *confEnv
}

func newSettingsFixture(t *testing.T, opts ...emulator.Option) *settingsFixture {
	t.Helper()
	clock := emulator.NewManualClock(settingsStart)
	srv := emulator.RunT(t, append([]emulator.Option{emulator.WithClock(clock), emulator.WithStream("s", 2)}, opts...)...)
	kc := newClient(t, srv)
	f := &settingsFixture{clock: clock, kc: kc, env: &confEnv{ctx: ctxT(t), kc: kc, stream: "s", v: map[string]string{}}}
	f.env.streamARN = *f.env.summary(t, "s").StreamARN
	return f
}

func TestRetentionRules(t *testing.T) {
	f := newSettingsFixture(t)
	ctx := f.env.ctx
	increase := func(h int32) error {
		_, err := f.kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(h)})
		return err
	}
	decrease := func(h int32) error {
		_, err := f.kc.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(h)})
		return err
	}
	for _, step := range []struct {
		name  string
		call  func(int32) error
		hours int32
		code  string // "" for success
		msg   string
		after int32 // retention once the step is done
	}{
		{"increase to a week", increase, 168, "", "", 168},
		{"increase to the same", increase, 168, "", "", 168},
		{"increase downwards", increase, 100, "InvalidArgumentException", "Requested retention period (100 hours) for stream s can not be shorter than existing retention period (168 hours). Use DecreaseRetentionPeriod API.", 168},
		{"increase past a year", increase, 8761, "InvalidArgumentException", "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.", 168},
		{"increase to a year", increase, 8760, "", "", 8760},
		{"decrease upwards", decrease, 9000, "InvalidArgumentException", "Maximum allowed retention period is 8760 hours", 8760},
		{"decrease under a day", decrease, 23, "InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.", 8760},
		{"decrease to two days", decrease, 48, "", "", 48},
		{"decrease above the current", decrease, 72, "InvalidArgumentException", "Requested retention period (72 hours) for stream s can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.", 48},
		{"decrease to a day", decrease, 24, "", "", 24},
	} {
		err := step.call(step.hours)
		if step.code == "" && err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if step.code != "" {
			if merr := matchAPIError(err, step.code, step.msg); merr != nil {
				t.Fatalf("%s: %v", step.name, merr)
			}
		}
		if got := aws.ToInt32(f.env.summary(t, "s").RetentionPeriodHours); got != step.after {
			t.Fatalf("%s: retention %d, want %d", step.name, got, step.after)
		}
	}
}

func TestShorterRetentionDropsOlderRecords(t *testing.T) {
	f := newSettingsFixture(t)
	ctx := f.env.ctx
	if _, err := f.kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(72)}); err != nil {
		t.Fatal(err)
	}
	f.env.put(t, "k", "old")
	f.clock.Advance(30 * time.Hour)
	f.env.put(t, "k", "new")
	if got := len(f.env.readAll(t, "s")); got != 2 {
		t.Fatalf("%d records within 72 hours, want 2", got)
	}
	if _, err := f.kc.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Fatal(err)
	}
	recs := f.env.readAll(t, "s")
	if len(recs) != 1 || string(recs[0].Data) != "new" {
		t.Fatalf("after shortening retention to 24 hours read %d records", len(recs))
	}
}

func TestEncryptionGoesThroughUpdating(t *testing.T) {
	f := newSettingsFixture(t, emulator.WithDelays(emulator.Delays{UpdateStream: 10 * time.Second}))
	ctx := f.env.ctx
	start := func() error {
		_, err := f.kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"), EncryptionType: types.EncryptionTypeKms,
			KeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012")})
		return err
	}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	if d := f.env.summary(t, "s"); d.StreamStatus != types.StreamStatusUpdating || d.EncryptionType != types.EncryptionTypeNone {
		t.Fatalf("during the update: %s, encryption %s", d.StreamStatus, d.EncryptionType)
	}
	if out := f.env.put(t, "k", "during"); out.EncryptionType == types.EncryptionTypeKms {
		t.Fatal("a record written while UPDATING reports KMS before the update completes")
	}
	if err := matchAPIError(start(), "ResourceInUseException", "not ACTIVE, instead in state UPDATING"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Second)
	d := f.env.summary(t, "s")
	if d.StreamStatus != types.StreamStatusActive || d.EncryptionType != types.EncryptionTypeKms || aws.ToString(d.KeyId) != "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012" {
		t.Fatalf("after the update: %s, encryption %s key %s", d.StreamStatus, d.EncryptionType, aws.ToString(d.KeyId))
	}
	if out := f.env.put(t, "k", "after"); out.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("PutRecord reports %s", out.EncryptionType)
	}
	for _, r := range f.env.readAll(t, "s") {
		if r.EncryptionType != types.EncryptionTypeKms {
			t.Fatalf("GetRecords reports %s for %q", r.EncryptionType, r.Data)
		}
	}
}

func TestEncryptionKeyForms(t *testing.T) {
	f := newSettingsFixture(t)
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"alias/aws/kinesis", true},
		{"alias/MyAliasName", true},
		{"12345678-1234-1234-1234-123456789012", true},
		{"arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012", true},
		{"arn:aws:kms:us-east-1:123456789012:alias/MyAliasName", true},
		{"mrk-1234abcd12ab34cd56ef1234567890ab", true},
		{"MyAliasName", false},
		{"arn:aws:kms:us-east-1:123456789012:key/not-a-guid", false},
		{"arn:aws:s3:::bucket", false},
	} {
		_, err := f.kc.StartStreamEncryption(f.env.ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(tc.key)})
		switch {
		case tc.ok && err != nil:
			t.Errorf("key %s refused: %v", tc.key, err)
		case tc.ok && aws.ToString(f.env.summary(t, "s").KeyId) != tc.key:
			t.Errorf("key %s not kept", tc.key)
		case !tc.ok:
			if merr := matchAPIError(err, "InvalidArgumentException", tc.key); merr != nil {
				t.Errorf("key %s: %v", tc.key, merr)
			}
		}
	}
}

func TestMaxRecordSizeTakesEffect(t *testing.T) {
	f := newSettingsFixture(t)
	ctx := f.env.ctx
	put := func(n int) error {
		_, err := f.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte{'x'}, n)})
		return err
	}
	if err := matchAPIError(put(2<<20), "InvalidArgumentException", "1024 KiB"); err != nil {
		t.Fatalf("2 MiB under the default limit: %v", err)
	}
	if _, err := f.kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(f.env.streamARN), MaxRecordSizeInKiB: aws.Int32(3072)}); err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(f.env.summary(t, "s").MaxRecordSizeInKiB); got != 3072 {
		t.Fatalf("MaxRecordSizeInKiB %d", got)
	}
	if err := put(2 << 20); err != nil {
		t.Fatalf("2 MiB under a 3 MiB limit: %v", err)
	}
	if err := put(3<<20 - 1); err != nil {
		t.Fatalf("3 MiB with its key under a 3 MiB limit: %v", err)
	}
	if err := matchAPIError(put(3<<20), "InvalidArgumentException", "3072 KiB"); err != nil {
		t.Fatalf("one byte over 3 MiB: %v", err)
	}
	recs := f.env.readAll(t, "s")
	if len(recs) != 2 || len(recs[0].Data)+len(recs[1].Data) != 5<<20-1 {
		t.Fatalf("read back %d records", len(recs))
	}
	if _, err := f.kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(f.env.streamARN), MaxRecordSizeInKiB: aws.Int32(10240)}); err != nil {
		t.Fatal(err)
	}
	if err := put(10<<20 - 1); err != nil {
		t.Fatalf("a 10 MiB record under the 10 MiB limit: %v", err)
	}
	_, err := f.kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(f.env.streamARN), MaxRecordSizeInKiB: aws.Int32(20480)})
	if merr := matchAPIError(err, "ValidationException", "1 validation error detected: Value '20480' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240"); merr != nil {
		t.Fatal(merr)
	}
}

func TestAutoDistributionSpreadsOneKey(t *testing.T) {
	f := newSettingsFixture(t)
	ctx := f.env.ctx
	arn := f.env.createOnDemand(t, "auto")
	perShard := func(explicit *string) map[string]int {
		counts := map[string]int{}
		for i := 0; i < 40; i++ {
			out, err := f.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("auto"), PartitionKey: aws.String("one-key"),
				ExplicitHashKey: explicit, Data: []byte("x")})
			if err != nil {
				t.Fatal(err)
			}
			counts[*out.ShardId]++
		}
		return counts
	}
	if got := perShard(nil); len(got) != 1 {
		t.Fatalf("USER_PARTITION_KEY spread one key over %v", got)
	}
	if _, err := f.kc.UpdateStreamRecordDistributionStrategy(ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: aws.String(arn),
		RecordDistributionStrategy: types.RecordDistributionStrategyAuto}); err != nil {
		t.Fatal(err)
	}
	if d := f.env.summary(t, "auto"); d.RecordDistributionStrategy != types.RecordDistributionStrategyAuto || d.StreamStatus != types.StreamStatusActive {
		t.Fatalf("strategy %s, status %s", d.RecordDistributionStrategy, d.StreamStatus)
	}
	// AUTO ignores the partition key and the explicit hash key alike, as the SDK documents.
	for _, explicit := range []*string{nil, aws.String("0")} {
		got := perShard(explicit)
		if len(got) != 4 {
			t.Fatalf("AUTO (explicit hash key %v) used %d of 4 shards: %v", aws.ToString(explicit), len(got), got)
		}
		for shard, n := range got {
			if n != 10 {
				t.Fatalf("AUTO put %d of 40 records on %s, want an even 10", n, shard)
			}
		}
	}
	_, err := f.kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	if merr := matchAPIError(err, "InvalidArgumentException", "AUTO"); merr != nil {
		t.Fatalf("switching an AUTO stream to PROVISIONED: %v", merr)
	}
	if _, err := f.kc.UpdateStreamRecordDistributionStrategy(ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: aws.String(arn),
		RecordDistributionStrategy: types.RecordDistributionStrategyUserPartitionKey}); err != nil {
		t.Fatal(err)
	}
	if got := perShard(nil); len(got) != 1 {
		t.Fatalf("back on USER_PARTITION_KEY one key went to %v", got)
	}
}

func TestStreamModeSwitches(t *testing.T) {
	f := newSettingsFixture(t, emulator.WithDelays(emulator.Delays{UpdateStream: 5 * time.Second}))
	ctx := f.env.ctx
	switchTo := func(mode types.StreamMode) error {
		_, err := f.kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(f.env.streamARN), StreamModeDetails: &types.StreamModeDetails{StreamMode: mode}})
		return err
	}
	if err := switchTo(types.StreamModeOnDemand); err != nil {
		t.Fatal(err)
	}
	if d := f.env.summary(t, "s"); d.StreamStatus != types.StreamStatusUpdating || d.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Fatalf("during the switch: %s %s", d.StreamStatus, d.StreamModeDetails.StreamMode)
	}
	if err := matchAPIError(switchTo(types.StreamModeProvisioned), "ResourceInUseException", "UPDATING"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Second)
	if d := f.env.summary(t, "s"); d.StreamModeDetails.StreamMode != types.StreamModeOnDemand || aws.ToInt32(d.OpenShardCount) != 2 {
		t.Fatalf("after the switch: %s with %d shards, want ON_DEMAND keeping its 2", d.StreamModeDetails.StreamMode, aws.ToInt32(d.OpenShardCount))
	}
	if err := switchTo(types.StreamModeProvisioned); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Second)
	if err := matchAPIError(switchTo(types.StreamModeOnDemand), "LimitExceededException", "twice"); err != nil {
		t.Fatalf("third switch in a day: %v", err)
	}
	f.clock.Advance(24 * time.Hour)
	if err := switchTo(types.StreamModeOnDemand); err != nil {
		t.Fatalf("a switch a day later: %v", err)
	}
}

func TestWarmThroughputNeedsCommitment(t *testing.T) {
	f := newSettingsFixture(t, emulator.WithDelays(emulator.Delays{UpdateStream: 5 * time.Second}))
	ctx := f.env.ctx
	warm := func(n int32) (*kinesis.UpdateStreamWarmThroughputOutput, error) {
		return f.kc.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamName: aws.String("s"), WarmThroughputMiBps: aws.Int32(n)})
	}
	_, err := f.kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(f.env.streamARN),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}, WarmThroughputMiBps: aws.Int32(50)})
	if merr := matchAPIError(err, "InvalidArgumentException", "MinimumThroughputBillingCommitment"); merr != nil {
		t.Fatalf("warm throughput without the commitment: %v", merr)
	}
	f.env.enableCommitment(t)
	if _, err := f.kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(f.env.streamARN),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}, WarmThroughputMiBps: aws.Int32(50)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Second)
	if w := f.env.summary(t, "s").WarmThroughput; w == nil || aws.ToInt32(w.CurrentMiBps) != 50 {
		t.Fatalf("warm throughput after the switch %+v", w)
	}
	out, err := warm(400)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.WarmThroughput.TargetMiBps) != 400 || aws.ToInt32(out.WarmThroughput.CurrentMiBps) != 50 || *out.StreamName != "s" {
		t.Fatalf("answer %+v", out.WarmThroughput)
	}
	d := f.env.summary(t, "s")
	if d.StreamStatus != types.StreamStatusUpdating || aws.ToInt32(d.WarmThroughput.TargetMiBps) != 400 || aws.ToInt32(d.WarmThroughput.CurrentMiBps) != 50 {
		t.Fatalf("while scaling: %s %+v", d.StreamStatus, d.WarmThroughput)
	}
	f.clock.Advance(5 * time.Second)
	if d := f.env.summary(t, "s"); aws.ToInt32(d.WarmThroughput.CurrentMiBps) != 400 {
		t.Fatalf("after scaling: %+v", d.WarmThroughput)
	}
}

func TestEnhancedMonitoringAll(t *testing.T) {
	f := newSettingsFixture(t)
	ctx := f.env.ctx
	on, err := f.kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("s"), ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if len(on.DesiredShardLevelMetrics) != 7 || *on.StreamName != "s" || *on.StreamARN != f.env.streamARN {
		t.Fatalf("ALL enabled %v", on.DesiredShardLevelMetrics)
	}
	if got := f.env.summary(t, "s").EnhancedMonitoring[0].ShardLevelMetrics; len(got) != 7 {
		t.Fatalf("described %v", got)
	}
	off, err := f.kc.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("s"), ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if len(off.CurrentShardLevelMetrics) != 7 || len(off.DesiredShardLevelMetrics) != 0 {
		t.Fatalf("ALL disabled: current %v desired %v", off.CurrentShardLevelMetrics, off.DesiredShardLevelMetrics)
	}
	if got := f.env.summary(t, "s").EnhancedMonitoring[0].ShardLevelMetrics; len(got) != 0 {
		t.Fatalf("described %v after disabling all", got)
	}
}

func TestSettingsWaitForActive(t *testing.T) {
	clock := emulator.NewManualClock(settingsStart)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{CreateStream: time.Minute}))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	out, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("new"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err != nil || out == nil {
		t.Fatal(err)
	}
	d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("new")})
	if err != nil {
		t.Fatal(err)
	}
	arn := d.StreamDescriptionSummary.StreamARN
	for name, call := range map[string]func() error{
		"IncreaseStreamRetentionPeriod": func() error {
			_, err := kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamARN: arn, RetentionPeriodHours: aws.Int32(48)})
			return err
		},
		"StartStreamEncryption": func() error {
			_, err := kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamARN: arn, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
			return err
		},
		"EnableEnhancedMonitoring": func() error {
			_, err := kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamARN: arn, ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
			return err
		},
		"UpdateStreamMode": func() error {
			_, err := kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
			return err
		},
		"UpdateMaxRecordSize": func() error {
			_, err := kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(2048)})
			return err
		},
		"UpdateStreamRecordDistributionStrategy": func() error {
			_, err := kc.UpdateStreamRecordDistributionStrategy(ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: arn, RecordDistributionStrategy: types.RecordDistributionStrategyAuto})
			return err
		},
		"AddTagsToStream": func() error {
			_, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamARN: arn, Tags: map[string]string{"a": "b"}})
			return err
		},
	} {
		if err := matchAPIError(call(), "ResourceInUseException", "not ACTIVE, instead in state CREATING"); err != nil {
			t.Errorf("%s on a CREATING stream: %v", name, err)
		}
	}
	clock.Advance(time.Minute)
	if _, err := kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(2048)}); err != nil {
		t.Fatalf("once ACTIVE: %v", err)
	}
}

// settingRows are the conformance rows of the operations of settings.go.
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
