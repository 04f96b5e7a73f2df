package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Channels: CreateChannel, DescribeChannel, ListChannels, UpdateChannel, DeleteChannel. A channel
// delivers an on-demand stream to Amazon S3 or S3 Tables; the emulator keeps its configuration,
// state and lifecycle (CREATING, ACTIVE, UPDATING, DELETING, for Delays.CreateStream,
// UpdateStream and DeleteStream) but delivers nothing.

func channelOperations() map[string]operation {
	return map[string]operation{
		"CreateChannel":   controlOp((*Server).createChannel, changes, perAccount(5)),
		"DescribeChannel": controlOp((*Server).describeChannel, reads, perAccount(5)),
		"ListChannels":    controlOp((*Server).listChannels, reads, perAccount(5)),
		"UpdateChannel":   controlOp((*Server).updateChannel, changes, perAccount(5)),
		"DeleteChannel":   controlOp((*Server).deleteChannel, changes, perAccount(5)),
	}
}

// Channel states and destination types.
const (
	channelCreating = "CREATING"
	channelActive   = "ACTIVE"
	channelUpdating = "UPDATING"
	channelDeleting = "DELETING"

	destinationS3       = "S3"
	destinationS3Tables = "S3_TABLES"

	defaultDataFreshness = 300
	minDataFreshness     = 300
	maxDataFreshness     = 900
	maxListChannels      = 100
)

var (
	channelNamePattern = mustPattern(`^[a-zA-Z0-9_.-]+$`)
	channelARNPattern  = mustPattern(`^arn:aws.*:kinesis:.*:\d{12}:channel/\S+$`)
	roleARNPattern     = mustPattern(`^arn:aws[a-z-]*:iam::\d{12}:role/\S+$`)
	bucketARNPattern   = mustPattern(`^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$`)
	tableBucketPattern = mustPattern(`^arn:aws[a-z-]*:s3tables:[a-z0-9-]+:\d{12}:bucket/[a-z0-9-]{3,63}$`)
	accountIDPattern   = mustPattern(`^\d{12}$`)
)

// recordConfiguration is the record format of a channel's source stream.
type recordConfiguration struct {
	RecordFormatType string `json:"RecordFormatType"`
	GSRSchemaARN     string `json:"GSRSchemaARN,omitempty"`
}

// channelStreamConfiguration is a source stream of CreateChannel.
type channelStreamConfiguration struct {
	StreamARN           string               `json:"StreamARN"`
	RecordConfiguration *recordConfiguration `json:"RecordConfiguration"`
}

// channelStreamDescription is a source stream as DescribeChannel reports it.
type channelStreamDescription struct {
	StreamARN               string              `json:"StreamARN"`
	StreamCreationTimestamp wire.Timestamp      `json:"StreamCreationTimestamp"`
	RecordConfiguration     recordConfiguration `json:"RecordConfiguration"`
}

// channelStreamIdentifier is a source stream as ListChannels reports it.
type channelStreamIdentifier struct {
	StreamARN               string         `json:"StreamARN"`
	StreamCreationTimestamp wire.Timestamp `json:"StreamCreationTimestamp"`
}

// channelEncryptionConfiguration is the KMS key that encrypts delivered data.
type channelEncryptionConfiguration struct {
	EncryptionType string `json:"EncryptionType"`
	KeyId          string `json:"KeyId"`
}

// cloudWatchLogs is a channel's logging to Amazon CloudWatch Logs.
type cloudWatchLogs struct {
	Enabled       *bool  `json:"Enabled"`
	LogGroupName  string `json:"LogGroupName,omitempty"`
	LogStreamName string `json:"LogStreamName,omitempty"`
}

// channelLoggingConfiguration is a channel's logging.
type channelLoggingConfiguration struct {
	CloudWatchLogs *cloudWatchLogs `json:"CloudWatchLogs"`
}

// s3StorageConfiguration is the bucket a channel delivers to.
type s3StorageConfiguration struct {
	BucketARN           string `json:"BucketARN"`
	CompressionType     string `json:"CompressionType"`
	ExpectedBucketOwner string `json:"ExpectedBucketOwner"`
	OutputKeyTemplate   string `json:"OutputKeyTemplate,omitempty"`
	StorageClass        string `json:"StorageClass,omitempty"`
}

