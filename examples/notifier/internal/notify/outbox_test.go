package notify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func note(id string) Notification {
	return Notification{NotificationID: id, Channel: "CHANNEL_CHAT", Recipient: "#r", Subject: "s", Body: "b",
		ProviderMessageID: providerMessageID(id), SentAt: time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC), EventID: "e-" + id}
}

func mustOpen(t *testing.T, path string) *Outbox {
	t.Helper()
	o, err := OpenOutbox(path)
	if err != nil {
		t.Fatalf("OpenOutbox: %v", err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func TestOutboxKeepsWhatWasSentAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	o := mustOpen(t, path)
	for _, id := range []string{"a", "b"} {
		if _, already, err := o.deliver(note(id)); err != nil || already {
			t.Fatalf("deliver %s: already=%v err=%v", id, already, err)
		}
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, path)
	if again.Count() != 2 {
		t.Fatalf("reopened outbox holds %d, want 2", again.Count())
	}
	later := note("a")
	later.SentAt = later.SentAt.Add(time.Hour)
	got, already, err := again.deliver(later)
	if err != nil || !already || !got.SentAt.Equal(note("a").SentAt) {
		t.Fatalf("deliver a again: %+v already=%v err=%v; want the first sending", got, already, err)
	}
	if _, _, err := again.deliver(note("c")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	entries, whole, err := ParseOutbox(data)
	if err != nil || whole != len(data) {
		t.Fatalf("parse: whole %d of %d, err %v", whole, len(data), err)
	}
	if want := []Notification{note("a"), note("b"), note("c")}; !reflect.DeepEqual(entries, want) {
		t.Fatalf("file holds %+v, want %+v", entries, want)
	}
}

// TestOutboxCutsATornLine: a crash in the middle of a write leaves a line without its newline.
// That notification was never acknowledged; the next one must not run on from it.
func TestOutboxCutsATornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	line, _ := json.Marshal(note("a"))
	torn, _ := json.Marshal(note("b"))
	if err := os.WriteFile(path, append(append(line, '\n'), torn[:20]...), 0o644); err != nil {
		t.Fatal(err)
	}
	o := mustOpen(t, path)
	if o.Count() != 1 {
		t.Fatalf("holds %d, want 1", o.Count())
	}
	if _, already, err := o.deliver(note("b")); err != nil || already {
		t.Fatalf("deliver b: already=%v err=%v", already, err)
	}
	data, _ := os.ReadFile(path)
	entries, whole, err := ParseOutbox(data)
	if err != nil || whole != len(data) || len(entries) != 2 {
		t.Fatalf("after the repair: %d entries, whole %d of %d, err %v:\n%s", len(entries), whole, len(data), err, data)
	}
}

func TestOutboxRefusesACorruptLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.jsonl")
	if err := os.WriteFile(path, []byte("{\"notification_id\":\"a\"}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenOutbox(path); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("OpenOutbox: %v, want an error naming line 2", err)
	}
}

func TestParseOutbox(t *testing.T) {
	cases := []struct {
		name  string
		data  string
		ids   []string
		whole int
		err   string
	}{
		{"empty", "", nil, 0, ""},
		{"one", `{"notification_id":"a"}` + "\n", []string{"a"}, 24, ""},
		{"torn tail", `{"notification_id":"a"}` + "\n" + `{"notif`, []string{"a"}, 24, ""},
		{"only torn", `{"notification_id":"a"}`, nil, 0, ""},
		{"no id", `{"channel":"CHANNEL_CHAT"}` + "\n", nil, 0, "no notification_id"},
		{"unknown field", `{"notification_id":"a","extra":1}` + "\n", nil, 0, "unknown field"},
		{"two on a line", `{"notification_id":"a"}{"notification_id":"b"}` + "\n", nil, 0, "more than one"},
		{"blank line", "\n", nil, 0, "line 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entries, whole, err := ParseOutbox([]byte(c.data))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			var ids []string
			for _, e := range entries {
				ids = append(ids, e.NotificationID)
			}
			if err != nil || whole != c.whole || !reflect.DeepEqual(ids, c.ids) {
				t.Fatalf("got %v whole %d err %v; want %v whole %d", ids, whole, err, c.ids, c.whole)
			}
		})
	}
}

func FuzzParseOutbox(f *testing.F) {
	line, _ := json.Marshal(note("a"))
	f.Add(append(line, '\n'))
	f.Add(append(append(line, '\n'), line[:10]...))
	f.Add([]byte("{\"notification_id\":\"x\"}\n{\"notification_id\":\"y\"}\n"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, whole, err := ParseOutbox(data)
		if err != nil {
			return
		}
		if whole < 0 || whole > len(data) || (whole > 0 && data[whole-1] != '\n') || bytes.IndexByte(data[whole:], '\n') >= 0 {
			t.Fatalf("whole %d does not end the last whole line of %q", whole, data)
		}
		// What was read writes back to lines that read the same.
		var out []byte
		for _, e := range entries {
			if e.NotificationID == "" {
				t.Fatal("an entry without an id was accepted")
			}
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			out = append(append(out, b...), '\n')
		}
		again, n, err := ParseOutbox(out)
		if err != nil || n != len(out) || !reflect.DeepEqual(again, entries) {
			t.Fatalf("round trip: %v, %d of %d, %+v vs %+v", err, n, len(out), again, entries)
		}
	})
}
