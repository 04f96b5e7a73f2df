package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

// efoStart is a fixed start for the manual clocks of the enhanced fan-out tests.
var efoStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// efoFixture is a server with one stream, a client, and the stream's ARN.
type efoFixture struct {
	srv       *emulator.Server
	kc        *kinesis.Client
	stream    string
	streamARN string
}

// newEFOFixture starts a server with a stream of the given shards.
func newEFOFixture(t *testing.T, shards int, opts ...emulator.Option) *efoFixture {
	t.Helper()
	srv := emulator.RunT(t, append([]emulator.Option{emulator.WithStream("efo", shards)}, opts...)...)
	f := &efoFixture{srv: srv, kc: plainClient(t, srv), stream: "efo"}
	out, err := f.kc.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("efo")})
	if err != nil {
		t.Fatal(err)
	}
	f.streamARN = *out.StreamDescriptionSummary.StreamARN
	return f
}

// plainClient is a client of srv over plain HTTP/1.1, whether or not srv also serves TLS.
func plainClient(t testing.TB, srv *emulator.Server) *kinesis.Client {
	return newClient(t, srv, func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String("http://" + srv.Addr())
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: plainBodies{http.DefaultTransport}}
	})
}

// plainBodies hides every io.WriterTo of a request body from the transport. The SDK hands the
// transport a body whose WriteTo answers io.EOF once the SDK has closed it, and the SDK closes it as
// soon as the response headers arrive. net/http, after writing a body of known length, copies the
// rest of it to io.Discard to check that nothing is left, through WriteTo when there is one; if
// the response came first, that copy fails and the transport closes the connection under the
// response. Short answers survive, but a SubscribeToShard stream over HTTP/1.1 then dies at
// random with "use of closed network connection". A plain Read answers io.EOF, which is no error.
type plainBodies struct{ rt http.RoundTripper }

func (p plainBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readOnlyBody{req.Body}
	}
	return p.rt.RoundTrip(req)
}

type readOnlyBody struct{ io.ReadCloser }

