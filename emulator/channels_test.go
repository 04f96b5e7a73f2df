package emulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

// channelFixture is a server on a manual clock with an on-demand stream to deliver from.
func channelFixture(t *testing.T, opts ...emulator.Option) (*confEnv, *emulator.ManualClock, string) {
	t.Helper()
	clock := emulator.NewManualClock(settingsStart)
	srv := emulator.RunT(t, append([]emulator.Option{emulator.WithClock(clock)}, opts...)...)
	e := &confEnv{ctx: ctxT(t), kc: newClient(t, srv), v: map[string]string{}}
	e.account = srv.AccountID()
	if _, err := e.kc.CreateStream(e.ctx, &kinesis.CreateStreamInput{StreamName: aws.String("source"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour) // past any CreateStream delay
	return e, clock, *e.waitActive(t, "source").StreamARN
}

func (e *confEnv) channelStatus(t *testing.T, arn string) types.ChannelStatus {
	t.Helper()
	out, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeChannel: %v", err)
	}
	return out.ChannelDescription.ChannelStatus
}

func TestChannelLifecycle(t *testing.T) {
	e, clock, src := channelFixture(t, emulator.WithDelays(emulator.Delays{CreateStream: 30 * time.Second, UpdateStream: 20 * time.Second, DeleteStream: 10 * time.Second}))
	out, err := e.kc.CreateChannel(e.ctx, e.s3Channel("life", src))
	if err != nil {
		t.Fatal(err)
	}
	arn := *out.ChannelDescription.ChannelARN
	if want := "arn:aws:kinesis:us-east-1:" + e.account + ":channel/life"; arn != want {
		t.Fatalf("channel ARN %s, want %s", arn, want)
	}
	update := func(freshness int32) error {
		_, err := e.kc.UpdateChannel(e.ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(arn),
			S3DestinationConfiguration: &types.S3DestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(freshness)}})
		return err
	}
	if s := e.channelStatus(t, arn); s != types.ChannelStatusCreating {
		t.Fatalf("just created: %s", s)
	}
	if err := matchAPIError(update(600), "ResourceInUseException", "CREATING"); err != nil {
		t.Fatalf("updating a CREATING channel: %v", err)
	}
	clock.Advance(30 * time.Second)
	if s := e.channelStatus(t, arn); s != types.ChannelStatusActive {
		t.Fatalf("after the create delay: %s", s)
	}
	if err := update(600); err != nil {
		t.Fatal(err)
	}
	if s := e.channelStatus(t, arn); s != types.ChannelStatusUpdating {
		t.Fatalf("just updated: %s", s)
	}
	clock.Advance(20 * time.Second)
	if s := e.channelStatus(t, arn); s != types.ChannelStatusActive {
		t.Fatalf("after the update delay: %s", s)
	}
	if _, err := e.kc.DeleteChannel(e.ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if s := e.channelStatus(t, arn); s != types.ChannelStatusDeleting {
		t.Fatalf("just deleted: %s", s)
	}
	_, err = e.kc.CreateChannel(e.ctx, e.s3Channel("life", src))
	if merr := matchAPIError(err, "ResourceInUseException", "life"); merr != nil {
		t.Fatalf("creating over a DELETING channel: %v", merr)
	}
	_, err = e.kc.DeleteChannel(e.ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String(arn)})
	if merr := matchAPIError(err, "ResourceNotFoundException", "life"); merr != nil {
		t.Fatalf("deleting twice: %v", merr)
	}
	clock.Advance(10 * time.Second)
	_, err = e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(arn)})
	if merr := matchAPIError(err, "ResourceNotFoundException", "Channel life under account "+e.account+" not found."); merr != nil {
		t.Fatalf("after the delete delay: %v", merr)
	}
	if _, err := e.kc.CreateChannel(e.ctx, e.s3Channel("life", src)); err != nil {
		t.Fatalf("the name is free again: %v", err)
	}
}