// deadLetterQueueS3Configuration is where records that cannot be delivered go.
type deadLetterQueueS3Configuration struct {
	BucketARN           string `json:"BucketARN"`
	ExpectedBucketOwner string `json:"ExpectedBucketOwner"`
	ErrorOutputPrefix   string `json:"ErrorOutputPrefix,omitempty"`
}

// s3DestinationConfiguration is delivery to a general purpose S3 bucket, as CreateChannel takes
// it and DescribeChannel reports it.
type s3DestinationConfiguration struct {
	StorageConfiguration           *s3StorageConfiguration         `json:"StorageConfiguration"`
	DataFreshnessInSeconds         *int32                          `json:"DataFreshnessInSeconds,omitempty"`
	DeadLetterQueueS3Configuration *deadLetterQueueS3Configuration `json:"DeadLetterQueueS3Configuration,omitempty"`
}

// partitionField is one partition field of a destination table.
type partitionField struct {
	SourceName string `json:"SourceName"`
	Transform  string `json:"Transform"`
}

// partitionSpec is the partitioning of a destination table.
type partitionSpec struct {
	PartitionFields []partitionField `json:"PartitionFields"`
}

// s3TablesConfiguration is a destination table.
type s3TablesConfiguration struct {
	TableBucketARN  string         `json:"TableBucketARN"`
	Namespace       string         `json:"Namespace"`
	TableName       string         `json:"TableName"`
	CompressionType string         `json:"CompressionType"`
	PartitionSpec   *partitionSpec `json:"PartitionSpec,omitempty"`
}

// s3TablesDestinationConfiguration is delivery to S3 Tables, as CreateChannel takes it and
// DescribeChannel reports it.
type s3TablesDestinationConfiguration struct {
	S3TablesConfigurationList      []s3TablesConfiguration         `json:"S3TablesConfigurationList"`
	DataFreshnessInSeconds         *int32                          `json:"DataFreshnessInSeconds,omitempty"`
	DeadLetterQueueS3Configuration *deadLetterQueueS3Configuration `json:"DeadLetterQueueS3Configuration,omitempty"`
}

