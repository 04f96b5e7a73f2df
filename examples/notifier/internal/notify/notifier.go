package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// TickNotificationPrefix starts the id of the notification sent for a tick; the tick's event id
// follows.
const TickNotificationPrefix = "cuckoo-"

// Notifier sends the notifications that events ask for, and reports each outcome as an event.
type Notifier struct {
	pub       *pelican.Publisher
	outbox    *Outbox
	recipient string
	now       func() time.Time
	log       *slog.Logger
}

// Option configures a Notifier.
type Option func(*Notifier)

// WithRecipient sets the chat handle that tick notifications go to (default "#cuckoo-clock").
func WithRecipient(r string) Option { return func(n *Notifier) { n.recipient = r } }

// WithNow sets where the notifier reads the time (default time.Now).
func WithNow(now func() time.Time) Option { return func(n *Notifier) { n.now = now } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(n *Notifier) { n.log = l } }

// New returns a Notifier that sends through ob and publishes outcomes through pub.
func New(pub *pelican.Publisher, ob *Outbox, opts ...Option) *Notifier {
	n := &Notifier{pub: pub, outbox: ob, recipient: "#cuckoo-clock", now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(n)
	}
	return n
}

// Register makes sub deliver the events the notifier answers to it.
func (n *Notifier) Register(sub *pelican.Subscriber) {
	pelican.Handle(sub, n.handleTick)
	pelican.Handle(sub, n.handleRequest)
}

// handleTick sends a chat notification for a clock's tick.
func (n *Notifier) handleTick(ctx context.Context, t *clockv1.TimeTicked) error {
	meta, _ := pelican.MetadataFromContext(ctx)
	return n.send(ctx, tickRequest(meta.EventID, t, n.recipient))
}

// handleRequest sends what a NotificationRequested asks for.
func (n *Notifier) handleRequest(ctx context.Context, r *notificationv1.NotificationRequested) error {
	return n.send(ctx, r)
}

// send delivers r once per notification id, logs it, and publishes NotificationSent; a request
// that cannot be sent gets NotificationFailed. The outcome events have ids derived from the
// notification id, so an event handled twice yields the same outcome event twice, which readers
// recognise by its id. An error means the event should be delivered again.
func (n *Notifier) send(ctx context.Context, r *notificationv1.NotificationRequested) error {
	meta, _ := pelican.MetadataFromContext(ctx)
	id := r.GetNotificationId()
	if id == "" {
		// Without an id there is no partition key to answer under, nor anyone to answer.
		n.log.WarnContext(ctx, "notification request without an id; dropped", "event_id", meta.EventID, "producer", meta.Producer)
		return nil
	}
	if reason := unsendable(r); reason != "" {
		return n.fail(ctx, r, reason)
	}
	sent, already, err := n.outbox.deliver(Notification{
		NotificationID:    id,
		Channel:           r.GetChannel().String(),
		Recipient:         r.GetRecipient(),
		Subject:           r.GetSubject(),
		Body:              r.GetBody(),
		ProviderMessageID: providerMessageID(id),
		SentAt:            n.now().UTC(),
		EventID:           meta.EventID,
	})
	if err != nil {
		return err
	}
	msg := "notification sent"
	if already {
		msg = "notification already sent; reporting it again"
	}
	n.log.InfoContext(ctx, msg, "notification_id", id, "channel", sent.Channel, "recipient", sent.Recipient,
		"subject", sent.Subject, "body", sent.Body, "provider_message_id", sent.ProviderMessageID, "event_id", meta.EventID)
	_, err = n.pub.Publish(ctx, &notificationv1.NotificationSent{
		NotificationId:    id,
		Channel:           r.GetChannel(),
		ProviderMessageId: sent.ProviderMessageID,
		SentAt:            timestamppb.New(sent.SentAt),
	}, pelican.WithEventID(outcomeEventID("sent", id)), pelican.WithOccurredAt(sent.SentAt))
	return err
}

// fail publishes NotificationFailed for a request that cannot be sent.
func (n *Notifier) fail(ctx context.Context, r *notificationv1.NotificationRequested, reason string) error {
	meta, _ := pelican.MetadataFromContext(ctx)
	now := n.now().UTC()
	n.log.WarnContext(ctx, "notification not sent", "notification_id", r.GetNotificationId(), "reason", reason, "event_id", meta.EventID)
	_, err := n.pub.Publish(ctx, &notificationv1.NotificationFailed{
		NotificationId: r.GetNotificationId(),
		Channel:        r.GetChannel(),
		Reason:         reason,
		Retryable:      false,
		FailedAt:       timestamppb.New(now),
	}, pelican.WithEventID(outcomeEventID("failed", r.GetNotificationId())), pelican.WithOccurredAt(now))
	return err
}

// unsendable says why a request cannot be sent, or "" when it can.
func unsendable(r *notificationv1.NotificationRequested) string {
	switch r.GetChannel() {
	case notificationv1.Channel_CHANNEL_EMAIL:
		if !strings.Contains(r.GetRecipient(), "@") {
			return fmt.Sprintf("recipient %q is not an e-mail address", r.GetRecipient())
		}
	case notificationv1.Channel_CHANNEL_CHAT:
		if r.GetRecipient() == "" {
			return "no recipient"
		}
	case notificationv1.Channel_CHANNEL_UNSPECIFIED:
		return "no channel"
	default:
		return fmt.Sprintf("unknown channel %d", r.GetChannel())
	}
	return ""
}

// tickRequest is the notification a tick asks for: a cuckoo for every hour struck on a
// twelve-hour face, as a cuckoo clock calls.
func tickRequest(eventID string, t *clockv1.TimeTicked, recipient string) *notificationv1.NotificationRequested {
	calls := strings.TrimSuffix(strings.Repeat("cuckoo ", strikes(t.GetHour())), " ")
	zone := t.GetTimeZone()
	if zone == "" {
		zone = "UTC"
	}
	return &notificationv1.NotificationRequested{
		NotificationId: TickNotificationPrefix + eventID,
		Channel:        notificationv1.Channel_CHANNEL_CHAT,
		Recipient:      recipient,
		Subject:        "Cuckoo!",
		Body:           fmt.Sprintf("%s struck %d o'clock (%s): %s", t.GetClockId(), t.GetHour(), zone, calls),
		RequestedAt:    t.GetTickedAt(),
	}
}

// strikes is how many times a cuckoo calls at hour (0 to 23): the hour on a twelve-hour face.
func strikes(hour uint32) int {
	if h := int(hour % 12); h != 0 {
		return h
	}
	return 12
}

// providerMessageID is the id the stand-in provider gives a notification: the same for the same
// notification id, as a provider's answer to a repeated idempotency key.
func providerMessageID(notificationID string) string {
	sum := sha256.Sum256([]byte("outbox/" + notificationID))
	return "outbox-" + hex.EncodeToString(sum[:8])
}

// outcomeEventID is the event id of a notification's outcome event: a UUID (version 8, RFC 9562)
// made from kind and the notification id, so that reporting an outcome again repeats its id.
func outcomeEventID(kind, notificationID string) string {
	sum := sha256.Sum256([]byte(kind + "/" + notificationID))
	u := sum[:16]
	u[6] = 0x80 | (u[6] & 0x0f) // version 8
	u[8] = 0x80 | (u[8] & 0x3f) // variant 10
	h := hex.EncodeToString(u)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
