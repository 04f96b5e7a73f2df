package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/pelicanhq/pelican/emulator"
)

// The handler benchmarks measure the server's own cost per request, without a client or a network:
// the part of the end-to-end benchmarks that the emulator can change.

// putRecordsBody is a PutRecords request body of the end-to-end benchmark's shape.
func putRecordsBody(tb testing.TB) []byte {
	body, _ := putRecordsBodyOf(tb, "key-", benchRecordLen)
	return body
}

// putRecordsBodyOf is a PutRecords request body of benchBatch records of size bytes, keyed prefix
// and the record's number, and the bytes the records count against limits (data and keys).
func putRecordsBodyOf(tb testing.TB, prefix string, size int) (body []byte, stored int64) {
	data := []byte(strings.Repeat("x", size))
	type entry struct {
		PartitionKey string `json:"PartitionKey"`
		Data         []byte `json:"Data"`
	}
	in := struct {
		StreamName string  `json:"StreamName"`
		Records    []entry `json:"Records"`
	}{StreamName: "bench"}
	for i := 0; i < benchBatch; i++ {
		in.Records = append(in.Records, entry{PartitionKey: fmt.Sprintf("%s%d", prefix, i), Data: data})
		stored += int64(size + len(in.Records[i].PartitionKey))
	}
	b, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	return b, stored
}

func signedRequest(target string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Kinesis_20131202."+target)
	r.Header.Set("X-Amz-Date", "20261125T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261125/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	return r
}

// discard is a ResponseWriter that keeps only the end of the body, so that the benchmark measures
// the handler.
type discard struct {
	h      http.Header
	status int
	tail   []byte
}

func (d *discard) Header() http.Header { return d.h }

func (d *discard) Write(b []byte) (int, error) {
	d.tail = append(d.tail[:0], b[max(0, len(b)-512):]...)
	return len(b), nil
}
func (d *discard) WriteHeader(status int) { d.status = status }

// BenchmarkHandlerPutRecords is the server's cost of one PutRecords request of 500 1 KiB records.
func BenchmarkHandlerPutRecords(b *testing.B) {
	srv, err := emulator.New(emulator.WithStream("bench", 4))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	body := putRecordsBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &discard{h: http.Header{}}
		srv.ServeHTTP(w, signedRequest("PutRecords", body))
		if w.status != 0 && w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
}

// BenchmarkHandlerGetRecords is the server's cost of one GetRecords call that returns 500 1 KiB
// records.
func BenchmarkHandlerGetRecords(b *testing.B) {
	benchHandlerGetRecords(b, 20, benchBatch, 10)
}

// benchHandlerGetRecords fills the first shard of a one-shard stream with fills PutRecords
// requests of the end-to-end benchmark's shape, then reads it with GetRecords of Limit limit,
// starting over at the trim horizon every perDrain answers, and reports the server's cost per
// record.
func benchHandlerGetRecords(b *testing.B, fills, limit, perDrain int) {
	srv, err := emulator.New(emulator.WithStream("bench", 1))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	body := putRecordsBody(b)
	for i := 0; i < fills; i++ {
		srv.ServeHTTP(&discard{h: http.Header{}}, signedRequest("PutRecords", body))
	}
	iterator := func() string { return shardIterator(b, srv, "TRIM_HORIZON") }
	it := iterator()
	b.ReportAllocs()
	b.ResetTimer()
	w := &discard{h: http.Header{}}
	for i := 0; i < b.N; i++ {
		srv.ServeHTTP(w, signedRequest("GetRecords", []byte(`{"ShardIterator":"`+it+`","Limit":`+strconv.Itoa(limit)+`}`)))
		if w.status != 0 && w.status != http.StatusOK {
			b.Fatalf("status %d: %s", w.status, w.tail)
		}
		if i%perDrain == perDrain-1 {
			it = iterator() // drained, or before the tip: start over
		} else if next := nextIterator(w.tail); next != "" {
			it = next
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*limit), "ns/record")
}

// shardIterator returns an iterator of type typ for the first shard of stream bench.
func shardIterator(b *testing.B, srv *emulator.Server, typ string) string {
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, signedRequest("GetShardIterator", []byte(`{"StreamName":"bench","ShardId":"shardId-000000000000","ShardIteratorType":"`+typ+`"}`)))
	var out struct{ ShardIterator string }
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out.ShardIterator == "" {
		b.Fatalf("GetShardIterator: %s", w.Body.Bytes())
	}
	return out.ShardIterator
}