// register registers a consumer and returns its ARN (not waiting for ACTIVE).
func (f *efoFixture) register(t *testing.T, name string) string {
	t.Helper()
	out, err := f.kc.RegisterStreamConsumer(ctxT(t), &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String(f.streamARN), ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.Consumer.ConsumerARN
}

// consumerStatus describes a consumer by ARN.
func (f *efoFixture) consumerStatus(t *testing.T, arn string) types.ConsumerStatus {
	t.Helper()
	out, err := f.kc.DescribeStreamConsumer(ctxT(t), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return out.ConsumerDescription.ConsumerStatus
}

// active registers a consumer and returns its ARN once it is ACTIVE (at once with no delay).
func (f *efoFixture) active(t *testing.T, name string) string {
	t.Helper()
	arn := f.register(t, name)
	if st := f.consumerStatus(t, arn); st != types.ConsumerStatusActive {
		t.Fatalf("consumer %s is %s, want ACTIVE with no registration delay", name, st)
	}
	return arn
}

var (
	consumerARNShape    = regexp.MustCompile(`^arn:aws:kinesis:us-east-1:000000000000:stream/efo/consumer/([a-zA-Z0-9_.-]+):([0-9]+)$`)
	consumerARNShapeAny = regexp.MustCompile(`^arn:aws:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[a-zA-Z0-9_.-]+/consumer/[a-zA-Z0-9_.-]+:[0-9]+$`)
)

func TestConsumerLifecycle(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 1, emulator.WithClock(clock),
		emulator.WithDelays(emulator.Delays{RegisterConsumer: 30 * time.Second, DeleteConsumer: 10 * time.Second}))
	ctx := ctxT(t)

	reg, err := f.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("app-1")})
	if err != nil {
		t.Fatal(err)
	}
	c := reg.Consumer
	m := consumerARNShape.FindStringSubmatch(*c.ConsumerARN)
	if m == nil || m[1] != "app-1" || m[2] != fmt.Sprint(efoStart.Unix()) {
		t.Fatalf("consumer ARN %s does not have AWS's shape with the creation epoch %d", *c.ConsumerARN, efoStart.Unix())
	}
	if c.ConsumerStatus != types.ConsumerStatusCreating || !c.ConsumerCreationTimestamp.Equal(efoStart) {
		t.Fatalf("registered consumer: status %s created %v", c.ConsumerStatus, c.ConsumerCreationTimestamp)
	}

	_, err = f.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("app-1")})
	requireCode(t, err, "ResourceInUseException")

	tagged, err := f.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("tagged"), Tags: map[string]string{"team": "billing"}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := f.kc.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: tagged.Consumer.ConsumerARN})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" || *tags.Tags[0].Value != "billing" {
		t.Fatalf("tags of a consumer registered with tags, while CREATING: %+v", tags.Tags)
	}

	clock.Advance(29 * time.Second)
	if st := f.consumerStatus(t, *c.ConsumerARN); st != types.ConsumerStatusCreating {
		t.Fatalf("after 29s of a 30s delay the consumer is %s, want CREATING", st)
	}
	clock.Advance(time.Second)
	desc, err := f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{
		StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("app-1")})
	if err != nil {
		t.Fatal(err)
	}
	d := desc.ConsumerDescription
	if d.ConsumerStatus != types.ConsumerStatusActive || *d.StreamARN != f.streamARN || *d.ConsumerARN != *c.ConsumerARN || *d.ConsumerName != "app-1" {
		t.Fatalf("described consumer %+v", d)
	}

	sum, err := f.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(f.stream)})
	if err != nil {
		t.Fatal(err)
	}
	if n := aws.ToInt32(sum.StreamDescriptionSummary.ConsumerCount); n != 2 {
		t.Fatalf("ConsumerCount %d, want 2", n)
	}

	if _, err := f.kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: c.ConsumerARN}); err != nil {
		t.Fatal(err)
	}
	if st := f.consumerStatus(t, *c.ConsumerARN); st != types.ConsumerStatusDeleting {
		t.Fatalf("deregistered consumer is %s, want DELETING during the delay", st)
	}
	_, err = f.kc.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	requireCode(t, err, "ResourceNotFoundException")
	clock.Advance(10 * time.Second)
	_, err = f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	requireCode(t, err, "ResourceNotFoundException")

	// Registered again under the same name a second later, the consumer gets a new ARN.
	clock.Advance(time.Second)
	again := f.register(t, "app-1")
	if again == *c.ConsumerARN {
		t.Fatalf("a consumer registered again kept the ARN %s", again)
	}
	_, err = f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestConsumerLimits(t *testing.T) {
	t.Run("20 registered", func(t *testing.T) {
		f := newEFOFixture(t, 1)
		for i := 0; i < 20; i++ {
			f.register(t, fmt.Sprintf("c%02d", i))
		}
		_, err := f.kc.RegisterStreamConsumer(ctxT(t), &kinesis.RegisterStreamConsumerInput{
			StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("c20")})
		requireCode(t, err, "LimitExceededException")
	})
	t.Run("5 creating at once", func(t *testing.T) {
		clock := emulator.NewManualClock(efoStart)
		f := newEFOFixture(t, 1, emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{RegisterConsumer: time.Minute}))
		for i := 0; i < 5; i++ {
			f.register(t, fmt.Sprintf("c%d", i))
		}
		_, err := f.kc.RegisterStreamConsumer(ctxT(t), &kinesis.RegisterStreamConsumerInput{
			StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("c5")})
		requireCode(t, err, "LimitExceededException")
		clock.Advance(time.Minute)
		f.register(t, "c5")
	})
	t.Run("50 on an On-demand Advantage stream", func(t *testing.T) {
		f := newEFOFixture(t, 1)
		ctx := ctxT(t)
		if _, err := f.kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("advantage"),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.kc.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{
			MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{
				Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		sum, err := f.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("advantage")})
		if err != nil {
			t.Fatal(err)
		}
		register := func(arn, name string) error {
			_, err := f.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String(name)})
			return err
		}
		for i := 0; i < 50; i++ {
			if err := register(*sum.StreamDescriptionSummary.StreamARN, fmt.Sprintf("c%02d", i)); err != nil {
				t.Fatalf("consumer %d: %v", i, err)
			}
		}
		requireCode(t, register(*sum.StreamDescriptionSummary.StreamARN, "c50"), "LimitExceededException")
		// A provisioned stream of the same account keeps the limit of 20.
		for i := 0; i < 20; i++ {
			if err := register(f.streamARN, fmt.Sprintf("p%02d", i)); err != nil {
				t.Fatal(err)
			}
		}
		requireCode(t, register(f.streamARN, "p20"), "LimitExceededException")
	})
	t.Run("configured", func(t *testing.T) {
		limits := emulator.DefaultLimits()
		limits.ConsumersPerStream = 2
		f := newEFOFixture(t, 1, emulator.WithLimits(limits))
		f.register(t, "a")
		f.register(t, "b")
		_, err := f.kc.RegisterStreamConsumer(ctxT(t), &kinesis.RegisterStreamConsumerInput{
			StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("c")})
		requireCode(t, err, "LimitExceededException")
	})
}

