package esm_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/pelicanhq/pelican/lambda/esm"
)

// TestInvocationCarriesRequestID: each invocation's context holds a fresh request id and the
// function ARN, as on AWS, and the on-failure record names the id of the last invocation.
func TestInvocationCarriesRequestID(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "a")
	var mu sync.Mutex
	var ids, arns []string
	fn := esm.NewHandler(func(ctx context.Context, ev events.KinesisEvent) error {
		lc, ok := lambdacontext.FromContext(ctx)
		if !ok {
			t.Error("no Lambda context in the invocation's context")
			return errBoom
		}
		mu.Lock()
		ids = append(ids, lc.AwsRequestID)
		arns = append(arns, lc.InvokedFunctionArn)
		mu.Unlock()
		return errBoom
	})
	var f failures
	l := attachFunc(t, e, fn, esm.Mapping{FunctionName: "my-function", MaximumRetryAttempts: i32(1)}, f.option())
	l.WaitQuiet(t)
	advance(t, e, l, 10e9)
	l.WaitIdle(t)
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 2 || ids[0] == "" || ids[0] == ids[1] {
		t.Fatalf("request ids = %q, want two different ones", ids)
	}
	src, _ := esm.ParseSourceARN(l.StreamARN)
	if want := "arn:aws:lambda:" + src.Region + ":" + src.Account + ":function:my-function"; arns[0] != want {
		t.Errorf("invoked function ARN = %q, want %q", arns[0], want)
	}
	fs := f.all()
	if len(fs) != 1 || fs[0].RequestContext.RequestID != ids[1] {
		t.Fatalf("on-failure records %+v, want one naming request %s", fs, ids[1])
	}
}