// nextIterator finds NextShardIterator in a GetRecords answer without decoding the records.
func nextIterator(body []byte) string {
	const key = `"NextShardIterator":"`
	i := bytes.LastIndex(body, []byte(key))
	if i < 0 {
		return ""
	}
	rest := body[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// BenchmarkHandlerPutRecordsCBOR is BenchmarkHandlerPutRecords with the body in CBOR, as the Java
// SDK and the KCL send it.
func BenchmarkHandlerPutRecordsCBOR(b *testing.B) {
	srv, err := emulator.New(emulator.WithStream("bench", 4))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	data := []byte(strings.Repeat("x", benchRecordLen))
	records := make([]map[string]any, benchBatch)
	for i := range records {
		records[i] = map[string]any{"PartitionKey": fmt.Sprintf("key-%d", i), "Data": data}
	}
	body, err := cbor.Marshal(map[string]any{"StreamName": "bench", "Records": records})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &discard{h: http.Header{}}
		r := signedRequest("PutRecords", body)
		r.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
		srv.ServeHTTP(w, r)
		if w.status != 0 && w.status != http.StatusOK {
			b.Fatalf("status %d: %x", w.status, w.tail)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
}

// BenchmarkHandlerGetRecordsDrain is the server's cost of draining a shard of 30,000 1 KiB records
// with GetRecords of Limit 10,000, the largest answers a reader asks for (about 14 MB each).
func BenchmarkHandlerGetRecordsDrain(b *testing.B) {
	benchHandlerGetRecords(b, drainPerShard/benchBatch, drainLimit, drainPerShard/drainLimit)
}

// residentBytes is the process's resident memory, from /proc/self/statm (0 where there is none).
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// BenchmarkResidentMemory stores one million 100-byte records in one shard and reports the
// process's resident memory per stored byte (data and partition keys) and against the bound of
// 1.3 times the stored bytes plus 50 MB (rss-of-bound at most 1 meets it), with the cost of writing
// and of reading 10,000 records.
func BenchmarkResidentMemory(b *testing.B) {
	const n, size = 1000000, 100
	body, stored := putRecordsBodyOf(b, "partition-", size)
	stored *= n / benchBatch
	for i := 0; i < b.N; i++ {
		// Give back what earlier benchmarks of this process left, so that the figure is this
		// store's and the process's floor.
		debug.FreeOSMemory()
		srv, err := emulator.New(emulator.WithStream("bench", 1))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for sent := 0; sent < n; sent += benchBatch {
			w := &discard{h: http.Header{}}
			srv.ServeHTTP(w, signedRequest("PutRecords", body))
			if w.status != 0 && w.status != http.StatusOK {
				b.Fatalf("status %d: %s", w.status, w.tail)
			}
		}
		write := time.Since(start)
		time.Sleep(200 * time.Millisecond)
		rss := residentBytes()
		it := shardIterator(b, srv, "TRIM_HORIZON")
		readStart := time.Now()
		srv.ServeHTTP(&discard{h: http.Header{}}, signedRequest("GetRecords", []byte(`{"ShardIterator":"`+it+`","Limit":10000}`)))
		head := time.Since(readStart) / 10000
		b.ReportMetric(float64(rss), "rss-bytes")
		b.ReportMetric(float64(stored), "stored-bytes")
		b.ReportMetric(float64(rss)/float64(stored), "rss-bytes/stored-byte")
		b.ReportMetric(float64(rss)/(1.3*float64(stored)+50e6), "rss-of-bound")
		b.ReportMetric(float64(write.Nanoseconds())/n, "write-ns/record")
		b.ReportMetric(float64(head.Nanoseconds()), "read-head-ns/record")
		_ = srv.Close()
	}
}