func TestListStreamConsumersPages(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 1, emulator.WithClock(clock))
	var want []string
	for i := 0; i < 5; i++ {
		want = append(want, f.register(t, fmt.Sprintf("c%d", i)))
		clock.Advance(time.Second)
	}
	var got []string
	in := &kinesis.ListStreamConsumersInput{StreamARN: aws.String(f.streamARN), MaxResults: aws.Int32(2)}
	pages := 0
	for {
		out, err := f.kc.ListStreamConsumers(ctxT(t), in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range out.Consumers {
			got = append(got, *c.ConsumerARN)
			if c.ConsumerStatus != types.ConsumerStatusActive {
				t.Errorf("listed consumer %s is %s", *c.ConsumerName, c.ConsumerStatus)
			}
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListStreamConsumersInput{StreamARN: aws.String(f.streamARN), MaxResults: aws.Int32(2), NextToken: out.NextToken}
	}
	if pages != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%d pages listing %v, want 3 pages listing %v", pages, got, want)
	}

	_, err := f.kc.ListStreamConsumers(ctxT(t), &kinesis.ListStreamConsumersInput{StreamARN: aws.String(f.streamARN),
		StreamCreationTimestamp: aws.Time(efoStart.Add(-time.Hour))})
	requireCode(t, err, "ResourceNotFoundException")
	clock.Advance(301 * time.Second)
	out, err := f.kc.ListStreamConsumers(ctxT(t), &kinesis.ListStreamConsumersInput{StreamARN: aws.String(f.streamARN), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(301 * time.Second)
	_, err = f.kc.ListStreamConsumers(ctxT(t), &kinesis.ListStreamConsumersInput{StreamARN: aws.String(f.streamARN), NextToken: out.NextToken})
	requireCode(t, err, "ExpiredNextTokenException")
}

func TestConsumerRequestErrors(t *testing.T) {
	f := newEFOFixture(t, 1)
	arn := f.active(t, "known")
	other := "arn:aws:kinesis:us-east-1:000000000000:stream/missing"
	ctx := ctxT(t)
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"register without stream", func() error {
			_, err := f.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(""), ConsumerName: aws.String("x")})
			return err
		}, "ValidationException"},
		{"register bad name", func() error {
			_, err := f.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("bad name")})
			return err
		}, "ValidationException"},
		{"register on missing stream", func() error {
			_, err := f.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(other), ConsumerName: aws.String("x")})
			return err
		}, "ResourceNotFoundException"},
		{"describe naming nothing", func() error {
			_, err := f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{})
			return err
		}, "InvalidArgumentException"},
		{"describe by name alone", func() error {
			_, err := f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerName: aws.String("known")})
			return err
		}, "InvalidArgumentException"},
		{"describe unknown name", func() error {
			_, err := f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(f.streamARN), ConsumerName: aws.String("unknown")})
			return err
		}, "ResourceNotFoundException"},
		{"describe ARN of another epoch", func() error {
			_, err := f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(f.streamARN + "/consumer/known:1")})
			return err
		}, "ResourceNotFoundException"},
		{"describe malformed ARN", func() error {
			_, err := f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/efo")})
			return err
		}, "ValidationException"},
		{"describe name that disagrees with ARN", func() error {
			_, err := f.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn), ConsumerName: aws.String("other")})
			return err
		}, "InvalidArgumentException"},
		{"list without stream", func() error {
			_, err := f.kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String("")})
			return err
		}, "ValidationException"},
		{"list forged token", func() error {
			_, err := f.kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(f.streamARN), NextToken: aws.String("AAAA")})
			return err
		}, "InvalidArgumentException"},
		{"delete stream with consumers", func() error {
			_, err := f.kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(f.stream)})
			return err
		}, "ResourceInUseException"},
	} {
		t.Run(tc.name, func(t *testing.T) { requireCode(t, tc.call(), tc.code) })
	}
}

// consumerRows are the conformance rows of the operations of consumers.go and subscriptions.go.
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
