package console_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/console"
	"github.com/pelicanhq/pelican/pelicantest"
)

// putEvents writes n OrderPlaced envelopes to stream with PutRecords, in batches of up to 500.
func putEvents(tb testing.TB, client *kinesis.Client, stream string, n int) {
	data := envelopeTB(tb, "shop.v1.OrderPlaced", orderPayload(nil))
	for n > 0 {
		batch := min(n, 500)
		in := &kinesis.PutRecordsInput{StreamName: aws.String(stream)}
		for i := range batch {
			in.Records = append(in.Records, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint("k", i)), Data: data})
		}
		out, err := client.PutRecords(context.Background(), in)
		if err != nil || aws.ToInt32(out.FailedRecordCount) > 0 {
			tb.Fatalf("PutRecords: %v", err)
		}
		n -= batch
	}
}

// BenchmarkRecordsPage renders the records view's page of 100 decoded events (types from
// --proto), reading them from an in-process emulator through the SDK: the server time of a page.
func BenchmarkRecordsPage(b *testing.B) {
	emu := pelicantest.NewEmulator(b, pelicantest.WithStream("bench", 1))
	putEvents(b, emu.Client(), "bench", 100)
	c, err := console.New(emu.Client(), console.WithProto("testdata/proto"))
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, console.DefaultPrefix+"streams/bench/records", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		c.ServeHTTP(w, req)
		if w.Code != http.StatusOK || strings.Count(w.Body.String(), `<tr class="rec kind-event"`) != 100 {
			b.Fatalf("%d, %d rows", w.Code, strings.Count(w.Body.String(), `<tr class="rec kind-event"`))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
}

// BenchmarkLiveTail publishes 1,000 events a second to one shard (100 every 100 ms) and reads
// the live tail's server-sent events until every one has arrived; it reports the rate the tail
// delivered at and how long after the last write the last row came.
func BenchmarkLiveTail(b *testing.B) {
	emu := pelicantest.NewEmulator(b, pelicantest.WithStream("tail", 1))
	c, err := console.New(emu.Client(), console.WithProto("testdata/proto"))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+console.DefaultPrefix+"streams/tail/tail/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	rows, ready := make(chan int, 1024), make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			if sc.Text() == "event: ready" {
				close(ready)
			}
			if n := strings.Count(sc.Text(), `<tr class="rec `); n > 0 {
				rows <- n
			}
		}
		close(rows)
	}()
	select { // the tail's iterators start at LATEST
	case <-ready:
	case <-time.After(10 * time.Second):
		b.Fatal("the tail did not get ready")
	}
	var lag time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		for i := range 10 {
			time.Sleep(time.Until(start.Add(time.Duration(i) * 100 * time.Millisecond)))
			putEvents(b, emu.Client(), "tail", 100)
		}
		last := time.Now()
		got := 0
		for got < 1000 {
			select {
			case n, ok := <-rows:
				if !ok {
					b.Fatal("the tail ended")
				}
				got += n
			case <-time.After(10 * time.Second):
				b.Fatalf("the tail delivered %d of 1000 records", got)
			}
		}
		lag = max(lag, time.Since(last))
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(lag.Milliseconds()), "ms-lag-max")
}
