package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Pool is several execution environments of one function, each a Server with its own Process,
// as Lambda runs a function in as many environments as it has invocations at once (for a Kinesis
// mapping, up to one per shard and ParallelizationFactor lane). Invoke takes an idle environment,
// or waits for one.
type Pool struct {
	servers []*Server
	procs   []*Process
	idle    chan *Server
}

// NewPool starts n servers, each with the server options opts, for n processes of command with
// the process options popts; the processes start with Run.
func NewPool(n int, command []string, opts []Option, popts []ProcessOption) (*Pool, error) {
	if n < 1 {
		return nil, fmt.Errorf("runtimeapi: a pool needs at least one environment, got %d", n)
	}
	p := &Pool{idle: make(chan *Server, n)}
	for range n {
		srv, err := NewServer(opts...)
		if err != nil {
			_ = p.Close()
			return nil, err
		}
		p.servers = append(p.servers, srv)
		p.procs = append(p.procs, NewProcess(srv, command, popts...))
		p.idle <- srv
	}
	return p, nil
}

// Servers returns the pool's servers, one per environment.
func (p *Pool) Servers() []*Server { return p.servers }

// Run runs every environment's process until ctx is done, as Process.Run does. When one cannot
// be started, the others are stopped and its error returned.
func (p *Pool) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(p.procs))
	var wg sync.WaitGroup
	for i, proc := range p.procs {
		wg.Go(func() {
			if errs[i] = proc.Run(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Invoke runs payload in an idle environment, waiting for one when all are busy; see
// Server.Invoke.
func (p *Pool) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	select {
	case srv := <-p.idle:
		defer func() { p.idle <- srv }()
		return srv.Invoke(ctx, payload)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close closes every server.
func (p *Pool) Close() error {
	var errs []error
	for _, s := range p.servers {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
