package runtimeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/pelicanhq/pelican/lambda/runtimeapi"
)

// functionEnv switches the test binary into a Lambda function: the tests start it again, under
// a Process, with this variable naming how the function behaves.
const functionEnv = "PELICAN_RUNTIMEAPI_TEST_FUNCTION"

func TestMain(m *testing.M) {
	switch os.Getenv(functionEnv) {
	case "":
		os.Exit(m.Run())
	case "handler":
		lambda.Start(testHandler)
	case "sigterm":
		lambda.StartWithOptions(testHandler, lambda.WithEnableSIGTERM(func() {
			fmt.Println("sigterm handler ran")
			os.Exit(0)
		}))
	case "kinesis":
		lambda.Start(func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error) {
			return events.KinesisEventResponse{}, nil
		})
	case "exit-at-init":
		fmt.Fprintln(os.Stderr, "cannot start: configuration missing")
		os.Exit(4)
	case "init-error":
		postInitError()
	}
}

// request is what the tests send to testHandler: what to do.
type request struct {
	Do    string `json:"do"` // echo, fail, panic, exit, sleep, big
	Value string `json:"value,omitempty"`
	Ms    int    `json:"ms,omitempty"`
}

// reply is what testHandler answers: what it saw of its invocation and environment.
type reply struct {
	Value         string            `json:"value"`
	RequestID     string            `json:"requestId"`
	FunctionARN   string            `json:"functionArn"`
	Deadline      int64             `json:"deadlineMs"`
	FunctionName  string            `json:"functionName"`
	Memory        int               `json:"memory"`
	Version       string            `json:"version"`
	Pid           int               `json:"pid"`
	ClientCustom  map[string]string `json:"clientCustom,omitempty"`
	CognitoPoolID string            `json:"cognitoPoolId,omitempty"`
	Env           map[string]string `json:"env"`
}

// poisonError is the function's own error type; aws-lambda-go reports its name as errorType.
type poisonError struct{ value string }

func (e poisonError) Error() string { return "poison: " + e.value }

func testHandler(ctx context.Context, req request) (any, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	fmt.Printf("handling %s %s\n", req.Do, lc.AwsRequestID)
	switch req.Do {
	case "fail":
		return nil, poisonError{req.Value}
	case "panic":
		panic("handler panicked on " + req.Value)
	case "exit":
		os.Exit(3)
	case "sleep":
		select {
		case <-time.After(time.Duration(req.Ms) * time.Millisecond):
		case <-ctx.Done():
			time.Sleep(time.Hour) // hold on past the deadline, as a stuck function does
		}
	case "big":
		return strings.Repeat("x", 7<<20), nil
	}
	env := map[string]string{}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_GROUP_NAME", "TZ", "EXTRA"} {
		env[k] = os.Getenv(k)
	}
	return reply{
		Value:         req.Value,
		RequestID:     lc.AwsRequestID,
		FunctionARN:   lc.InvokedFunctionArn,
		Deadline:      deadline.UnixMilli(),
		FunctionName:  lambdacontext.FunctionName,
		Memory:        lambdacontext.MemoryLimitInMB,
		Version:       lambdacontext.FunctionVersion,
		Pid:           os.Getpid(),
		ClientCustom:  lc.ClientContext.Custom,
		CognitoPoolID: lc.Identity.CognitoIdentityPoolID,
		Env:           env,
	}, nil
}

// postInitError reports a failed initialisation as a runtime does, then hangs: the server must
// stop it.
func postInitError() {
	body := `{"errorMessage":"missing TABLE_NAME","errorType":"ConfigError"}`
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "ConfigError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	resp.Body.Close()
	time.Sleep(time.Hour)
}

// must returns v, and panics on an error that only a broken machine gives (os.Executable,
// json.Marshal of a plain struct).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// newServer starts a server closed when the test ends.
func newServer(t testing.TB, opts ...runtimeapi.Option) *runtimeapi.Server {
	t.Helper()
	srv, err := runtimeapi.NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

func asFunctionError(t testing.TB, err error) *runtimeapi.FunctionError {
	t.Helper()
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("want a *FunctionError, got %T: %v", err, err)
	}
	return fe
}
