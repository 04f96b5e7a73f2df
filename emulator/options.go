package emulator

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	addr             string
	region           string
	account          string
	clock            Clock
	delays           Delays
	limits           Limits
	throughput       bool
	dataDir          string
	credentials      map[string]Credential
	logger           *slog.Logger
	streams          []StreamSpec
	tlsConfig        *tls.Config
	selfSignedTLSDir string
	// selfSignedTLSTemp says the server chose selfSignedTLSDir, and removes it at the end.
	selfSignedTLSTemp bool
	maxBodyBytes      int64
	maxInflight       int64
	readTimeout       time.Duration
	idleTimeout       time.Duration
	diskFault         store.DiskFault // tests: a disk that fails on demand
	mounts            []mount         // WithHandler, in mount.go
}

// Delays are how long state transitions take. All are zero by default, so that tests never wait;
// DescribeStream still reports CREATING until the next call after the delay.
type Delays struct {
	CreateStream     time.Duration
	DeleteStream     time.Duration
	UpdateStream     time.Duration // resharding, UpdateShardCount, encryption, stream mode
	RegisterConsumer time.Duration
	DeleteConsumer   time.Duration
}

// Limits are the quotas the emulator enforces. DefaultLimits gives AWS's defaults.
type Limits struct {
	ShardsPerRegion      int // open shards per account and region (AWS: 500 in us-east-1, 200 elsewhere)
	ConsumersPerStream   int // registered enhanced fan-out consumers (AWS: 20)
	StreamsPerRegion     int // 0 is unlimited
	ControlPlaneRatePerS int // calls per second per operation and account for control-plane calls; 0 is unlimited
}

// DefaultLimits returns AWS's default quotas.
func DefaultLimits() Limits {
	return Limits{ShardsPerRegion: 500, ConsumersPerStream: 20}
}

// Credential is a key pair that strict authentication accepts, and the account it belongs to.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	Account         string
}

// StreamSpec names a stream to create at start.
type StreamSpec struct {
	Name   string
	Shards int
}

func defaultConfig() config {
	return config{
		addr:         "127.0.0.1:0",
		region:       "us-east-1",
		account:      "000000000000",
		clock:        realClock{},
		limits:       DefaultLimits(),
		logger:       slog.New(slog.DiscardHandler),
		maxBodyBytes: 32 << 20,
		maxInflight:  DefaultMaxInflightBytes,
		readTimeout:  DefaultReadTimeout,
		idleTimeout:  DefaultIdleTimeout,
	}
}

// WithAddr sets the listening address of Run (default 127.0.0.1:0, a free port).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithRegion sets the region of streams created at start and of ARNs when a request names none
// (default us-east-1). Requests are namespaced by the region of their SigV4 credential scope.
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithAccountID sets the account of access keys that do not name one (default 000000000000). An
// access key of exactly 12 digits is taken as its own account.
func WithAccountID(account string) Option { return func(c *config) { c.account = account } }

// WithClock sets the clock (default the real one). Use NewManualClock in tests that move time.
func WithClock(clock Clock) Option { return func(c *config) { c.clock = clock } }

// WithDelays sets how long state transitions take (default all zero).
func WithDelays(d Delays) Option { return func(c *config) { c.delays = d } }

// WithLimits sets the quotas (default DefaultLimits()).
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// WithThroughputLimits turns on the per-shard throughput limits: writes of 1 MiB/s or 1,000
// records/s (with the burst AWS allows), reads of 2 MiB/s and 5 GetRecords calls/s. Off by default.
func WithThroughputLimits(on bool) Option { return func(c *config) { c.throughput = on } }

// WithDataDir keeps streams, shards and records in dir, so that they survive a restart or a crash.
// Every acknowledged record is on disk before the acknowledgement. Default: memory only.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// WithStrictAuth verifies every request's SigV4 signature against creds and rejects unknown keys, as
// AWS does. By default any credentials are accepted unverified.
func WithStrictAuth(creds ...Credential) Option {
	return func(c *config) {
		if c.credentials == nil {
			c.credentials = make(map[string]Credential)
		}
		for _, cr := range creds {
			c.credentials[cr.AccessKeyID] = cr
		}
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithStream creates an ACTIVE stream of the given shards, in the default account and region, before
// the server starts answering.
func WithStream(name string, shards int) Option {
	return func(c *config) { c.streams = append(c.streams, StreamSpec{Name: name, Shards: shards}) }
}

// WithTLS serves TLS with cfg on the same port as plain text; ALPN offers h2 and http/1.1.
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tlsConfig = cfg } }

// WithMaxBodyBytes bounds request bodies (default 32 MiB, room for a 10 MiB record in base64). A
// request that declares a longer body is refused before it is read (413 with no body, as the service answers);
// one sent without its length is cut once it passes the bound.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBodyBytes = n } }

// Defaults of the connection and request bounds.
const (
	DefaultReadTimeout      = 30 * time.Second
	DefaultIdleTimeout      = 120 * time.Second
	DefaultMaxInflightBytes = 128 << 20
)

// WithReadTimeout bounds how long a client may take to send a request's headers, and then its
// body (default DefaultReadTimeout; 0 for no bound). A connection that passes it is closed. It
// does not bound the answer: a SubscribeToShard answer lasts up to 5 minutes.
func WithReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// WithIdleTimeout closes keep-alive connections that carry no request for d (default
// DefaultIdleTimeout; 0 for no bound).
func WithIdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = d } }

// WithMaxInflightBytes bounds the request body bytes the server holds at once, across every
// connection (default DefaultMaxInflightBytes; 0 for no bound). A request whose body does not fit
// waits, first come first served, for earlier requests to be answered; one that waits past its
// read timeout is answered 500 InternalFailure, which the SDKs retry. A body larger than the bound
// waits until it has the bound to itself.
func WithMaxInflightBytes(n int64) Option { return func(c *config) { c.maxInflight = n } }

// withDiskFault makes the data directory's disk fail as f decides, for tests of a full disk.
func withDiskFault(f store.DiskFault) Option { return func(c *config) { c.diskFault = f } }
