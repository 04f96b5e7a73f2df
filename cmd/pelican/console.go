package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/console"
	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

func consoleCommand() *command {
	return &command{
		name:    "console",
		summary: "serve a web console for the streams of a Kinesis endpoint",
		run:     runConsole,
	}
}

// defaultProto is --proto's default: ./proto when it exists, as for pelican replay.
func defaultProto() string {
	if st, err := os.Stat("proto"); err == nil && st.IsDir() {
		return "proto"
	}
	return ""
}

func runConsole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("console", "console --endpoint URL [flags]", stderr)
	var target kinesisTarget
	fs.StringVar(&target.endpoint, "endpoint", os.Getenv("PELICAN_ENDPOINT"), "Kinesis endpoint URL, such as an emulator's http://127.0.0.1:4567; empty for Amazon Kinesis (env PELICAN_ENDPOINT)")
	fs.StringVar(&target.region, "region", "", "AWS region (default: the AWS configuration's; us-east-1 with --endpoint)")
	addr := fs.String("addr", "127.0.0.1:4568", "address to serve the console on")
	allowRemote := fs.Bool("allow-remote", false, "allow --addr to be other than a loopback address")
	protoPath := fs.String("proto", defaultProto(), "decode events with the schemas in this directory or descriptor set file (default: ./proto when it exists)")
	readOnly := fs.Bool("read-only", true, "never write to Kinesis (default true, false against an emulator): no stream creation or deletion, publishing, splitting, faults")
	admin := fs.String("admin", "", "the emulator's admin endpoint base URL, for per-shard rates, throttles and faults (default: --endpoint when it is an emulator)")
	leaseTable := fs.String("lease-table", "", "a KCL-style DynamoDB lease table whose lag the consumers page shows")
	dynamoEndpoint := fs.String("dynamodb-endpoint", "", "DynamoDB endpoint URL for --lease-table (default: Amazon DynamoDB)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if help, err := fs.parse(args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("console takes no arguments, got %q", fs.Args())}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level: %w", err)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := checkLoopback(*addr, *allowRemote); err != nil {
		return err
	}
	client, err := target.client(ctx)
	if err != nil {
		return err
	}
	isEmulator := target.endpoint != "" && probeEmulator(ctx, target.endpoint)
	if *admin == "" && isEmulator {
		*admin = target.endpoint
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if !explicit["read-only"] {
		*readOnly = !isEmulator
	}
	opts := []console.Option{console.WithReadOnly(*readOnly), console.WithLogger(log)}
	if *protoPath != "" {
		opts = append(opts, console.WithProto(*protoPath))
	}
	if *admin != "" {
		opts = append(opts, console.WithAdminURL(*admin))
	}
	if *leaseTable != "" {
		leases, err := dynamoLeases(ctx, target.region, *dynamoEndpoint, *leaseTable)
		if err != nil {
			return err
		}
		opts = append(opts, console.WithLeases(*leaseTable, leases))
	}
	c, err := console.New(client, opts...)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle(c.Prefix(), c)
	mux.Handle("/{$}", http.RedirectHandler(c.Prefix(), http.StatusFound))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	mode := "read-only"
	if !*readOnly {
		mode = "read-write"
	}
	fmt.Fprintf(stdout, "Pelican console (%s) for %s on http://%s%s\n", mode, endpointName(target.endpoint), ln.Addr(), c.Prefix())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

func endpointName(e string) string {
	if e == "" {
		return "Amazon Kinesis"
	}
	return e
}

// checkLoopback refuses an address other than loopback unless remote access is asked for: the
// console can write to streams and shows their records.
func checkLoopback(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Errorf("--addr %q: %w", addr, err)}
	}
	if allowRemote || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return usageError{fmt.Errorf("--addr %s is not a loopback address; the console shows records and can write, so pass --allow-remote to serve it beyond this machine", addr)}
}

// probeEmulator reports whether endpoint answers the emulator's admin endpoint.
func probeEmulator(ctx context.Context, endpoint string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(endpoint, "/")+"/_pelican/faults", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
}

// dynamoLeases is the lease table of --lease-table.
func dynamoLeases(ctx context.Context, region, endpoint, table string) (*lease.DynamoDB, error) {
	cfg, err := awsConfig(ctx, region, endpoint)
	if err != nil {
		return nil, err
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return lease.NewDynamoDB(client, table), nil
}

// emulatorConsole is the console that pelican emulator serves on its own port under
// /_pelican/console/. runEmulator calls emulatorConsoleFlags before parsing its flags and
// appends the options of consoleOptions before it starts the emulator.
type emulatorConsole struct {
	on        *bool
	protoPath *string
}

// emulatorConsoleFlags adds --console and --proto to the emulator's flags.
func emulatorConsoleFlags(fs *flagSet) *emulatorConsole {
	return &emulatorConsole{
		on:        fs.Bool("console", true, "serve the web console on the emulator's port under "+console.DefaultPrefix),
		protoPath: fs.String("proto", defaultProto(), "the console decodes events with the schemas in this directory or descriptor set file (default: ./proto when it exists)"),
	}
}

// options mounts the console on the emulator; it says where on stdout when addr names a port.
// The console reaches the emulator through the SDK and the admin endpoints like any client,
// at the address the emulator's connection was accepted on, once the first page is asked for.
func (e *emulatorConsole) options(log *slog.Logger, stdout io.Writer, addr string) []emulator.Option {
	if !*e.on {
		return nil
	}
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "0" {
		fmt.Fprintf(stdout, "Console: http://%s%s\n", addr, console.DefaultPrefix)
	}
	return []emulator.Option{emulator.WithHandler(console.DefaultPrefix, &lazyConsole{log: log, protoPath: *e.protoPath})}
}

// lazyConsole builds the emulator's console on the first request, when the emulator's address
// is known from the connection the request came in on.
type lazyConsole struct {
	log       *slog.Logger
	protoPath string

	once sync.Once
	h    http.Handler
	err  error
}

func (l *lazyConsole) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.once.Do(func() {
		local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if !ok {
			l.err = errors.New("console: the emulator's address is unknown")
			return
		}
		endpoint := "http://" + local.String()
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("console", "console", ""),
			HTTPClient: sdkhttp.Wrap(&http.Client{Timeout: time.Minute})}
		client := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(endpoint) })
		opts := []console.Option{console.WithAdminURL(endpoint), console.WithLogger(l.log)}
		if l.protoPath != "" {
			opts = append(opts, console.WithProto(l.protoPath))
		}
		l.h, l.err = console.New(client, opts...)
	})
	if l.err != nil {
		http.Error(w, l.err.Error(), http.StatusInternalServerError)
		return
	}
	l.h.ServeHTTP(w, r)
}
