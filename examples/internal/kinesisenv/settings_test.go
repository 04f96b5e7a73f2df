package kinesisenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
	"github.com/pelicanhq/pelican/pelicantest"
)

func clearEnv(t *testing.T) {
	for _, k := range []string{"PELICAN_ENDPOINT", "PELICAN_STREAM", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
}

func TestBind(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want Settings
	}{
		{"defaults", nil, nil, Settings{Stream: DefaultStream}},
		{"environment", map[string]string{"PELICAN_ENDPOINT": "http://emulator:4567", "PELICAN_STREAM": "orders", "AWS_REGION": "eu-west-1"}, nil,
			Settings{Endpoint: "http://emulator:4567", Stream: "orders", Region: "eu-west-1"}},
		{"flags win", map[string]string{"PELICAN_ENDPOINT": "http://emulator:4567", "PELICAN_STREAM": "orders"},
			[]string{"-endpoint", "", "-stream", "arn:aws:kinesis:eu-west-1:123456789012:stream/ticks", "-region", "eu-central-1"},
			Settings{Stream: "arn:aws:kinesis:eu-west-1:123456789012:stream/ticks", Region: "eu-central-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			s := Bind(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			if *s != c.want {
				t.Fatalf("settings %+v, want %+v", *s, c.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		s    Settings
		want string
	}{
		{Settings{Stream: "s"}, ""},
		{Settings{Stream: "s", Endpoint: "https://kinesis.eu-west-1.amazonaws.com"}, ""},
		{Settings{}, "no stream"},
		{Settings{Stream: "s", Endpoint: "emulator:4567"}, "not an http:// or https:// URL"},
	}
	for _, c := range cases {
		err := c.s.Validate()
		if (c.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.s, err, c.want)
		}
	}
}

// TestFromEnv reads what Bind's defaults read, with DefaultStream for an unset stream, and
// refuses what Validate refuses.
func TestFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	s, err := FromEnv(env(map[string]string{"PELICAN_ENDPOINT": "http://emulator:4567", "PELICAN_STREAM": "orders", "AWS_REGION": "eu-west-1"}))
	if want := (Settings{Endpoint: "http://emulator:4567", Stream: "orders", Region: "eu-west-1"}); err != nil || s != want {
		t.Fatalf("FromEnv = %+v, %v, want %+v", s, err, want)
	}
	if s, err := FromEnv(env(nil)); err != nil || s != (Settings{Stream: DefaultStream}) {
		t.Fatalf("FromEnv of an empty environment = %+v, %v, want the default stream", s, err)
	}
	if _, err := FromEnv(env(map[string]string{"PELICAN_ENDPOINT": "emulator:4567"})); err == nil || !strings.Contains(err.Error(), "not an http://") {
		t.Fatalf("FromEnv with a bad endpoint: %v", err)
	}
}

// TestClientReachesTheEmulator: with an endpoint and no credentials in the environment, the
// client signs with test credentials in us-east-1, and works even where a custom CA bundle is
// configured (AWS_CA_BUNDLE makes the SDK insist on building its own HTTP client).
func TestClientReachesTheEmulator(t *testing.T) {
	for _, bundle := range []bool{false, true} {
		t.Run(fmt.Sprintf("ca bundle %v", bundle), func(t *testing.T) {
			clearEnv(t)
			t.Setenv("AWS_CA_BUNDLE", "")
			if bundle {
				t.Setenv("AWS_CA_BUNDLE", writeCA(t))
			}
			e := pelicantest.NewEmulator(t)
			stream := e.NewStream(t, 2)
			kc, err := Settings{Endpoint: e.URL(), Stream: stream}.Client(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if r := kc.Options().Region; r != "us-east-1" {
				t.Fatalf("region %q, want us-east-1", r)
			}
			creds, err := kc.Options().Credentials.Retrieve(context.Background())
			if err != nil || creds.AccessKeyID != "test" {
				t.Fatalf("credentials %q, %v; want the test key", creds.AccessKeyID, err)
			}
			out, err := kc.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: &stream})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Shards) != 2 {
				t.Fatalf("%d shards, want 2", len(out.Shards))
			}
		})
	}
}

func TestClientUsesTheEnvironmentsCredentials(t *testing.T) {
	clearEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	kc, err := Settings{Endpoint: "http://127.0.0.1:1", Stream: "s", Region: "eu-west-1"}.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	creds, err := kc.Options().Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIAFROMENV" {
		t.Fatalf("credentials %q, %v; want the environment's", creds.AccessKeyID, err)
	}
	if r := kc.Options().Region; r != "eu-west-1" {
		t.Fatalf("region %q", r)
	}
}

