package main

import (
	"context"
	"testing"
	"time"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/examples/notifier/internal/notify"
	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// TestTickBecomesNotificationSent runs the function as Lambda would, under a local event source
// mapping on an emulator's stream: a tick published there comes back as NotificationSent.
func TestTickBecomesNotificationSent(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 1)
	env := map[string]string{"PELICAN_ENDPOINT": e.URL(), "PELICAN_STREAM": stream, "AWS_REGION": "us-east-1",
		"NOTIFIER_RECIPIENT": "#tower", "NOTIFIER_DATA_DIR": t.TempDir(), "PELICAN_LOG_LEVEL": "warn"}
	h, err := newHandler(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	l := pelicantest.AttachLambda(t, e.Client(), stream, h)

	ctx := context.Background()
	prod, err := producer.New(ctx, e.Client(), stream)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	r, err := pelican.NewPublisher(pelican.ProducerSender(prod)).Publish(ctx, &clockv1.TimeTicked{ClockId: "hall", Hour: 15, TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	want := notify.TickNotificationPrefix + r.EventID
	pelicantest.WaitFor(t, e.Client(), stream, 30*time.Second, "NotificationSent for "+want, func(rec pelicantest.Record) bool {
		env, err := pelican.UnmarshalEnvelope(rec.Data)
		if err != nil || env.GetEventType() != "example.notification.v1.NotificationSent" {
			return false
		}
		var sent notificationv1.NotificationSent
		return pelican.Unwrap(env, &sent) == nil && sent.GetNotificationId() == want
	})
	l.WaitIdle(t)
	if s := l.Stats(); s.FunctionErrors != 0 {
		t.Errorf("stats %+v: want no function errors", s)
	}
}

func TestBadSettingsFailInit(t *testing.T) {
	env := map[string]string{"PELICAN_ENDPOINT": "ftp://nowhere"}
	if _, err := newHandler(context.Background(), func(k string) string { return env[k] }); err == nil {
		t.Error("a bad endpoint was accepted")
	}
}
