package main

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// clearEnv unsets the variables the command reads, so that the machine's do not leak in.
func clearEnv(t *testing.T) {
	for _, k := range []string{"PELICAN_ENDPOINT", "PELICAN_STREAM", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"CLOCK_INTERVAL", "CLOCK_ID", "CLOCK_TIME_ZONE", "PELICAN_LOG_LEVEL"} {
		t.Setenv(k, "")
	}
}

// TestRunPublishesTicks runs the command against an emulator, configured by the environment
// as docker-compose.yml configures it, with a flag that overrides the environment.
func TestRunPublishesTicks(t *testing.T) {
	clearEnv(t)
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 4)
	t.Setenv("PELICAN_ENDPOINT", e.URL())
	t.Setenv("PELICAN_STREAM", stream)
	t.Setenv("CLOCK_INTERVAL", "50ms")
	t.Setenv("CLOCK_ID", "kitchen")
	t.Setenv("CLOCK_TIME_ZONE", "Europe/Berlin")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs pelicantest.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-time-zone", "Asia/Kolkata"}, &logs) }()

	kolkata := mustZone(t, "Asia/Kolkata")
	var ticks []*clockv1.TimeTicked
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})
	pelicantest.WaitFor(t, e.Client(), stream, 30*time.Second, "three ticks", func(pelicantest.Record) bool {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v", err)
		default:
		}
		ticks = readTicks(t, e, stream)
		return len(ticks) >= 3
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	for _, ev := range ticks {
		at := ev.GetTickedAt().AsTime()
		if ev.GetClockId() != "kitchen" || ev.GetTimeZone() != "Asia/Kolkata" || ev.GetHour() != uint32(at.In(kolkata).Hour()) {
			t.Fatalf("tick %v: want clock kitchen striking the hour of %s in Asia/Kolkata", ev, at)
		}
	}
	for _, want := range []string{"clock started", "tick published", "clock stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// readTicks reads the TimeTicked events of a stream, checking the envelope of each.
func readTicks(t *testing.T, e *pelicantest.Emulator, stream string) []*clockv1.TimeTicked {
	t.Helper()
	var out []*clockv1.TimeTicked
	for _, r := range pelicantest.ReadAll(t, e.Client(), stream) {
		datas := [][]byte{r.Data}
		if users, agg, err := aggregation.Deaggregate(r.Data); err != nil {
			t.Fatal(err)
		} else if agg {
			datas = datas[:0]
			for _, u := range users {
				datas = append(datas, u.Data)
			}
		}
		for _, d := range datas {
			env, err := pelican.UnmarshalEnvelope(d)
			if err != nil {
				t.Fatalf("record in %s is not an envelope: %v", r.ShardID, err)
			}
			ev := new(clockv1.TimeTicked)
			if err := pelican.Unwrap(env, ev); err != nil {
				t.Fatal(err)
			}
			if env.GetProducer() != producerName || r.PartitionKey != ev.GetClockId() && !aggregation.IsAggregated(r.Data) {
				t.Fatalf("tick from %q with key %q", env.GetProducer(), r.PartitionKey)
			}
			out = append(out, ev)
		}
	}
	return out
}

func TestRunRefusesBadSettings(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"interval from env", map[string]string{"CLOCK_INTERVAL": "often"}, nil, `CLOCK_INTERVAL="often"`},
		{"negative interval", nil, []string{"-interval", "-1s"}, "-interval must be positive"},
		{"unknown zone", nil, []string{"-time-zone", "Mars/Olympus_Mons"}, "-time-zone"},
		{"empty id", nil, []string{"-clock-id", ""}, "-clock-id"},
		{"arguments", nil, []string{"now"}, "unexpected arguments"},
		{"log level", map[string]string{"PELICAN_LOG_LEVEL": "loud"}, nil, "-log-level"},
		{"endpoint", nil, []string{"-endpoint", "emulator:4567"}, "not an http:// or https:// URL"},
		{"no stream", nil, []string{"-stream", ""}, "no stream"},
		{"help", nil, []string{"-h"}, flag.ErrHelp.Error()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var out strings.Builder
			err := run(context.Background(), c.args, &out)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q", c.args, err, c.want)
			}
		})
	}
}
