//go:build interop

package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/internal/interop"
	"github.com/pelicanhq/pelican/pelicantest"
)

// lambdaRun is a `pelican lambda run` process and what it wrote on stderr: pelican's log and,
// passed through, the function's own.
type lambdaRun struct {
	t   *testing.T
	cmd *exec.Cmd
	out pelicantest.Buffer
}

func (r *lambdaRun) log() string { return r.out.String() }

// startLambdaRun runs `pelican lambda run args...` until the test ends.
func startLambdaRun(t *testing.T, args ...string) *lambdaRun {
	t.Helper()
	r := &lambdaRun{t: t}
	r.cmd = exec.Command(interop.Binary(t), append([]string{"lambda", "run"}, args...)...)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
			_ = r.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("pelican lambda run wrote:\n%s", r.log())
		}
	})
	return r
}

// waitFor waits until the log matches pattern n times and returns the matches.
func (r *lambdaRun) waitFor(pattern string, n int) [][]string {
	r.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(60 * time.Second)
	for {
		m := re.FindAllStringSubmatch(r.log(), -1)
		if len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the log matched %q %d times in 60s, want %d", pattern, len(m), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop interrupts the run, as Ctrl-C does, and expects a clean exit.
func (r *lambdaRun) stop() {
	r.t.Helper()
	_ = r.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			r.t.Errorf("pelican lambda run ended with %v after Ctrl-C, want exit 0", err)
		}
	case <-time.After(30 * time.Second):
		r.t.Fatal("pelican lambda run did not stop within 30s of Ctrl-C")
	}
	if !strings.Contains(r.log(), `msg="lambda: stopped"`) {
		r.t.Errorf("no stop line in the log")
	}
}

// buildFunction builds testdata/lambdafn, a function on aws-lambda-go's lambda.Start.
func buildFunction(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-o", bin, "./cmd/pelican/testdata/lambdafn")
	build.Dir = interop.RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build lambdafn: %v\n%s", err, out)
	}
	return bin
}

