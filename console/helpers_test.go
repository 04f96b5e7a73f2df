package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"google.golang.org/protobuf/proto"

	"github.com/pelicanhq/pelican/console"
	"github.com/pelicanhq/pelican/pelicantest"
)

// env is a console on an in-process emulator, served by httptest.
type env struct {
	emu    *pelicantest.Emulator
	client *kinesis.Client
	srv    *httptest.Server
	base   string // the console's root URL
}

func newEnv(t *testing.T, opts ...console.Option) *env {
	t.Helper()
	return newEnvOn(t, pelicantest.NewEmulator(t), opts...)
}

// newEnvOn is newEnv on an emulator the test started with its own options.
func newEnvOn(t *testing.T, emu *pelicantest.Emulator, opts ...console.Option) *env {
	t.Helper()
	opts = append([]console.Option{console.WithProto("testdata/proto"), console.WithAdminURL(emu.URL())}, opts...)
	c, err := console.New(emu.Client(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return &env{emu: emu, client: emu.Client(), srv: srv, base: srv.URL + console.DefaultPrefix}
}

// noRedirect is an HTTP client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get fetches a page and fails the test unless it answers want.
func (e *env) get(t *testing.T, path string, want int) string {
	t.Helper()
	resp, err := http.Get(e.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d\n%.3000s", path, resp.StatusCode, want, b)
	}
	return string(b)
}

// post submits a form and returns the status, the redirect's location and the body.
func (e *env) post(t *testing.T, path string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := noRedirect.PostForm(e.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if t.Failed() {
		if len(body) > 3000 {
			body = body[:3000] + "…"
		}
		t.Logf("%s:\n%s", what, body)
		t.FailNow()
	}
}

func mustNotContain(t *testing.T, what, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Fatalf("%s has %q:\n%s", what, n, body)
		}
	}
}

func newServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
