package emulator_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

// The crash test runs the emulator in a child process (this test binary again, running
// TestCrashServerProcess) with a data directory, kills it with SIGKILL while writers are putting
// records, restarts it on the same directory, and checks that every acknowledged record is there.

const (
	crashDirEnv    = "PELICAN_CRASH_SERVER_DATA_DIR"
	crashEndpoint  = "PELICAN_CRASH_ENDPOINT="
	crashStream    = "crash"
	crashShards    = 4
	crashWriters   = 6
	crashLoad      = 2500 * time.Millisecond
	crashBatchSize = 40
)

// TestCrashServerProcess is the server side of TestCrashKillUnderLoad: in the child process it
// serves the data directory named by the environment until it is killed. In a normal run the
// variable is unset and it returns at once.
func TestCrashServerProcess(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return
	}
	srv, err := emulator.Run(emulator.WithDataDir(dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash server:", err)
		os.Exit(3)
	}
	fmt.Printf("%s%s\n", crashEndpoint, srv.URL())
	select {} // until SIGKILL
}

// crashServer is a server process of the crash test.
type crashServer struct {
	cmd      *exec.Cmd
	endpoint string
	stderr   *bytes.Buffer
	done     chan struct{}
}

// startCrashServer starts the test binary as a server on dir and waits for its endpoint.
func startCrashServer(t *testing.T, dir string) *crashServer {
	t.Helper()
	return startServerProcess(t, "TestCrashServerProcess", crashDirEnv, dir)
}

// startServerProcess re-runs the test binary as the server that test serverTest starts, with its
// data directory in the environment variable dirEnv, and waits until it prints its endpoint.
func startServerProcess(t *testing.T, serverTest, dirEnv, dir string) *crashServer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+serverTest+"$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), dirEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cs := &crashServer{cmd: cmd, stderr: new(bytes.Buffer), done: make(chan struct{})}
	cmd.Stderr = cs.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.kill(t) })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), crashEndpoint); ok {
				found <- url
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(found)
	}()
	go func() {
		_ = cmd.Wait()
		close(cs.done)
	}()
	select {
	case url, ok := <-found:
		if !ok {
			<-cs.done
			t.Fatalf("the server process ended before serving: %v\n%s", cmd.ProcessState, cs.stderr)
		}
		cs.endpoint = url
	case <-time.After(30 * time.Second):
		t.Fatalf("the server process did not start in 30s:\n%s", cs.stderr)
	}
	return cs
}

// kill sends SIGKILL and waits for the process to be gone.
func (cs *crashServer) kill(t *testing.T) {
	t.Helper()
	select {
	case <-cs.done:
		return
	default:
	}
	if err := cs.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill: %v", err)
	}
	<-cs.done
}

// crashAck is one acknowledged record.
type crashAck struct {
	shard, seq string
	data       []byte
}

// crashWriter puts batches until the server stops answering, keeping what was acknowledged.
func crashWriter(ctx context.Context, kc *kinesis.Client, w int, acks *[]crashAck, sent *int) {
	for batch := 0; ctx.Err() == nil; batch++ {
		entries := make([]types.PutRecordsRequestEntry, crashBatchSize)
		for i := range entries {
			// Sizes vary so that entries straddle write boundaries differently.
			data := fmt.Appendf(nil, "w%d-b%d-r%d-", w, batch, i)
			data = append(data, bytes.Repeat([]byte{byte('a' + (batch+i)%26)}, (batch*37+i*101)%700)...)
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("w%d-k%d", w, i)), Data: data}
		}
		*sent += len(entries)
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(crashStream), Records: entries})
		if err != nil {
			return // the server was killed; this batch was never acknowledged
		}
		for i, r := range out.Records {
			if r.SequenceNumber != nil && r.ErrorCode == nil {
				*acks = append(*acks, crashAck{shard: *r.ShardId, seq: *r.SequenceNumber, data: entries[i].Data})
			}
		}
	}
}

