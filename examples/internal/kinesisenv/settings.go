package kinesisenv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

// DefaultStream is the stream the services use when none is named, the one `make run` and
// docker-compose.yml create.
const DefaultStream = "pelican-events"

// emulatorRegion is the region used with an endpoint when none is configured: the SDK signs every
// request for a region, and the emulator's default is this one.
const emulatorRegion = "us-east-1"

// Settings say which stream a service reads or writes and where it is.
type Settings struct {
	// Endpoint is the Kinesis endpoint URL, such as http://emulator:4567. Empty means Amazon
	// Kinesis in Region.
	Endpoint string
	// Stream is the stream's name, or its ARN.
	Stream string
	// Region is the AWS region. Empty leaves it to the default chain (AWS_REGION, the shared
	// config file), or us-east-1 when Endpoint is set.
	Region string
}

// Bind registers -endpoint, -stream and -region on fs, with the environment's PELICAN_ENDPOINT,
// PELICAN_STREAM and AWS_REGION as their defaults, and returns the Settings that parsing fs fills.
func Bind(fs *flag.FlagSet) *Settings {
	s := &Settings{}
	fs.StringVar(&s.Endpoint, "endpoint", os.Getenv("PELICAN_ENDPOINT"), "Kinesis endpoint URL, e.g. an emulator's; empty for Amazon Kinesis (env PELICAN_ENDPOINT)")
	fs.StringVar(&s.Stream, "stream", envOr("PELICAN_STREAM", DefaultStream), "stream name or ARN (env PELICAN_STREAM)")
	fs.StringVar(&s.Region, "region", os.Getenv("AWS_REGION"), "AWS region (env AWS_REGION)")
	return s
}

// FromEnv reads the settings from getenv's PELICAN_ENDPOINT, PELICAN_STREAM (DefaultStream when
// unset) and AWS_REGION, as Bind's defaults do, for programs without flags (the Lambda functions),
// and validates them.
func FromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{Endpoint: getenv("PELICAN_ENDPOINT"), Stream: getenv("PELICAN_STREAM"), Region: getenv("AWS_REGION")}
	if s.Stream == "" {
		s.Stream = DefaultStream
	}
	return s, s.Validate()
}

// Validate reports settings a client cannot be made from.
func (s Settings) Validate() error {
	if s.Stream == "" {
		return errors.New("kinesisenv: no stream: set -stream or PELICAN_STREAM")
	}
	if s.Endpoint != "" && !strings.HasPrefix(s.Endpoint, "http://") && !strings.HasPrefix(s.Endpoint, "https://") {
		return fmt.Errorf("kinesisenv: endpoint %q is not an http:// or https:// URL", s.Endpoint)
	}
	return nil
}

// Client returns a Kinesis client for s. Credentials come from the default chain, except with an
// emulator's endpoint (one outside amazonaws.com) when the environment names neither
// AWS_ACCESS_KEY_ID nor AWS_PROFILE: then it signs with test credentials, which an emulator
// accepts, so that the chain never reaches for the EC2 instance metadata service on a developer's
// machine. optFns adjust the SDK's configuration loading.
func (s Settings) Client(ctx context.Context, optFns ...func(*config.LoadOptions) error) (*kinesis.Client, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var opts []func(*config.LoadOptions) error
	region := s.Region
	if s.Endpoint != "" {
		if region == "" {
			region = emulatorRegion
		}
		if isEmulator(s.Endpoint) && os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
		}
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(opts, optFns...)...)
	if err != nil {
		return nil, fmt.Errorf("kinesisenv: load AWS configuration: %w", err)
	}
	// Wrapped after loading, so that the SDK's own client keeps what the configuration gave it
	// (a CA bundle from AWS_CA_BUNDLE, for one); see package sdkhttp for why.
	cfg.HTTPClient = sdkhttp.Wrap(cfg.HTTPClient)
	endpoint := s.Endpoint
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}

// isEmulator reports whether endpoint is not one of AWS's own (a VPC endpoint, say).
func isEmulator(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return true
	}
	host := strings.ToLower(u.Hostname())
	for _, suffix := range []string{".amazonaws.com", ".amazonaws.com.cn", ".api.aws"} {
		if strings.HasSuffix(host, suffix) {
			return false
		}
	}
	return true
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