// newChannelDescription is a channel as CreateChannel, DescribeChannel and UpdateChannel report it.
type channelDescription struct {
	ChannelARN                       string                            `json:"ChannelARN"`
	ChannelName                      string                            `json:"ChannelName"`
	ChannelId                        string                            `json:"ChannelId"`
	ChannelStatus                    string                            `json:"ChannelStatus"`
	ChannelCreationTimestamp         wire.Timestamp                    `json:"ChannelCreationTimestamp"`
	ServiceExecutionRoleARN          string                            `json:"ServiceExecutionRoleARN"`
	StreamConfigurationList          []channelStreamDescription        `json:"StreamConfigurationList"`
	LoggingConfiguration             channelLoggingConfiguration       `json:"LoggingConfiguration"`
	EncryptionConfiguration          *channelEncryptionConfiguration   `json:"EncryptionConfiguration,omitempty"`
	S3DestinationConfiguration       *s3DestinationConfiguration       `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration *s3TablesDestinationConfiguration `json:"S3TablesDestinationConfiguration,omitempty"`
}

// channelConfig is what store.Channel.Config holds: the configuration beyond identity and state.
type channelConfig struct {
	Role       string                            `json:"role"`
	Records    []recordConfiguration             `json:"records"` // one per source stream
	Logging    channelLoggingConfiguration       `json:"logging"`
	Encryption *channelEncryptionConfiguration   `json:"encryption,omitempty"`
	S3         *s3DestinationConfiguration       `json:"s3,omitempty"`
	S3Tables   *s3TablesDestinationConfiguration `json:"s3Tables,omitempty"`
}

func (cfg channelConfig) encode() []byte {
	b, err := wire.JSON.Encode(cfg)
	if err != nil {
		panic("emulator: channel configuration does not marshal: " + err.Error())
	}
	return b
}

func decodeChannelConfig(ch *store.Channel) channelConfig {
	var cfg channelConfig
	if err := wire.JSON.Decode(ch.Config, &cfg); err != nil {
		panic("emulator: channel configuration does not unmarshal: " + err.Error())
	}
	return cfg
}

// newChannelDescription is a channel as the channel operations report it.
func newChannelDescription(ch *store.Channel) *channelDescription {
	cfg := decodeChannelConfig(ch)
	d := &channelDescription{
		ChannelARN: ch.ARN, ChannelName: ch.Name, ChannelId: ch.ID, ChannelStatus: ch.Status,
		ChannelCreationTimestamp: wire.NewTimestamp(ch.Created), ServiceExecutionRoleARN: cfg.Role,
		LoggingConfiguration: cfg.Logging, EncryptionConfiguration: cfg.Encryption,
		S3DestinationConfiguration: cfg.S3, S3TablesDestinationConfiguration: cfg.S3Tables,
	}
	for i, src := range ch.Streams {
		sd := channelStreamDescription{StreamARN: src.ARN, StreamCreationTimestamp: wire.NewTimestamp(src.Created)}
		if i < len(cfg.Records) {
			sd.RecordConfiguration = cfg.Records[i]
		}
		d.StreamConfigurationList = append(d.StreamConfigurationList, sd)
	}
	return d
}

func (v *validator) channelARN(member, arn string) {
	if arn == "" {
		v.add(nil, member, "must not be null")
		return
	}
	v.stringLen(member, arn, 1, 2048)
	v.pattern(member, arn, channelARNPattern, `arn:aws.*:kinesis:.*:\d{12}:channel/\S+`)
}

func (v *validator) dlq(member string, d *deadLetterQueueS3Configuration) {
	if d == nil {
		return
	}
	v.required(member+".bucketARN", d.BucketARN != "")
	if d.BucketARN != "" {
		v.pattern(member+".bucketARN", d.BucketARN, bucketARNPattern, `arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}`)
	}
	v.required(member+".expectedBucketOwner", d.ExpectedBucketOwner != "")
	if d.ExpectedBucketOwner != "" {
		v.pattern(member+".expectedBucketOwner", d.ExpectedBucketOwner, accountIDPattern, `\d{12}`)
	}
}

func (v *validator) logging(member string, l *channelLoggingConfiguration) {
	if l == nil {
		return
	}
	v.required(member+".cloudWatchLogs", l.CloudWatchLogs != nil)
	if l.CloudWatchLogs != nil {
		v.required(member+".cloudWatchLogs.enabled", l.CloudWatchLogs.Enabled != nil)
		if l.CloudWatchLogs.LogGroupName != "" {
			v.stringLen(member+".cloudWatchLogs.logGroupName", l.CloudWatchLogs.LogGroupName, 1, 512)
		}
		if l.CloudWatchLogs.LogStreamName != "" {
			v.stringLen(member+".cloudWatchLogs.logStreamName", l.CloudWatchLogs.LogStreamName, 1, 512)
		}
	}
}

// checkFreshness applies the 5-to-15-minute bound on DataFreshnessInSeconds.
func checkFreshness(n *int32) error {
	if n != nil && (*n < minDataFreshness || *n > maxDataFreshness) {
		return errInvalidArgument("DataFreshnessInSeconds must be between %d and %d seconds; got %d.", minDataFreshness, maxDataFreshness, *n)
	}
	return nil
}

// createChannelInput is the CreateChannel request.
type createChannelInput struct {
	ChannelName                      string                            `json:"ChannelName"`
	ServiceExecutionRoleARN          string                            `json:"ServiceExecutionRoleARN"`
	StreamConfigurationList          []channelStreamConfiguration      `json:"StreamConfigurationList"`
	S3DestinationConfiguration       *s3DestinationConfiguration       `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration *s3TablesDestinationConfiguration `json:"S3TablesDestinationConfiguration,omitempty"`
	EncryptionConfiguration          *channelEncryptionConfiguration   `json:"EncryptionConfiguration,omitempty"`
	LoggingConfiguration             *channelLoggingConfiguration      `json:"LoggingConfiguration,omitempty"`
	Tags                             map[string]string                 `json:"Tags,omitempty"`
}

// channelOutput is the answer of CreateChannel, DescribeChannel and UpdateChannel.
type channelOutput struct {
	ChannelDescription *channelDescription `json:"ChannelDescription"`
}

