package emulator_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/emulator"
)

// trustSelfSigned returns a pool holding the server's self-signed certificate.
func trustSelfSigned(t *testing.T, srv *emulator.Server) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(srv.TLSCertFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the certificate does not parse")
	}
	return pool
}

// One port, every way in: the listener sorts connections by their first byte, and ALPN picks the
// protocol inside TLS.
func TestOnePortServesEveryProtocol(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("tls", 1), emulator.WithSelfSignedTLS(t.TempDir()))
	roots := trustSelfSigned(t, srv)
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	for _, tc := range []struct {
		name, scheme, proto, alpn string
		transport                 *http.Transport
	}{
		{"plain HTTP/1.1", "http", "HTTP/1.1", "", &http.Transport{}},
		{"h2c with prior knowledge", "http", "HTTP/2.0", "", &http.Transport{Protocols: h2c}},
		{"TLS, ALPN h2", "https", "HTTP/2.0", "h2", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}},
		{"TLS, ALPN http/1.1", "https", "HTTP/1.1", "http/1.1", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, NextProtos: []string{"http/1.1"}}}},
		{"TLS without ALPN", "https", "HTTP/1.1", "", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}},
		{"TLS to localhost", "https", "HTTP/2.0", "h2", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}, ForceAttemptHTTP2: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(tc.transport.CloseIdleConnections)
			rc := &recordingClient{c: &http.Client{Transport: tc.transport}, proto: map[string]bool{}}
			kc := kinesis.New(kinesis.Options{Region: "us-east-1", HTTPClient: rc, RetryMaxAttempts: 1,
				BaseEndpoint: aws.String(tc.scheme + "://" + srv.Addr()), Credentials: newClient(t, srv).Options().Credentials})
			out, err := kc.ListStreams(ctxT(t), &kinesis.ListStreamsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(out.StreamNames) != "[tls]" {
				t.Fatalf("streams %v", out.StreamNames)
			}
			if got := rc.protocols(); got != fmt.Sprint(map[string]bool{tc.proto: true}) {
				t.Fatalf("answered as %s, want %s", got, tc.proto)
			}
			if tc.scheme == "https" {
				cfg := tc.transport.TLSClientConfig.Clone()
				if tc.alpn != "" {
					cfg.NextProtos = []string{tc.alpn}
				}
				c, err := tls.Dial("tcp", srv.Addr(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if got := c.ConnectionState().NegotiatedProtocol; got != tc.alpn {
					t.Fatalf("ALPN chose %q, want %q", got, tc.alpn)
				}
			}
		})
	}
}

// A client that speaks plain HTTP/1.1 byte by byte is sorted by its first byte and answered; a
// TLS client is not mistaken for one, and a silent connection holds up no one.
func TestSniffingHoldsUpNoOne(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithSelfSignedTLS(t.TempDir()))
	silent, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	c, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	for i := range len(req) {
		if _, err := c.Write([]byte{req[i]}); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.SetReadDeadline(time.Now().Add(efoGuard))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("plain request on the TLS port while another connection is silent: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/1.1" {
		t.Fatalf("health over plain text: %s %s %s", resp.Proto, resp.Status, body)
	}

	tc, err := tls.Dial("tcp", srv.Addr(), &tls.Config{RootCAs: trustSelfSigned(t, srv)})
	if err != nil {
		t.Fatalf("TLS handshake on the shared port: %v", err)
	}
	_ = tc.Close()
}

// WithTLS takes a certificate of the user's own (here one the self-signed option wrote, loaded the
// way --tls-cert and --tls-key load theirs).
func TestWithTLSServesTheGivenCertificate(t *testing.T) {
	dir := t.TempDir()
	maker, err := emulator.New(emulator.WithSelfSignedTLS(dir))
	if err != nil {
		t.Fatal(err)
	}
	_ = maker.Close()
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, emulator.SelfSignedCertFile), filepath.Join(dir, emulator.SelfSignedKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.RunT(t, emulator.WithTLS(&tls.Config{Certificates: []tls.Certificate{cert}}))
	if !strings.HasPrefix(srv.URL(), "https://") || srv.TLSCertFile() != "" {
		t.Fatalf("URL %s, TLSCertFile %q", srv.URL(), srv.TLSCertFile())
	}
	pem, err := os.ReadFile(filepath.Join(dir, emulator.SelfSignedCertFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	c, err := tls.Dial("tcp", srv.Addr(), &tls.Config{RootCAs: roots, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("ALPN chose %q with a user's tls.Config that names no protocols, want h2", p)
	}
}