func TestCrashKillUnderLoad(t *testing.T) {
	dir := t.TempDir()
	srv := startCrashServer(t, dir)
	kc := persistClient(srv.endpoint)
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(crashStream), ShardCount: aws.Int32(crashShards)}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, crashStream)
	// An iterator issued before the crash must still open after it.
	early := persistIterator(t, kc, crashStream, "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)

	acks := make([][]crashAck, crashWriters)
	sent := make([]int, crashWriters)
	loadCtx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	var wg sync.WaitGroup
	for w := 0; w < crashWriters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			crashWriter(loadCtx, kc, w, &acks[w], &sent[w])
		}()
	}
	time.Sleep(crashLoad)
	srv.kill(t) // SIGKILL, with requests in flight
	wg.Wait()
	stopLoad()

	total, attempted := 0, 0
	for w := range acks {
		total += len(acks[w])
		attempted += sent[w]
	}
	if total == 0 {
		t.Fatalf("no record was acknowledged before the kill:\n%s", srv.stderr)
	}
	t.Logf("%d records acknowledged of %d sent before SIGKILL", total, attempted)

	srv2 := startCrashServer(t, dir)
	kc2 := persistClient(srv2.endpoint)
	// Every acknowledged record, per shard. One writer's records to one shard were acknowledged in
	// the order of their sequence numbers, which is the order the shard must give them back in.
	wantByShard := map[string]map[string][]byte{}
	for w, list := range acks {
		prev := map[string]string{}
		for _, a := range list {
			if p, ok := prev[a.shard]; ok && !seqLess(p, a.seq) {
				t.Fatalf("writer %d, %s: acknowledged %s after %s", w, a.shard, a.seq, p)
			}
			prev[a.shard] = a.seq
			if wantByShard[a.shard] == nil {
				wantByShard[a.shard] = map[string][]byte{}
			}
			wantByShard[a.shard][a.seq] = a.data
		}
	}
	restored := 0
	lastSeq := map[string]string{}
	for s := 0; s < crashShards; s++ {
		shard := fmt.Sprintf("shardId-%012d", s)
		got, _ := persistReadShard(t, kc2, persistIterator(t, kc2, crashStream, shard, types.ShardIteratorTypeTrimHorizon))
		restored += len(got)
		seen := map[string]bool{}
		for i, r := range got {
			if i > 0 && !seqLess(*got[i-1].SequenceNumber, *r.SequenceNumber) {
				t.Fatalf("%s: sequence numbers out of order after restart: %s then %s", shard, *got[i-1].SequenceNumber, *r.SequenceNumber)
			}
			if want, ok := wantByShard[shard][*r.SequenceNumber]; ok && !bytes.Equal(want, r.Data) {
				t.Fatalf("%s %s: data %q, acknowledged %q", shard, *r.SequenceNumber, r.Data, want)
			}
			seen[*r.SequenceNumber] = true
		}
		for seq := range wantByShard[shard] {
			if !seen[seq] {
				t.Fatalf("%s: acknowledged record %s is missing after the crash", shard, seq)
			}
		}
		if len(got) > 0 {
			lastSeq[shard] = *got[len(got)-1].SequenceNumber
		}
	}
	// Records written but not acknowledged before the kill may be there too; never fewer.
	t.Logf("%d records restored", restored)

	// The early iterator still opens, and reads shard 0 from its start.
	page, err := kc2.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: early})
	if err != nil {
		t.Fatalf("an iterator issued before the crash: %v", err)
	}
	if len(wantByShard["shardId-000000000000"]) > 0 && len(page.Records) == 0 {
		t.Fatal("an iterator issued before the crash reads nothing")
	}

	// New records continue every shard's sequence numbers.
	entries := make([]types.PutRecordsRequestEntry, 64)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("after-%d", i)), Data: []byte("after")}
	}
	out, err := kc2.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(crashStream), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Records {
		if prev, ok := lastSeq[*r.ShardId]; ok && !seqLess(prev, *r.SequenceNumber) {
			t.Fatalf("%s: sequence number %s after the restart is not above %s", *r.ShardId, *r.SequenceNumber, prev)
		}
	}
}
