package console

import (
	"context"
	"log/slog"
	"net/http"

	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// Option configures a Console.
type Option func(*config)

// LeaseLister lists the leases of a KCL-style lease table; *lease.DynamoDB and *lease.Memory are
// two.
type LeaseLister interface {
	List(ctx context.Context) ([]lease.Lease, error)
}

// Resolver finds event types by name; protoregistry.GlobalTypes is one.
type Resolver interface {
	protoregistry.MessageTypeResolver
	protoregistry.ExtensionTypeResolver
}

type config struct {
	prefix     string
	protoPath  string
	types      Resolver
	readOnly   bool
	adminURL   string
	adminHTTP  *http.Client
	leases     LeaseLister
	leaseTable string
	logger     *slog.Logger
	pageSize   int
}

// WithPrefix sets the path the console is served under (default "/_pelican/console/"). It must
// start and end with "/".
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithProto decodes events with the schemas at path: a directory of .proto files (laid out by
// its pelican.yaml or buf.yaml, if any) or a FileDescriptorSet or buf image file, compiled with
// package contract. Schemas that do not load make every page an error page that says why.
func WithProto(path string) Option { return func(c *config) { c.protoPath = path } }

// WithTypes decodes events with the types of r besides those linked into the program.
func WithTypes(r Resolver) Option { return func(c *config) { c.types = r } }

// WithReadOnly makes the console refuse every write: creating and deleting streams, publishing,
// splitting shards, faults and throttles.
func WithReadOnly(on bool) Option { return func(c *config) { c.readOnly = on } }

// WithAdminURL is the base URL of an emulator's admin endpoints (its endpoint, such as
// http://127.0.0.1:4567), which turns on the per-shard rates, throttles and the faults page.
// Without it those views say that they need an emulator.
func WithAdminURL(u string) Option { return func(c *config) { c.adminURL = u } }

// WithAdminHTTPClient sets the HTTP client for the admin endpoints (default: one with a
// ten-second timeout).
func WithAdminHTTPClient(h *http.Client) Option { return func(c *config) { c.adminHTTP = h } }

// WithLeases shows the lag of a KCL-style lease table (named table, for the page) on the
// consumers page.
func WithLeases(table string, l LeaseLister) Option {
	return func(c *config) { c.leases, c.leaseTable = l, table }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithPageSize sets how many records a page of the records view holds (default 100, at most 1,000).
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }
