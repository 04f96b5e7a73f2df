package esm

import (
	"bytes"
	"context"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
)

// NewHandler makes a Function of a Go Lambda handler: anything lambda.Start accepts, such as
// func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error).
//
// Each invocation in flight runs in an aws-lambda-go handler of its own, as on Lambda each runs in
// an execution environment of its own: a lambda.Handler reuses its response buffer from one
// invocation to the next, so one of them serves one invocation at a time, while the engine
// invokes shards and lanes concurrently.
func NewHandler(handler any) Function {
	return &handlerPool{handler: handler}
}

type handlerPool struct {
	handler any
	mu      sync.Mutex
	free    []lambda.Handler
}

func (p *handlerPool) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	p.mu.Lock()
	var h lambda.Handler
	if n := len(p.free); n > 0 {
		h, p.free = p.free[n-1], p.free[:n-1]
	} else {
		h = lambda.NewHandler(p.handler)
	}
	p.mu.Unlock()
	resp, err := h.Invoke(ctx, payload)
	resp = bytes.Clone(resp) // the handler's buffer is reused by its next invocation
	p.mu.Lock()
	p.free = append(p.free, h)
	p.mu.Unlock()
	return resp, err
}
