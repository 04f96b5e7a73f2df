package runtimeapi_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/pelicanhq/pelican/lambda/runtimeapi"
)

// rawRuntime speaks the Runtime API with plain HTTP, as a hand-written runtime would.
type rawRuntime struct {
	t    *testing.T
	base string
}

func newRaw(t *testing.T, srv *runtimeapi.Server) rawRuntime {
	return rawRuntime{t: t, base: "http://" + srv.Addr() + "/2018-06-01/runtime"}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (r rawRuntime) do(method, path, body string, header ...string) answer {
	r.t.Helper()
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// wait returns the outcome of an invokeAsync, failing the test when none comes.
func wait(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Invoke did not return in 10s")
		return nil
	}
}

// invokeAsync starts an Invoke and returns where its outcome arrives.
func invokeAsync(srv *runtimeapi.Server, in runtimeapi.Invocation) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := srv.Do(context.Background(), in)
		done <- err
	}()
	return done
}

func TestRuntimeAPIRefusesRequestsOutOfTurn(t *testing.T) {
	srv := newServer(t)
	raw := newRaw(t, srv)
	const forbidden = `{"errorMessage":"State transition from %s to %s failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}`
	want := func(a answer, status int, body string) {
		t.Helper()
		if a.status != status || strings.TrimSpace(a.body) != body {
			t.Errorf("got %d %s, want %d %s", a.status, a.body, status, body)
		}
	}
	fmtForbidden := func(from, to string) string {
		return strings.Replace(strings.Replace(forbidden, "%s", from, 1), "%s", to, 1)
	}

	// Nothing has been handed out yet.
	want(raw.do("POST", "/invocation/abc/response", "{}"), 403, fmtForbidden("Started", "InvocationResponse"))
	want(raw.do("POST", "/invocation/abc/error", "{}"), 403, fmtForbidden("Started", "InvocationErrorResponse"))

	done := invokeAsync(srv, runtimeapi.Invocation{Payload: []byte(`{"n":1}`), ClientContext: `{"custom":{"a":"b"}}`, CognitoIdentity: `{"cognitoIdentityId":"x"}`})
	next := raw.do("GET", "/invocation/next", "")
	id := next.header.Get("Lambda-Runtime-Aws-Request-Id")
	if next.status != 200 || next.body != `{"n":1}` || id == "" {
		t.Fatalf("next = %d %q (id %q)", next.status, next.body, id)
	}
	if ms, err := strconv.ParseInt(next.header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64); err != nil || time.Until(time.UnixMilli(ms)) < 2*time.Second {
		t.Errorf("deadline header %q, want the 3s default ahead", next.header.Get("Lambda-Runtime-Deadline-Ms"))
	}
	for h, v := range map[string]string{
		"Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:function",
		"Lambda-Runtime-Client-Context":       `{"custom":{"a":"b"}}`,
		"Lambda-Runtime-Cognito-Identity":     `{"cognitoIdentityId":"x"}`,
	} {
		if got := next.header.Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	if tr := next.header.Get("Lambda-Runtime-Trace-Id"); !strings.HasPrefix(tr, "Root=1-") || !strings.Contains(tr, ";Parent=") {
		t.Errorf("trace id %q is not an X-Ray trace header", tr)
	}

	// During the invocation: a second /next, an init error, another id.
	want(raw.do("GET", "/invocation/next", ""), 403, fmtForbidden("Running", "Ready"))
	want(raw.do("POST", "/init/error", "{}"), 403, fmtForbidden("Running", "InitError"))
	want(raw.do("POST", "/invocation/not-"+id+"/response", "{}"), 400, `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`)

	a := raw.do("POST", "/invocation/"+id+"/response", `{"ok":true}`)
	want(a, 202, `{"status":"OK"}`)
	if err := wait(t, done); err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	// Answered: a second answer is out of turn.
	want(raw.do("POST", "/invocation/"+id+"/response", "{}"), 403, fmtForbidden("RuntimeResponseSentState", "InvocationResponse"))
	want(raw.do("POST", "/invocation/"+id+"/error", "{}"), 403, fmtForbidden("RuntimeResponseSentState", "InvocationErrorResponse"))
}

func TestRuntimeAPIErrorReports(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		header     []string
		want       runtimeapi.FunctionError
	}{
		{"document", `{"errorMessage":"boom","errorType":"Bad","stackTrace":["a","b"]}`, nil,
			runtimeapi.FunctionError{Type: "Bad", Message: "boom", StackTrace: []byte(`["a","b"]`)}},
		{"header type only", `{"errorMessage":"boom"}`, []string{"Lambda-Runtime-Function-Error-Type", "Runtime.Custom"},
			runtimeapi.FunctionError{Type: "Runtime.Custom", Message: "boom"}},
		{"body wins over header", `{"errorMessage":"m","errorType":"FromBody"}`, []string{"Lambda-Runtime-Function-Error-Type", "FromHeader"},
			runtimeapi.FunctionError{Type: "FromBody", Message: "m"}},
		{"not json", "plain words\n", nil, runtimeapi.FunctionError{Type: "Unhandled", Message: "plain words"}},
		{"empty", "", nil, runtimeapi.FunctionError{Type: "Unhandled"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			raw := newRaw(t, srv)
			done := invokeAsync(srv, runtimeapi.Invocation{Payload: []byte(`{}`)})
			id := raw.do("GET", "/invocation/next", "").header.Get("Lambda-Runtime-Aws-Request-Id")
			if a := raw.do("POST", "/invocation/"+id+"/error", tc.body, tc.header...); a.status != 202 {
				t.Fatalf("error post = %d %s", a.status, a.body)
			}
			var fe *runtimeapi.FunctionError
			if err := wait(t, done); !errors.As(err, &fe) {
				t.Fatalf("Invoke = %v, want a *FunctionError", err)
			}
			if fe.RequestID != id || fe.Type != tc.want.Type || fe.Message != tc.want.Message || string(fe.StackTrace) != string(tc.want.StackTrace) || string(fe.Payload) != tc.body {
				t.Errorf("got %+v, want %+v with request id %s and the body as payload", fe, tc.want, id)
			}
		})
	}
}