func TestChannelS3TablesDestination(t *testing.T) {
	e, _, src := channelFixture(t)
	tables := func(format types.RecordFormatType, schema *string) *kinesis.CreateChannelInput {
		return &kinesis.CreateChannelInput{
			ChannelName:             aws.String("lake"),
			ServiceExecutionRoleARN: aws.String("arn:aws:iam::" + e.account + ":role/delivery"),
			StreamConfigurationList: []types.ChannelStreamConfiguration{{StreamARN: aws.String(src),
				RecordConfiguration: &types.RecordConfiguration{RecordFormatType: format, GSRSchemaARN: schema}}},
			S3TablesDestinationConfiguration: &types.S3TablesDestinationConfiguration{
				DataFreshnessInSeconds:         aws.Int32(900),
				DeadLetterQueueS3Configuration: &types.DeadLetterQueueS3Configuration{BucketARN: aws.String("arn:aws:s3:::dlq-bucket"), ExpectedBucketOwner: aws.String(e.account)},
				S3TablesConfigurationList: []types.S3TablesConfiguration{{TableBucketARN: aws.String("arn:aws:s3tables:us-east-1:" + e.account + ":bucket/lake"),
					Namespace: aws.String("analytics"), TableName: aws.String("events"), CompressionType: types.S3TablesCompressionTypeSnappy,
					PartitionSpec: &types.PartitionSpec{PartitionFields: []types.PartitionField{{SourceName: aws.String("ts"), Transform: types.PartitionTransformTimeHour}}}}},
			},
			EncryptionConfiguration: &types.ChannelEncryptionConfiguration{EncryptionType: types.ChannelEncryptionTypeKms, KeyId: aws.String("alias/delivery")},
			LoggingConfiguration:    &types.ChannelLoggingConfiguration{CloudWatchLogs: &types.CloudWatchLogs{Enabled: aws.Bool(true), LogGroupName: aws.String("/pelican/lake")}},
		}
	}
	schema := aws.String("arn:aws:glue:us-east-1:" + e.account + ":schema/registry/events")
	for _, tc := range []struct {
		name string
		in   *kinesis.CreateChannelInput
		msg  string
	}{
		{"STRING records", tables(types.RecordFormatTypeString, schema), "RecordFormatType STRING is supported only for S3 destinations"},
		{"no schema", tables(types.RecordFormatTypeGsrJson, nil), "GSRSchemaARN is required"},
		{"service key", func() *kinesis.CreateChannelInput {
			in := tables(types.RecordFormatTypeGsrJson, schema)
			in.EncryptionConfiguration.KeyId = aws.String("alias/aws/kinesis")
			return in
		}(), "aws/kinesis"},
		{"GSR_JSON to a bucket", func() *kinesis.CreateChannelInput {
			in := e.s3Channel("lake", src)
			in.StreamConfigurationList[0].RecordConfiguration.RecordFormatType = types.RecordFormatTypeGsrJson
			return in
		}(), "GSR_JSON is supported only for S3 Tables"},
		{"no destination", func() *kinesis.CreateChannelInput {
			in := e.s3Channel("lake", src)
			in.S3DestinationConfiguration = nil
			return in
		}(), "exactly one"},
	} {
		_, err := e.kc.CreateChannel(e.ctx, tc.in)
		if merr := matchAPIError(err, "InvalidArgumentException", tc.msg); merr != nil {
			t.Errorf("%s: %v", tc.name, merr)
		}
	}
	out, err := e.kc.CreateChannel(e.ctx, tables(types.RecordFormatTypeGsrJson, schema))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: out.ChannelDescription.ChannelARN})
	if err != nil {
		t.Fatal(err)
	}
	cd := d.ChannelDescription
	tc := cd.S3TablesDestinationConfiguration
	switch {
	case cd.S3DestinationConfiguration != nil || tc == nil:
		t.Fatalf("destinations: S3 %v, S3 Tables %v", cd.S3DestinationConfiguration, tc)
	case aws.ToInt32(tc.DataFreshnessInSeconds) != 900 || len(tc.S3TablesConfigurationList) != 1 || *tc.S3TablesConfigurationList[0].TableName != "events" ||
		tc.S3TablesConfigurationList[0].PartitionSpec.PartitionFields[0].Transform != types.PartitionTransformTimeHour:
		t.Fatalf("S3 Tables destination %+v", tc)
	case aws.ToString(cd.StreamConfigurationList[0].RecordConfiguration.GSRSchemaARN) != *schema || cd.StreamConfigurationList[0].StreamCreationTimestamp.Year() < 2020:
		t.Fatalf("source %+v", cd.StreamConfigurationList[0])
	case aws.ToString(cd.EncryptionConfiguration.KeyId) != "alias/delivery" || aws.ToString(cd.ServiceExecutionRoleARN) != "arn:aws:iam::"+e.account+":role/delivery":
		t.Fatalf("encryption %+v role %s", cd.EncryptionConfiguration, aws.ToString(cd.ServiceExecutionRoleARN))
	case aws.ToString(cd.LoggingConfiguration.CloudWatchLogs.LogGroupName) != "/pelican/lake" || aws.ToString(cd.LoggingConfiguration.CloudWatchLogs.LogStreamName) != "DestinationDelivery":
		t.Fatalf("logging %+v", cd.LoggingConfiguration.CloudWatchLogs)
	}
	list, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{})
	if err != nil || len(list.ChannelSummaries) != 1 || list.ChannelSummaries[0].ChannelDestinationType != types.ChannelDestinationTypeS3Tables {
		t.Fatalf("listed %+v (%v)", list, err)
	}
	_, err = e.kc.UpdateChannel(e.ctx, &kinesis.UpdateChannelInput{ChannelARN: cd.ChannelARN,
		S3TablesDestinationConfiguration: &types.S3TablesDestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(300)}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: cd.ChannelARN}); err != nil ||
		aws.ToInt32(d.ChannelDescription.S3TablesDestinationConfiguration.DataFreshnessInSeconds) != 300 {
		t.Fatalf("after update %+v (%v)", d, err)
	}
}

