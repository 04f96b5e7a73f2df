package emulator

import (
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Account-level operations: DescribeLimits, DescribeAccountSettings, UpdateAccountSettings. The
// account's state lives in the store (store.Account), one per account and region.

func accountOperations() map[string]operation {
	return map[string]operation{
		"DescribeLimits":          controlOp((*Server).describeLimits, reads, perAccount(1)),
		"DescribeAccountSettings": controlOp((*Server).describeAccountSettings, reads, perAccount(5)),
		"UpdateAccountSettings":   controlOp((*Server).updateAccountSettings, changes, perAccount(5)),
	}
}

const (
	// onDemandStreamLimit is AWS's default quota of on-demand streams per account and region.
	onDemandStreamLimit = 50
	// channelLimit is how many channels an account may keep in a region.
	channelLimit = 50
	// commitmentPeriod is the least time a minimum throughput billing commitment runs once
	// enabled.
	commitmentPeriod = 24 * time.Hour
)

// Statuses of the minimum throughput billing commitment.
const (
	commitmentEnabled         = "ENABLED"
	commitmentDisabled        = "DISABLED"
	commitmentEnabledUntilEnd = "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
)

// describeLimitsInput is the DescribeLimits request; it has no members.
type describeLimitsInput struct{}

// describeLimitsOutput is the DescribeLimits answer: the account's quotas and what it uses of them
// in the region.
type describeLimitsOutput struct {
	ShardLimit               int `json:"ShardLimit"`
	OpenShardCount           int `json:"OpenShardCount"`
	OnDemandStreamCount      int `json:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit"`
	ChannelCount             int `json:"ChannelCount"`
	ChannelCountLimit        int `json:"ChannelCountLimit"`
}

func (s *Server) describeLimits(c *call, _ *describeLimitsInput) (*describeLimitsOutput, error) {
	out := &describeLimitsOutput{
		ShardLimit: s.cfg.limits.ShardsPerRegion, OnDemandStreamCountLimit: onDemandStreamLimit,
		ChannelCountLimit: channelLimit,
	}
	for _, st := range s.store.List(c.account, c.region) {
		if s.settle(st, c.now) {
			continue
		}
		st.View(func() {
			if st.Status != store.StatusDeleting {
				out.OpenShardCount += len(st.OpenShards())
				if st.Mode == modeOnDemand {
					out.OnDemandStreamCount++
				}
			}
		})
	}
	a := s.store.Account(c.account, c.region)
	a.Update(func() {
		for _, ch := range a.SortedChannels() {
			if !s.settleChannel(a, ch, c.now) {
				out.ChannelCount++
			}
		}
	})
	return out, nil
}

// minimumThroughputBillingCommitment is the account's commitment as the account settings
// operations report it.
type minimumThroughputBillingCommitment struct {
	Status               string          `json:"Status"`
	StartedAt            *wire.Timestamp `json:"StartedAt,omitempty"`
	EarliestAllowedEndAt *wire.Timestamp `json:"EarliestAllowedEndAt,omitempty"`
	EndedAt              *wire.Timestamp `json:"EndedAt,omitempty"`
}

// describeAccountSettingsInput is the DescribeAccountSettings request; it has no members.
type describeAccountSettingsInput struct{}

// accountSettingsOutput is the answer of DescribeAccountSettings and UpdateAccountSettings.
type accountSettingsOutput struct {
	MinimumThroughputBillingCommitment *minimumThroughputBillingCommitment `json:"MinimumThroughputBillingCommitment,omitempty"`
}

// settleCommitment ends a commitment whose disabling was deferred to its earliest allowed end
// once that time has come. It reports whether the commitment is in force. Callers are inside a.Update.
func (s *Server) settleCommitment(a *store.Account, now time.Time) bool {
	cm := &a.Commitment
	if cm.Status == commitmentEnabledUntilEnd && !now.Before(cm.EarliestAllowedEndAt) {
		cm.Status, cm.EndedAt = commitmentDisabled, cm.EarliestAllowedEndAt
	}
	return cm.Status == commitmentEnabled || cm.Status == commitmentEnabledUntilEnd
}

func describeCommitment(cm store.Commitment) *minimumThroughputBillingCommitment {
	out := &minimumThroughputBillingCommitment{Status: cm.Status}
	if out.Status == "" {
		out.Status = commitmentDisabled
	}
	stamp := func(t time.Time) *wire.Timestamp {
		if t.IsZero() {
			return nil
		}
		ts := wire.NewTimestamp(t)
		return &ts
	}
	out.StartedAt, out.EarliestAllowedEndAt, out.EndedAt = stamp(cm.StartedAt), stamp(cm.EarliestAllowedEndAt), stamp(cm.EndedAt)
	return out
}

func (s *Server) describeAccountSettings(c *call, _ *describeAccountSettingsInput) (*accountSettingsOutput, error) {
	a := s.store.Account(c.account, c.region)
	return store.UpdateAccount(a, func() (*accountSettingsOutput, error) {
		s.settleCommitment(a, c.now)
		return &accountSettingsOutput{MinimumThroughputBillingCommitment: describeCommitment(a.Commitment)}, nil
	})
}

// minimumThroughputBillingCommitmentInput is the commitment status UpdateAccountSettings asks for.
type minimumThroughputBillingCommitmentInput struct {
	Status string `json:"Status"`
}

// updateAccountSettingsInput is the UpdateAccountSettings request.
type updateAccountSettingsInput struct {
	MinimumThroughputBillingCommitment *minimumThroughputBillingCommitmentInput `json:"MinimumThroughputBillingCommitment"`
}

// updateAccountSettings enables or disables the minimum throughput billing commitment. A
// commitment runs at least 24 hours: disabling it sooner schedules the end for the earliest
// allowed time (ENABLED_UNTIL_EARLIEST_ALLOWED_END), and enabling it again before then cancels the
// end.
func (s *Server) updateAccountSettings(c *call, in *updateAccountSettingsInput) (*accountSettingsOutput, error) {
	v := &validator{}
	v.required("minimumThroughputBillingCommitment", in.MinimumThroughputBillingCommitment != nil)
	if in.MinimumThroughputBillingCommitment != nil {
		v.required("minimumThroughputBillingCommitment.status", in.MinimumThroughputBillingCommitment.Status != "")
		v.enum("minimumThroughputBillingCommitment.status", in.MinimumThroughputBillingCommitment.Status, commitmentEnabled, commitmentDisabled)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	a := s.store.Account(c.account, c.region)
	return store.UpdateAccount(a, func() (*accountSettingsOutput, error) {
		s.settleCommitment(a, c.now)
		cm := &a.Commitment
		switch want := in.MinimumThroughputBillingCommitment.Status; {
		case want == commitmentEnabled && cm.Status == commitmentEnabledUntilEnd:
			cm.Status = commitmentEnabled
		case want == commitmentEnabled && cm.Status != commitmentEnabled:
			*cm = store.Commitment{Status: commitmentEnabled, StartedAt: c.now, EarliestAllowedEndAt: c.now.Add(commitmentPeriod)}
		case want == commitmentDisabled && cm.Status == commitmentEnabled && c.now.Before(cm.EarliestAllowedEndAt):
			cm.Status = commitmentEnabledUntilEnd
		case want == commitmentDisabled && cm.Status == commitmentEnabled:
			cm.Status, cm.EndedAt = commitmentDisabled, c.now
		}
		return &accountSettingsOutput{MinimumThroughputBillingCommitment: describeCommitment(*cm)}, nil
	})
}
