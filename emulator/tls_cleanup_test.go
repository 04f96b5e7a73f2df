package emulator_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pelicanhq/pelican/emulator"
)

// TestSelfSignedTLSDirectoryIsRemoved checks that a self-signed certificate's temporary directory
// goes with the server, on Close and on Shutdown, and that a directory the caller named stays.
func TestSelfSignedTLSDirectoryIsRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the temporary directories go
	for _, tc := range []struct {
		name string
		stop func(*emulator.Server) error
	}{
		{"Close", (*emulator.Server).Close},
		{"Shutdown", func(s *emulator.Server) error { return s.Shutdown(context.Background()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := emulator.Run(emulator.WithSelfSignedTLS(""))
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Dir(srv.TLSCertFile())
			if _, err := os.Stat(srv.TLSCertFile()); err != nil {
				t.Fatal(err)
			}
			if err := tc.stop(srv); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("%s left %s behind (%v)", tc.name, dir, err)
			}
		})
	}
	t.Run("named directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "tls")
		srv, err := emulator.Run(emulator.WithSelfSignedTLS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, emulator.SelfSignedCertFile)); err != nil {
			t.Fatalf("the named directory's certificate is gone: %v", err)
		}
	})
	t.Run("New fails", func(t *testing.T) {
		occupied := filepath.Join(t.TempDir(), "data")
		first, err := emulator.Run(emulator.WithDataDir(occupied))
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		if _, err := emulator.New(emulator.WithSelfSignedTLS(""), emulator.WithDataDir(occupied)); err == nil {
			t.Fatal("a second server took a data directory in use")
		}
		if left, _ := filepath.Glob(filepath.Join(tmp, "pelican-tls-*")); len(left) > 0 {
			t.Fatalf("a failed New left a certificate directory: %v", left)
		}
	})
}
