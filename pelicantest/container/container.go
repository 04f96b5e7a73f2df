package container

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

// DefaultImage is the tag `make image` builds.
const DefaultImage = "pelican:dev"

// Port is the emulator's port inside the container.
const Port = "4567/tcp"

// Container is a running emulator container.
type Container struct {
	testcontainers.Container
	region string
}

// Run starts the emulator image img with opts and waits until its health endpoint answers.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        img,
			ExposedPorts: []string{Port},
			Env:          map[string]string{"PELICAN_ADDR": "0.0.0.0:4567"},
			Cmd:          []string{"emulator"},
			WaitingFor:   wait.ForHTTP("/health").WithPort(Port).WithStartupTimeout(60 * time.Second),
		},
		Started: true,
	}
	for _, o := range opts {
		if err := o.Customize(&req); err != nil {
			return nil, fmt.Errorf("pelican container: %w", err)
		}
	}
	c, err := testcontainers.GenericContainer(ctx, req)
	var out *Container
	if c != nil {
		region := req.Env["PELICAN_REGION"]
		if region == "" {
			region = "us-east-1"
		}
		out = &Container{Container: c, region: region}
	}
	if err != nil {
		return out, fmt.Errorf("pelican container: %w", err)
	}
	return out, nil
}

// WithStreams creates streams NAME[:SHARDS] before the container reports healthy.
func WithStreams(specs ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		if prev := req.Env["PELICAN_STREAMS"]; prev != "" {
			specs = append(strings.Split(prev, ","), specs...)
		}
		req.Env["PELICAN_STREAMS"] = strings.Join(specs, ",")
		return nil
	}
}

// WithThroughputLimits turns on the per-shard throughput limits.
func WithThroughputLimits() testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"PELICAN_THROUGHPUT_LIMITS": "true"})
}

// WithDataDir keeps the emulator's data in dir inside the container (mount a volume there).
func WithDataDir(dir string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"PELICAN_DATA_DIR": dir})
}

// WithRegion sets the emulator's default region.
func WithRegion(region string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"PELICAN_REGION": region})
}

// KinesisEndpoint returns the emulator's URL as seen from the host, such as http://localhost:32768.
func (c *Container) KinesisEndpoint(ctx context.Context) (string, error) {
	host, err := c.Host(ctx)
	if err != nil {
		return "", err
	}
	port, err := c.MappedPort(ctx, Port)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("http://%s:%s", host, port.Port()), nil
}

// Client returns an aws-sdk-go-v2 Kinesis client aimed at the container, with test credentials.
func (c *Container) Client(ctx context.Context) (*kinesis.Client, error) {
	endpoint, err := c.KinesisEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	return newClient(c.region, endpoint), nil
}

// newClient returns a Kinesis client for endpoint with test credentials and the SDK body
// workaround (package sdkhttp), which keeps a retried PutRecords from being stored twice.
func newClient(region, endpoint string) *kinesis.Client {
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  sdkhttp.Wrap(nil),
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(endpoint) })
}
