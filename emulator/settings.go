package emulator

import (
	"slices"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Stream settings: retention, encryption, enhanced monitoring, capacity mode, record size, warm
// throughput and record distribution. A setting that affects data takes effect for the data plane
// (records.go reads MaxRecordSizeKiB, Distribution and EncryptionType at every put and read).
// Changes that AWS applies asynchronously go through UPDATING for Delays.UpdateStream.

func settingOperations() map[string]operation {
	return map[string]operation{
		"IncreaseStreamRetentionPeriod":          controlOp((*Server).increaseStreamRetentionPeriod, changes, undocumented()),
		"DecreaseStreamRetentionPeriod":          controlOp((*Server).decreaseStreamRetentionPeriod, changes, undocumented()),
		"StartStreamEncryption":                  controlOp((*Server).startStreamEncryption, changes, undocumented()),
		"StopStreamEncryption":                   controlOp((*Server).stopStreamEncryption, changes, undocumented()),
		"EnableEnhancedMonitoring":               controlOp((*Server).enableEnhancedMonitoring, changes, undocumented()),
		"DisableEnhancedMonitoring":              controlOp((*Server).disableEnhancedMonitoring, changes, undocumented()),
		"UpdateStreamMode":                       controlOp((*Server).updateStreamMode, changes, undocumented()),
		"UpdateMaxRecordSize":                    controlOp((*Server).updateMaxRecordSize, changes, undocumented()),
		"UpdateStreamWarmThroughput":             controlOp((*Server).updateStreamWarmThroughput, changes, perAccount(5)),
		"UpdateStreamRecordDistributionStrategy": controlOp((*Server).updateStreamRecordDistributionStrategy, changes, undocumented()),
	}
}

const (
	minRetentionHours = 24
	maxRetentionHours = 8760

	minMaxRecordSizeKiB = 1024
	maxMaxRecordSizeKiB = 10240

	// maxWarmThroughputMiBps is the default ceiling of warm throughput: 10 GiB/s.
	maxWarmThroughputMiBps = 10240
	// modeSwitchesPerDay is how often a stream may change capacity mode in a rolling 24 hours
	// (twice, which the LimitExceededException message says).
	modeSwitchesPerDay = 2
)

// --- Retention ---

// increaseStreamRetentionPeriodInput is the IncreaseStreamRetentionPeriod request.
type increaseStreamRetentionPeriodInput struct {
	StreamName           string `json:"StreamName,omitempty"`
	StreamARN            string `json:"StreamARN,omitempty"`
	RetentionPeriodHours *int32 `json:"RetentionPeriodHours"`
	StreamId             string `json:"StreamId,omitempty"`
}

// decreaseStreamRetentionPeriodInput is the DecreaseStreamRetentionPeriod request.
type decreaseStreamRetentionPeriodInput increaseStreamRetentionPeriodInput

func (s *Server) increaseStreamRetentionPeriod(c *call, in *increaseStreamRetentionPeriodInput) (*empty, error) {
	return s.changeRetention(c, in, true)
}

func (s *Server) decreaseStreamRetentionPeriod(c *call, in *decreaseStreamRetentionPeriodInput) (*empty, error) {
	return s.changeRetention(c, (*increaseStreamRetentionPeriodInput)(in), false)
}

// changeRetention sets a stream's retention. Records older than a shortened retention become
// unreadable at once (trimming reads the retention lazily).
func (s *Server) changeRetention(c *call, in *increaseStreamRetentionPeriodInput, increase bool) (*empty, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.required("retentionPeriodHours", in.RetentionPeriodHours != nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	hours := int(*in.RetentionPeriodHours)
	switch {
	case hours < minRetentionHours:
		return nil, errInvalidArgument("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, hours)
	case hours > maxRetentionHours:
		return nil, errInvalidArgument("Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetentionHours, hours)
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, false)
	if err != nil {
		return nil, err
	}
	return store.UpdateStream(st, func() (*empty, error) {
		current := st.RetentionHours
		switch err := checkActive(st); {
		case err != nil:
			return nil, err
		case increase && hours < current:
			return nil, errInvalidArgument("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, st.Key.Name, current)
		case !increase && hours > current:
			return nil, errInvalidArgument("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, st.Key.Name, current)
		}
		st.RetentionHours = hours
		return &empty{}, nil
	})
}

// --- Encryption ---

// startStreamEncryptionInput is the StartStreamEncryption request.
type startStreamEncryptionInput struct {
	StreamName     string `json:"StreamName,omitempty"`
	StreamARN      string `json:"StreamARN,omitempty"`
	EncryptionType string `json:"EncryptionType"`
	KeyId          string `json:"KeyId"`
	StreamId       string `json:"StreamId,omitempty"`
}

// stopStreamEncryptionInput is the StopStreamEncryption request.
type stopStreamEncryptionInput startStreamEncryptionInput

// kmsKeyPattern is a KMS key as StartStreamEncryption takes it: a key id, an alias name, or the ARN
// of a key or an alias.
var kmsKeyPattern = mustPattern(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32}|alias/[a-zA-Z0-9:/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key/(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})|alias/[a-zA-Z0-9:/_-]+))$`)

func (s *Server) startStreamEncryption(c *call, in *startStreamEncryptionInput) (*empty, error) {
	return s.changeEncryption(c, in, encryptionKMS)
}

func (s *Server) stopStreamEncryption(c *call, in *stopStreamEncryptionInput) (*empty, error) {
	return s.changeEncryption(c, (*startStreamEncryptionInput)(in), encryptionNone)
}

// changeEncryption starts or stops server-side encryption: the stream goes through UPDATING and
// records read or written after it report the new EncryptionType.
func (s *Server) changeEncryption(c *call, in *startStreamEncryptionInput, to string) (*empty, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.required("encryptionType", in.EncryptionType != "")
	v.enum("encryptionType", in.EncryptionType, encryptionNone, encryptionKMS)
	v.required("keyId", in.KeyId != "")
	if in.KeyId != "" {
		v.stringLen("keyId", in.KeyId, 1, 2048)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.EncryptionType != encryptionKMS {
		return nil, errInvalidArgument("Encryption type %s is not supported. The only valid encryption type is KMS.", in.EncryptionType)
	}
	if !kmsKeyPattern.MatchString(in.KeyId) {
		return nil, errInvalidArgument("KeyId %s is not a valid KMS key: give a key id, a key ARN, an alias name (alias/aws/kinesis for the Kinesis-owned key) or an alias ARN.", in.KeyId)
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, false)
	if err != nil {
		return nil, err
	}
	return store.UpdateStream(st, func() (*empty, error) {
		if err := checkActive(st); err != nil {
			return nil, err
		}
		ch := &store.Change{Kind: store.ChangeEncryption, EncryptionType: to}
		if to != encryptionNone {
			ch.KeyID = in.KeyId
		}
		s.beginUpdate(c, st, ch)
		return &empty{}, nil
	})
}

// checkActive answers as Kinesis does when a control-plane change meets a stream that is not
// ACTIVE. Callers are inside st.Update.
func checkActive(st *store.Stream) error {
	if st.Status != store.StatusActive {
		return errStreamNotActive(st.Key.Name, st.Key.Account, st.Status)
	}
	return nil
}

// --- Enhanced monitoring ---

// shardLevelMetrics are the metrics enhanced monitoring can enable, in AWS's order; ALL stands
// for every one.
var shardLevelMetrics = []string{
	"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
}

const metricsAll = "ALL"

// enableEnhancedMonitoringInput is the EnableEnhancedMonitoring request.
type enableEnhancedMonitoringInput struct {
	StreamName        string   `json:"StreamName,omitempty"`
	StreamARN         string   `json:"StreamARN,omitempty"`
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
	StreamId          string   `json:"StreamId,omitempty"`
}

// disableEnhancedMonitoringInput is the DisableEnhancedMonitoring request.
type disableEnhancedMonitoringInput enableEnhancedMonitoringInput

// enhancedMonitoringOutput is the answer of EnableEnhancedMonitoring and
// DisableEnhancedMonitoring: the metrics before and after.
type enhancedMonitoringOutput struct {
	StreamName               string   `json:"StreamName"`
	StreamARN                string   `json:"StreamARN"`
	CurrentShardLevelMetrics []string `json:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []string `json:"DesiredShardLevelMetrics"`
}

func (s *Server) enableEnhancedMonitoring(c *call, in *enableEnhancedMonitoringInput) (*enhancedMonitoringOutput, error) {
	return s.changeMonitoring(c, in, true)
}

func (s *Server) disableEnhancedMonitoring(c *call, in *disableEnhancedMonitoringInput) (*enhancedMonitoringOutput, error) {
	return s.changeMonitoring(c, (*enableEnhancedMonitoringInput)(in), false)
}

func (s *Server) changeMonitoring(c *call, in *enableEnhancedMonitoringInput, enable bool) (*enhancedMonitoringOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.required("shardLevelMetrics", in.ShardLevelMetrics != nil)
	if in.ShardLevelMetrics != nil && len(in.ShardLevelMetrics) == 0 {
		v.add("[]", "shardLevelMetrics", "must have length greater than or equal to 1")
	}
	if len(in.ShardLevelMetrics) > 7 {
		v.add(in.ShardLevelMetrics, "shardLevelMetrics", "must have length less than or equal to 7")
	}
	for _, m := range in.ShardLevelMetrics {
		v.enum("shardLevelMetrics.member", m, append(slices.Clone(shardLevelMetrics), metricsAll)...)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for _, m := range in.ShardLevelMetrics {
		if m == metricsAll {
			for _, x := range shardLevelMetrics {
				named[x] = true
			}
		}
		named[m] = true
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, false)
	if err != nil {
		return nil, err
	}
	return store.UpdateStream(st, func() (*enhancedMonitoringOutput, error) {
		if err := checkActive(st); err != nil {
			return nil, err
		}
		out := &enhancedMonitoringOutput{StreamName: st.Key.Name, StreamARN: st.ARN,
			CurrentShardLevelMetrics: nonNil(slices.Clone(st.Metrics)), DesiredShardLevelMetrics: []string{}}
		enabled := map[string]bool{}
		for _, m := range st.Metrics {
			enabled[m] = true
		}
		for m := range named {
			enabled[m] = enable
		}
		var now []string
		for _, m := range shardLevelMetrics {
			if enabled[m] {
				now = append(now, m)
			}
		}
		st.Metrics = now
		out.DesiredShardLevelMetrics = nonNil(slices.Clone(now))
		return out, nil
	})
}

// --- Capacity mode ---

// updateStreamModeInput is the UpdateStreamMode request.
type updateStreamModeInput struct {
	StreamARN           string             `json:"StreamARN"`
	StreamModeDetails   *streamModeDetails `json:"StreamModeDetails"`
	WarmThroughputMiBps *int32             `json:"WarmThroughputMiBps,omitempty"`
	StreamId            string             `json:"StreamId,omitempty"`
}

// updateStreamMode switches a stream between PROVISIONED and ON_DEMAND. The stream keeps the
// shards it has, as in Kinesis, which from then on scales an on-demand stream by itself; a stream
// may switch twice in a rolling 24 hours.
func (s *Server) updateStreamMode(c *call, in *updateStreamModeInput) (*empty, error) {
	v := &validator{}
	v.required("streamARN", in.StreamARN != "")
	v.streamARN("streamARN", in.StreamARN)
	v.required("streamModeDetails", in.StreamModeDetails != nil)
	if in.StreamModeDetails != nil {
		v.required("streamModeDetails.streamMode", in.StreamModeDetails.StreamMode != "")
		v.enum("streamModeDetails.streamMode", in.StreamModeDetails.StreamMode, modeProvisioned, modeOnDemand)
	}
	v.intRange("warmThroughputMiBps", in.WarmThroughputMiBps, 0, 1<<31-1)
	if err := v.err(); err != nil {
		return nil, err
	}
	to := in.StreamModeDetails.StreamMode
	if in.WarmThroughputMiBps != nil && to != modeOnDemand {
		return nil, errInvalidArgument("WarmThroughputMiBps is supported only when updating a stream to ON_DEMAND mode.")
	}
	if in.WarmThroughputMiBps != nil {
		if err := s.checkWarmThroughput(c, *in.WarmThroughputMiBps); err != nil {
			return nil, err
		}
	}
	st, err := s.activeStream(c, "", in.StreamARN, false)
	if err != nil {
		return nil, err
	}
	a := s.store.Account(st.Key.Account, st.Key.Region)
	return store.UpdateAccount(a, func() (*empty, error) {
		return store.UpdateStream(st, func() (*empty, error) {
			if err := checkActive(st); err != nil {
				return nil, err
			}
			if st.Mode == to {
				return nil, errInvalidArgument("Stream %s under account %s is already in %s mode.", st.Key.Name, st.Key.Account, to)
			}
			if to == modeProvisioned && st.Distribution == distributionAuto {
				return nil, errInvalidArgument("Stream %s under account %s uses the AUTO record distribution strategy, which only ON_DEMAND streams support. Set USER_PARTITION_KEY before switching to PROVISIONED.", st.Key.Name, st.Key.Account)
			}
			incarnation := store.StreamIncarnation(st)
			var recent []time.Time
			for _, t := range a.ModeSwitches[incarnation] {
				if c.now.Sub(t) < 24*time.Hour {
					recent = append(recent, t)
				}
			}
			if len(recent) >= modeSwitchesPerDay {
				return nil, errLimitExceeded("Stream %s under account %s has already changed capacity mode twice in the last 24 hours, the most allowed. Try again after %s.", st.Key.Name, st.Key.Account, recent[0].Add(24*time.Hour).UTC().Format(time.RFC3339))
			}
			a.ModeSwitches[incarnation] = append(recent, c.now)
			ch := &store.Change{Kind: store.ChangeMode, StreamMode: to}
			if w := in.WarmThroughputMiBps; w != nil {
				ch.WarmThroughputMiBps = new(int(*w))
			}
			s.beginUpdate(c, st, ch)
			return &empty{}, nil
		})
	})
}

// --- Record size ---

// updateMaxRecordSizeInput is the UpdateMaxRecordSize request.
type updateMaxRecordSizeInput struct {
	StreamARN          string `json:"StreamARN,omitempty"`
	MaxRecordSizeInKiB *int32 `json:"MaxRecordSizeInKiB"`
	StreamId           string `json:"StreamId,omitempty"`
}

// updateMaxRecordSize sets the largest record (data plus partition key) the stream takes, from
// 1 MiB to 10 MiB.
func (s *Server) updateMaxRecordSize(c *call, in *updateMaxRecordSizeInput) (*empty, error) {
	v := &validator{}
	v.streamARN("streamARN", in.StreamARN)
	v.required("maxRecordSizeInKiB", in.MaxRecordSizeInKiB != nil)
	v.intRange("maxRecordSizeInKiB", in.MaxRecordSizeInKiB, minMaxRecordSizeKiB, maxMaxRecordSizeKiB)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.StreamARN == "" {
		return nil, errInvalidArgument("StreamARN must be provided.")
	}
	st, err := s.activeStream(c, "", in.StreamARN, false)
	if err != nil {
		return nil, err
	}
	return store.UpdateStream(st, func() (*empty, error) {
		if err := checkActive(st); err != nil {
			return nil, err
		}
		kib := int(*in.MaxRecordSizeInKiB)
		s.beginUpdate(c, st, &store.Change{Kind: store.ChangeMaxRecordSize, MaxRecordSizeKiB: kib})
		return &empty{}, nil
	})
}

// --- Warm throughput ---

// updateStreamWarmThroughputInput is the UpdateStreamWarmThroughput request.
type updateStreamWarmThroughputInput struct {
	StreamName          string `json:"StreamName,omitempty"`
	StreamARN           string `json:"StreamARN,omitempty"`
	WarmThroughputMiBps *int32 `json:"WarmThroughputMiBps"`
	StreamId            string `json:"StreamId,omitempty"`
}

// updateStreamWarmThroughputOutput is the UpdateStreamWarmThroughput answer.
type updateStreamWarmThroughputOutput struct {
	StreamARN      string                `json:"StreamARN"`
	StreamName     string                `json:"StreamName"`
	WarmThroughput *warmThroughputObject `json:"WarmThroughput"`
}

// checkWarmThroughput refuses warm throughput unless the account has the minimum throughput
// billing commitment, and above the 10 GiB/s ceiling.
func (s *Server) checkWarmThroughput(c *call, mibps int32) error {
	a := s.store.Account(c.account, c.region)
	var committed bool
	a.Update(func() { committed = s.settleCommitment(a, c.now) })
	if !committed {
		return errInvalidArgument("Warm throughput requires the MinimumThroughputBillingCommitment to be ENABLED for account %s. Enable it with UpdateAccountSettings.", c.account)
	}
	if mibps > maxWarmThroughputMiBps {
		return errLimitExceeded("Requested warm throughput of %d MiBps exceeds the limit of %d MiBps for a stream.", mibps, maxWarmThroughputMiBps)
	}
	return nil
}

// updateStreamWarmThroughput scales an on-demand stream's warm throughput: the answer shows the
// target and the current value, which reaches the target when the UPDATING delay has passed.
func (s *Server) updateStreamWarmThroughput(c *call, in *updateStreamWarmThroughputInput) (*updateStreamWarmThroughputOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.required("warmThroughputMiBps", in.WarmThroughputMiBps != nil)
	v.intRange("warmThroughputMiBps", in.WarmThroughputMiBps, 0, 1<<31-1)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, false)
	if err != nil {
		return nil, err
	}
	var mode string
	st.View(func() { mode = st.Mode })
	if mode != modeOnDemand {
		return nil, errInvalidArgument("Warm throughput is supported only for streams in ON_DEMAND mode; stream %s under account %s is in %s mode.", st.Key.Name, st.Key.Account, mode)
	}
	target := *in.WarmThroughputMiBps
	if err := s.checkWarmThroughput(c, target); err != nil {
		return nil, err
	}
	return store.UpdateStream(st, func() (*updateStreamWarmThroughputOutput, error) {
		if err := checkActive(st); err != nil {
			return nil, err
		}
		var current int32
		if st.WarmThroughput != nil {
			current = int32(st.WarmThroughput.CurrentMiBps)
		}
		out := &updateStreamWarmThroughputOutput{StreamARN: st.ARN, StreamName: st.Key.Name,
			WarmThroughput: &warmThroughputObject{TargetMiBps: &target, CurrentMiBps: &current}}
		st.WarmThroughput = &store.WarmThroughput{TargetMiBps: int(target), CurrentMiBps: int(current)}
		s.beginUpdate(c, st, &store.Change{Kind: store.ChangeWarmThroughput, WarmThroughputMiBps: new(int(target))})
		return out, nil
	})
}

// --- Record distribution ---

// updateStreamRecordDistributionStrategyInput is the UpdateStreamRecordDistributionStrategy
// request.
type updateStreamRecordDistributionStrategyInput struct {
	StreamARN                  string `json:"StreamARN"`
	RecordDistributionStrategy string `json:"RecordDistributionStrategy"`
	StreamId                   string `json:"StreamId,omitempty"`
}

// updateStreamRecordDistributionStrategy switches how records are placed: AUTO spreads them over
// the open shards whatever their keys, USER_PARTITION_KEY routes by key. The change is immediate,
// with no UPDATING, as in Kinesis; records already stored stay where they are.
func (s *Server) updateStreamRecordDistributionStrategy(c *call, in *updateStreamRecordDistributionStrategyInput) (*empty, error) {
	v := &validator{}
	v.required("streamARN", in.StreamARN != "")
	v.streamARN("streamARN", in.StreamARN)
	v.required("recordDistributionStrategy", in.RecordDistributionStrategy != "")
	v.enum("recordDistributionStrategy", in.RecordDistributionStrategy, distributionAuto, distributionKey)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, err := s.activeStream(c, "", in.StreamARN, true)
	if err != nil {
		return nil, err
	}
	return store.UpdateStream(st, func() (*empty, error) {
		if st.Mode != modeOnDemand && in.RecordDistributionStrategy == distributionAuto {
			return nil, errInvalidArgument("The AUTO record distribution strategy is supported only for streams in ON_DEMAND mode; stream %s under account %s is in %s mode.", st.Key.Name, st.Key.Account, st.Mode)
		}
		st.Distribution = in.RecordDistributionStrategy
		return &empty{}, nil
	})
}
