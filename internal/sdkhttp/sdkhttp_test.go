package sdkhttp_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

// closedBody is a request body in the state the SDK leaves it once a response has arrived: its
// WriteTo answers io.EOF, as smithy-go's closed request body does, which io.Copy takes for an
// error. Read answers its bytes, then io.EOF. It counts the calls of WriteTo.
type closedBody struct {
	r       *bytes.Reader
	writeTo *atomic.Int32
}

func (b *closedBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *closedBody) Close() error               { return nil }
func (b *closedBody) WriteTo(io.Writer) (int64, error) {
	b.writeTo.Add(1)
	return 0, io.EOF
}

type doer interface {
	Do(*http.Request) (*http.Response, error)
}

// post sends a body of known length through c and returns how often the body's WriteTo was
// called and the call's error.
func post(t *testing.T, c doer, url string) (writeToCalls int32, err error) {
	t.Helper()
	const payload = `{"StreamName":"s"}`
	var writeTo atomic.Int32
	req, rerr := http.NewRequest(http.MethodPost, url, &closedBody{bytes.NewReader([]byte(payload)), &writeTo})
	if rerr != nil {
		t.Fatal(rerr)
	}
	req.ContentLength = int64(len(payload))
	resp, err := c.Do(req)
	if err != nil {
		return writeTo.Load(), err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return writeTo.Load(), err
	}
	if string(got) != payload {
		t.Fatalf("server saw %q, want %q", got, payload)
	}
	return writeTo.Load(), nil
}

func echo() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, r.Body)
	}))
}

// TestPlainBodiesAvoidTheWriteToCopy shows the mechanism: net/http checks a body of known length
// for leftovers through WriteTo, and a body whose WriteTo fails (the SDK's, once closed) fails
// the call, or the connection under its answer when the answer came first. With the body's
// WriteTo hidden, WriteTo is never called and the call succeeds.
func TestPlainBodiesAvoidTheWriteToCopy(t *testing.T) {
	srv := echo()
	defer srv.Close()

	bare := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	// Whether the bare call fails depends on which of the answer and the failed copy comes
	// first; that net/http calls WriteTo does not.
	if n, _ := post(t, bare, srv.URL); n == 0 {
		t.Fatal("without the workaround net/http did not call the body's WriteTo; has net/http changed?")
	}
	for name, c := range map[string]doer{
		"Transport":         &http.Client{Transport: sdkhttp.Transport(nil)},
		"Wrap":              sdkhttp.Wrap(nil),
		"Wrap(http.Client)": sdkhttp.Wrap(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}),
	} {
		if n, err := post(t, c, srv.URL); err != nil || n != 0 {
			t.Errorf("%s: err %v, WriteTo called %d times; want no error and no call", name, err, n)
		}
	}
}

func TestWrapped(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    doer
		want bool
	}{
		{"nil", nil, false},
		{"http.DefaultClient", http.DefaultClient, false},
		{"buildable client", awshttp.NewBuildableClient(), false},
		{"Wrap(nil)", sdkhttp.Wrap(nil), true},
		{"Wrap(buildable)", sdkhttp.Wrap(awshttp.NewBuildableClient()), true},
		{"Wrap twice", sdkhttp.Wrap(sdkhttp.Wrap(nil)), true},
		{"http.Client with Transport", &http.Client{Transport: sdkhttp.Transport(nil)}, true},
		{"http.Client with another transport", &http.Client{Transport: http.DefaultTransport}, false},
	} {
		if got := sdkhttp.Wrapped(tt.c); got != tt.want {
			t.Errorf("Wrapped(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestRequestLeftAlone checks that the caller's request keeps its body, as http.RoundTripper asks.
func TestRequestLeftAlone(t *testing.T) {
	var seen io.ReadCloser
	rt := sdkhttp.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.Body
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	}))
	body := io.NopCloser(strings.NewReader("x"))
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", body)
	if _, err := rt.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if req.Body != body {
		t.Error("RoundTrip changed the caller's request body")
	}
	if _, ok := seen.(io.WriterTo); ok {
		t.Error("the body sent on has WriteTo")
	}
	if _, ok := body.(io.WriterTo); !ok {
		t.Fatal("io.NopCloser of a strings.Reader lost WriteTo; the test no longer shows anything")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