func validateCreateChannel(in *createChannelInput) error {
	v := &validator{}
	v.required("channelName", in.ChannelName != "")
	if in.ChannelName != "" {
		v.stringLen("channelName", in.ChannelName, 1, 128)
		v.pattern("channelName", in.ChannelName, channelNamePattern, "[a-zA-Z0-9_.-]+")
	}
	v.required("serviceExecutionRoleARN", in.ServiceExecutionRoleARN != "")
	if in.ServiceExecutionRoleARN != "" {
		v.stringLen("serviceExecutionRoleARN", in.ServiceExecutionRoleARN, 1, 2048)
		v.pattern("serviceExecutionRoleARN", in.ServiceExecutionRoleARN, roleARNPattern, `arn:aws[a-z-]*:iam::\d{12}:role/\S+`)
	}
	v.required("streamConfigurationList", in.StreamConfigurationList != nil)
	if in.StreamConfigurationList != nil && len(in.StreamConfigurationList) != 1 {
		constraint := "must have length greater than or equal to 1"
		if len(in.StreamConfigurationList) > 1 {
			constraint = "must have length less than or equal to 1"
		}
		v.add(len(in.StreamConfigurationList), "streamConfigurationList", constraint)
	}
	for i, sc := range in.StreamConfigurationList {
		m := fmt.Sprintf("streamConfigurationList.%d.member.", i+1)
		v.required(m+"streamARN", sc.StreamARN != "")
		v.streamARN(m+"streamARN", sc.StreamARN)
		v.required(m+"recordConfiguration", sc.RecordConfiguration != nil)
		if rc := sc.RecordConfiguration; rc != nil {
			v.required(m+"recordConfiguration.recordFormatType", rc.RecordFormatType != "")
			v.enum(m+"recordConfiguration.recordFormatType", rc.RecordFormatType, "GSR_JSON", "JSON", "STRING", "BYTE_ARRAY")
		}
	}
	if d := in.S3DestinationConfiguration; d != nil {
		v.required("s3DestinationConfiguration.storageConfiguration", d.StorageConfiguration != nil)
		if sc := d.StorageConfiguration; sc != nil {
			m := "s3DestinationConfiguration.storageConfiguration."
			v.required(m+"bucketARN", sc.BucketARN != "")
			if sc.BucketARN != "" {
				v.pattern(m+"bucketARN", sc.BucketARN, bucketARNPattern, `arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}`)
			}
			v.required(m+"compressionType", sc.CompressionType != "")
			v.enum(m+"compressionType", sc.CompressionType, "NONE", "GZIP", "ZSTD")
			v.required(m+"expectedBucketOwner", sc.ExpectedBucketOwner != "")
			if sc.ExpectedBucketOwner != "" {
				v.pattern(m+"expectedBucketOwner", sc.ExpectedBucketOwner, accountIDPattern, `\d{12}`)
			}
			v.enum(m+"storageClass", sc.StorageClass, "STANDARD", "INTELLIGENT_TIERING", "GLACIER_IR")
		}
		v.dlq("s3DestinationConfiguration.deadLetterQueueS3Configuration", d.DeadLetterQueueS3Configuration)
	}
	if d := in.S3TablesDestinationConfiguration; d != nil {
		m := "s3TablesDestinationConfiguration."
		v.required(m+"deadLetterQueueS3Configuration", d.DeadLetterQueueS3Configuration != nil)
		v.dlq(m+"deadLetterQueueS3Configuration", d.DeadLetterQueueS3Configuration)
		v.required(m+"s3TablesConfigurationList", d.S3TablesConfigurationList != nil)
		if d.S3TablesConfigurationList != nil && len(d.S3TablesConfigurationList) != 1 {
			constraint := "must have length greater than or equal to 1"
			if len(d.S3TablesConfigurationList) > 1 {
				constraint = "must have length less than or equal to 1"
			}
			v.add(len(d.S3TablesConfigurationList), m+"s3TablesConfigurationList", constraint)
		}
		for i, t := range d.S3TablesConfigurationList {
			tm := fmt.Sprintf("%ss3TablesConfigurationList.%d.member.", m, i+1)
			v.required(tm+"tableBucketARN", t.TableBucketARN != "")
			if t.TableBucketARN != "" {
				v.pattern(tm+"tableBucketARN", t.TableBucketARN, tableBucketPattern, `arn:aws[a-z-]*:s3tables:[a-z0-9-]+:\d{12}:bucket/[a-z0-9-]{3,63}`)
			}
			v.required(tm+"namespace", t.Namespace != "")
			v.required(tm+"tableName", t.TableName != "")
			v.required(tm+"compressionType", t.CompressionType != "")
			v.enum(tm+"compressionType", t.CompressionType, "NONE", "ZSTD", "SNAPPY")
			if t.PartitionSpec != nil {
				for j, f := range t.PartitionSpec.PartitionFields {
					fm := fmt.Sprintf("%spartitionSpec.partitionFields.%d.member.", tm, j+1)
					v.required(fm+"sourceName", f.SourceName != "")
					v.required(fm+"transform", f.Transform != "")
					v.enum(fm+"transform", f.Transform, "TIME_HOUR")
				}
			}
		}
	}
	if e := in.EncryptionConfiguration; e != nil {
		v.required("encryptionConfiguration.encryptionType", e.EncryptionType != "")
		v.enum("encryptionConfiguration.encryptionType", e.EncryptionType, "KMS")
		v.required("encryptionConfiguration.keyId", e.KeyId != "")
		if e.KeyId != "" {
			v.stringLen("encryptionConfiguration.keyId", e.KeyId, 1, 2048)
		}
	}
	v.logging("loggingConfiguration", in.LoggingConfiguration)
	v.tagMap("tags", in.Tags, false)
	return v.err()
}

