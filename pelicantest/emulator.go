package pelicantest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
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

// Emulator is an in-process Kinesis emulator started for one test.
type Emulator struct {
	*emulator.Server
	t      testing.TB
	client *kinesis.Client
}

// NewEmulator starts an emulator on a free loopback port with opts and stops it when the test ends.
func NewEmulator(t testing.TB, opts ...emulator.Option) *Emulator {
	t.Helper()
	srv := emulator.RunT(t, opts...)
	return &Emulator{Server: srv, t: t}
}

// Config returns an aws.Config with the emulator's region and test credentials. Use it with
// kinesis.NewFromConfig and Options.BaseEndpoint set to URL(), or take Client().
func (e *Emulator) Config() aws.Config {
	return aws.Config{
		Region:      e.Region(),
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		HTTPClient:  HTTPClient(),
	}
}

// Client returns an aws-sdk-go-v2 Kinesis client aimed at the emulator.
func (e *Emulator) Client() *kinesis.Client {
	if e.client == nil {
		e.client = e.NewClient()
	}
	return e.client
}

// NewClient returns a new Kinesis client aimed at the emulator, with optFns applied after the
// endpoint is set (for example to turn retries off).
func (e *Emulator) NewClient(optFns ...func(*kinesis.Options)) *kinesis.Client {
	url := e.URL()
	return kinesis.NewFromConfig(e.Config(), append([]func(*kinesis.Options){func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(url)
	}}, optFns...)...)
}

// NewStream creates a stream of the given shards with a unique name, waits until it is ACTIVE and
// returns its name.
func (e *Emulator) NewStream(t testing.TB, shards int) string {
	t.Helper()
	name := UniqueName("stream")
	CreateStream(t, e.Client(), name, shards)
	return name
}

// CreateStream creates a stream through the Kinesis API, against the emulator or any endpoint, and
// waits until it is ACTIVE.
func CreateStream(t testing.TB, client *kinesis.Client, name string, shards int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := int32(shards)
	if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &name, ShardCount: &n}); err != nil {
		t.Fatalf("pelicantest: create stream %s: %v", name, err)
	}
	waiter := kinesis.NewStreamExistsWaiter(client, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 200*time.Millisecond
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
func ShardIDs(t testing.TB, client *kinesis.Client, stream string) []string {
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
