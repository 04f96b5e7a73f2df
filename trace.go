package pelican

import (
	"context"

	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

// TraceContext is a W3C Trace Context in its header form. Pelican carries it in the envelope and
// does not interpret it, so any tracing library can start and continue traces across a stream.
type TraceContext struct {
	// TraceParent is the traceparent header value.
	TraceParent string
	// TraceState is the tracestate header value.
	TraceState string
}

// IsZero reports whether tc carries no trace.
func (tc TraceContext) IsZero() bool { return tc.TraceParent == "" && tc.TraceState == "" }

type traceKey struct{}

// ContextWithTrace returns a copy of ctx that carries tc. Publish takes the trace context from
// there when it is given none, and a Subscriber puts the envelope's trace context there before
// calling a handler, so a handler that publishes continues the trace.
func ContextWithTrace(ctx context.Context, tc TraceContext) context.Context {
	return context.WithValue(ctx, traceKey{}, tc)
}

// TraceFromContext returns the trace context that ctx carries, if any.
func TraceFromContext(ctx context.Context) (TraceContext, bool) {
	tc, ok := ctx.Value(traceKey{}).(TraceContext)
	return tc, ok && !tc.IsZero()
}

func (tc TraceContext) proto() *pelicanv1.TraceContext {
	if tc.IsZero() {
		return nil
	}
	return &pelicanv1.TraceContext{Traceparent: tc.TraceParent, Tracestate: tc.TraceState}
}

func traceOf(t *pelicanv1.TraceContext) TraceContext {
	return TraceContext{TraceParent: t.GetTraceparent(), TraceState: t.GetTracestate()}
}