// checkChannelRules applies the rules that the request's shape cannot express.
func checkChannelRules(in *createChannelInput) error {
	s3, tables := in.S3DestinationConfiguration, in.S3TablesDestinationConfiguration
	if (s3 == nil) == (tables == nil) {
		return errInvalidArgument("Specify exactly one of S3DestinationConfiguration and S3TablesDestinationConfiguration.")
	}
	freshness := func() *int32 {
		if s3 != nil {
			return s3.DataFreshnessInSeconds
		}
		return tables.DataFreshnessInSeconds
	}()
	if err := checkFreshness(freshness); err != nil {
		return err
	}
	for _, sc := range in.StreamConfigurationList {
		rc := sc.RecordConfiguration
		switch {
		case tables != nil && (rc.RecordFormatType == "STRING" || rc.RecordFormatType == "BYTE_ARRAY"):
			return errInvalidArgument("RecordFormatType %s is supported only for S3 destinations.", rc.RecordFormatType)
		case s3 != nil && rc.RecordFormatType == "GSR_JSON":
			return errInvalidArgument("RecordFormatType GSR_JSON is supported only for S3 Tables destinations.")
		case tables != nil && rc.GSRSchemaARN == "":
			return errInvalidArgument("GSRSchemaARN is required for an S3 Tables destination.")
		}
	}
	if e := in.EncryptionConfiguration; e != nil {
		if e.KeyId == "alias/aws/kinesis" || strings.HasSuffix(e.KeyId, ":alias/aws/kinesis") {
			return errInvalidArgument("The Kinesis Data Streams service key (aws/kinesis) cannot encrypt channel deliveries; use a customer managed KMS key.")
		}
		if !kmsKeyPattern.MatchString(e.KeyId) {
			return errInvalidArgument("KeyId %s is not a valid KMS key: give a key id, a key ARN, an alias name or an alias ARN.", e.KeyId)
		}
	}
	if len(in.Tags) > maxTagsPerResource {
		return errInvalidArgument("Failed to create channel %s because a given tag exceeded the limit of %d tags.", in.ChannelName, maxTagsPerResource)
	}
	return checkTagText(in.Tags, sortedKeys(in.Tags))
}

func channelARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:channel/%s", region, account, name)
}

