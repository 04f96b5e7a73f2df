package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/harness"
	"github.com/pelicanhq/pelican/pelicantest"
)

// harnessEnv keeps the AWS configuration of the machine out of the CLI's clients, and sets a CA
// bundle: with AWS_CA_BUNDLE set, the SDK refuses an HTTP client it cannot add the bundle to, so
// the CLI must wrap the SDK's own client rather than give it one.
func harnessEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pelican test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("PELICAN_ENDPOINT", "")
}

func pelicanCmd(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// clockStream is an emulator stream holding the day of ticks of fixtures/clock.jsonl.
func clockStream(t *testing.T) (*pelicantest.Emulator, string) {
	t.Helper()
	em := pelicantest.NewEmulator(t)
	stream := em.NewStream(t, 2)
	f, err := harness.ReadFile("../../fixtures/clock.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := harness.Republish(t.Context(), em.Client(), stream, f); err != nil {
		t.Fatal(err)
	}
	return em, stream
}

func TestRecordCommand(t *testing.T) {
	harnessEnv(t)
	em, stream := clockStream(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "clock.jsonl")
	code, stdout, stderr := pelicanCmd(t.Context(), "record", "--stream", stream, "--endpoint", em.URL(),
		"--out", out, "--count", "72", "--proto", "../../proto", "--redact", "example.clock.v1.TimeTicked.time_zone")
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "recorded 72 records from 2 shards to "+out) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	f, err := harness.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 72 || f.Header.Stream != stream || len(f.Header.Redacted) != 1 {
		t.Fatalf("recorded %d entries, header %+v", len(f.Entries), f.Header)
	}
	for _, e := range f.Entries {
		if e.EventType != "example.clock.v1.TimeTicked" || !bytes.Contains(e.Event, []byte(`"time_zone":"redacted:`)) {
			t.Fatalf("line %d: %s %s", e.Line, e.EventType, e.Event)
		}
	}

	// Filters, and the fixture on standard output: one notification among the ticks.
	sent := mustRecord(t, "../../fixtures/notification.jsonl", "example.notification.v1.NotificationSent")
	pelicantest.Put(t, em.Client(), stream, sent.PartitionKey, sent.Data)
	for _, filter := range [][]string{
		{"--type", "example.notification.v1.NotificationSent"},
		{"--exclude-type", "example.clock.v1.TimeTicked", "--proto", "../../proto"},
	} {
		args := append([]string{"record", "--stream", stream, "--endpoint", em.URL(), "--out", "-", "--count", "1"}, filter...)
		code, stdout, stderr = pelicanCmd(t.Context(), args...)
		if code != exitOK || !strings.Contains(stderr, "recorded 1 records from ") || !strings.Contains(stderr, " left out)") {
			t.Fatalf("pelican %v: exit %d\nstdout %s\nstderr %s", args, code, stdout, stderr)
		}
		f, err := harness.Read(strings.NewReader(stdout))
		if err != nil || len(f.Entries) != 1 || f.Entries[0].EventID != sent.EventID {
			t.Fatalf("pelican %v wrote %q (%v), want the one NotificationSent", args, stdout, err)
		}
	}
}

// mustRecord returns the first entry of type eventType in the fixture at path.
func mustRecord(t *testing.T, path, eventType string) *harness.Entry {
	t.Helper()
	f, err := harness.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Entries {
		if e.EventType == eventType {
			return e
		}
	}
	t.Fatalf("%s has no %s", path, eventType)
	return nil
}