func TestListChannelsFilters(t *testing.T) {
	e, clock, src := channelFixture(t)
	clock.Advance(time.Second)
	other := e.createOnDemand(t, "other")
	for i, source := range []string{src, other, src} {
		if _, err := e.kc.CreateChannel(e.ctx, e.s3Channel(fmt.Sprintf("ch-%d", i), source)); err != nil {
			t.Fatal(err)
		}
	}
	names := func(in *kinesis.ListChannelsInput) string {
		t.Helper()
		out, err := e.kc.ListChannels(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range out.ChannelSummaries {
			got = append(got, *s.ChannelName)
		}
		return strings.Join(got, ",")
	}
	summary := e.summary(t, "source")
	for _, tc := range []struct {
		name   string
		filter []types.StreamFilter
		want   string
	}{
		{"no filter", nil, "ch-0,ch-1,ch-2"},
		{"by stream", []types.StreamFilter{{StreamARN: aws.String(src)}}, "ch-0,ch-2"},
		{"by stream and creation time", []types.StreamFilter{{StreamARN: aws.String(src), StreamCreationTimestamp: summary.StreamCreationTimestamp}}, "ch-0,ch-2"},
		{"by an older incarnation", []types.StreamFilter{{StreamARN: aws.String(src), StreamCreationTimestamp: aws.Time(summary.StreamCreationTimestamp.Add(-time.Hour))}}, ""},
		{"by either stream", []types.StreamFilter{{StreamARN: aws.String(other)}, {StreamARN: aws.String(src)}}, "ch-0,ch-1,ch-2"},
	} {
		if got := names(&kinesis.ListChannelsInput{StreamFilter: tc.filter}); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	page, err := e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(301 * time.Second)
	_, err = e.kc.ListChannels(e.ctx, &kinesis.ListChannelsInput{NextToken: page.NextToken})
	if merr := matchAPIError(err, "ExpiredNextTokenException", "expired"); merr != nil {
		t.Fatal(merr)
	}
}

func TestChannelLimit(t *testing.T) {
	e, _, src := channelFixture(t)
	for i := 0; i < 50; i++ {
		if _, err := e.kc.CreateChannel(e.ctx, e.s3Channel(fmt.Sprintf("ch-%02d", i), src)); err != nil {
			t.Fatalf("channel %d: %v", i, err)
		}
	}
	_, err := e.kc.CreateChannel(e.ctx, e.s3Channel("one-too-many", src))
	if merr := matchAPIError(err, "LimitExceededException", "50 channels"); merr != nil {
		t.Fatal(merr)
	}
	out, err := e.kc.DescribeLimits(e.ctx, &kinesis.DescribeLimitsInput{})
	if err != nil || aws.ToInt32(out.ChannelCount) != 50 {
		t.Fatalf("DescribeLimits %+v (%v)", out, err)
	}
}

func TestChannelRequestErrors(t *testing.T) {
	e, _, src := channelFixture(t)
	for _, tc := range []struct {
		name string
		in   func() *kinesis.CreateChannelInput
		msg  string
	}{
		{"role is not a role", func() *kinesis.CreateChannelInput {
			in := e.s3Channel("c", src)
			in.ServiceExecutionRoleARN = aws.String("arn:aws:iam::" + e.account + ":user/bob")
			return in
		}, "serviceExecutionRoleARN"},
		{"two sources", func() *kinesis.CreateChannelInput {
			in := e.s3Channel("c", src)
			in.StreamConfigurationList = append(in.StreamConfigurationList, in.StreamConfigurationList[0])
			return in
		}, "Value '2' at 'streamConfigurationList' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"bucket owner not an account", func() *kinesis.CreateChannelInput {
			in := e.s3Channel("c", src)
			in.S3DestinationConfiguration.StorageConfiguration.ExpectedBucketOwner = aws.String("me")
			return in
		}, "s3DestinationConfiguration.storageConfiguration.expectedBucketOwner"},
		{"unknown compression", func() *kinesis.CreateChannelInput {
			in := e.s3Channel("c", src)
			in.S3DestinationConfiguration.StorageConfiguration.CompressionType = "BZIP2"
			return in
		}, "Member must satisfy enum value set: [NONE, GZIP, ZSTD]"},
		{"unknown record format", func() *kinesis.CreateChannelInput {
			in := e.s3Channel("c", src)
			in.StreamConfigurationList[0].RecordConfiguration.RecordFormatType = "XML"
			return in
		}, "streamConfigurationList.1.member.recordConfiguration.recordFormatType"},
		{"name too long", func() *kinesis.CreateChannelInput {
			return e.s3Channel(strings.Repeat("c", 129), src)
		}, "Member must have length less than or equal to 128"},
	} {
		_, err := e.kc.CreateChannel(e.ctx, tc.in())
		if merr := matchAPIError(err, "ValidationException", tc.msg); merr != nil {
			t.Errorf("%s: %v", tc.name, merr)
		}
	}
	arn := "arn:aws:kinesis:us-east-1:" + e.account + ":channel/none"
	_, err := e.kc.UpdateChannel(e.ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(arn),
		LoggingConfiguration: &types.ChannelLoggingUpdateInput{CloudWatchLogs: &types.CloudWatchLogsUpdateInput{Enabled: aws.Bool(false)}}})
	if merr := matchAPIError(err, "ResourceNotFoundException", "none"); merr != nil {
		t.Fatal(merr)
	}
	_, err = e.kc.DescribeChannel(e.ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String("arn:aws:kinesis:us-east-1:" + e.account + ":channel/")})
	if merr := matchAPIError(err, "ValidationException", "channelARN"); merr != nil {
		t.Fatal(merr)
	}
}

