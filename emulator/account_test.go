package emulator_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

func TestDescribeLimitsCountsWhatTheAccountUses(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithLimits(emulator.Limits{ShardsPerRegion: 40, ConsumersPerStream: 20}),
		emulator.WithStream("three", 3), emulator.WithStream("doomed", 5))
	e := &confEnv{ctx: ctxT(t), kc: newClient(t, srv), v: map[string]string{}}
	e.account = srv.AccountID()
	e.createOnDemand(t, "elastic")
	e.createChannel(t, "delivery")
	if _, err := e.kc.DeleteStream(e.ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("doomed")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.kc.DescribeLimits(e.ctx, &kinesis.DescribeLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	// three (3) + elastic (4) + delivery-source (4); the deleted stream's shards are free again.
	want := kinesis.DescribeLimitsOutput{ShardLimit: aws.Int32(40), OpenShardCount: aws.Int32(11), OnDemandStreamCount: aws.Int32(2),
		OnDemandStreamCountLimit: aws.Int32(50), ChannelCount: aws.Int32(1), ChannelCountLimit: aws.Int32(50)}
	for _, f := range []struct {
		name      string
		got, want *int32
	}{
		{"ShardLimit", out.ShardLimit, want.ShardLimit}, {"OpenShardCount", out.OpenShardCount, want.OpenShardCount},
		{"OnDemandStreamCount", out.OnDemandStreamCount, want.OnDemandStreamCount}, {"OnDemandStreamCountLimit", out.OnDemandStreamCountLimit, want.OnDemandStreamCountLimit},
		{"ChannelCount", out.ChannelCount, want.ChannelCount}, {"ChannelCountLimit", out.ChannelCountLimit, want.ChannelCountLimit},
	} {
		if aws.ToInt32(f.got) != aws.ToInt32(f.want) {
			t.Errorf("%s = %d, want %d", f.name, aws.ToInt32(f.got), aws.ToInt32(f.want))
		}
	}
}

func TestCommitmentLifecycle(t *testing.T) {
	clock := emulator.NewManualClock(settingsStart)
	srv := emulator.RunT(t, emulator.WithClock(clock))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	update := func(s types.MinimumThroughputBillingCommitmentInputStatus) *types.MinimumThroughputBillingCommitmentOutput {
		t.Helper()
		out, err := kc.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: s}})
		if err != nil {
			t.Fatal(err)
		}
		return out.MinimumThroughputBillingCommitment
	}
	describe := func() *types.MinimumThroughputBillingCommitmentOutput {
		t.Helper()
		out, err := kc.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.MinimumThroughputBillingCommitment
	}
	const (
		enabled  = types.MinimumThroughputBillingCommitmentOutputStatusEnabled
		disabled = types.MinimumThroughputBillingCommitmentOutputStatusDisabled
		ending   = types.MinimumThroughputBillingCommitmentOutputStatusEnabledUntilEarliestAllowedEnd
	)
	if cm := describe(); cm.Status != disabled || cm.StartedAt != nil {
		t.Fatalf("a new account: %s started %v", cm.Status, cm.StartedAt)
	}
	cm := update(types.MinimumThroughputBillingCommitmentInputStatusEnabled)
	if cm.Status != enabled || !cm.StartedAt.Equal(settingsStart) || !cm.EarliestAllowedEndAt.Equal(settingsStart.Add(24*time.Hour)) {
		t.Fatalf("enabled: %s from %v, earliest end %v", cm.Status, cm.StartedAt, cm.EarliestAllowedEndAt)
	}
	clock.Advance(time.Hour)
	if cm := update(types.MinimumThroughputBillingCommitmentInputStatusDisabled); cm.Status != ending || cm.EndedAt != nil {
		t.Fatalf("disabled an hour in: %s, ended %v", cm.Status, cm.EndedAt)
	}
	if cm := update(types.MinimumThroughputBillingCommitmentInputStatusEnabled); cm.Status != enabled || !cm.StartedAt.Equal(settingsStart) {
		t.Fatalf("enabling again cancels the end: %s from %v", cm.Status, cm.StartedAt)
	}
	update(types.MinimumThroughputBillingCommitmentInputStatusDisabled)
	clock.Advance(23 * time.Hour)
	cm = describe()
	if cm.Status != disabled || !cm.EndedAt.Equal(settingsStart.Add(24*time.Hour)) {
		t.Fatalf("at the earliest end: %s, ended %v", cm.Status, cm.EndedAt)
	}
	cm = update(types.MinimumThroughputBillingCommitmentInputStatusEnabled)
	start := settingsStart.Add(24 * time.Hour)
	if cm.Status != enabled || !cm.StartedAt.Equal(start) || cm.EndedAt != nil {
		t.Fatalf("a new commitment: %s from %v, ended %v", cm.Status, cm.StartedAt, cm.EndedAt)
	}
	clock.Advance(25 * time.Hour)
	if cm := update(types.MinimumThroughputBillingCommitmentInputStatusDisabled); cm.Status != disabled || !cm.EndedAt.Equal(start.Add(25*time.Hour)) {
		t.Fatalf("disabled after the minimum: %s, ended %v", cm.Status, cm.EndedAt)
	}
}

func TestAccountSettingsBelongToTheAccount(t *testing.T) {
	srv := emulator.RunT(t)
	ctx := ctxT(t)
	mine := newClient(t, srv)
	theirs := newClient(t, srv, func(o *kinesis.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider("111122223333", "secret", "")
	})
	if _, err := mine.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{
		Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	out, err := theirs.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if s := out.MinimumThroughputBillingCommitment.Status; s != types.MinimumThroughputBillingCommitmentOutputStatusDisabled {
		t.Fatalf("another account sees the commitment %s", s)
	}
	west := newClient(t, srv, func(o *kinesis.Options) { o.Region = "eu-west-1" })
	if out, err := west.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{}); err != nil || out.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled {
		t.Fatalf("another region: %+v (%v)", out, err)
	}
}

// accountRows are the conformance rows of the operations of account.go.
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
