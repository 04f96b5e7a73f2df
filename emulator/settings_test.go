package emulator_test

import (
	"bytes"
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