// TestRuntimeAPIErrorTrailer sends a response whose body fails half way, as aws-lambda-go
// reports it: the error in the trailers of a chunked request.
func TestRuntimeAPIErrorTrailer(t *testing.T) {
	srv := newServer(t)
	raw := newRaw(t, srv)
	done := invokeAsync(srv, runtimeapi.Invocation{Payload: []byte(`{}`)})
	id := raw.do("GET", "/invocation/next", "").header.Get("Lambda-Runtime-Aws-Request-Id")

	body := `{"errorMessage":"stream broke","errorType":"ReadError"}`
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", raw.base+"/invocation/"+id+"/response", pr)
	req.Trailer = http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
	go func() {
		_, _ = pw.Write([]byte(`{"partial":`))
		req.Trailer.Set("Lambda-Runtime-Function-Error-Type", "ReadError")
		req.Trailer.Set("Lambda-Runtime-Function-Error-Body", base64.StdEncoding.EncodeToString([]byte(body)))
		pw.Close()
	}()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var fe *runtimeapi.FunctionError
	if err := wait(t, done); !errors.As(err, &fe) || fe.Type != "ReadError" || fe.Message != "stream broke" {
		t.Errorf("Invoke = %v, want ReadError: stream broke", err)
	}
}

func TestTimeoutWithoutAProcessAbandonsTheInvocation(t *testing.T) {
	srv := newServer(t, runtimeapi.WithTimeout(100*time.Millisecond))
	raw := newRaw(t, srv)
	done := invokeAsync(srv, runtimeapi.Invocation{Payload: []byte(`{}`)})
	id := raw.do("GET", "/invocation/next", "").header.Get("Lambda-Runtime-Aws-Request-Id")
	var fe *runtimeapi.FunctionError
	if err := wait(t, done); !errors.As(err, &fe) || fe.Type != runtimeapi.ErrorTypeTimeout {
		t.Fatalf("Invoke = %v, want Sandbox.Timedout", err)
	}
	if a := raw.do("POST", "/invocation/"+id+"/response", "{}"); a.status != 403 {
		t.Errorf("a response after the timeout = %d %s, want 403", a.status, a.body)
	}
	// The runtime may ask for the next invocation.
	done = invokeAsync(srv, runtimeapi.Invocation{Payload: []byte(`{"n":2}`)})
	if next := raw.do("GET", "/invocation/next", ""); next.body != `{"n":2}` {
		t.Errorf("next after a timeout = %d %s", next.status, next.body)
	}
}

