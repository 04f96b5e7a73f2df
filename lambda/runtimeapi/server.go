package runtimeapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Server is a Lambda Runtime API endpoint for one execution environment. Its zero value is not
// usable; start one with NewServer.
type Server struct {
	cfg    config
	log    *slog.Logger
	ln     net.Listener
	http   *http.Server
	queue  chan *invocation // hands an invocation to a waiting /next
	closed chan struct{}

	closeOnce sync.Once

	mu        sync.Mutex
	state     state
	current   *invocation    // given to the runtime and not yet answered
	initError *FunctionError // posted to /init/error; reported when the process exits
	kill      func()         // stops the runtime process after a timeout or an init error
	taken     int            // invocations handed to a runtime, ever
}

// Invocation is one event for the function, with the optional context a caller can pass along.
type Invocation struct {
	// Payload is the event, sent as the body of /invocation/next.
	Payload []byte
	// ClientContext is sent as Lambda-Runtime-Client-Context when not empty.
	ClientContext string
	// CognitoIdentity is sent as Lambda-Runtime-Cognito-Identity when not empty.
	CognitoIdentity string
	// TraceID is sent as Lambda-Runtime-Trace-Id; a fresh X-Ray trace header when empty.
	TraceID string
}

// NewServer starts a Runtime API server on a free loopback port (or WithAddr's).
func NewServer(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.timeout <= 0 {
		return nil, fmt.Errorf("runtimeapi: timeout must be positive, got %s", cfg.timeout)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: listen: %w", err)
	}
	s := &Server{
		cfg:    cfg,
		log:    cfg.logger,
		ln:     ln,
		queue:  make(chan *invocation),
		closed: make(chan struct{}),
		state:  stateStarted,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// Addr returns the server's host:port, the value of AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// FunctionARN returns the ARN sent as Lambda-Runtime-Invoked-Function-Arn.
func (s *Server) FunctionARN() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.cfg.region, s.cfg.account, s.cfg.functionName)
}

// Close stops the server; invocations in flight or waiting end with ErrClosed.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		err = s.http.Close()
		s.mu.Lock()
		cur := s.current
		s.current = nil
		s.mu.Unlock()
		if cur != nil {
			cur.finish(nil, ErrClosed)
		}
	})
	return err
}

// Invoke sends payload to the function and returns its response. A failure of the function is a
// *FunctionError; ErrClosed and ctx's error are not the function's. Calls wait their turn: the
// environment runs one invocation at a time.
func (s *Server) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return s.Do(ctx, Invocation{Payload: payload})
}