// FuzzChannelARN sends arbitrary ARNs to DescribeChannel and DeleteChannel: every answer is a
// client error in AWS's words, never an internal failure.
func FuzzChannelARN(f *testing.F) {
	for _, seed := range []string{
		"arn:aws:kinesis:us-east-1:000000000000:channel/c",
		"arn:aws:kinesis:us-east-1:000000000000:channel/",
		"arn:aws:kinesis:us-east-1:x:000000000000:channel/c",
		"arn:aws:kinesis::000000000000:channel/a/b:c",
		"arn:aws-cn:kinesis:cn-north-1:000000000000:channel/c",
		"channel/c", "", "arn:aws:kinesis:us-east-1:000000000000:stream/s",
	} {
		f.Add(seed)
	}
	srv := emulator.RunT(f)
	kc := newClient(f, srv)
	f.Fuzz(func(t *testing.T, arn string) {
		ctx := ctxT(t)
		_, derr := kc.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(arn)})
		_, xerr := kc.DeleteChannel(ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String(arn)})
		for _, err := range []error{derr, xerr} {
			switch code := apiCode(err); code {
			case "ValidationException", "ResourceNotFoundException":
			case "":
				// The SDK refuses some strings before sending them (endpoint rules on ARNs).
				if err == nil {
					t.Fatalf("ARN %q found a channel", arn)
				}
			default:
				t.Fatalf("ARN %q answered %s: %v", arn, code, err)
			}
		}
	})
}

// channelRows are the conformance rows of the operations of channels.go.
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