func TestInvokeEndsOnCloseAndContext(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := srv.Invoke(ctx, []byte(`{}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke with nobody polling = %v, want the context's deadline", err)
	}
	raw := newRaw(t, srv)
	done := invokeAsync(srv, runtimeapi.Invocation{Payload: []byte(`{}`)})
	raw.do("GET", "/invocation/next", "")
	_ = srv.Close()
	if err := wait(t, done); !errors.Is(err, runtimeapi.ErrClosed) {
		t.Errorf("Invoke in flight at Close = %v, want ErrClosed", err)
	}
	if _, err := srv.Invoke(context.Background(), nil); !errors.Is(err, runtimeapi.ErrClosed) {
		t.Errorf("Invoke after Close = %v, want ErrClosed", err)
	}
}

func TestNewServerRefusesBadOptions(t *testing.T) {
	if _, err := runtimeapi.NewServer(runtimeapi.WithTimeout(0)); err == nil {
		t.Error("a zero timeout was accepted")
	}
	if _, err := runtimeapi.NewServer(runtimeapi.WithAddr("256.0.0.1:bad")); err == nil {
		t.Error("a bad address was accepted")
	}
}

func TestExtensionsAPIRegistersOnlyDuringInitAndWithoutEvents(t *testing.T) {
	srv := newServer(t)
	ext := "http://" + srv.Addr() + "/2020-01-01/extension/register"
	register := func(body string, name string) answer {
		req, _ := http.NewRequest("POST", ext, strings.NewReader(body))
		if name != "" {
			req.Header.Set("Lambda-Extension-Name", name)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header, string(b)}
	}
	if a := register(`{"events":[]}`, "GoLangEnableSIGTERM"); a.status != 200 || a.header.Get("Lambda-Extension-Identifier") == "" {
		t.Errorf("register = %d %s", a.status, a.body)
	}
	if a := register(`{"events":["INVOKE"]}`, "x"); a.status != 403 || !strings.Contains(a.body, "Extension.InvalidEventType") {
		t.Errorf("register for INVOKE = %d %s", a.status, a.body)
	}
	if a := register(`{}`, ""); a.status != 403 || !strings.Contains(a.body, "Extension.MissingHeader") {
		t.Errorf("register without a name = %d %s", a.status, a.body)
	}
	raw := newRaw(t, srv)
	done := invokeAsync(srv, runtimeapi.Invocation{Payload: []byte(`{}`)})
	id := raw.do("GET", "/invocation/next", "").header.Get("Lambda-Runtime-Aws-Request-Id")
	if a := register(`{"events":[]}`, "late"); a.status != 403 || !strings.Contains(a.body, "Extension.RegistrationClosed") {
		t.Errorf("register after init = %d %s", a.status, a.body)
	}
	raw.do("POST", "/invocation/"+id+"/response", "{}")
	if err := wait(t, done); err != nil {
		t.Fatal(err)
	}
}

func TestRequestIDFromTheCallersLambdaContext(t *testing.T) {
	srv := newServer(t)
	raw := newRaw(t, srv)
	done := make(chan error, 1)
	go func() {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "11111111-2222-4333-8444-555555555555"})
		_, err := srv.Invoke(ctx, []byte(`{}`))
		done <- err
	}()
	id := raw.do("GET", "/invocation/next", "").header.Get("Lambda-Runtime-Aws-Request-Id")
	if id != "11111111-2222-4333-8444-555555555555" {
		t.Errorf("request id %q, want the caller's", id)
	}
	raw.do("POST", "/invocation/"+id+"/response", "{}")
	if err := wait(t, done); err != nil {
		t.Fatal(err)
	}
}
