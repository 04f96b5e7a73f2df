package emulator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Server is a Kinesis API server. It is an http.Handler; Run also listens on an address.
type Server struct {
	cfg    config
	store  *store.Store
	faults *Faults
	limits *throughput
	// inflight bounds the request body bytes held at once.
	inflight *inflight
	iterKey  []byte
	log      *slog.Logger
	ops      map[string]operation

	mu       sync.Mutex
	httpSrv  *http.Server
	listener net.Listener
	url      string
	closed   bool
	subs     *subscriptions
	autoNext sync.Map // *store.Stream -> *atomic.Uint64, for AUTO distribution
	sweeper  *sweeper
}

// New builds a server without listening; use it as an http.Handler. Streams named by WithStream
// are ACTIVE when New returns.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.setupSelfSignedTLS(time.Now()); err != nil {
		_ = cfg.removeSelfSignedTLS()
		return nil, err
	}
	s, err := build(cfg)
	if err != nil {
		_ = cfg.removeSelfSignedTLS()
		return nil, err
	}
	return s, nil
}

// build makes the server of New from its configuration.
func build(cfg config) (*Server, error) {
	s := &Server{cfg: cfg, log: cfg.logger, faults: newFaults()}
	s.limits = newThroughput(cfg.throughput)
	s.inflight = newInflight(cfg.maxInflight)
	s.subs = newSubscriptions()
	s.iterKey = make([]byte, 32)
	if _, err := rand.Read(s.iterKey); err != nil {
		return nil, err
	}
	journal, err := openJournal(cfg.dataDir, s)
	if err != nil {
		return nil, err
	}
	if j, ok := journal.(*store.FileJournal); ok && cfg.diskFault != nil {
		j.SetDiskFault(cfg.diskFault)
	}
	s.store = store.New(journal)
	if err := s.restore(); err != nil {
		return nil, err // restore has closed the journal
	}
	s.ops = operations()
	for _, spec := range cfg.streams {
		if s.store.Get(store.Key{Account: cfg.account, Region: cfg.region, Name: spec.Name}) != nil {
			continue // restored from the data directory
		}
		if err := s.CreateStream(spec.Name, spec.Shards); err != nil {
			_ = journal.Close() // frees the data directory for the next try
			return nil, fmt.Errorf("emulator: create stream %s: %w", spec.Name, err)
		}
	}
	s.startSweeper()
	return s, nil
}

// Run builds a server and starts it on the configured address (default 127.0.0.1 on a free port).
func Run(opts ...Option) (*Server, error) {
	s, err := New(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("emulator: listen on %s: %w", s.cfg.addr, err)
	}
	s.Serve(ln)
	return s, nil
}

// Tester is the part of testing.TB that RunT uses, so that the server does not import testing.
// A *testing.T, *testing.B or *testing.F is a Tester.
type Tester interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// RunT starts a server for the test t on a free port and closes it when the test ends.
func RunT(t Tester, opts ...Option) *Server {
	t.Helper()
	s, err := Run(opts...)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Serve answers requests on ln in the background until Close or Shutdown.
func (s *Server) Serve(ln net.Listener) {
	hs := &http.Server{
		Handler: s.routes(), // the admin endpoints and WithHandler's mounts (mount.go), then s
		// No ReadTimeout: it would cut SubscribeToShard's long answer. The body's read has its
		// own deadline (readBody).
		ReadHeaderTimeout: s.cfg.readTimeout,
		IdleTimeout:       s.cfg.idleTimeout,
		Protocols:         new(http.Protocols),
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)
	scheme := "http"
	if s.cfg.tlsConfig != nil {
		hs.Protocols.SetHTTP2(true)
		hs.TLSConfig = s.cfg.tlsConfig.Clone()
		ln = newSniffListener(ln, hs.TLSConfig)
		scheme = "https"
	}
	s.mu.Lock()
	s.httpSrv = hs
	s.listener = ln
	s.url = scheme + "://" + ln.Addr().String()
	s.mu.Unlock()
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("emulator: serve", "err", err)
		}
	}()
}

// URL is the endpoint to give clients, such as http://127.0.0.1:4567.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Addr is the listening address, or "" when the server does not listen.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

// Region is the default region.
func (s *Server) Region() string { return s.cfg.region }

// AccountID is the default account.
func (s *Server) AccountID() string { return s.cfg.account }

// Faults returns the fault injector.
func (s *Server) Faults() *Faults { return s.faults }

// Close stops the server at once: open connections and subscriptions end. Acknowledged records are
// already durable when a data directory is set.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	return s.shutdown(ctx)
}

// Shutdown stops accepting requests, ends subscriptions, and waits for calls in flight until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.shutdown(ctx) }

func (s *Server) shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	hs := s.httpSrv
	s.mu.Unlock()
	s.subs.closeAll()
	s.stopSweeper()
	var err error
	if hs != nil {
		err = hs.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			err = hs.Close()
		}
	}
	if jerr := s.store.Journal().Close(); err == nil {
		err = jerr
	}
	if terr := s.cfg.removeSelfSignedTLS(); err == nil {
		err = terr
	}
	return err
}

// CreateStream creates an ACTIVE provisioned stream in the default account and region. It is for
// set-up in tests and at start; clients use the CreateStream API.
func (s *Server) CreateStream(name string, shards int) error {
	c := &call{ctx: context.Background(), account: s.cfg.account, region: s.cfg.region, now: s.now()}
	in := &createStreamInput{StreamName: name, ShardCount: &shards}
	// Not an API call, so the handler does not commit it.
	return s.commit(c, func() error {
		_, err := s.createStream(c, in, true)
		return err
	})
}

func (s *Server) now() time.Time { return s.cfg.clock.Now() }
