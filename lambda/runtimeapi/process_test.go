package runtimeapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/lambda/runtimeapi"
	"github.com/pelicanhq/pelican/pelicantest"
)

// startFunction runs this test binary as a Lambda function in the given mode under a Process
// until the test ends, and returns the server to invoke it through and the function's output.
func startFunction(t *testing.T, mode string, opts []runtimeapi.Option, popts ...runtimeapi.ProcessOption) (*runtimeapi.Server, *pelicantest.Buffer) {
	t.Helper()
	srv := newServer(t, opts...)
	exe := must(os.Executable())
	out := &pelicantest.Buffer{}
	popts = append([]runtimeapi.ProcessOption{runtimeapi.WithEnv(functionEnv + "=" + mode), runtimeapi.WithOutput(out)}, popts...)
	proc := runtimeapi.NewProcess(srv, []string{exe, "-test.run=^$"}, popts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Process.Run: %v", err)
		}
	})
	return srv, out
}

func invoke(t *testing.T, srv *runtimeapi.Server, req request) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Invoke(ctx, must(json.Marshal(req)))
}

func echo(t *testing.T, srv *runtimeapi.Server, value string) reply {
	t.Helper()
	out, err := invoke(t, srv, request{Do: "echo", Value: value})
	if err != nil {
		t.Fatalf("echo %s: %v", value, err)
	}
	return decode[reply](t, out)
}

func TestLambdaStartRunsUnchanged(t *testing.T) {
	dir := t.TempDir()
	srv, out := startFunction(t, "handler",
		[]runtimeapi.Option{runtimeapi.WithFunctionName("notifier"), runtimeapi.WithRegion("eu-west-1"), runtimeapi.WithTimeout(7 * time.Second)},
		runtimeapi.WithMemorySize(512), runtimeapi.WithDir(dir), runtimeapi.WithEnv("EXTRA=yes"))
	before := time.Now()
	r := echo(t, srv, "hello")
	if r.Value != "hello" {
		t.Errorf("value = %q, want hello", r.Value)
	}
	if len(r.RequestID) != 36 || strings.Count(r.RequestID, "-") != 4 {
		t.Errorf("request id %q is not a UUID", r.RequestID)
	}
	if want := "arn:aws:lambda:eu-west-1:000000000000:function:notifier"; r.FunctionARN != want || srv.FunctionARN() != want {
		t.Errorf("function ARN = %q (server %q), want %q", r.FunctionARN, srv.FunctionARN(), want)
	}
	if d := time.UnixMilli(r.Deadline).Sub(before); d < 6*time.Second || d > 8*time.Second {
		t.Errorf("deadline is %s after the invoke, want the 7s timeout", d)
	}
	if r.FunctionName != "notifier" || r.Memory != 512 || r.Version != "$LATEST" {
		t.Errorf("lambdacontext saw name %q, memory %d, version %q", r.FunctionName, r.Memory, r.Version)
	}
	wantEnv := map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1", "_HANDLER": filepath.Base(must(os.Executable())),
		"LAMBDA_TASK_ROOT": dir, "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/notifier", "TZ": ":UTC", "EXTRA": "yes",
	}
	for k, v := range wantEnv {
		if r.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, r.Env[k], v)
		}
	}
	second := echo(t, srv, "again")
	if second.Pid != r.Pid || second.RequestID == r.RequestID {
		t.Errorf("second invocation: pid %d (first %d), request id %s (first %s): want the same process, a new id", second.Pid, r.Pid, second.RequestID, r.RequestID)
	}
	if !strings.Contains(out.String(), "handling echo "+r.RequestID) {
		t.Errorf("the function's output did not come through; got %q", out.String())
	}
}