// putAll writes one record per datum to stream, all with one partition key (so in one shard,
// in order), and returns their sequence numbers.
func putAll(t *testing.T, client *kinesis.Client, stream string, data ...string) []string {
	t.Helper()
	var seqs []string
	for _, d := range data {
		out, err := client.PutRecord(context.Background(), &kinesis.PutRecordInput{
			StreamName: aws.String(stream), PartitionKey: aws.String("k"), Data: []byte(d),
		})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	return seqs
}

func writeMapping(t *testing.T, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mapping.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInteropLambdaRun runs a real Go Lambda function (aws-lambda-go's lambda.Start) under the
// pelican binary against a `pelican emulator` process, and reads from the function's own log that
// the event source mapping treated it as Lambda would: a batch that succeeds; a partial batch
// failure retried from the lowest reported sequence number; a failing batch bisected down to the
// poison record, whose retries run out and whose batch lands in the on-failure file while the
// shard moves on. TestInteropLambdaRunCrash adds a crash mid-invocation.
func TestInteropLambdaRun(t *testing.T) {
	endpoint := interop.StartEmulator(t, "--create-stream", "ok:1", "--create-stream", "partial:1", "--create-stream", "poison:1")
	fn := buildFunction(t)
	client, err := (&kinesisTarget{endpoint: endpoint}).client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	arn := func(stream string) string { return "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream }

	t.Run("success", func(t *testing.T) {
		seqs := putAll(t, client, "ok", "a", "b", "c")
		mapping := writeMapping(t, map[string]any{"EventSourceArn": arn("ok"), "FunctionName": "ok", "StartingPosition": "TRIM_HORIZON"})
		r := startLambdaRun(t, "--endpoint", endpoint, "--mapping", mapping, "--", fn)
		got := r.waitFor(`fn: invoke first=(\d+) last=(\d+) n=(\d+) data=(\S+)`, 1)[0]
		if got[1] != seqs[0] || got[2] != seqs[2] || got[4] != "a,b,c" {
			t.Errorf("the function saw %v, want a,b,c from %s to %s", got, seqs[0], seqs[2])
		}
		r.waitFor(`fn: result ok n=3`, 1)
		r.waitFor(`msg="esm: invoke" shard=shardId-000000000000 first=`+seqs[0]+` last=`+seqs[2]+` batch=3 request=\S+ outcome=ok`, 1)
		r.stop()
	})

	t.Run("partial batch failure", func(t *testing.T) {
		seqs := putAll(t, client, "partial", "a", "b", "poison-c", "d")
		mapping := writeMapping(t, map[string]any{"EventSourceArn": arn("partial"), "FunctionName": "partial", "StartingPosition": "TRIM_HORIZON",
			"FunctionResponseTypes": []string{"ReportBatchItemFailures"}})
		r := startLambdaRun(t, "--endpoint", endpoint, "--mapping", mapping, "--env", "MODE=partial", "--", fn)
		invokes := r.waitFor(`fn: invoke first=(\d+) last=(\d+) n=(\d+) data=(\S+)`, 2)
		r.waitFor(`fn: result failures=`+seqs[2], 1)
		if first := invokes[0]; first[4] != "a,b,poison-c,d" {
			t.Errorf("first invocation %v, want the whole batch", first)
		}
		if retry := invokes[1]; retry[1] != seqs[2] || retry[4] != "poison-c,d" {
			t.Errorf("retry %v, want it to start at the reported record %s", retry, seqs[2])
		}
		r.waitFor(`fn: result ok n=2`, 1)
		r.stop()
	})

	t.Run("bisection and retries exhausted", func(t *testing.T) {
		data := []string{"a", "b", "c", "poison-d", "e", "f", "g", "h"}
		seqs := putAll(t, client, "poison", data...)
		onFailure := filepath.Join(t.TempDir(), "on-failure.jsonl")
		mapping := writeMapping(t, map[string]any{"EventSourceArn": arn("poison"), "FunctionName": "poison", "StartingPosition": "TRIM_HORIZON",
			"BisectBatchOnFunctionError": true, "MaximumRetryAttempts": 1,
			"DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": "arn:aws:sqs:us-east-1:000000000000:poison-dlq"}}})
		r := startLambdaRun(t, "--endpoint", endpoint, "--mapping", mapping, "--on-failure-file", onFailure, "--env", "MODE=error", "--", fn)
		// The shard moves on past the poison record: e to h succeed after it is given up.
		r.waitFor(`fn: invoke first=\d+ last=\d+ n=\d+ data=e,f,g,h\n`, 1)
		r.waitFor(`fn: result ok n=4`, 1)
		var batches []string
		for _, m := range r.waitFor(`fn: invoke first=\d+ last=\d+ n=(\d+) data=(\S+)`, 1) {
			batches = append(batches, m[2])
		}
		t.Logf("the function was invoked with: %s", strings.Join(batches, " | "))
		// Bisection narrows the failing batch to the poison record alone.
		if !strings.Contains(strings.Join(batches, " "), "a,b,c,poison-d,e,f,g,h") || !contains(batches, "poison-d") {
			t.Errorf("invocations %v: want the whole batch first and poison-d alone later", batches)
		}
		b, err := os.ReadFile(onFailure)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 1 {
			t.Fatalf("on-failure file has %d records, want 1:\n%s", len(lines), b)
		}
		var rec struct {
			RequestContext struct {
				Condition   string `json:"condition"`
				FunctionArn string `json:"functionArn"`
			} `json:"requestContext"`
			ResponseContext struct {
				FunctionError string `json:"functionError"`
			} `json:"responseContext"`
			Info struct {
				ShardID   string `json:"shardId"`
				Start     string `json:"startSequenceNumber"`
				End       string `json:"endSequenceNumber"`
				BatchSize int    `json:"batchSize"`
				StreamArn string `json:"streamArn"`
			} `json:"KinesisBatchInfo"`
		}
		if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.Info.Start != seqs[3] || rec.Info.End != seqs[3] ||
			rec.Info.BatchSize != 1 || rec.Info.StreamArn != arn("poison") || rec.Info.ShardID != "shardId-000000000000" {
			t.Errorf("on-failure record %+v, want poison-d (%s) alone after its retries", rec, seqs[3])
		}
		r.stop()
	})
}

// TestInteropLambdaRunCrash crashes the function mid-invocation: a function error, after which the
// process is started again and the batch retried whole.
func TestInteropLambdaRunCrash(t *testing.T) {
	endpoint := interop.StartEmulator(t, "--create-stream", "crash:1")
	fn := buildFunction(t)
	client, err := (&kinesisTarget{endpoint: endpoint}).client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seqs := putAll(t, client, "crash", "a", "crash-b", "c")
	mapping := writeMapping(t, map[string]any{"EventSourceArn": "arn:aws:kinesis:us-east-1:000000000000:stream/crash", "FunctionName": "crash",
		"StartingPosition": "TRIM_HORIZON"})
	r := startLambdaRun(t, "--endpoint", endpoint, "--mapping", mapping, "--env", "MODE=crash", "--env", "MARKER_DIR="+t.TempDir(), "--", fn)
	r.waitFor(`fn: result ok n=3`, 1)
	starts := r.waitFor(`fn: start pid=(\d+)`, 2)
	if starts[0][1] == starts[1][1] {
		t.Errorf("the same process %s after the crash; want a new one", starts[0][1])
	}
	r.waitFor(`fn: crashing on crash-b`, 1)
	invokes := r.waitFor(`msg="esm: invoke" shard=shardId-000000000000 first=`+seqs[0]+` last=`+seqs[2]+` batch=3 request=\S+ outcome=(.+)\n`, 2)
	if invokes[0][1] == "ok" || invokes[1][1] != "ok" {
		t.Errorf("outcomes %q then %q: want the crash as a function error, then the retry ok", invokes[0][1], invokes[1][1])
	}
	r.stop()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
