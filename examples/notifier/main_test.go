package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/examples/notifier/internal/notify"
	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// clearEnv unsets the variables the command reads, so that the machine's do not leak in.
func clearEnv(t *testing.T) {
	for _, k := range []string{"PELICAN_ENDPOINT", "PELICAN_STREAM", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"NOTIFIER_RECIPIENT", "NOTIFIER_DATA_DIR", "PELICAN_LOG_LEVEL"} {
		t.Setenv(k, "")
	}
}

// instance is one run of the command in the background.
type instance struct {
	cancel  context.CancelFunc
	done    chan error
	logs    *pelicantest.Buffer
	stopped sync.Once
}

func start(t *testing.T, args ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{cancel: cancel, done: make(chan error, 1), logs: &pelicantest.Buffer{}}
	go func() { in.done <- run(ctx, args, in.logs) }()
	t.Cleanup(func() {
		in.stop(t)
		if t.Failed() {
			t.Logf("notifier log:\n%s", in.logs.String())
		}
	})
	return in
}

// stop ends the run as SIGTERM does and waits for it to finish.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	in.stopped.Do(func() {
		in.cancel()
		select {
		case err := <-in.done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("run did not return after its context ended")
		}
	})
}

// event is an envelope read back from the stream.
type event struct {
	env *pelican.Envelope
	key string
}

// readEvents reads every event of the stream, deaggregating KPL records.
func readEvents(t *testing.T, e *pelicantest.Emulator, stream string) []event {
	t.Helper()
	var out []event
	for _, r := range pelicantest.ReadAll(t, e.Client(), stream) {
		users, agg, err := aggregation.Deaggregate(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		if !agg {
			users = []aggregation.Record{{PartitionKey: r.PartitionKey, Data: r.Data}}
		}
		for _, u := range users {
			env, err := pelican.UnmarshalEnvelope(u.Data)
			if err != nil {
				t.Fatalf("record in %s is not an envelope: %v", r.ShardID, err)
			}
			out = append(out, event{env: env, key: u.PartitionKey})
		}
	}
	return out
}

// sentFor returns the NotificationSent events on the stream, by notification id, counting repeats.
func sentFor(t *testing.T, e *pelicantest.Emulator, stream string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, ev := range readEvents(t, e, stream) {
		var sent notificationv1.NotificationSent
		if pelican.Unwrap(ev.env, &sent) == nil {
			if ev.env.GetProducer() != producerName || ev.key != sent.GetNotificationId() {
				t.Fatalf("NotificationSent from %q with key %q", ev.env.GetProducer(), ev.key)
			}
			out[sent.GetNotificationId()]++
		}
	}
	return out
}

func waitSent(t *testing.T, e *pelicantest.Emulator, stream string, ids ...string) {
	t.Helper()
	pelicantest.WaitFor(t, e.Client(), stream, 60*time.Second, "NotificationSent for "+strings.Join(ids, ", "), func(pelicantest.Record) bool {
		sent := sentFor(t, e, stream)
		for _, id := range ids {
			if sent[id] == 0 {
				return false
			}
		}
		return true
	})
}

// TestRunAnswersTicksAndResumesAfterARestart runs the command against an emulator as
// docker-compose.yml does: configured by the environment, with a data directory. Ticks become
// notifications; after a restart the notifier goes on from its checkpoints, so the ticks it had
// answered are not answered again.
func TestRunAnswersTicksAndResumesAfterARestart(t *testing.T) {
	clearEnv(t)
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 4)
	dir := filepath.Join(t.TempDir(), "notifier")
	t.Setenv("PELICAN_ENDPOINT", e.URL())
	t.Setenv("PELICAN_STREAM", stream)
	t.Setenv("NOTIFIER_DATA_DIR", dir)

	ctx := context.Background()
	prod, err := producer.New(ctx, e.Client(), stream)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	clock := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName("cuckooclock"))
	publish := func(clockID string, hour uint32) string {
		t.Helper()
		r, err := clock.Publish(ctx, &clockv1.TimeTicked{ClockId: clockID, Hour: hour, TimeZone: "UTC"})
		if err != nil {
			t.Fatal(err)
		}
		return notify.TickNotificationPrefix + r.EventID
	}

	first := []string{publish("hall", 6), publish("tower", 7), publish("kitchen", 8)}
	if _, err := clock.Publish(ctx, &notificationv1.NotificationRequested{NotificationId: "bad-1", Channel: notificationv1.Channel_CHANNEL_EMAIL, Recipient: "nobody"}); err != nil {
		t.Fatal(err)
	}
	one := start(t, "-recipient", "#test-room")
	waitSent(t, e, stream, first...)
	pelicantest.WaitFor(t, e.Client(), stream, 30*time.Second, "NotificationFailed for bad-1", func(pelicantest.Record) bool {
		for _, ev := range readEvents(t, e, stream) {
			var failed notificationv1.NotificationFailed
			if pelican.Unwrap(ev.env, &failed) == nil && failed.GetNotificationId() == "bad-1" {
				return ev.key == "bad-1" && strings.Contains(failed.GetReason(), "is not an e-mail address")
			}
		}
		return false
	})
	one.stop(t)
	for _, want := range []string{"notifier started", "notification sent", "notification_id=" + first[0], "recipient=#test-room", "notification not sent", "notifier stopped"} {
		if !strings.Contains(one.logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, one.logs.String())
		}
	}

	later := publish("hall", 9)
	two := start(t)
	waitSent(t, e, stream, later)
	two.stop(t)

	sent := sentFor(t, e, stream)
	for _, id := range append(first, later) {
		if sent[id] != 1 {
			t.Errorf("%d NotificationSent for %s, want 1", sent[id], id)
		}
	}
	if len(sent) != 4 {
		t.Errorf("NotificationSent for %d notifications, want 4: %v", len(sent), sent)
	}
	if strings.Contains(two.logs.String(), "already sent") {
		t.Errorf("the restarted notifier handled ticks again:\n%s", two.logs.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, outboxFile))
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := notify.ParseOutbox(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Fatalf("outbox holds %d notifications, want 4:\n%s", len(entries), data)
	}
	for _, en := range entries {
		if en.Recipient != "#test-room" && en.NotificationID != later {
			t.Errorf("outbox entry %+v: want recipient #test-room", en)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, leasesFile)); err != nil {
		t.Fatalf("no lease file: %v", err)
	}
}

func TestRunRefusesBadSettings(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"empty recipient", nil, []string{"-recipient", ""}, "-recipient"},
		{"arguments", nil, []string{"now"}, "unexpected arguments"},
		{"log level", map[string]string{"PELICAN_LOG_LEVEL": "loud"}, nil, "-log-level"},
		{"endpoint", map[string]string{"PELICAN_ENDPOINT": "emulator:4567"}, nil, "not an http:// or https:// URL"},
		{"corrupt outbox", nil, nil, "outbox"},
		{"help", nil, []string{"-h"}, flag.ErrHelp.Error()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			if c.name == "corrupt outbox" {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, outboxFile), []byte("garbage\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Setenv("NOTIFIER_DATA_DIR", dir)
			}
			var out strings.Builder
			err := run(context.Background(), c.args, &out)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q", c.args, err, c.want)
			}
		})
	}
}
