package pelicantest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/internal/shardlist"
)

// Credentials the helpers sign with. The emulator accepts any, unless strict authentication is on.
const (
	AccessKeyID     = "AKIAPELICANTEST"
	SecretAccessKey = "pelican-test-secret"
)

// TB is what the helpers need of a test. *testing.T, *testing.B and *testing.F satisfy it, and so
// does testing.TB.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Emulator is an in-process Kinesis emulator, reached through the AWS SDK like Amazon Kinesis.
type Emulator struct {
	srv    *emulator.Server
	client *kinesis.Client
}

// NewEmulator starts an emulator on a free loopback port with opts, and stops it when the test
// ends. It fails the test if the emulator cannot start.
func NewEmulator(t TB, opts ...Option) *Emulator {
	t.Helper()
	e, err := Run(opts...)
	if err != nil {
		t.Fatalf("pelicantest: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// Run starts an emulator on a free loopback port with opts, for use outside a test (an Example,
// say); stop it with Close. In a test, NewEmulator stops it for you.
func Run(opts ...Option) (*Emulator, error) {
	srv, err := emulator.Run(opts...)
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	e := &Emulator{srv: srv}
	e.client = e.NewClient()
	return e, nil
}

// Close stops the emulator; with WithDataDir, what it stored stays in the directory for the next
// emulator. Closing twice is harmless.
func (e *Emulator) Close() error { return e.srv.Close() }

// URL is the emulator's endpoint, such as http://127.0.0.1:41234, for the SDK's BaseEndpoint.
func (e *Emulator) URL() string { return e.srv.URL() }

// Region is the region the emulator answers for, and signs ARNs with.
func (e *Emulator) Region() string { return e.srv.Region() }

// AccountID is the account the emulator's streams belong to, as their ARNs show.
func (e *Emulator) AccountID() string { return e.srv.AccountID() }

// Faults returns the emulator's injected faults: Inject one to make calls fail or slow down,
// Clear them, or List what is left.
func (e *Emulator) Faults() *Faults { return e.srv.Faults() }

// Config returns an aws.Config with the emulator's region and test credentials. Use it with
// kinesis.NewFromConfig and Options.BaseEndpoint set to URL(), or take Client().
func (e *Emulator) Config() aws.Config {
	return aws.Config{
		Region:      e.Region(),
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		HTTPClient:  HTTPClient(),
	}
}

// Client returns the emulator's aws-sdk-go-v2 Kinesis client, made once and shared.
func (e *Emulator) Client() *kinesis.Client { return e.client }

// NewClient returns a new Kinesis client aimed at the emulator, with optFns applied after the
// endpoint is set (for example to turn retries off). Its HTTP client is HTTPClient's.
func (e *Emulator) NewClient(optFns ...func(*kinesis.Options)) *kinesis.Client {
	url := e.URL()
	return kinesis.NewFromConfig(e.Config(), append([]func(*kinesis.Options){func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(url)
	}}, optFns...)...)
}

// NewStream creates a stream of the given shards with a unique name, waits until it is ACTIVE and
// returns its name.
func (e *Emulator) NewStream(t TB, shards int) string {
	t.Helper()
	name := UniqueName("stream")
	CreateStream(t, e.Client(), name, shards)
	return name
}

// CreateStream creates a stream through the Kinesis API, against the emulator or any endpoint, and
// waits until it is ACTIVE.
func CreateStream(t TB, client *kinesis.Client, name string, shards int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := int32(shards)
	if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &name, ShardCount: &n}); err != nil {
		t.Fatalf("pelicantest: create stream %s: %v", name, err)
	}
	WaitActive(t, client, name)
}

// WaitActive waits until a stream is ACTIVE, as after creating it or changing its shards, and
// fails the test when it is not within a minute.
func WaitActive(t TB, client *kinesis.Client, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	waiter := kinesis.NewStreamExistsWaiter(client, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := waiter.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: &name}, time.Minute); err != nil {
		t.Fatalf("pelicantest: stream %s did not become ACTIVE: %v", name, err)
	}
}

// UniqueName returns prefix followed by a random suffix, valid as a stream or consumer name.
func UniqueName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// ShardIDs lists the ids of a stream's shards, open and closed.
func ShardIDs(t TB, client *kinesis.Client, stream string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shards, err := shardlist.List(ctx, client, stream)
	if err != nil {
		t.Fatalf("pelicantest: list shards of %s: %v", stream, err)
	}
	ids := make([]string, len(shards))
	for i, sh := range shards {
		ids[i] = aws.ToString(sh.ShardId)
	}
	return ids
}
