package pelicantest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
	"github.com/pelicanhq/pelican/pelicantest"
)

func TestEmulatorStreamPutAndRead(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 3)
	if ids := pelicantest.ShardIDs(t, e.Client(), stream); len(ids) != 3 {
		t.Fatalf("shards %v, want 3", ids)
	}
	for i := 0; i < 10; i++ {
		pelicantest.Put(t, e.Client(), stream, fmt.Sprintf("k%d", i%3), []byte(fmt.Sprintf("r%d", i)))
	}
	recs := pelicantest.ReadAll(t, e.Client(), stream)
	if len(recs) != 10 {
		t.Fatalf("read %d records, want 10", len(recs))
	}
	r := pelicantest.WaitForData(t, e.Client(), stream, time.Second, []byte("r7"))
	if r.PartitionKey != "k1" {
		t.Fatalf("r7 has key %q, want k1", r.PartitionKey)
	}
}

// TestPutMany checks that PutMany writes every record once, across calls of 500, with distinct
// keys, and fails the test when the stream refuses some of them.
func TestPutMany(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 2)
	pelicantest.PutMany(t, e.Client(), stream, 1203, 10)
	recs := pelicantest.ReadAll(t, e.Client(), stream)
	keys := make(map[string]bool)
	for _, r := range recs {
		if len(r.Data) != 10 {
			t.Fatalf("record of %d bytes, want 10", len(r.Data))
		}
		keys[r.PartitionKey] = true
	}
	if len(recs) != 1203 || len(keys) != 1203 {
		t.Fatalf("read %d records with %d keys, want 1203 of each", len(recs), len(keys))
	}

	e.Faults().Inject(pelicantest.Fault{Operation: "PutRecords", Code: "ProvisionedThroughputExceededException", EveryNth: 7})
	rec := &fatalRecorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != rec {
				panic(p)
			}
		}()
		pelicantest.PutMany(rec, e.Client(), stream, 20, 10)
		t.Fatal("PutMany returned with records refused")
	}()
	if !strings.Contains(rec.msg, "2 of 20 failed") {
		t.Errorf("failure message %q, want it to say 2 of 20 failed", rec.msg)
	}
}

// fatalRecorder is a testing.TB that records Fatalf instead of stopping the test.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	panic(f)
}

func TestWaitForMessage(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 1)
	pelicantest.Put(t, e.Client(), stream, "key", []byte("something else"))
	rec := &fatalRecorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != rec {
				panic(p)
			}
		}()
		pelicantest.WaitForData(rec, e.Client(), stream, 100*time.Millisecond, []byte("never"))
		t.Fatal("WaitForData returned without a match")
	}()
	for _, want := range []string{`matched "data \"never\""`, "within 100ms", "saw 1 records", `data="something else"`} {
		if !strings.Contains(rec.msg, want) {
			t.Errorf("failure message %q lacks %q", rec.msg, want)
		}
	}
}

// TestClientsHideWriterTo checks that every client the helpers build carries the SDK body
// workaround, which keeps a retried PutRecords from being stored twice.
func TestClientsHideWriterTo(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	for name, c := range map[string]*kinesis.Client{
		"Client":                e.Client(),
		"NewClient":             e.NewClient(),
		"NewFromConfig(Config)": kinesis.NewFromConfig(e.Config()),
	} {
		if !sdkhttp.Wrapped(c.Options().HTTPClient) {
			t.Errorf("%s: HTTP client %T lacks the sdkhttp workaround", name, c.Options().HTTPClient)
		}
	}
	if !sdkhttp.Wrapped(pelicantest.HTTPClient()) {
		t.Error("HTTPClient lacks the sdkhttp workaround")
	}
}

// TestDataDirSurvivesARestart checks the door persistence tests use: what one emulator stored in
// a data directory, the next one on it serves.
func TestDataDirSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	first := pelicantest.NewEmulator(t, pelicantest.WithDataDir(dir), pelicantest.WithStream("kept", 2))
	pelicantest.Put(t, first.Client(), "kept", "k", []byte("before the restart"))
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := pelicantest.NewEmulator(t, pelicantest.WithDataDir(dir))
	recs := pelicantest.ReadAll(t, second.Client(), "kept")
	if len(recs) != 1 || string(recs[0].Data) != "before the restart" {
		t.Fatalf("after the restart: %+v", recs)
	}
}

func TestRunFailsWithABadOption(t *testing.T) {
	if _, err := pelicantest.Run(pelicantest.WithStream("", 1)); err == nil {
		t.Fatal("Run started with a stream without a name")
	}
}
