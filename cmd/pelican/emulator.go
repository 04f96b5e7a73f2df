package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pelicanhq/pelican/emulator"
)

func emulatorCommand() *command {
	return &command{
		name:    "emulator",
		summary: "run the Kinesis emulator",
		run:     runEmulator,
	}
}

func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("emulator", "emulator [flags]", stderr)
	addr := fs.String("addr", envOr("PELICAN_ADDR", "127.0.0.1:4567"), "address to listen on (env PELICAN_ADDR)")
	region := fs.String("region", envOr("PELICAN_REGION", "us-east-1"), "default region (env PELICAN_REGION)")
	account := fs.String("account", envOr("PELICAN_ACCOUNT", "000000000000"), "default account id (env PELICAN_ACCOUNT)")
	dataDir := fs.String("data-dir", os.Getenv("PELICAN_DATA_DIR"), "keep streams and records in this directory (env PELICAN_DATA_DIR; default memory only)")
	var streams stringList
	fs.Var(&streams, "create-stream", "create a stream NAME[:SHARDS] before serving (repeatable; env PELICAN_STREAMS, comma-separated)")
	throughput := fs.Bool("throughput-limits", envBool("PELICAN_THROUGHPUT_LIMITS"), "enforce per-shard throughput limits (env PELICAN_THROUGHPUT_LIMITS)")
	createDelay := fs.Duration("create-delay", 0, "how long a new stream stays CREATING")
	deleteDelay := fs.Duration("delete-delay", 0, "how long a deleted stream stays DELETING")
	updateDelay := fs.Duration("update-delay", 0, "how long a resharded or updated stream stays UPDATING")
	consumerDelay := fs.Duration("consumer-delay", 0, "how long a registered consumer stays CREATING")
	shardLimit := fs.Int("shard-limit", emulator.DefaultLimits().ShardsPerRegion, "open shards allowed per account and region")
	var strict stringList
	fs.Var(&strict, "strict-auth", "verify SigV4 signatures and accept only this key ACCESS_KEY:SECRET[:ACCOUNT] (repeatable)")
	logLevel := fs.String("log-level", envOr("PELICAN_LOG_LEVEL", "info"), "debug, info, warn or error (env PELICAN_LOG_LEVEL)")
	tlsCert := fs.String("tls-cert", os.Getenv("PELICAN_TLS_CERT"), "serve TLS (h2 and http/1.1 by ALPN) with this PEM certificate, beside plain text on the same port (env PELICAN_TLS_CERT; needs --tls-key)")
	tlsKey := fs.String("tls-key", os.Getenv("PELICAN_TLS_KEY"), "the PEM private key of --tls-cert (env PELICAN_TLS_KEY)")
	var memLimit memoryLimit // sets debug.SetMemoryLimit when parsed (memlimit.go)
	fs.Var(&memLimit, "memory-limit", "soft limit of the emulator's memory, e.g. 512MiB: the collector works harder near it (env GOMEMLIMIT, read by the Go runtime)")
	tlsSelfSigned := fs.Bool("tls-self-signed", envBool("PELICAN_TLS_SELF_SIGNED"), "serve TLS with a certificate made at start for 127.0.0.1 and localhost, and print where it is (env PELICAN_TLS_SELF_SIGNED)")
	readTimeout := fs.Duration("read-timeout", emulator.DefaultReadTimeout, "close a connection whose client takes longer to send a request's headers, or then its body (0: no bound)")
	idleTimeout := fs.Duration("idle-timeout", emulator.DefaultIdleTimeout, "close keep-alive connections idle this long (0: no bound)")
	maxInflight := fs.Int64("max-inflight-bytes", emulator.DefaultMaxInflightBytes, "request body bytes held at once across connections; further requests wait (0: no bound)")
	consoleFlags := emulatorConsoleFlags(fs)
	if help, err := fs.parse(args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("emulator takes no arguments, got %q", fs.Args())}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level: %w", err)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if env := os.Getenv("PELICAN_STREAMS"); env != "" {
		streams = append(streams, strings.Split(env, ",")...)
	}
	opts := []emulator.Option{
		emulator.WithAddr(*addr), emulator.WithRegion(*region), emulator.WithAccountID(*account),
		emulator.WithLogger(log), emulator.WithThroughputLimits(*throughput),
		emulator.WithReadTimeout(*readTimeout), emulator.WithIdleTimeout(*idleTimeout),
		emulator.WithMaxInflightBytes(*maxInflight),
		emulator.WithDelays(emulator.Delays{CreateStream: *createDelay, DeleteStream: *deleteDelay,
			UpdateStream: *updateDelay, RegisterConsumer: *consumerDelay, DeleteConsumer: *consumerDelay}),
	}
	limits := emulator.DefaultLimits()
	limits.ShardsPerRegion = *shardLimit
	opts = append(opts, emulator.WithLimits(limits))
	if *dataDir != "" {
		opts = append(opts, emulator.WithDataDir(*dataDir))
	}
	if len(strict) > 0 {
		creds, err := parseCredentials(strict)
		if err != nil {
			return usageError{err}
		}
		opts = append(opts, emulator.WithStrictAuth(creds...))
	}
	tlsOpt, err := tlsOption(*tlsCert, *tlsKey, *tlsSelfSigned)
	if err != nil {
		return err
	}
	if tlsOpt != nil {
		opts = append(opts, tlsOpt)
	}
	for _, spec := range streams {
		name, shards, err := parseStreamSpec(spec)
		if err != nil {
			return usageError{err}
		}
		opts = append(opts, emulator.WithStream(name, shards))
	}
	opts = append(opts, consoleFlags.options(log, stdout, *addr)...)
	srv, err := emulator.Run(opts...)
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			return fmt.Errorf("cannot listen on %s: %w", *addr, opErr.Err)
		}
		return err
	}
	printReady(stdout, srv, streams)
	if cert := srv.TLSCertFile(); cert != "" {
		fmt.Fprintf(stdout, "TLS: self-signed certificate at %[1]s (trust it with AWS_CA_BUNDLE=%[1]s or NODE_EXTRA_CA_CERTS=%[1]s); plain http:// answers on the same port\n", cert)
	}
	log.Info("emulator ready", "endpoint", srv.URL(), "region", *region, "account", *account, "data_dir", *dataDir)
	<-ctx.Done()
	log.Info("emulator shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// tlsOption turns the TLS flags into an option: a certificate and key from files, or a
// self-signed certificate made at start; nil when TLS is off.
func tlsOption(certFile, keyFile string, selfSigned bool) (emulator.Option, error) {
	switch {
	case selfSigned && (certFile != "" || keyFile != ""):
		return nil, usageError{errors.New("--tls-self-signed cannot be combined with --tls-cert or --tls-key")}
	case selfSigned:
		return emulator.WithSelfSignedTLS(""), nil
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, usageError{errors.New("--tls-cert and --tls-key go together")}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading --tls-cert and --tls-key: %w", err)
	}
	return emulator.WithTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

// parseStreamSpec reads NAME[:SHARDS]; shards default to 1.
func parseStreamSpec(spec string) (string, int, error) {
	name, count, found := strings.Cut(strings.TrimSpace(spec), ":")
	if name == "" {
		return "", 0, fmt.Errorf("--create-stream %q: want NAME[:SHARDS]", spec)
	}
	shards := 1
	if found {
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return "", 0, fmt.Errorf("--create-stream %q: SHARDS must be a positive whole number", spec)
		}
		shards = n
	}
	return name, shards, nil
}

// parseCredentials reads ACCESS_KEY:SECRET[:ACCOUNT] values.
func parseCredentials(values []string) ([]emulator.Credential, error) {
	var out []emulator.Credential
	for _, v := range values {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("--strict-auth %q: want ACCESS_KEY:SECRET[:ACCOUNT]", v)
		}
		c := emulator.Credential{AccessKeyID: parts[0], SecretAccessKey: parts[1]}
		if len(parts) == 3 {
			c.Account = parts[2]
		}
		out = append(out, c)
	}
	return out, nil
}

func printReady(w io.Writer, srv *emulator.Server, streams []string) {
	url := srv.URL()
	fmt.Fprintf(w, "Pelican Kinesis emulator listening on %s (region %s, account %s)\n", url, srv.Region(), srv.AccountID())
	example := "my-stream"
	if len(streams) > 0 {
		example, _, _ = strings.Cut(streams[0], ":")
		fmt.Fprintf(w, "Streams: %s\n", strings.Join(streams, ", "))
	}
	fmt.Fprintf(w, `
Point any AWS client at it with any credentials, for example:
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=%[2]s
  aws --endpoint-url %[1]s kinesis list-streams
  aws --endpoint-url %[1]s kinesis put-record --stream-name %[3]s --partition-key k --data aGVsbG8=
  aws --endpoint-url %[1]s kinesis describe-stream-summary --stream-name %[3]s
Go SDK v2: kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String("%[1]s") })
Health: %[1]s/health   Press Ctrl-C to stop.
`, url, srv.Region(), example)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(key string) bool {
	b, _ := strconv.ParseBool(os.Getenv(key))
	return b
}
