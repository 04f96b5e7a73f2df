package emulator_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/emulator"
)

func TestSelfSignedCertificate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "made", "here")
	srv := emulator.RunT(t, emulator.WithSelfSignedTLS(dir))
	certPath := srv.TLSCertFile()
	if certPath != filepath.Join(dir, emulator.SelfSignedCertFile) {
		t.Fatalf("TLSCertFile %s, want it in %s", certPath, dir)
	}
	if !strings.HasPrefix(srv.URL(), "https://") {
		t.Fatalf("URL %s, want https://", srv.URL())
	}
	keyInfo, err := os.Stat(filepath.Join(dir, emulator.SelfSignedKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if mode := keyInfo.Mode().Perm(); mode != 0o600 {
		t.Fatalf("key file mode %v, want 0600", mode)
	}
	raw, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s holds no PEM certificate", certPath)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) || cert.NotAfter.Sub(now) < 300*24*time.Hour {
		t.Fatalf("valid %v to %v", cert.NotBefore, cert.NotAfter)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := cert.VerifyHostname(name); err != nil {
			t.Errorf("not valid for %s: %v", name, err)
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost"}); err != nil {
		t.Fatalf("the certificate does not verify as its own root: %v", err)
	}

	// The certificate the port presents is the one in the file.
	c, err := tls.Dial("tcp", srv.Addr(), &tls.Config{RootCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.ConnectionState().PeerCertificates[0].Equal(cert) {
		t.Fatal("the port presents another certificate than the file holds")
	}
}

func TestSelfSignedTLSOptions(t *testing.T) {
	t.Run("temporary directory", func(t *testing.T) {
		srv, err := emulator.New(emulator.WithSelfSignedTLS(""))
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		dir := filepath.Dir(srv.TLSCertFile())
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		if !strings.HasPrefix(dir, os.TempDir()) || !strings.Contains(filepath.Base(dir), "pelican-tls-") {
			t.Fatalf("certificate in %s, want a new directory under %s", dir, os.TempDir())
		}
		if _, err := os.Stat(srv.TLSCertFile()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("not with WithTLS", func(t *testing.T) {
		_, err := emulator.New(emulator.WithSelfSignedTLS(t.TempDir()), emulator.WithTLS(&tls.Config{}))
		if err == nil {
			t.Fatal("WithSelfSignedTLS and WithTLS together must fail")
		}
	})
	t.Run("unwritable directory", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "a-file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := emulator.New(emulator.WithSelfSignedTLS(filepath.Join(file, "dir"))); err == nil {
			t.Fatal("a directory that cannot be made must fail New")
		}
	})
	t.Run("off by default", func(t *testing.T) {
		srv := emulator.RunT(t)
		if srv.TLSCertFile() != "" || !strings.HasPrefix(srv.URL(), "http://") {
			t.Fatalf("TLSCertFile %q, URL %s", srv.TLSCertFile(), srv.URL())
		}
		c, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
		_ = tc.SetDeadline(time.Now().Add(efoGuard))
		if err := tc.Handshake(); err == nil {
			t.Fatal("a server without TLS options completed a TLS handshake")
		}
	})
}

// A server with a certificate of its own for https:// clients, on the same port as http://.
func ExampleWithSelfSignedTLS() {
	dir, err := os.MkdirTemp("", "pelican-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	srv, err := emulator.Run(emulator.WithSelfSignedTLS(dir))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	// Give clients the certificate to trust: AWS_CA_BUNDLE for the AWS CLI and Python,
	// NODE_EXTRA_CA_CERTS for Node, a tls.Config's RootCAs in Go.
	fmt.Println(filepath.Base(srv.TLSCertFile()))
	fmt.Println(strings.HasPrefix(srv.URL(), "https://127.0.0.1:"))
	// Output:
	// cert.pem
	// true
}