// Do is Invoke with a client context, Cognito identity or trace id.
//
// The request id is the AwsRequestID of the aws-lambda-go lambdacontext.LambdaContext in ctx when
// there is one, so that a caller that names its invocations (as an in-process handler reads its
// id from the same context) and the function agree on them; otherwise a fresh one.
func (s *Server) Do(ctx context.Context, in Invocation) ([]byte, error) {
	id := newRequestID()
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		id = lc.AwsRequestID
	}
	inv := &invocation{Invocation: in, id: id, done: make(chan result, 1)}
	if inv.TraceID == "" {
		inv.TraceID = newTraceID(time.Now())
	}
	select {
	case s.queue <- inv:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closed:
		return nil, ErrClosed
	}
	select {
	case r := <-inv.done:
		return r.payload, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// invocation is one Invoke on its way through the runtime.
type invocation struct {
	Invocation
	id    string
	timer *time.Timer
	once  sync.Once
	done  chan result
}

type result struct {
	payload []byte
	err     error
}

// finish delivers the invocation's outcome once and reports whether this call did; later
// outcomes (a response after the timeout) are dropped.
func (inv *invocation) finish(payload []byte, err error) (delivered bool) {
	inv.once.Do(func() {
		if inv.timer != nil {
			inv.timer.Stop()
		}
		inv.done <- result{payload, err}
		delivered = true
	})
	return delivered
}

// state is where the runtime is in its lifecycle, named as the Lambda runtime interface emulator
// names it in its errors.
type state string

const (
	stateStarted      state = "Started"                  // process started, no /next yet
	stateReady        state = "Ready"                    // waiting in /next
	stateRunning      state = "Running"                  // handling an invocation
	stateResponseSent state = "RuntimeResponseSentState" // answered; the next /next is due
	stateInitError    state = "InitError"                // posted /init/error
)

// take hands inv to the runtime: it becomes the current invocation and its deadline starts.
func (s *Server) take(inv *invocation) time.Time {
	deadline := time.Now().Add(s.cfg.timeout)
	s.mu.Lock()
	s.state = stateRunning
	s.current = inv
	s.taken++
	inv.timer = time.AfterFunc(s.cfg.timeout, func() { s.timedOut(inv) })
	s.mu.Unlock()
	s.log.Debug("runtimeapi: invocation started", "request_id", inv.id, "bytes", len(inv.Payload))
	return deadline
}

// answer ends the current invocation with the runtime's response or error.
func (s *Server) answer(inv *invocation, payload []byte, err error) {
	s.mu.Lock()
	if s.current == inv {
		s.current = nil
		s.state = stateResponseSent
	}
	s.mu.Unlock()
	inv.finish(payload, err)
	if err != nil {
		s.log.Debug("runtimeapi: invocation failed", "request_id", inv.id, "err", err)
	} else {
		s.log.Debug("runtimeapi: invocation answered", "request_id", inv.id, "bytes", len(payload))
	}
}

// timedOut fails inv with Lambda's timeout error and has the process killed, as Lambda does.
func (s *Server) timedOut(inv *invocation) {
	s.mu.Lock()
	current := s.current == inv
	if current {
		s.current = nil
		s.state = stateResponseSent
	}
	kill := s.kill
	s.mu.Unlock()
	if !inv.finish(nil, &FunctionError{
		RequestID: inv.id,
		Type:      ErrorTypeTimeout,
		Message:   fmt.Sprintf("Task timed out after %.2f seconds", s.cfg.timeout.Seconds()),
	}) || !current {
		return
	}
	s.log.Warn("runtimeapi: invocation timed out; restarting the function", "request_id", inv.id, "timeout", s.cfg.timeout)
	if kill != nil {
		kill()
	}
}

// attach is called by a Process each time it starts the runtime: the environment starts afresh,
// and kill is how the server stops that runtime. It returns how many invocations were taken so
// far, so that the Process can tell whether its runtime served any.
func (s *Server) attach(kill func()) (taken int) {
	s.mu.Lock()
	orphan := s.current // handed to a runtime that died while taking it
	s.current = nil
	s.state = stateStarted
	s.initError = nil
	s.kill = kill
	taken = s.taken
	s.mu.Unlock()
	if orphan != nil {
		orphan.finish(nil, &FunctionError{RequestID: orphan.id, Type: ErrorTypeExit,
			Message: "RequestId: " + orphan.id + " Error: Runtime exited without providing a reason"})
	}
	return taken
}

// takenSince reports whether a runtime took an invocation since attach returned before.
func (s *Server) takenSince(before int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.taken > before
}

// exited is called by a Process when the runtime exits. The invocation it was running fails with
// Runtime.ExitError; a runtime that never asked for an invocation fails the next waiting one with
// its init error, as Lambda fails the invocation that started a failing environment.
func (s *Server) exited(exitErr error) {
	s.mu.Lock()
	cur, st, initErr := s.current, s.state, s.initError
	s.current, s.kill, s.initError = nil, nil, nil
	s.state = stateStarted
	s.mu.Unlock()

	reason := "Runtime exited without providing a reason"
	if exitErr != nil {
		reason = "Runtime exited with error: " + exitErr.Error()
	}
	if cur != nil {
		cur.finish(nil, &FunctionError{RequestID: cur.id, Type: ErrorTypeExit, Message: "RequestId: " + cur.id + " Error: " + reason})
		s.log.Warn("runtimeapi: the function exited during an invocation", "request_id", cur.id, "reason", reason)
		return
	}
	if st != stateStarted && st != stateInitError {
		return
	}
	select {
	case inv := <-s.queue:
		fe := initErr
		if fe == nil {
			fe = &FunctionError{Type: ErrorTypeExit, Message: "RequestId: " + inv.id + " Error: " + reason}
		}
		fe.RequestID = inv.id
		inv.finish(nil, fe)
		s.log.Warn("runtimeapi: the function failed to initialise", "request_id", inv.id, "type", fe.Type, "message", fe.Message)
	default:
	}
}
