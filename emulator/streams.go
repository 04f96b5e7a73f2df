package emulator

import (
	"sort"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Stream-level operations: CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary,
// ListStreams.

func streamOperations() map[string]operation {
	return map[string]operation{
		"CreateStream":          controlOp((*Server).createStreamOp, changes, perAccount(5)),
		"DeleteStream":          controlOp((*Server).deleteStream, changes, perAccount(5)),
		"DescribeStream":        controlOp((*Server).describeStream, reads, perAccount(10)),
		"DescribeStreamSummary": controlOp((*Server).describeStreamSummary, reads, perAccount(20)),
		"ListStreams":           controlOp((*Server).listStreams, reads, perAccount(5)),
	}
}

// Stream modes, encryption types and record distribution strategies.
const (
	modeProvisioned  = "PROVISIONED"
	modeOnDemand     = "ON_DEMAND"
	encryptionNone   = "NONE"
	encryptionKMS    = "KMS"
	distributionKey  = "USER_PARTITION_KEY"
	distributionAuto = "AUTO"

	defaultRetentionHours   = 24
	defaultMaxRecordSizeKiB = 1024
	onDemandShards          = 4
)

// streamModeDetails is the capacity mode of a stream.
type streamModeDetails struct {
	StreamMode string `json:"StreamMode"`
}

// enhancedMetrics lists the shard-level metrics enabled on a stream.
type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

// sequenceNumberRange is a shard's range of sequence numbers; EndingSequenceNumber is set once it
// is closed.
type sequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

// shard describes one shard.
type shard struct {
	ShardId               string              `json:"ShardId"`
	ParentShardId         string              `json:"ParentShardId,omitempty"`
	AdjacentParentShardId string              `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange   sequenceNumberRange `json:"SequenceNumberRange"`
}

// warmThroughputObject is a stream's warm throughput.
type warmThroughputObject struct {
	TargetMiBps  *int32 `json:"TargetMiBps,omitempty"`
	CurrentMiBps *int32 `json:"CurrentMiBps,omitempty"`
}

// createStreamInput is the CreateStream request.
type createStreamInput struct {
	StreamName                 string             `json:"StreamName"`
	ShardCount                 *int               `json:"ShardCount,omitempty"`
	StreamModeDetails          *streamModeDetails `json:"StreamModeDetails,omitempty"`
	Tags                       map[string]string  `json:"Tags,omitempty"`
	WarmThroughputMiBps        *int32             `json:"WarmThroughputMiBps,omitempty"`
	MaxRecordSizeInKiB         *int32             `json:"MaxRecordSizeInKiB,omitempty"`
	RecordDistributionStrategy string             `json:"RecordDistributionStrategy,omitempty"`
}

// empty is the answer of operations without an output shape: an empty body.
type empty = wire.NoOutput

func (s *Server) createStreamOp(c *call, in *createStreamInput) (*empty, error) {
	_, err := s.createStream(c, in, false)
	return &empty{}, err
}

// createStream creates a stream; active skips the CREATING delay (streams made at start).
func (s *Server) createStream(c *call, in *createStreamInput, active bool) (*store.Stream, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, true)
	if in.ShardCount != nil {
		n := int32(*in.ShardCount)
		v.intRange("shardCount", &n, 1, 1<<31-1)
	}
	mode := modeProvisioned
	if in.StreamModeDetails != nil {
		v.enum("streamModeDetails.streamMode", in.StreamModeDetails.StreamMode, modeProvisioned, modeOnDemand)
		if in.StreamModeDetails.StreamMode != "" {
			mode = in.StreamModeDetails.StreamMode
		}
	}
	v.intRange("maxRecordSizeInKiB", in.MaxRecordSizeInKiB, 1024, 10240)
	v.intRange("warmThroughputMiBps", in.WarmThroughputMiBps, 0, 1<<31-1)
	v.enum("recordDistributionStrategy", in.RecordDistributionStrategy, distributionAuto, distributionKey)
	validateTags(v, in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	shards := onDemandShards
	switch {
	case mode == modeProvisioned && in.ShardCount == nil:
		return nil, errInvalidArgument("ShardCount is required for a stream in PROVISIONED mode.")
	case mode == modeOnDemand && in.ShardCount != nil:
		return nil, errInvalidArgument("ShardCount is not supported for a stream in ON_DEMAND mode.")
	case in.ShardCount != nil:
		shards = *in.ShardCount
	}
	if in.WarmThroughputMiBps != nil && mode != modeOnDemand {
		return nil, errInvalidArgument("WarmThroughputMiBps is supported only for streams in ON_DEMAND mode.")
	}
	if len(in.Tags) > 50 {
		return nil, errInvalidArgument("Failed to create stream %s under account %s because a given tag exceeded the limit of 50 tags.", in.StreamName, c.account)
	}
	if limit := s.cfg.limits.ShardsPerRegion; limit > 0 && s.openShardCount(c.account, c.region)+shards > limit {
		return nil, errShardLimit(c.account, c.region, s.openShardCount(c.account, c.region), limit, shards)
	}
	if limit := s.cfg.limits.StreamsPerRegion; limit > 0 && s.store.Count(c.account, c.region) >= limit {
		return nil, errLimitExceeded("This request would exceed the stream limit for the account %s in %s. Limit: %d.", c.account, c.region, limit)
	}
	k := store.Key{Account: c.account, Region: c.region, Name: in.StreamName}
	st := &store.Stream{
		Key: k, ARN: streamARN(k), Status: store.StatusCreating, Created: c.now, Mode: mode,
		RetentionHours: defaultRetentionHours, EncryptionType: encryptionNone,
		Tags: map[string]string{}, MaxRecordSizeKiB: defaultMaxRecordSizeKiB, Distribution: distributionKey,
		Consumers: map[string]*store.Consumer{}, PendingUntil: c.now.Add(s.cfg.delays.CreateStream),
		Generation: c.now.UnixNano(),
	}
	if active {
		st.Status, st.PendingUntil = store.StatusActive, time.Time{}
	}
	for key, val := range in.Tags {
		st.Tags[key] = val
	}
	if in.MaxRecordSizeInKiB != nil {
		st.MaxRecordSizeKiB = int(*in.MaxRecordSizeInKiB)
	}
	if in.RecordDistributionStrategy != "" {
		st.Distribution = in.RecordDistributionStrategy
	}
	if in.WarmThroughputMiBps != nil {
		st.WarmThroughput = &store.WarmThroughput{TargetMiBps: int(*in.WarmThroughputMiBps), CurrentMiBps: int(*in.WarmThroughputMiBps)}
	}
	for i, r := range store.SplitEvenly(store.HashKey{}, store.MaxHashKey, shards) {
		st.Shards = append(st.Shards, store.NewShard(i, r[0], r[1], c.now, "", ""))
	}
	if !s.store.Add(st) {
		return nil, errResourceInUse("Stream %s under account %s already exists.", in.StreamName, c.account)
	}
	return st, nil // the handler saves the metadata after the call; Server.CreateStream saves itself
}

// deleteStreamInput is the DeleteStream request.
type deleteStreamInput struct {
	StreamName              string `json:"StreamName,omitempty"`
	StreamARN               string `json:"StreamARN,omitempty"`
	EnforceConsumerDeletion *bool  `json:"EnforceConsumerDeletion,omitempty"`
}

func (s *Server) deleteStream(c *call, in *deleteStreamInput) (*empty, error) {
	if err := validateStreamRef(in.StreamName, in.StreamARN); err != nil {
		return nil, err
	}
	st, err := s.stream(c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if _, err := store.UpdateStream(st, func() (*empty, error) {
		if st.Status == store.StatusDeleting {
			return nil, errStreamNotFound(st.Key)
		}
		if len(st.Consumers) > 0 && (in.EnforceConsumerDeletion == nil || !*in.EnforceConsumerDeletion) {
			return nil, errResourceInUse("Stream %s under account %s has registered consumers. Deregister the consumers or set EnforceConsumerDeletion to true.", st.Key.Name, st.Key.Account)
		}
		st.Status = store.StatusDeleting
		st.PendingUntil = c.now.Add(s.cfg.delays.DeleteStream)
		st.Pending = nil
		for _, cons := range st.Consumers {
			cons.Status = consumerDeleting
			cons.PendingUntil = st.PendingUntil
		}
		return nil, nil
	}); err != nil {
		return nil, err
	}
	s.subs.endStream(st)
	s.settle(st, c.now)
	return &empty{}, nil
}

// describeStreamInput is the DescribeStream request.
type describeStreamInput struct {
	StreamName            string `json:"StreamName,omitempty"`
	StreamARN             string `json:"StreamARN,omitempty"`
	Limit                 *int32 `json:"Limit,omitempty"`
	ExclusiveStartShardId string `json:"ExclusiveStartShardId,omitempty"`
}

// streamDescription is a full description of a stream.
type streamDescription struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamModeDetails       *streamModeDetails `json:"StreamModeDetails,omitempty"`
	Shards                  []shard            `json:"Shards"`
	HasMoreShards           bool               `json:"HasMoreShards"`
	RetentionPeriodHours    int                `json:"RetentionPeriodHours"`
	StreamCreationTimestamp wire.Timestamp     `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics  `json:"EnhancedMonitoring"`
	EncryptionType          string             `json:"EncryptionType,omitempty"`
	KeyId                   string             `json:"KeyId,omitempty"`
}

// describeStreamOutput is the DescribeStream answer.
type describeStreamOutput struct {
	StreamDescription streamDescription `json:"StreamDescription"`
}

func (s *Server) describeStream(c *call, in *describeStreamInput) (*describeStreamOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.intRange("limit", in.Limit, 1, 10000)
	v.shardID("exclusiveStartShardId", in.ExclusiveStartShardId, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	st, err := s.stream(c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil && int(*in.Limit) < limit {
		limit = int(*in.Limit)
	}
	s.trimStream(st, c.now)
	return store.ViewStream(st, func() (*describeStreamOutput, error) {
		d := streamDescription{
			StreamName: st.Key.Name, StreamARN: st.ARN, StreamStatus: st.Status,
			StreamModeDetails:    &streamModeDetails{StreamMode: st.Mode},
			RetentionPeriodHours: st.RetentionHours, StreamCreationTimestamp: wire.NewTimestamp(st.Created),
			EnhancedMonitoring: []enhancedMetrics{{ShardLevelMetrics: nonNil(st.Metrics)}},
			EncryptionType:     st.EncryptionType, KeyId: st.KeyID, Shards: []shard{},
		}
		after := startAfterShard(in.ExclusiveStartShardId)
		for _, sh := range s.visibleShards(st, c.now) {
			if after != "" && sh.ID <= after {
				continue
			}
			if len(d.Shards) == limit {
				d.HasMoreShards = true
				break
			}
			d.Shards = append(d.Shards, describeShard(sh))
		}
		return &describeStreamOutput{StreamDescription: d}, nil
	})
}

// visibleShards lists the shards still within retention: a closed shard disappears once its
// records have all expired. Callers are inside st.Update.
func (s *Server) visibleShards(st *store.Stream, now time.Time) []*store.Shard {
	cutoff := now.Add(-time.Duration(st.RetentionHours) * time.Hour)
	out := make([]*store.Shard, 0, len(st.Shards))
	for _, sh := range st.Shards {
		if at := sh.ClosedAt(); !at.IsZero() && at.Before(cutoff) {
			continue
		}
		out = append(out, sh)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

func describeShard(sh *store.Shard) shard {
	return shard{
		ShardId: sh.ID, ParentShardId: sh.Parent, AdjacentParentShardId: sh.AdjacentParent,
		HashKeyRange:        hashKeyRange{StartingHashKey: sh.StartHash.String(), EndingHashKey: sh.EndHash.String()},
		SequenceNumberRange: sequenceNumberRange{StartingSequenceNumber: sh.StartSequence, EndingSequenceNumber: sh.EndSequence()},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// describeStreamSummaryInput is the DescribeStreamSummary request.
type describeStreamSummaryInput struct {
	StreamName string `json:"StreamName,omitempty"`
	StreamARN  string `json:"StreamARN,omitempty"`
}

// streamDescriptionSummary summarizes a stream without its shards.
type streamDescriptionSummary struct {
	StreamName                 string                `json:"StreamName"`
	StreamARN                  string                `json:"StreamARN"`
	StreamStatus               string                `json:"StreamStatus"`
	StreamModeDetails          *streamModeDetails    `json:"StreamModeDetails,omitempty"`
	RetentionPeriodHours       int                   `json:"RetentionPeriodHours"`
	StreamCreationTimestamp    wire.Timestamp        `json:"StreamCreationTimestamp"`
	EnhancedMonitoring         []enhancedMetrics     `json:"EnhancedMonitoring"`
	EncryptionType             string                `json:"EncryptionType,omitempty"`
	KeyId                      string                `json:"KeyId,omitempty"`
	OpenShardCount             int                   `json:"OpenShardCount"`
	ConsumerCount              int                   `json:"ConsumerCount"`
	MaxRecordSizeInKiB         int                   `json:"MaxRecordSizeInKiB"`
	RecordDistributionStrategy string                `json:"RecordDistributionStrategy,omitempty"`
	WarmThroughput             *warmThroughputObject `json:"WarmThroughput,omitempty"`
}

// describeStreamSummaryOutput is the DescribeStreamSummary answer.
type describeStreamSummaryOutput struct {
	StreamDescriptionSummary streamDescriptionSummary `json:"StreamDescriptionSummary"`
}

func (s *Server) describeStreamSummary(c *call, in *describeStreamSummaryInput) (*describeStreamSummaryOutput, error) {
	if err := validateStreamRef(in.StreamName, in.StreamARN); err != nil {
		return nil, err
	}
	st, err := s.stream(c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	return store.ViewStream(st, func() (*describeStreamSummaryOutput, error) {
		d := streamDescriptionSummary{
			StreamName: st.Key.Name, StreamARN: st.ARN, StreamStatus: st.Status,
			StreamModeDetails:    &streamModeDetails{StreamMode: st.Mode},
			RetentionPeriodHours: st.RetentionHours, StreamCreationTimestamp: wire.NewTimestamp(st.Created),
			EnhancedMonitoring: []enhancedMetrics{{ShardLevelMetrics: nonNil(st.Metrics)}},
			EncryptionType:     st.EncryptionType, KeyId: st.KeyID,
			OpenShardCount: len(st.OpenShards()), MaxRecordSizeInKiB: st.MaxRecordSizeKiB,
		}
		if st.Mode == modeOnDemand {
			// "Only present for streams that use the on-demand capacity mode" (the SDK's doc).
			d.RecordDistributionStrategy = st.Distribution
		}
		for _, cons := range st.Consumers {
			if cons.Status != consumerDeleting {
				d.ConsumerCount++
			}
		}
		if st.WarmThroughput != nil {
			t, cur := int32(st.WarmThroughput.TargetMiBps), int32(st.WarmThroughput.CurrentMiBps)
			d.WarmThroughput = &warmThroughputObject{TargetMiBps: &t, CurrentMiBps: &cur}
		}
		return &describeStreamSummaryOutput{StreamDescriptionSummary: d}, nil
	})
}

// listStreamsInput is the ListStreams request.
type listStreamsInput struct {
	Limit                    *int32 `json:"Limit,omitempty"`
	ExclusiveStartStreamName string `json:"ExclusiveStartStreamName,omitempty"`
	NextToken                string `json:"NextToken,omitempty"`
}

// streamSummary is one stream in a ListStreams answer.
type streamSummary struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamModeDetails       *streamModeDetails `json:"StreamModeDetails,omitempty"`
	StreamCreationTimestamp wire.Timestamp     `json:"StreamCreationTimestamp"`
}

// listStreamsOutput is the ListStreams answer.
type listStreamsOutput struct {
	StreamNames     []string        `json:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams"`
	NextToken       string          `json:"NextToken,omitempty"`
	StreamSummaries []streamSummary `json:"StreamSummaries"`
}

func (s *Server) listStreams(c *call, in *listStreamsInput) (*listStreamsOutput, error) {
	v := &validator{}
	v.intRange("limit", in.Limit, 1, 10000)
	v.streamName("exclusiveStartStreamName", in.ExclusiveStartStreamName, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	after := in.ExclusiveStartStreamName
	if in.NextToken != "" {
		if in.ExclusiveStartStreamName != "" {
			return nil, errInvalidArgument("NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		tok, err := s.openToken(c, "ListStreams", in.NextToken)
		if err != nil {
			return nil, err
		}
		after = tok.After
	}
	limit := 100
	if in.Limit != nil && int(*in.Limit) < limit {
		limit = int(*in.Limit)
	}
	out := &listStreamsOutput{StreamNames: []string{}, StreamSummaries: []streamSummary{}}
	for _, st := range s.store.List(c.account, c.region) {
		if st.Key.Name <= after || s.settle(st, c.now) {
			continue
		}
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			out.NextToken = s.sealToken(c, "ListStreams", pageToken{After: out.StreamNames[limit-1]})
			break
		}
		st.View(func() {
			out.StreamNames = append(out.StreamNames, st.Key.Name)
			out.StreamSummaries = append(out.StreamSummaries, streamSummary{
				StreamName: st.Key.Name, StreamARN: st.ARN, StreamStatus: st.Status,
				StreamModeDetails:       &streamModeDetails{StreamMode: st.Mode},
				StreamCreationTimestamp: wire.NewTimestamp(st.Created),
			})
		})
	}
	return out, nil
}

// validateStreamRef checks the StreamName and StreamARN members most operations share.
func validateStreamRef(name, arn string) error {
	v := &validator{}
	v.streamName("streamName", name, false)
	v.streamARN("streamARN", arn)
	return v.err()
}

// trimStream drops the records of every shard that retention has passed.
func (s *Server) trimStream(st *store.Stream, now time.Time) {
	var cutoff time.Time
	var shards []*store.Shard
	st.View(func() {
		cutoff = now.Add(-time.Duration(st.RetentionHours) * time.Hour)
		shards = append([]*store.Shard(nil), st.Shards...)
	})
	for _, sh := range shards {
		sh.Trim(cutoff)
	}
}

func validateTags(v *validator, tags map[string]string) {
	for k, val := range tags {
		v.stringLen("tags.key", k, 1, 128)
		v.stringLen("tags."+k, val, 0, 256)
	}
}