func TestClientContextAndIdentityReachTheFunction(t *testing.T) {
	srv, _ := startFunction(t, "handler", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := srv.Do(ctx, runtimeapi.Invocation{
		Payload:         []byte(`{"do":"echo","value":"cc"}`),
		ClientContext:   `{"client":{},"custom":{"tenant":"t1"},"env":{}}`,
		CognitoIdentity: `{"cognitoIdentityId":"id1","cognitoIdentityPoolId":"pool1"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := decode[reply](t, out)
	if r.ClientCustom["tenant"] != "t1" || r.CognitoPoolID != "pool1" {
		t.Errorf("client context custom %v, cognito pool %q; want tenant t1 and pool1", r.ClientCustom, r.CognitoPoolID)
	}
}

func TestFunctionErrorKeepsTheProcess(t *testing.T) {
	srv, _ := startFunction(t, "handler", nil)
	first := echo(t, srv, "a")
	_, err := invoke(t, srv, request{Do: "fail", Value: "order-7"})
	fe := asFunctionError(t, err)
	if fe.Type != "poisonError" || fe.Message != "poison: order-7" || fe.RequestID == "" {
		t.Errorf("error = %+v, want type poisonError, message poison: order-7 and the request id", fe)
	}
	if after := echo(t, srv, "b"); after.Pid != first.Pid {
		t.Errorf("the process changed (%d, then %d) after a handled error; Lambda keeps the environment", first.Pid, after.Pid)
	}
}

func TestCrashesFailTheInvocationAndRestart(t *testing.T) {
	for _, tc := range []struct {
		do, wantType, wantMessage string
	}{
		// aws-lambda-go reports a panic, then exits: the report is the invocation's error.
		{"panic", "string", "handler panicked on x"},
		// an exit without a report is Lambda's Runtime.ExitError.
		{"exit", runtimeapi.ErrorTypeExit, "Runtime exited with error: exit status 3"},
	} {
		t.Run(tc.do, func(t *testing.T) {
			srv, _ := startFunction(t, "handler", nil)
			first := echo(t, srv, "a")
			_, err := invoke(t, srv, request{Do: tc.do, Value: "x"})
			fe := asFunctionError(t, err)
			if fe.Type != tc.wantType || !strings.Contains(fe.Message, tc.wantMessage) {
				t.Errorf("error = %s %q, want %s containing %q", fe.Type, fe.Message, tc.wantType, tc.wantMessage)
			}
			if after := echo(t, srv, "b"); after.Pid == first.Pid {
				t.Errorf("still process %d after the crash; want a new one", after.Pid)
			}
		})
	}
}

func TestTimeoutKillsAndRestarts(t *testing.T) {
	srv, _ := startFunction(t, "handler", []runtimeapi.Option{runtimeapi.WithTimeout(300 * time.Millisecond)})
	first := echo(t, srv, "a")
	_, err := invoke(t, srv, request{Do: "sleep", Ms: 60_000})
	fe := asFunctionError(t, err)
	if fe.Type != runtimeapi.ErrorTypeTimeout || fe.Message != "Task timed out after 0.30 seconds" {
		t.Errorf("error = %s %q, want Sandbox.Timedout after 0.30 seconds", fe.Type, fe.Message)
	}
	after := echo(t, srv, "b")
	if after.Pid == first.Pid {
		t.Errorf("still process %d after a timeout; Lambda starts a new environment", after.Pid)
	}
}

func TestResponseOverSixMegabytesFails(t *testing.T) {
	srv, _ := startFunction(t, "handler", nil)
	_, err := invoke(t, srv, request{Do: "big"})
	fe := asFunctionError(t, err)
	if fe.Type != runtimeapi.ErrorTypeResponseTooLarge || !strings.Contains(fe.Message, "exceeded maximum allowed payload size (6291556 bytes)") {
		t.Errorf("error = %s %q, want Function.ResponseSizeTooLarge", fe.Type, fe.Message)
	}
	echo(t, srv, "still serving")
}

func TestInitFailures(t *testing.T) {
	for _, tc := range []struct {
		mode, wantType, wantMessage string
	}{
		{"exit-at-init", runtimeapi.ErrorTypeExit, "Runtime exited with error: exit status 4"},
		{"init-error", "ConfigError", "missing TABLE_NAME"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			var logs pelicantest.Buffer
			srv, _ := startFunction(t, tc.mode, []runtimeapi.Option{runtimeapi.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))})
			for i := range 2 {
				_, err := invoke(t, srv, request{Do: "echo"})
				fe := asFunctionError(t, err)
				if fe.Type != tc.wantType || !strings.Contains(fe.Message, tc.wantMessage) || fe.RequestID == "" {
					t.Errorf("invocation %d: error = %+v, want %s containing %q", i, fe, tc.wantType, tc.wantMessage)
				}
			}
			if !strings.Contains(logs.String(), "failed to initialise") {
				t.Errorf("the server did not log the init failure: %s", logs.String())
			}
		})
	}
}

func TestProcessLogsOutputLines(t *testing.T) {
	var logs pelicantest.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := newServer(t)
	proc := runtimeapi.NewProcess(srv, []string{"sh", "-c", "echo one; echo two >&2; printf three"}, runtimeapi.WithProcessLogger(log))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"three"`) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"msg":"one","stream":"stdout"`, `"msg":"two","stream":"stderr"`, `"msg":"three","stream":"stdout"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

func TestProcessStopsCleanlyAndReportsAMissingCommand(t *testing.T) {
	srv := newServer(t)
	err := runtimeapi.NewProcess(srv, []string{filepath.Join(t.TempDir(), "no-such-function")}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no-such-function") {
		t.Errorf("Run of a missing command = %v, want an error naming it", err)
	}

	// A function that ignores SIGTERM is killed after the stop timeout.
	proc := runtimeapi.NewProcess(srv, []string{"sh", "-c", "trap '' TERM; sleep 60"}, runtimeapi.WithStopTimeout(200*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// TestCrashLoopBacksOff runs a command that exits at once, for a second and a half: started again
// at once each time, it would start hundreds of times; with the growing pause, a handful.
func TestCrashLoopBacksOff(t *testing.T) {
	srv := newServer(t)
	starts := filepath.Join(t.TempDir(), "starts")
	proc := runtimeapi.NewProcess(srv, []string{"sh", "-c", "echo >> " + starts + "; exit 1"}, runtimeapi.WithOutput(discard{}))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := proc.Run(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(starts)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n < 2 || n > 10 {
		t.Errorf("started %d times in 1.5s; want a few, each after a longer pause", n)
	}
}

// TestSIGTERMReachesTheFunction stops a function that registered aws-lambda-go's SIGTERM handler
// (through the Extensions API, as on Lambda): the handler runs before the process ends.
func TestSIGTERMReachesTheFunction(t *testing.T) {
	srv := newServer(t)
	out := &pelicantest.Buffer{}
	proc := runtimeapi.NewProcess(srv, []string{must(os.Executable()), "-test.run=^$"},
		runtimeapi.WithEnv(functionEnv+"=sigterm"), runtimeapi.WithOutput(out), runtimeapi.WithStopTimeout(5*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx) }()
	echo(t, srv, "warm")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "sigterm handler ran") || strings.Contains(out.String(), "Failed to register") {
		t.Errorf("function output:\n%s\nwant the SIGTERM handler run and the extension registered", out.String())
	}
}
