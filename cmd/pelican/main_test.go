package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodesAndErrors(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{nil, exitOK, "Commands:", ""},
		{[]string{"help"}, exitOK, "emulator", ""},
		{[]string{"version"}, exitOK, "pelican ", ""},
		{[]string{"nope"}, exitUsage, "", `pelican: unknown command "nope"`},
		{[]string{"emulator", "--no-such-flag"}, exitUsage, "", "flag provided but not defined: -no-such-flag"},
		{[]string{"emulator", "--create-stream", "s:zero"}, exitUsage, "", "SHARDS must be a positive whole number"},
		{[]string{"emulator", "--strict-auth", "only-a-key"}, exitUsage, "", "want ACCESS_KEY:SECRET[:ACCOUNT]"},
		{[]string{"emulator", "--log-level", "loud"}, exitUsage, "", "--log-level"},
		{[]string{"emulator", "stray"}, exitUsage, "", "emulator takes no arguments"},
		{[]string{"emulator", "--help"}, exitOK, "", "-create-stream value"},
		{[]string{"health", "--url", "http://127.0.0.1:1/health", "--timeout", "200ms"}, exitFailure, "", "pelican: health:"},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("pelican %v: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				tc.args, code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
		}
		if tc.code != exitOK && strings.Count(strings.TrimSpace(stderr), "\n") > 0 && !strings.Contains(strings.Join(tc.args, " "), "help") {
			t.Errorf("pelican %v: error is not one line: %q", tc.args, stderr)
		}
	}
}

func TestParseStreamSpec(t *testing.T) {
	for spec, want := range map[string]int{"orders": 1, "orders:4": 4, " orders:12 ": 12} {
		name, shards, err := parseStreamSpec(spec)
		if err != nil || name != "orders" || shards != want {
			t.Errorf("%q: %s %d %v", spec, name, shards, err)
		}
	}
	for _, bad := range []string{"", ":3", "x:0", "x:-1", "x:1.5"} {
		if _, _, err := parseStreamSpec(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestParseCredentials(t *testing.T) {
	creds, err := parseCredentials([]string{"AKID:secret", "AKID2:s2:123456789012"})
	if err != nil || len(creds) != 2 || creds[0].SecretAccessKey != "secret" || creds[1].Account != "123456789012" {
		t.Fatalf("%+v %v", creds, err)
	}
}
