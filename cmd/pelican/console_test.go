package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:0": true, "localhost:80": true, "[::1]:4568": true,
		"0.0.0.0:4568": false, "192.168.1.2:80": false, ":4568": false} {
		if err := checkLoopback(addr, false); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if err := checkLoopback("0.0.0.0:4568", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestEmulatorConsoleMount runs the emulator as runEmulator does, with the console's flags and
// options, and opens the console on its port.
func TestEmulatorConsoleMount(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{nil, http.StatusOK, "Pelican console"},
		{[]string{"--console=false"}, http.StatusBadRequest, "AccessDeniedException"},
		{[]string{"--proto", "../../console/testdata/badproto"}, http.StatusInternalServerError, "do not load"},
	} {
		fs := newFlagSet("emulator", "emulator", io.Discard)
		ec := emulatorConsoleFlags(fs)
		if _, err := fs.parse(tc.args); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		opts := ec.options(slog.New(slog.DiscardHandler), &out, "127.0.0.1:0")
		srv := emulator.RunT(t, append(opts, emulator.WithStream("orders", 2))...)
		status, body := get(t, srv.URL()+"/_pelican/console/")
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Fatalf("%v: %d\n%.2000s", tc.args, status, body)
		}
		if tc.status == http.StatusOK {
			if !strings.Contains(body, "orders") {
				t.Fatalf("the console does not list the emulator's stream:\n%.2000s", body)
			}
			if _, body = get(t, srv.URL()+"/_pelican/console/streams/orders"); !strings.Contains(body, `class="spark in"`) {
				t.Fatalf("the stream page has no rates from the admin endpoint:\n%.2000s", body)
			}
		}
	}
}

var consoleURL = regexp.MustCompile(`on (http://\S+/_pelican/console/)`)

// startConsole runs pelican console with args and returns its first line and URL.
func startConsole(t *testing.T, args ...string) (line, url string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb pelicantest.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"console", "--addr", "127.0.0.1:0"}, args...), &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("pelican console exited %d: %s", code, errb.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := consoleURL.FindStringSubmatch(out.String()); m != nil {
			return out.String(), m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("pelican console did not start: %s %s", out.String(), errb.String())
	return "", ""
}

func TestConsoleCommand(t *testing.T) {
	emu := pelicantest.NewEmulator(t, pelicantest.WithStream("orders", 1))

	// Against an emulator: read-write, with its admin endpoints.
	line, url := startConsole(t, "--endpoint", emu.URL())
	if !strings.Contains(line, "(read-write)") {
		t.Fatalf("against the emulator: %q", line)
	}
	status, body := get(t, url)
	if status != http.StatusOK || !strings.Contains(body, "orders") || !strings.Contains(body, "Create a stream") || !strings.Contains(body, "/faults") {
		t.Fatalf("%d\n%.2000s", status, body)
	}

	// Read-only when asked.
	line, url = startConsole(t, "--endpoint", emu.URL(), "--read-only")
	if !strings.Contains(line, "(read-only)") {
		t.Fatalf("--read-only: %q", line)
	}
	if _, body = get(t, url); strings.Contains(body, "Create a stream") {
		t.Fatal("a read-only console offers to create a stream")
	}

	// Against an endpoint that is not an emulator (here a proxy to one that hides the admin
	// endpoints): read-only by default.
	proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_pelican/") {
			http.NotFound(w, r)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, emu.URL()+r.URL.Path, r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})}
	ln := listenLoopback(t)
	go func() { _ = proxy.Serve(ln) }()
	t.Cleanup(func() { _ = proxy.Close() })
	line, url = startConsole(t, "--endpoint", "http://"+ln.Addr().String())
	if !strings.Contains(line, "(read-only)") {
		t.Fatalf("against a non-emulator: %q", line)
	}
	if _, body = get(t, url); !strings.Contains(body, "orders") || strings.Contains(body, "/faults") {
		t.Fatalf("non-emulator streams page:\n%.2000s", body)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"console", "--addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"console", "stray"}, "console takes no arguments"},
		{[]string{"console", "--endpoint", "ftp://x"}, "is not an http:// or https:// URL"},
	} {
		if code, _, stderr := runCLI(tc.args...); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: %d %s", tc.args, code, stderr)
		}
	}
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
