package service

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestFlagsFromEnv(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	interval := fs.Duration("interval", 0, "")
	name := fs.String("name", "default", "")
	t.Setenv("T_INTERVAL", "3s")
	if err := FlagsFromEnv(fs, map[string]string{"interval": "T_INTERVAL", "name": "T_NAME_UNSET"}); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"-name", "flag"}); err != nil {
		t.Fatal(err)
	}
	if interval.String() != "3s" || *name != "flag" {
		t.Fatalf("interval %v, name %q", *interval, *name)
	}
	t.Setenv("T_INTERVAL", "soon")
	if err := FlagsFromEnv(fs, map[string]string{"interval": "T_INTERVAL"}); err == nil || !strings.Contains(err.Error(), `T_INTERVAL="soon"`) {
		t.Fatalf("bad value: %v", err)
	}
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := Logger(&buf, "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "shown") {
		t.Fatalf("log %q", buf.String())
	}
	if _, err := Logger(&buf, "loud"); err == nil {
		t.Fatal("a bad level was accepted")
	}
}
