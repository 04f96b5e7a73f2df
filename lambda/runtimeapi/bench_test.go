package runtimeapi_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/pelicanhq/pelican/lambda/runtimeapi"
)

// benchPayload is a one-record Kinesis event's size of work for the handler.
var benchPayload = must(json.Marshal(request{Do: "echo", Value: string(make([]byte, 512))}))

// BenchmarkInvoke measures invocations per second through the Runtime API, to a function built
// on aws-lambda-go's lambda.Start in another process, against the same handler called in process
// through lambda.NewHandler: the cost of the process boundary.
func BenchmarkInvoke(b *testing.B) {
	b.Run("runtime-api", func(b *testing.B) {
		srv := newServer(b)
		startBenchFunction(b, srv)
		ctx := context.Background()
		if _, err := srv.Invoke(ctx, benchPayload); err != nil { // warm up
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			if _, err := srv.Invoke(ctx, benchPayload); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
	})
	b.Run("in-process", func(b *testing.B) {
		h := lambda.NewHandler(testHandler)
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "bench"})
		for b.Loop() {
			if _, err := h.Invoke(ctx, benchPayload); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
	})
}

func startBenchFunction(b *testing.B, srv *runtimeapi.Server) {
	proc := runtimeapi.NewProcess(srv, []string{must(os.Executable()), "-test.run=^$"},
		runtimeapi.WithEnv(functionEnv+"=handler"), runtimeapi.WithOutput(discard{}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
