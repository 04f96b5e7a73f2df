package runtimeapi_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/lambda/runtimeapi"
	"github.com/pelicanhq/pelican/pelicantest"
)

// BenchmarkMapping measures records per second from a stream of 4 shards through the event
// source mapping into a function built on aws-lambda-go's lambda.Start, in another process
// behind the Runtime API (one environment, and four), against the same handler in process: what
// running a function out of process costs.
func BenchmarkMapping(b *testing.B) {
	const total = 20000
	for _, bs := range []int32{100, 1000} {
		for _, via := range []string{"in-process", "runtime-api/1", "runtime-api/4"} {
			b.Run(fmt.Sprintf("batch=%d/%s", bs, via), func(b *testing.B) {
				emu := pelicantest.NewEmulator(b)
				client := emu.Client()
				stream := emu.NewStream(b, 4)
				pelicantest.PutMany(b, client, stream, total, 200)
				var fn esm.Function
				switch via {
				case "in-process":
					fn = esm.NewHandler(func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error) {
						return events.KinesisEventResponse{}, nil
					})
				default:
					n, _ := strconv.Atoi(via[len("runtime-api/"):])
					fn = startPool(b, n)
				}
				b.ResetTimer()
				var elapsed time.Duration
				for range b.N {
					l := pelicantest.AttachLambda(b, client, stream, fn, pelicantest.WithMapping(esm.Mapping{BatchSize: &bs}))
					began := time.Now()
					l.WaitIdle(b)
					elapsed += time.Since(began)
					if s := l.Stats(); s.Records != total || s.FunctionErrors != 0 {
						b.Fatalf("stats %+v, want %d records and no errors", s, total)
					}
				}
				b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "records/s")
			})
		}
	}
}

// startPool runs n environments of the test binary's Kinesis function until the benchmark ends.
func startPool(b *testing.B, n int) *runtimeapi.Pool {
	pool, err := runtimeapi.NewPool(n, []string{must(os.Executable()), "-test.run=^$"},
		[]runtimeapi.Option{runtimeapi.WithTimeout(time.Minute)},
		[]runtimeapi.ProcessOption{runtimeapi.WithEnv(functionEnv + "=kinesis"), runtimeapi.WithOutput(discard{})})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done; _ = pool.Close() })
	return pool
}
