//go:build interop

package emulator_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/internal/interop"
)

// The peer benchmark: the pelican emulator and kinesalite (npm), each as its own process on
// loopback, driven by the same Go SDK client code in the same run, interleaved so that both see the
// same machine load. Memory per stored record is each process's resident-set growth over the same
// writes.

// peer is a server process the benchmark drives.
type peer struct {
	name     string
	endpoint string
	pid      int
}

func startPeerProcess(b *testing.B, name string, cmd *exec.Cmd, endpoint string) *peer {
	b.Helper()
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	kc := benchClient(endpoint)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := kc.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s did not answer: %v", name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &peer{name: name, endpoint: endpoint, pid: cmd.Process.Pid}
}

func startKinesalite(b *testing.B) *peer {
	node := interop.Node(b)
	modules := interop.NodeModules(b, "kinesalite")
	addr := interop.FreeAddr(b)
	port := addr[strings.LastIndex(addr, ":")+1:]
	cmd := exec.Command(node, filepath.Join(modules, "kinesalite", "cli.js"), "--port", port,
		"--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", "100")
	return startPeerProcess(b, "kinesalite", cmd, "http://127.0.0.1:"+port)
}

func startPelicanProcess(b *testing.B) *peer {
	addr := interop.FreeAddr(b)
	cmd := exec.Command(interop.Binary(b), "emulator", "--addr", addr, "--log-level", "error")
	return startPeerProcess(b, "pelican", cmd, "http://"+addr)
}

// createBenchStream creates a 4-shard stream through the API and waits until it is ACTIVE.
func createBenchStream(b *testing.B, p *peer, name string) []string {
	kc := benchClient(p.endpoint)
	ctx := context.Background()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &name, ShardCount: aws.Int32(4)}); err != nil {
		b.Fatalf("%s: %v", p.name, err)
	}
	w := kinesis.NewStreamExistsWaiter(kc, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: &name}, time.Minute); err != nil {
		b.Fatalf("%s: %v", p.name, err)
	}
	out, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: &name})
	if err != nil {
		b.Fatalf("%s: %v", p.name, err)
	}
	var ids []string
	for _, sh := range out.Shards {
		ids = append(ids, *sh.ShardId)
	}
	return ids
}

// rss returns the resident set size of a process, in bytes.
func rss(b *testing.B, pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatalf("no VmRSS for pid %d", pid)
	return 0
}

func BenchmarkInteropPeerKinesalite(b *testing.B) {
	ks, pl := startKinesalite(b), startPelicanProcess(b)
	shardsK, shardsP := createBenchStream(b, ks, "bench"), createBenchStream(b, pl, "bench")
	kcK, kcP := benchClient(ks.endpoint), benchClient(pl.endpoint)

	// Each throughput benchmark also drives the canned-response ceiling (in this process), in the
	// same interleaved rounds: fraction-of-ceiling and ratio (to kinesalite) come from one run.
	b.Run("PutRecords", func(b *testing.B) {
		ceiling := benchClient(ceilingServer(b).URL)
		c, p, k, ofCeiling, ofPeer := interleave3(benchDuration(b), benchSlice,
			func(d time.Duration) float64 { return putRate(b, ceiling, "bench", d) },
			func(d time.Duration) float64 { return putRate(b, kcP, "bench", d) },
			func(d time.Duration) float64 { return putRate(b, kcK, "bench", d) })
		reportPeers(b, c, p, k, ofCeiling, ofPeer)
	})
	b.Run("GetRecords", func(b *testing.B) {
		ceiling := benchClient(ceilingServer(b).URL)
		c, p, k, ofCeiling, ofPeer := interleave3(benchDuration(b), benchSlice,
			func(d time.Duration) float64 { return getRate(b, ceiling, "bench", shardsP, d) },
			func(d time.Duration) float64 { return getRate(b, kcP, "bench", shardsP, d) },
			func(d time.Duration) float64 { return getRate(b, kcK, "bench", shardsK, d) })
		reportPeers(b, c, p, k, ofCeiling, ofPeer)
	})
	var drainK, drainP []string
	b.Run("GetRecordsDrain", func(b *testing.B) {
		// 120,000 1 KiB records in 4 shards, each drained with Limit 10,000, on each peer and
		// on the ceiling, all three interleaved in the same run.
		// Filled once, for the first of the runs the testing package makes of this benchmark.
		if drainK == nil {
			drainK, drainP = createBenchStream(b, ks, "drain"), createBenchStream(b, pl, "drain")
			fillShards(b, kcK, "drain")
			fillShards(b, kcP, "drain")
		}
		ceiling := benchClient(ceilingServer(b).URL)
		c, p, k, ofCeiling, ofPeer := interleave3(drainDuration, drainSlice,
			func(d time.Duration) float64 { return drainRate(b, ceiling, "drain", drainP, d) },
			func(d time.Duration) float64 { return drainRate(b, kcP, "drain", drainP, d) },
			func(d time.Duration) float64 { return drainRate(b, kcK, "drain", drainK, d) })
		reportPeers(b, c, p, k, ofCeiling, ofPeer)
	})
	b.Run("MemoryPerRecord", func(b *testing.B) {
		const n = 20000
		entries := benchEntries()
		per := map[string]float64{}
		// Fresh processes, so that neither reuses pages the throughput runs freed.
		for _, p := range []*peer{startKinesalite(b), startPelicanProcess(b)} {
			kc := benchClient(p.endpoint)
			name := fmt.Sprintf("memory-%d", b.N)
			createBenchStream(b, p, name)
			before := rss(b, p.pid)
			for sent := 0; sent < n; sent += benchBatch {
				out, err := kc.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: &name, Records: entries})
				if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
					b.Fatalf("%s: %v", p.name, err)
				}
			}
			time.Sleep(500 * time.Millisecond) // let the peer settle its heap
			per[p.name] = float64(rss(b, p.pid)-before) / n
		}
		b.ReportMetric(per["pelican"], "pelican-rss-bytes/record")
		b.ReportMetric(per["kinesalite"], "kinesalite-rss-bytes/record")
	})
}

func reportPeers(b *testing.B, ceiling, pelican, kinesalite, ofCeiling, ofPeer float64) {
	b.ReportMetric(pelican, "pelican-records/s")
	b.ReportMetric(ceiling, "ceiling-records/s")
	b.ReportMetric(kinesalite, "kinesalite-records/s")
	b.ReportMetric(ofCeiling, "fraction-of-ceiling")
	b.ReportMetric(ofPeer, "ratio")
}

// interleave3 is interleave for three rates (the ceiling, pelican, a peer): one warm-up slice
// each, then rounds of one slice each for d in all (drainSlice and drainDuration for the drain). It returns the mean of each and the medians of
// the per-round ratios pelican/ceiling and pelican/peer.
func interleave3(d, slice time.Duration, ceiling, pelican, peer func(time.Duration) float64) (c, p, k, ofCeiling, ofPeer float64) {
	ceiling(slice)
	pelican(slice)
	peer(slice)
	var rc, rk []float64
	for spent := time.Duration(0); spent < d; spent += 3 * slice {
		a, b, e := ceiling(slice), pelican(slice), peer(slice)
		c, p, k = c+a, p+b, k+e
		rc, rk = append(rc, b/a), append(rk, b/e)
	}
	n := float64(len(rc))
	return c / n, p / n, k / n, median(rc), median(rk)
}