func newChannelID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) createChannel(c *call, in *createChannelInput) (*channelOutput, error) {
	if err := validateCreateChannel(in); err != nil {
		return nil, err
	}
	if err := checkChannelRules(in); err != nil {
		return nil, err
	}
	src := in.StreamConfigurationList[0]
	st, err := s.stream(c, "", src.StreamARN)
	if err != nil {
		return nil, err
	}
	var mode, status string
	var created time.Time
	st.View(func() { mode, status, created = st.Mode, st.Status, st.Created })
	if status == store.StatusDeleting {
		return nil, errStreamNotFound(st.Key)
	}
	if mode != modeOnDemand {
		return nil, errInvalidArgument("Channels are supported only for streams in ON_DEMAND mode; stream %s under account %s is in %s mode.", st.Key.Name, st.Key.Account, mode)
	}
	if status != store.StatusActive {
		return nil, errStreamNotActive(st.Key.Name, st.Key.Account, status)
	}
	cfg := channelConfig{Role: in.ServiceExecutionRoleARN, Records: []recordConfiguration{*src.RecordConfiguration},
		Encryption: in.EncryptionConfiguration}
	if in.LoggingConfiguration != nil {
		cfg.Logging = *in.LoggingConfiguration
	} else {
		off := false
		cfg.Logging = channelLoggingConfiguration{CloudWatchLogs: &cloudWatchLogs{Enabled: &off}}
	}
	id := newChannelID()
	if cw := cfg.Logging.CloudWatchLogs; *cw.Enabled {
		if cw.LogGroupName == "" {
			cw.LogGroupName = "/aws/kinesis/" + in.ChannelName + "/" + id
		}
		if cw.LogStreamName == "" {
			cw.LogStreamName = "DestinationDelivery"
		}
	}
	freshness := int32(defaultDataFreshness)
	if d := in.S3DestinationConfiguration; d != nil {
		cp := *d
		if cp.DataFreshnessInSeconds == nil {
			cp.DataFreshnessInSeconds = &freshness
		}
		if cp.DeadLetterQueueS3Configuration == nil {
			cp.DeadLetterQueueS3Configuration = &deadLetterQueueS3Configuration{BucketARN: d.StorageConfiguration.BucketARN,
				ExpectedBucketOwner: d.StorageConfiguration.ExpectedBucketOwner, ErrorOutputPrefix: "error/"}
		}
		cfg.S3 = &cp
	} else {
		cp := *in.S3TablesDestinationConfiguration
		if cp.DataFreshnessInSeconds == nil {
			cp.DataFreshnessInSeconds = &freshness
		}
		cfg.S3Tables = &cp
	}
	a := s.store.Account(c.account, c.region)
	return store.UpdateAccount(a, func() (*channelOutput, error) {
		if existing := a.Channels[in.ChannelName]; existing != nil && !s.settleChannel(a, existing, c.now) {
			return nil, errResourceInUse("Channel %s under account %s already exists.", in.ChannelName, c.account)
		}
		live := 0
		for _, ch := range a.SortedChannels() {
			if !s.settleChannel(a, ch, c.now) {
				live++
			}
		}
		if live >= channelLimit {
			return nil, errLimitExceeded("This request would exceed the limit of %d channels for account %s in %s.", channelLimit, c.account, c.region)
		}
		ch := &store.Channel{
			Name: in.ChannelName, ID: id, ARN: channelARN(c.account, c.region, in.ChannelName), Created: c.now,
			Status: channelCreating, PendingUntil: c.now.Add(s.cfg.delays.CreateStream),
			Streams: []store.ChannelStream{{ARN: st.ARN, Created: created}}, Config: cfg.encode(),
			Tags: map[string]string{},
		}
		for k, val := range in.Tags {
			ch.Tags[k] = val
		}
		a.Channels[ch.Name] = ch
		return &channelOutput{ChannelDescription: newChannelDescription(ch)}, nil
	})
}

// settleChannel completes a channel's transition when its time has come. It reports whether the
// channel is gone. Callers are inside a.Update.
func (s *Server) settleChannel(a *store.Account, ch *store.Channel, now time.Time) (gone bool) {
	if ch.Status == channelActive || now.Before(ch.PendingUntil) {
		return false
	}
	if ch.Status == channelDeleting {
		if a.Channels[ch.Name] == ch {
			delete(a.Channels, ch.Name)
		}
		return true
	}
	ch.Status = channelActive
	return false
}

// withChannel finds the channel an ARN names (DELETING ones too) and runs fn on it and its
// account, with the account locked.
func withChannel[T any](s *Server, c *call, arn string, fn func(a *store.Account, ch *store.Channel) (T, error)) (T, error) {
	var zero T
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !accountIDPattern.MatchString(parts[4]) || !strings.HasPrefix(parts[5], "channel/") {
		return zero, errResourceNotFound("Channel %s not found.", arn)
	}
	name := strings.TrimPrefix(parts[5], "channel/")
	a := s.store.Account(parts[4], parts[3])
	return store.UpdateAccount(a, func() (T, error) {
		ch := a.Channels[name]
		if ch == nil || ch.ARN != arn || s.settleChannel(a, ch, c.now) {
			return zero, errChannelNotFound(name, parts[4])
		}
		return fn(a, ch)
	})
}

// describeChannelInput is the DescribeChannel request.
type describeChannelInput struct {
	ChannelARN string `json:"ChannelARN"`
}

