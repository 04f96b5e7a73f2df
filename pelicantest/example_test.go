package pelicantest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/pelicantest"
)

// exampleT stands in for the *testing.T that a test passes; an Example has none.
type exampleT struct{ cleanups []func() }

func (*exampleT) Helper()                           {}
func (*exampleT) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }
func (t *exampleT) Cleanup(f func())                { t.cleanups = append(t.cleanups, f) }

// end runs the cleanups, last first, as a test's end does.
func (t *exampleT) end() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// In a test, t is the test's *testing.T: the emulator stops when the test ends.
func ExampleNewEmulator() {
	t := &exampleT{}
	defer t.end()

	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 2)
	shard, _ := pelicantest.Put(t, e.Client(), stream, "order-17", []byte("paid"))
	pelicantest.Put(t, e.Client(), stream, "order-17", []byte("shipped"))

	for _, r := range pelicantest.ReadAll(t, e.Client(), stream) {
		fmt.Println(r.ShardID == shard, r.PartitionKey, string(r.Data))
	}
	// Output:
	// true order-17 paid
	// true order-17 shipped
}

// The emulator's clock moves only when told to, so a test of retention or of an iterator's
// expiry does not sleep.
func ExampleNewClock() {
	t := &exampleT{}
	defer t.end()
	clock := pelicantest.NewClock(time.Date(2025, 11, 25, 7, 0, 0, 0, time.UTC))
	e := pelicantest.NewEmulator(t, pelicantest.WithClock(clock), pelicantest.WithStream("clock-events", 1))

	pelicantest.Put(t, e.Client(), "clock-events", "zurich-hall", []byte("7 o'clock"))
	clock.Advance(time.Hour)
	pelicantest.Put(t, e.Client(), "clock-events", "zurich-hall", []byte("8 o'clock"))
	for _, r := range pelicantest.ReadAll(t, e.Client(), "clock-events") {
		fmt.Println(r.Arrival.UTC().Format(time.TimeOnly), string(r.Data))
	}
	// Output:
	// 07:00:00 7 o'clock
	// 08:00:00 8 o'clock
}

// A fault makes the next calls of an operation fail, to test how a client copes.
func ExampleFault() {
	t := &exampleT{}
	defer t.end()
	e := pelicantest.NewEmulator(t, pelicantest.WithStream("orders", 1))
	e.Faults().Inject(pelicantest.Fault{Operation: "PutRecord", Code: "InternalFailure", Times: 1})

	noRetries := e.NewClient(func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	in := &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("x")}
	_, err := noRetries.PutRecord(context.Background(), in)
	fmt.Println("first:", err != nil)
	_, err = noRetries.PutRecord(context.Background(), in)
	fmt.Println("second:", err)
	// Output:
	// first: true
	// second: <nil>
}

// Outside a test (a program, or an Example of another package), Run starts an emulator that
// Close stops.
func ExampleRun() {
	e, err := pelicantest.Run(pelicantest.WithStream("orders", 4))
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	out, err := e.Client().ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String("orders")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out.Shards), "shards")
	// Output:
	// 4 shards
}