// TestRecordCommandStopsOnInterrupt: Ctrl-C ends a recording with what it has, successfully.
func TestRecordCommandStopsOnInterrupt(t *testing.T) {
	harnessEnv(t)
	em := pelicantest.NewEmulator(t)
	stream := em.NewStream(t, 1)
	pelicantest.Put(t, em.Client(), stream, "k", []byte("one"))
	out := filepath.Join(t.TempDir(), "x.jsonl")
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, stderr := pelicanCmd(ctx, "record", "--stream", stream, "--endpoint", em.URL(), "--out", out, "--from", "trim-horizon")
		done <- result{code, stderr}
	}()
	// The file is flushed after every batch: once the record is in it, interrupt.
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(out)
		if bytes.Contains(b, []byte(`"data":"b25l"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the record never reached %s: %q", out, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupt()
	res := <-done
	if res.code != exitOK || !strings.Contains(res.stderr, "recorded 1 records from 1 shards") {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	f, err := harness.ReadFile(out)
	if err != nil || len(f.Entries) != 1 || string(f.Entries[0].Data) != "one" {
		t.Fatalf("fixture %+v, %v", f, err)
	}
}

func TestReplayCommand(t *testing.T) {
	harnessEnv(t)
	em := pelicantest.NewEmulator(t)
	stream := em.NewStream(t, 2)
	code, stdout, stderr := pelicanCmd(t.Context(), "replay", "--stream", stream, "--endpoint", em.URL(),
		"../../fixtures/notification.jsonl", "--type", "example.notification.v1.NotificationRequested", "--proto", "../../proto")
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "replayed 4 records of ../../fixtures/notification.jsonl to "+stream+" (4 left out)") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	var buf bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := harness.Record(ctx, em.Client(), stream, &buf, harness.WithLimit(4)); err != nil {
		t.Fatal(err)
	}
	f, err := harness.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range f.Entries {
		if e.EventType != "example.notification.v1.NotificationRequested" {
			t.Errorf("replayed a %s", e.EventType)
		}
		keys = append(keys, e.PartitionKey)
	}
	if got := strings.Join(slices.Sorted(slices.Values(keys)), " "); got != "n-0001 n-0002 n-0003 n-0004" {
		t.Errorf("partition keys %s, want the recorded ones", got)
	}

	for _, args := range [][]string{
		{"replay", "--stream", stream, "--speed", "-1", "../../fixtures/clock.jsonl"},
		{"replay", "--stream", stream},
		{"replay", "../../fixtures/clock.jsonl"},
	} {
		if code, _, stderr := pelicanCmd(t.Context(), args...); code != exitUsage {
			t.Errorf("pelican %v: exit %d (%s), want %d", args, code, stderr, exitUsage)
		}
	}
}

// copyProtoTree copies the repository's proto/ into a temporary directory, applying edits
// (path -> old -> new).
func copyProtoTree(t *testing.T, edits map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "proto")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".proto") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if e, ok := edits[filepath.ToSlash(rel)]; ok {
			if !bytes.Contains(b, []byte(e[0])) {
				t.Fatalf("%s has no %q", rel, e[0])
			}
			b = bytes.Replace(b, []byte(e[0]), []byte(e[1]), 1)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFixturesCheckCatchesABreakingSchemaEdit: the committed fixtures pass against proto/; a copy
// of proto/ with a field the fixtures use retyped or removed fails with a finding that names
// the fixture line, the event type and the field.
func TestFixturesCheckCatchesABreakingSchemaEdit(t *testing.T) {
	const clock = "example/clock/v1/clock.proto"
	fixtures := filepath.Join("..", "..", "fixtures")
	code, stdout, stderr := pelicanCmd(t.Context(), "fixtures", "check", "--proto", filepath.Join("..", "..", "proto"), fixtures)
	if code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("the committed fixtures: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	cases := []struct {
		name   string
		edit   [2]string
		format string
		want   []string
	}{
		{"retyped", [2]string{"uint32 hour = 2;", "string hour = 2;"}, "text", []string{
			filepath.Join(fixtures, "clock.jsonl") + ":5:1:example.clock.v1.TimeTicked.hour is string in the schema, but the payload holds field 2 as a varint (in 69 records)",
		}},
		{"removed", [2]string{"string time_zone = 4;", "reserved 4;"}, "json", []string{
			`"type":"FIELD_UNKNOWN","message":"example.clock.v1.TimeTicked: the payload has field 4 (length-delimited bytes), which the schema reserves: the field was removed (in 72 records)"`,
			`"type":"FIELD_REMOVED","message":"example.clock.v1.TimeTicked: the recorded event has field \"time_zone\", which the schema does not have (removed or renamed) (in 72 records)"`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			proto := copyProtoTree(t, map[string][2]string{clock: c.edit})
			code, stdout, stderr := pelicanCmd(t.Context(), "fixtures", "check", "--proto", proto, "--error-format", c.format, fixtures)
			if code != exitBreaking || !strings.Contains(stderr, "recorded events no longer read as they were recorded") {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, exitBreaking, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks\n%s\ngot\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout, "notification.jsonl") {
				t.Errorf("an edit of the clock schema reported the notifications:\n%s", stdout)
			}
		})
	}
}

func TestFixturesCheckFailures(t *testing.T) {
	broken := copyProtoTree(t, map[string][2]string{"example/clock/v1/clock.proto": {"uint32 hour = 2;", "uint32 hour = 2"}})
	for _, c := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"fixtures"}, exitUsage, "", "fixtures needs a subcommand"},
		{[]string{"fixtures", "lint"}, exitUsage, "", `unknown subcommand "lint"`},
		{[]string{"fixtures", "--help"}, exitOK, "hold recorded fixtures against the current schemas", ""},
		{[]string{"fixtures", "check", "--error-format", "xml"}, exitUsage, "", "--error-format"},
		{[]string{"fixtures", "check", "--proto", broken, "../../fixtures"}, exitFailure, "clock.proto:18:", "--proto"},
		{[]string{"fixtures", "check", "--proto", "../../proto", "../../fixtures/none.jsonl"}, exitFailure, "", "none.jsonl"},
		{[]string{"record", "--out", "x.jsonl"}, exitUsage, "", "record needs --stream"},
		{[]string{"record", "--stream", "s"}, exitUsage, "", "record needs --out"},
		{[]string{"record", "--stream", "s", "--out", "-", "--from", "yesterday"}, exitUsage, "", "--from"},
		{[]string{"record", "--stream", "s", "--out", "-", "--endpoint", "localhost:4567"}, exitUsage, "", "not an http:// or https:// URL"},
	} {
		code, stdout, stderr := pelicanCmd(t.Context(), c.args...)
		if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
			t.Errorf("pelican %v: exit %d\nstdout %s\nstderr %s\nwant exit %d, stdout with %q, stderr with %q", c.args, code, stdout, stderr, c.code, c.stdout, c.stderr)
		}
	}
	_, stdout, _ := pelicanCmd(t.Context(), "help")
	for _, name := range []string{"fixtures", "record", "replay"} {
		if !strings.Contains(stdout, "  "+name+" ") {
			t.Errorf("help lacks %s:\n%s", name, stdout)
		}
	}
}