func (s *Server) describeChannel(c *call, in *describeChannelInput) (*channelOutput, error) {
	v := &validator{}
	v.channelARN("channelARN", in.ChannelARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	return withChannel(s, c, in.ChannelARN, func(a *store.Account, ch *store.Channel) (*channelOutput, error) {
		return &channelOutput{ChannelDescription: newChannelDescription(ch)}, nil
	})
}

// streamFilter narrows ListChannels to the channels of some streams.
type streamFilter struct {
	StreamARN               string          `json:"StreamARN"`
	StreamCreationTimestamp *wire.Timestamp `json:"StreamCreationTimestamp,omitempty"`
}

// listChannelsInput is the ListChannels request.
type listChannelsInput struct {
	MaxResults   *int32         `json:"MaxResults,omitempty"`
	NextToken    string         `json:"NextToken,omitempty"`
	StreamFilter []streamFilter `json:"StreamFilter,omitempty"`
}

// channelSummary is one channel of a ListChannels answer.
type channelSummary struct {
	ChannelARN               string                    `json:"ChannelARN"`
	ChannelName              string                    `json:"ChannelName"`
	ChannelId                string                    `json:"ChannelId"`
	ChannelStatus            string                    `json:"ChannelStatus"`
	ChannelCreationTimestamp wire.Timestamp            `json:"ChannelCreationTimestamp"`
	ChannelDestinationType   string                    `json:"ChannelDestinationType"`
	Streams                  []channelStreamIdentifier `json:"Streams"`
}

// listChannelsOutput is the ListChannels answer.
type listChannelsOutput struct {
	ChannelSummaries []channelSummary `json:"ChannelSummaries"`
	NextToken        string           `json:"NextToken,omitempty"`
}

// channelReads reports whether a channel reads from a stream the filters name (with no filter,
// every channel does).
func channelReads(ch *store.Channel, filters []streamFilter) bool {
	if len(filters) == 0 {
		return true
	}
	for _, f := range filters {
		for _, src := range ch.Streams {
			if src.ARN == f.StreamARN && (f.StreamCreationTimestamp == nil || f.StreamCreationTimestamp.UnixMilli() == src.Created.UnixMilli()) {
				return true
			}
		}
	}
	return false
}

func (s *Server) listChannels(c *call, in *listChannelsInput) (*listChannelsOutput, error) {
	v := &validator{}
	v.intRange("maxResults", in.MaxResults, 1, 10000)
	if in.NextToken != "" {
		v.stringLen("nextToken", in.NextToken, 1, 1048576)
	}
	if in.StreamFilter != nil && len(in.StreamFilter) == 0 {
		v.add("[]", "streamFilter", "must have length greater than or equal to 1")
	}
	for i, f := range in.StreamFilter {
		m := fmt.Sprintf("streamFilter.%d.member.streamARN", i+1)
		v.required(m, f.StreamARN != "")
		v.streamARN(m, f.StreamARN)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != "" {
		tok, err := s.openToken(c, "ListChannels", in.NextToken)
		if err != nil {
			return nil, err
		}
		after = tok.After
	}
	limit := maxListChannels
	if in.MaxResults != nil && int(*in.MaxResults) < limit {
		limit = int(*in.MaxResults)
	}
	a := s.store.Account(c.account, c.region)
	return store.UpdateAccount(a, func() (*listChannelsOutput, error) {
		out := &listChannelsOutput{ChannelSummaries: []channelSummary{}}
		for _, ch := range a.SortedChannels() {
			if ch.Name <= after || s.settleChannel(a, ch, c.now) || !channelReads(ch, in.StreamFilter) {
				continue
			}
			if len(out.ChannelSummaries) == limit {
				out.NextToken = s.sealToken(c, "ListChannels", pageToken{After: out.ChannelSummaries[limit-1].ChannelName})
				break
			}
			sum := channelSummary{ChannelARN: ch.ARN, ChannelName: ch.Name, ChannelId: ch.ID, ChannelStatus: ch.Status,
				ChannelCreationTimestamp: wire.NewTimestamp(ch.Created), ChannelDestinationType: destinationS3,
				Streams: []channelStreamIdentifier{}}
			if decodeChannelConfig(ch).S3Tables != nil {
				sum.ChannelDestinationType = destinationS3Tables
			}
			for _, src := range ch.Streams {
				sum.Streams = append(sum.Streams, channelStreamIdentifier{StreamARN: src.ARN, StreamCreationTimestamp: wire.NewTimestamp(src.Created)})
			}
			out.ChannelSummaries = append(out.ChannelSummaries, sum)
		}
		return out, nil
	})
}

// destinationUpdate is the one setting UpdateChannel can change of a destination.
type destinationUpdate struct {
	DataFreshnessInSeconds *int32 `json:"DataFreshnessInSeconds"`
}

// updateChannelInput is the UpdateChannel request.
type updateChannelInput struct {
	ChannelARN                       string                       `json:"ChannelARN"`
	LoggingConfiguration             *channelLoggingConfiguration `json:"LoggingConfiguration,omitempty"`
	S3DestinationConfiguration       *destinationUpdate           `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration *destinationUpdate           `json:"S3TablesDestinationConfiguration,omitempty"`
}

// updateChannel changes a channel's data freshness or logging; the channel is UPDATING until
// Delays.UpdateStream has passed.
func (s *Server) updateChannel(c *call, in *updateChannelInput) (*channelOutput, error) {
	v := &validator{}
	v.channelARN("channelARN", in.ChannelARN)
	v.logging("loggingConfiguration", in.LoggingConfiguration)
	if u := in.S3DestinationConfiguration; u != nil {
		v.required("s3DestinationConfiguration.dataFreshnessInSeconds", u.DataFreshnessInSeconds != nil)
	}
	if u := in.S3TablesDestinationConfiguration; u != nil {
		v.required("s3TablesDestinationConfiguration.dataFreshnessInSeconds", u.DataFreshnessInSeconds != nil)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.LoggingConfiguration == nil && in.S3DestinationConfiguration == nil && in.S3TablesDestinationConfiguration == nil {
		return nil, errInvalidArgument("Specify at least one of LoggingConfiguration, S3DestinationConfiguration and S3TablesDestinationConfiguration to update.")
	}
	for _, u := range []*destinationUpdate{in.S3DestinationConfiguration, in.S3TablesDestinationConfiguration} {
		if u != nil {
			if err := checkFreshness(u.DataFreshnessInSeconds); err != nil {
				return nil, err
			}
		}
	}
	return withChannel(s, c, in.ChannelARN, func(a *store.Account, ch *store.Channel) (*channelOutput, error) {
		if ch.Status != channelActive {
			return nil, errResourceInUse("Channel %s under account %s not ACTIVE, instead in state %s", ch.Name, c.account, ch.Status)
		}
		cfg := decodeChannelConfig(ch)
		switch {
		case in.S3DestinationConfiguration != nil && cfg.S3 == nil:
			return nil, errInvalidArgument("Channel %s delivers to S3 Tables; update it with S3TablesDestinationConfiguration.", ch.Name)
		case in.S3TablesDestinationConfiguration != nil && cfg.S3Tables == nil:
			return nil, errInvalidArgument("Channel %s delivers to an S3 bucket; update it with S3DestinationConfiguration.", ch.Name)
		}
		if u := in.S3DestinationConfiguration; u != nil {
			n := *u.DataFreshnessInSeconds
			cfg.S3.DataFreshnessInSeconds = &n
		}
		if u := in.S3TablesDestinationConfiguration; u != nil {
			n := *u.DataFreshnessInSeconds
			cfg.S3Tables.DataFreshnessInSeconds = &n
		}
		if l := in.LoggingConfiguration; l != nil {
			cw := *l.CloudWatchLogs
			if *cw.Enabled && cw.LogGroupName == "" {
				cw.LogGroupName = "/aws/kinesis/" + ch.Name + "/" + ch.ID
			}
			if *cw.Enabled && cw.LogStreamName == "" {
				cw.LogStreamName = "DestinationDelivery"
			}
			cfg.Logging = channelLoggingConfiguration{CloudWatchLogs: &cw}
		}
		ch.Config = cfg.encode()
		ch.Status, ch.PendingUntil = channelUpdating, c.now.Add(s.cfg.delays.UpdateStream)
		return &channelOutput{ChannelDescription: newChannelDescription(ch)}, nil
	})
}

// deleteChannelInput is the DeleteChannel request.
type deleteChannelInput struct {
	ChannelARN string `json:"ChannelARN"`
}

// deleteChannel stops a channel: it is DELETING until Delays.DeleteStream has passed, then gone.
func (s *Server) deleteChannel(c *call, in *deleteChannelInput) (*empty, error) {
	v := &validator{}
	v.channelARN("channelARN", in.ChannelARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	return withChannel(s, c, in.ChannelARN, func(a *store.Account, ch *store.Channel) (*empty, error) {
		if ch.Status == channelDeleting {
			return nil, errChannelNotFound(ch.Name, c.account)
		}
		ch.Status, ch.PendingUntil = channelDeleting, c.now.Add(s.cfg.delays.DeleteStream)
		s.settleChannel(a, ch, c.now)
		return &empty{}, nil
	})
}
