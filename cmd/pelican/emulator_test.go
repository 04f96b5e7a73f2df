package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the tests run this binary as the pelican command, so that a test can send it a
// signal as an operator would.
func TestMain(m *testing.M) {
	if os.Getenv("PELICAN_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"pelican"}, os.Args[1:]...)
		main()
		return
	}
	os.Exit(m.Run())
}

// TestEmulatorSelfSignedTLSRemovedOnSIGTERM starts `pelican emulator --tls-self-signed`, stops it
// with SIGTERM and checks that its certificate directory is gone.
func TestEmulatorSelfSignedTLSRemovedOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "emulator", "--addr", "127.0.0.1:0", "--tls-self-signed", "--log-level", "error")
	cmd.Env = append(os.Environ(), "PELICAN_TEST_RUN_MAIN=1", "TMPDIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	certLine := regexp.MustCompile(`self-signed certificate at (\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := certLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	var cert string
	select {
	case cert = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("the emulator did not print its certificate")
	}
	if _, err := os.Stat(cert); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the emulator did not stop on SIGTERM")
	}
	if _, err := os.Stat(filepath.Dir(cert)); !os.IsNotExist(err) {
		t.Fatalf("SIGTERM left %s behind (%v)", filepath.Dir(cert), err)
	}
}
