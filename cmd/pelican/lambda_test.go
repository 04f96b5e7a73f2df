package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

func TestLambdaUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","FunctionName":"f","StartingPosition":"LATEST","BatchSize":0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"lambda"}, exitOK, "pelican lambda run --schedule"},
		{[]string{"lambda", "--help"}, exitOK, "Usage: pelican lambda run"},
		{[]string{"lambda", "run", "--help"}, exitOK, "-batch-size"},
		{[]string{"lambda", "invoke"}, exitUsage, `unknown subcommand "invoke"`},
		{[]string{"lambda", "run", "--stream", "s"}, exitUsage, "needs the function's command after --"},
		{[]string{"lambda", "run", "--", "./fn"}, exitUsage, "exactly one of --mapping, --stream and --schedule"},
		{[]string{"lambda", "run", "--stream", "s", "--schedule", "rate(1 minute)", "--", "./fn"}, exitUsage, "exactly one of"},
		{[]string{"lambda", "run", "--schedule", "rate(5 minute)", "--", "./fn"}, exitUsage, "--schedule: schedule: rate(5 minute): a value above 1 takes a plural unit"},
		{[]string{"lambda", "run", "--schedule", "rate(5 minutes)", "--timeout", "0s", "--", "./fn"}, exitUsage, "--timeout must be positive"},
		{[]string{"lambda", "run", "--schedule", "rate(5 minutes)", "--env", "NOEQUALS", "--", "./fn"}, exitUsage, `--env "NOEQUALS": want KEY=VALUE`},
		{[]string{"lambda", "run", "--schedule", "rate(5 minutes)", "--concurrency", "0", "--", "./fn"}, exitUsage, "--concurrency must be at least 1"},
		{[]string{"lambda", "run", "--mapping", filepath.Join(dir, "missing.json"), "--", "./fn"}, exitUsage, "--mapping: open"},
		{[]string{"lambda", "run", "--mapping", bad, "--", "./fn"}, exitUsage, "Value '0' at 'batchSize' failed to satisfy constraint"},
		{[]string{"lambda", "run", "--schedule", "rate(5 minutes)", "--", filepath.Join(dir, "no-such-function")}, exitFailure, "no-such-function"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("pelican %v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.stderr)
		}
	}
}

func TestLambdaFlagsOverrideOnlyWhatIsGiven(t *testing.T) {
	var f lambdaFlags
	fs := newFlagSet("lambda run", lambdaUsage, &bytes.Buffer{})
	f.bind(fs)
	if _, err := fs.parse([]string{"--batch-size", "7", "--bisect-batch-on-function-error", "--report-batch-item-failures=false", "--", "x"}); err != nil {
		t.Fatal(err)
	}
	retries := int32(3)
	m := esm.Mapping{MaximumRetryAttempts: &retries, FunctionResponseTypes: []string{esm.ReportBatchItemFailures}}
	f.applyOverrides(fs.FlagSet, &m)
	if *m.BatchSize != 7 || !*m.BisectBatchOnFunctionError || m.FunctionResponseTypes != nil || *m.MaximumRetryAttempts != 3 || m.ParallelizationFactor != nil {
		t.Errorf("mapping after overrides: batch %v bisect %v types %v retries %v parallel %v",
			*m.BatchSize, *m.BisectBatchOnFunctionError, m.FunctionResponseTypes, *m.MaximumRetryAttempts, m.ParallelizationFactor)
	}
}

// TestLambdaRunStream runs `pelican lambda run --stream` in process against an in-process
// emulator with a function built on aws-lambda-go's lambda.Start, until its context ends.
func TestLambdaRunStream(t *testing.T) {
	fn := filepath.Join(t.TempDir(), "bootstrap")
	if out, err := exec.Command("go", "build", "-o", fn, "./testdata/lambdafn").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr pelicantest.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"lambda", "run", "--endpoint", e.URL(), "--stream", stream,
			"--starting-position", "TRIM_HORIZON", "--batch-size", "2", "--concurrency", "2", "--function-name", "orders-fn", "--", fn}, &bytes.Buffer{}, &stderr)
	}()
	_, seq1 := pelicantest.Put(t, e.Client(), stream, "k", []byte("one"))
	pelicantest.Put(t, e.Client(), stream, "k", []byte("two"))
	pelicantest.Put(t, e.Client(), stream, "k", []byte("three"))

	re := regexp.MustCompile(`fn: invoke first=(\d+) last=\d+ n=(\d) data=(\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for len(re.FindAllString(stderr.String(), -1)) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := re.FindAllStringSubmatch(stderr.String(), -1)
	if len(got) < 2 || got[0][1] != seq1 || got[0][3] != "one,two" || got[1][3] != "three" {
		t.Fatalf("invocations %v, want batches of 2 from %s:\n%s", got, seq1, stderr.String())
	}
	if !strings.Contains(stderr.String(), "function=orders-fn") {
		t.Errorf("the function name did not reach the log:\n%s", stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after the context ended:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("lambda run did not return after its context ended")
	}
}

// TestKinesisClientWithoutCABundle: without AWS_CA_BUNDLE (or anything else that makes the AWS
// configuration build an HTTP client) the commands' client wraps the SDK's default one.
func TestKinesisClientWithoutCABundle(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 1)
	client, err := (&kinesisTarget{endpoint: e.URL()}).client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: &stream}); err != nil {
		t.Fatal(err)
	}
}
