package notify

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

var sentAt = time.Date(2025, 6, 1, 7, 0, 1, 0, time.UTC)

// capture is a Sender that keeps the envelopes published through it.
type capture struct {
	mu   sync.Mutex
	envs []*pelican.Envelope
	keys []string
}

func (c *capture) Send(ctx context.Context, key string, data []byte) (pelican.Placement, error) {
	env, err := pelican.UnmarshalEnvelope(bytes.Clone(data))
	if err != nil {
		return pelican.Placement{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.envs = append(c.envs, env)
	c.keys = append(c.keys, key)
	return pelican.Placement{ShardID: "shardId-000000000000", SequenceNumber: "1"}, nil
}

func (c *capture) published() []*pelican.Envelope {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*pelican.Envelope(nil), c.envs...)
}

// fixture is a notifier wired to a Subscriber, publishing into a capture.
type fixture struct {
	sink   *capture
	outbox *Outbox
	sub    *pelican.Subscriber
	in     *pelican.Publisher // encodes the events delivered to the notifier
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{sink: &capture{}, sub: pelican.NewSubscriber(pelican.WithLogger(slog.New(slog.DiscardHandler)))}
	var err error
	if f.outbox, err = OpenOutbox(""); err != nil {
		t.Fatal(err)
	}
	n := New(pelican.NewPublisher(f.sink, pelican.WithProducerName("notifier")), f.outbox,
		WithRecipient("#tower"), WithNow(func() time.Time { return sentAt }), WithLogger(slog.New(slog.DiscardHandler)))
	n.Register(f.sub)
	f.in = pelican.NewPublisher(nil, pelican.WithProducerName("test"))
	return f
}

// deliver hands msg to the notifier as the record of an event with the given id.
func (f *fixture) deliver(t *testing.T, msg proto.Message, eventID string, opts ...pelican.PublishOption) {
	t.Helper()
	rec, err := f.in.Encode(context.Background(), msg, append([]pelican.PublishOption{pelican.WithEventID(eventID)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	rec.ShardID, rec.SequenceNumber = "shardId-000000000001", "7"
	if err := f.sub.Deliver(context.Background(), rec); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
}

func TestTickRequest(t *testing.T) {
	at := timestamppb.New(sentAt)
	cases := []struct {
		hour uint32
		zone string
		body string
	}{
		{0, "Europe/Berlin", "hall struck 0 o'clock (Europe/Berlin): cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo"},
		{1, "UTC", "hall struck 1 o'clock (UTC): cuckoo"},
		{7, "Asia/Kolkata", "hall struck 7 o'clock (Asia/Kolkata): cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo"},
		{13, "", "hall struck 13 o'clock (UTC): cuckoo"},
		{23, "UTC", "hall struck 23 o'clock (UTC): cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo cuckoo"},
	}
	for _, c := range cases {
		r := tickRequest("e-1", &clockv1.TimeTicked{ClockId: "hall", Hour: c.hour, TimeZone: c.zone, TickedAt: at}, "#tower")
		if r.GetBody() != c.body {
			t.Errorf("hour %d: body %q, want %q", c.hour, r.GetBody(), c.body)
		}
		if r.GetNotificationId() != "cuckoo-e-1" || r.GetChannel() != notificationv1.Channel_CHANNEL_CHAT ||
			r.GetRecipient() != "#tower" || r.GetSubject() != "Cuckoo!" || !proto.Equal(r.GetRequestedAt(), at) {
			t.Errorf("hour %d: request %v", c.hour, r)
		}
	}
}

func TestTickBecomesNotificationSent(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, &clockv1.TimeTicked{ClockId: "hall", Hour: 3, TimeZone: "UTC"}, "tick-1")

	envs := f.sink.published()
	if len(envs) != 1 {
		t.Fatalf("published %d events, want 1", len(envs))
	}
	var sent notificationv1.NotificationSent
	if err := pelican.Unwrap(envs[0], &sent); err != nil {
		t.Fatal(err)
	}
	want := &notificationv1.NotificationSent{
		NotificationId:    "cuckoo-tick-1",
		Channel:           notificationv1.Channel_CHANNEL_CHAT,
		ProviderMessageId: providerMessageID("cuckoo-tick-1"),
		SentAt:            timestamppb.New(sentAt),
	}
	if !proto.Equal(&sent, want) {
		t.Fatalf("published %v, want %v", &sent, want)
	}
	if envs[0].GetEventId() != outcomeEventID("sent", "cuckoo-tick-1") || envs[0].GetProducer() != "notifier" ||
		!envs[0].GetOccurredAt().AsTime().Equal(sentAt) || f.sink.keys[0] != "cuckoo-tick-1" {
		t.Fatalf("envelope %v with key %q", envs[0], f.sink.keys[0])
	}
	n, already, err := f.outbox.deliver(Notification{NotificationID: "cuckoo-tick-1"})
	if err != nil || !already {
		t.Fatalf("outbox does not hold the notification: already=%v err=%v", already, err)
	}
	if n.Body != "hall struck 3 o'clock (UTC): cuckoo cuckoo cuckoo" || n.Recipient != "#tower" || n.EventID != "tick-1" || n.Channel != "CHANNEL_CHAT" {
		t.Fatalf("outbox holds %+v", n)
	}
}

// TestRedeliveredTickIsSentOnce: delivery is at least once; the notification goes out once and its
// NotificationSent is repeated with the same event id.
func TestRedeliveredTickIsSentOnce(t *testing.T) {
	f := newFixture(t)
	tick := &clockv1.TimeTicked{ClockId: "hall", Hour: 3}
	f.deliver(t, tick, "tick-1")
	f.deliver(t, tick, "tick-1")
	f.deliver(t, tick, "tick-2")
	if got := f.outbox.Count(); got != 2 {
		t.Fatalf("outbox holds %d notifications, want 2", got)
	}
	envs := f.sink.published()
	if len(envs) != 3 {
		t.Fatalf("published %d events, want 3", len(envs))
	}
	if !proto.Equal(envs[0], envs[1]) {
		t.Fatalf("the repeated report differs:\n%v\n%v", envs[0], envs[1])
	}
	if envs[2].GetEventId() == envs[0].GetEventId() {
		t.Fatal("two ticks share an outcome event id")
	}
}

func TestRequests(t *testing.T) {
	cases := []struct {
		name   string
		req    *notificationv1.NotificationRequested
		sent   bool   // NotificationSent, else NotificationFailed
		reason string // of NotificationFailed
	}{
		{"chat", &notificationv1.NotificationRequested{NotificationId: "n1", Channel: notificationv1.Channel_CHANNEL_CHAT, Recipient: "@ana", Subject: "hi"}, true, ""},
		{"email", &notificationv1.NotificationRequested{NotificationId: "n2", Channel: notificationv1.Channel_CHANNEL_EMAIL, Recipient: "ana@example.com"}, true, ""},
		{"email without address", &notificationv1.NotificationRequested{NotificationId: "n3", Channel: notificationv1.Channel_CHANNEL_EMAIL, Recipient: "ana"}, false, `recipient "ana" is not an e-mail address`},
		{"chat without recipient", &notificationv1.NotificationRequested{NotificationId: "n4", Channel: notificationv1.Channel_CHANNEL_CHAT}, false, "no recipient"},
		{"no channel", &notificationv1.NotificationRequested{NotificationId: "n5", Recipient: "@ana"}, false, "no channel"},
		{"unknown channel", &notificationv1.NotificationRequested{NotificationId: "n6", Channel: 9, Recipient: "@ana"}, false, "unknown channel 9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.deliver(t, c.req, "req-"+c.req.GetNotificationId())
			envs := f.sink.published()
			if len(envs) != 1 {
				t.Fatalf("published %d events, want 1", len(envs))
			}
			id := c.req.GetNotificationId()
			if c.sent {
				var sent notificationv1.NotificationSent
				if err := pelican.Unwrap(envs[0], &sent); err != nil {
					t.Fatal(err)
				}
				if sent.GetNotificationId() != id || sent.GetChannel() != c.req.GetChannel() || envs[0].GetEventId() != outcomeEventID("sent", id) {
					t.Fatalf("published %v", &sent)
				}
				if f.outbox.Count() != 1 {
					t.Fatal("the outbox does not hold the notification")
				}
				return
			}
			var failed notificationv1.NotificationFailed
			if err := pelican.Unwrap(envs[0], &failed); err != nil {
				t.Fatal(err)
			}
			want := &notificationv1.NotificationFailed{NotificationId: id, Channel: c.req.GetChannel(), Reason: c.reason, FailedAt: timestamppb.New(sentAt)}
			if !proto.Equal(&failed, want) || envs[0].GetEventId() != outcomeEventID("failed", id) {
				t.Fatalf("published %v, want %v", &failed, want)
			}
			if f.outbox.Count() != 0 {
				t.Fatal("a notification that failed is in the outbox")
			}
		})
	}
}

func TestRequestWithoutIDIsDropped(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, &notificationv1.NotificationRequested{Channel: notificationv1.Channel_CHANNEL_CHAT, Recipient: "@ana"}, "req-0",
		pelican.WithPartitionKey("some-key")) // another publisher's choice: the field is empty
	if n := len(f.sink.published()); n != 0 || f.outbox.Count() != 0 {
		t.Fatalf("published %d events and sent %d notifications for a request without an id", n, f.outbox.Count())
	}
}

func TestOutcomeEventID(t *testing.T) {
	uuid8 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := outcomeEventID("sent", "n1"), outcomeEventID("failed", "n1")
	for _, id := range []string{a, b} {
		if !uuid8.MatchString(id) {
			t.Fatalf("%q is not a version 8 UUID", id)
		}
	}
	if a == b || a != outcomeEventID("sent", "n1") || a == outcomeEventID("sent", "n2") {
		t.Fatalf("ids are not one per kind and notification: %s %s", a, b)
	}
}

func TestStrikes(t *testing.T) {
	for hour, want := range map[uint32]int{0: 12, 1: 1, 11: 11, 12: 12, 13: 1, 23: 11} {
		if got := strikes(hour); got != want {
			t.Errorf("strikes(%d) = %d, want %d", hour, got, want)
		}
	}
}