// TestClientKeepsTheChainForAWSEndpoints: a VPC endpoint of Kinesis is AWS, not an emulator, and
// gets the default credential chain (here, a profile of a shared credentials file).
func TestClientKeepsTheChainForAWSEndpoints(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIAFROMFILE\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	cases := []struct {
		endpoint, key string
	}{
		{"https://vpce-0123-abcd.kinesis.eu-west-1.vpce.amazonaws.com", "AKIAFROMFILE"},
		{"http://127.0.0.1:4567", "test"},
		{"http://emulator:4567", "test"},
	}
	for _, c := range cases {
		kc, err := Settings{Endpoint: c.endpoint, Stream: "s", Region: "eu-west-1"}.Client(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got, err := kc.Options().Credentials.Retrieve(context.Background())
		if err != nil || got.AccessKeyID != c.key {
			t.Errorf("%s: credentials %q, %v; want %q", c.endpoint, got.AccessKeyID, err, c.key)
		}
	}
}

// TestClientHidesWriterTo checks that the services' clients carry the SDK body workaround, with
// an endpoint and without one.
func TestClientHidesWriterTo(t *testing.T) {
	for _, endpoint := range []string{"", "http://127.0.0.1:4567"} {
		kc, err := Settings{Endpoint: endpoint, Stream: "s", Region: "eu-west-1"}.Client(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !sdkhttp.Wrapped(kc.Options().HTTPClient) {
			t.Errorf("endpoint %q: the client's HTTP client %T lacks the sdkhttp workaround", endpoint, kc.Options().HTTPClient)
		}
	}
}

// describer answers DescribeStreamSummary from a script, one answer per call, the last repeated.
type describer struct {
	answers []func() (*kinesis.DescribeStreamSummaryOutput, error)
	calls   int
}

func (d *describer) DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, _ ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error) {
	a := d.answers[min(d.calls, len(d.answers)-1)]
	d.calls++
	return a()
}

func status(s types.StreamStatus) func() (*kinesis.DescribeStreamSummaryOutput, error) {
	return func() (*kinesis.DescribeStreamSummaryOutput, error) {
		return &kinesis.DescribeStreamSummaryOutput{StreamDescriptionSummary: &types.StreamDescriptionSummary{StreamStatus: s}}, nil
	}
}

func failure(err error) func() (*kinesis.DescribeStreamSummaryOutput, error) {
	return func() (*kinesis.DescribeStreamSummaryOutput, error) { return nil, err }
}

func TestWaitForStream(t *testing.T) {
	refused := errors.New("connection refused")
	cases := []struct {
		name    string
		answers []func() (*kinesis.DescribeStreamSummaryOutput, error)
		calls   int
		err     string
	}{
		{"active", nil, 1, ""},
		{"updating takes records", []func() (*kinesis.DescribeStreamSummaryOutput, error){status(types.StreamStatusUpdating)}, 1, ""},
		{"not listening, then missing, then creating", []func() (*kinesis.DescribeStreamSummaryOutput, error){
			failure(refused), failure(&types.ResourceNotFoundException{}), status(types.StreamStatusCreating)}, 4, ""},
		{"never", []func() (*kinesis.DescribeStreamSummaryOutput, error){failure(refused)}, 0, "connection refused"},
		{"deleting", []func() (*kinesis.DescribeStreamSummaryOutput, error){status(types.StreamStatusDeleting)}, 0, "stream is DELETING"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &describer{answers: append(c.answers, status(types.StreamStatusActive))}
			if c.err != "" {
				d.answers = c.answers
			}
			err := WaitForStream(context.Background(), d, "s", 800*time.Millisecond)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "stream s") {
					t.Fatalf("err %v, want one naming the stream and %q", err, c.err)
				}
				return
			}
			if err != nil || d.calls != c.calls {
				t.Fatalf("err %v after %d calls, want success after %d", err, d.calls, c.calls)
			}
		})
	}
}

func TestWaitForStreamAgainstTheEmulator(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	kc := e.Client()
	created := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, err := kc.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("late"), ShardCount: aws.Int32(1)})
		created <- err
	}()
	if err := WaitForStream(context.Background(), kc, "late", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:kinesis:" + e.Region() + ":" + e.AccountID() + ":stream/late"
	if err := WaitForStream(context.Background(), kc, arn, 30*time.Second); err != nil {
		t.Fatalf("by ARN: %v", err)
	}
}

// writeCA writes a self-signed CA certificate to a PEM file and returns its path.
func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
