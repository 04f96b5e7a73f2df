//go:build interop

package composetest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/internal/interop"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// examplesImage is the tag the test builds the example services under.
const examplesImage = "pelican-examples:interop"

// The stream docker-compose.yml creates, as the test configures it.
const (
	stream = "pelican-events"
	shards = 4
)

// TestInteropComposeTickBecomesNotification brings the dev environment up as `make up` does and
// asserts, from the host through the emulator's published port, that ticks of the cuckoo clock
// become notifications: a NotificationSent on the stream for the tick, a line in the notifier's
// log and one in its outbox file. Then it recreates every container and asserts that the volumes
// kept the stream's records and the notifier's state, and that new ticks still become
// notifications.
func TestInteropComposeTickBecomesNotification(t *testing.T) {
	docker := interop.Docker(t)
	root := interop.RepoRoot(t)
	emulatorImage := interop.Image(t)
	buildImages(t, root)

	_, port, err := net.SplitHostPort(interop.FreeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	clockID := "ci-clock-" + randomHex(4)
	c := &compose{
		cmd:     interop.Compose(t),
		file:    filepath.Join(root, "docker-compose.yml"),
		project: "pelicancompose" + randomHex(4),
		env: []string{
			"PELICAN_IMAGE=" + emulatorImage,
			"PELICAN_EXAMPLES_IMAGE=" + examplesImage,
			"PELICAN_PORT=" + port,
			"PELICAN_STREAM=" + stream,
			fmt.Sprintf("PELICAN_SHARDS=%d", shards),
			"PELICAN_LOG_LEVEL=info",
			"CLOCK_ID=" + clockID,
			"CLOCK_INTERVAL=1s",
			"CLOCK_TIME_ZONE=Asia/Kolkata",
			"NOTIFIER_RECIPIENT=#ci-room",
		},
	}
	c.downAtEnd(t)
	c.run(t, "up", "-d")

	kc := client(port)

	ctx := context.Background()
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatalf("the emulator does not answer on 127.0.0.1:%s: %v", port, err)
	}
	if n := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); n != shards {
		t.Fatalf("stream %s has %d open shards, want %d", stream, n, shards)
	}

	// A tick becomes a notification.
	first := waitNotification(t, kc, clockID, time.Time{}, time.Minute)
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	tick := first.tick
	if tick.GetTimeZone() != "Asia/Kolkata" || tick.GetHour() != uint32(tick.GetTickedAt().AsTime().In(kolkata).Hour()) {
		t.Fatalf("tick %v: want the hour of its time in Asia/Kolkata", tick)
	}
	if first.tickProducer != "cuckooclock" || first.sentProducer != "notifier" {
		t.Fatalf("tick published by %q and notification by %q", first.tickProducer, first.sentProducer)
	}
	if sent := first.sent; sent.GetChannel() != notificationv1.Channel_CHANNEL_CHAT || sent.GetProviderMessageId() == "" ||
		sent.GetSentAt().AsTime().Before(tick.GetTickedAt().AsTime()) {
		t.Fatalf("NotificationSent %v for tick at %s", sent, tick.GetTickedAt().AsTime())
	}
	id := first.sent.GetNotificationId()
	logs := c.outputT(t, "logs", "--no-color", "notifier")
	if !strings.Contains(logs, `msg="notification sent" notification_id=`+id+" channel=CHANNEL_CHAT recipient=#ci-room") {
		t.Fatalf("the notifier's log does not show %s sent to #ci-room:\n%s", id, logs)
	}
	entry := outboxEntry(t, c, docker, id)
	if entry["recipient"] != "#ci-room" || entry["event_id"] != first.tickEventID || entry["provider_message_id"] != first.sent.GetProviderMessageId() ||
		!strings.HasPrefix(fmt.Sprint(entry["body"]), clockID+" struck ") {
		t.Fatalf("outbox entry %v does not match the tick %s and its NotificationSent", entry, first.tickEventID)
	}

	// Every container is recreated; the volumes stay.
	c.run(t, "down", "-t", "10")
	restarted := time.Now()
	c.run(t, "up", "-d")
	waitFor(t, 60*time.Second, "the first tick on the stream after the restart", func() (bool, error) {
		evs, err := readEvents(ctx, kc)
		if err != nil {
			return false, err
		}
		for _, ev := range evs {
			if ev.env.GetEventId() == first.tickEventID {
				return true, nil
			}
		}
		return false, nil
	})
	later := waitNotification(t, kc, clockID, restarted, time.Minute)
	logs = c.outputT(t, "logs", "--no-color", "notifier")
	if !strings.Contains(logs, "notification_id="+later.sent.GetNotificationId()) {
		t.Fatalf("the restarted notifier's log does not show %s:\n%s", later.sent.GetNotificationId(), logs)
	}
	if strings.Contains(logs, "sent_before=0 ") {
		t.Fatalf("the restarted notifier lost its outbox:\n%s", logs)
	}
	if strings.Contains(logs, "already sent") {
		t.Fatalf("the restarted notifier handled ticks it had answered before its graceful stop:\n%s", logs)
	}
}

// buildImages builds the example services' image with scripts/compose-build.sh, as `make up`
// does; env adds to the script's environment (PELICAN_LAMBDA_IMAGE for the Lambda functions').
func buildImages(t *testing.T, root string, env ...string) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "compose-build.sh"))
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "PELICAN_EXAMPLES_IMAGE="+examplesImage, "OUT="+t.TempDir()), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/compose-build.sh: %v\n%s", err, out)
	}
}

// compose runs the compose command on one project.
type compose struct {
	cmd      []string
	file     string
	project  string
	profiles []string // docker-compose.yml's profiles to enable
	env      []string
}

func (c *compose) output(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	full := append(append([]string{}, c.cmd[1:]...), "-f", c.file, "-p", c.project)
	for _, p := range c.profiles {
		full = append(full, "--profile", p)
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, c.cmd[0], full...)
	cmd.Env = append(append(os.Environ(), "COMPOSE_PROJECT_NAME="+c.project), c.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (c *compose) outputT(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.output(args...)
	if err != nil {
		t.Fatalf("compose %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (c *compose) run(t *testing.T, args ...string) { t.Helper(); c.outputT(t, args...) }

// downAtEnd takes the project down with its volumes when the test ends, showing the containers'
// logs first if it failed.
func (c *compose) downAtEnd(t *testing.T) {
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := c.output("logs", "--no-color", "--tail=200")
			t.Logf("compose logs:\n%s", out)
		}
		if out, err := c.output("down", "-v", "--remove-orphans", "-t", "10"); err != nil {
			t.Errorf("compose down: %v\n%s", err, out)
		}
	})
}

// client is a Kinesis client for the emulator's port published on the host.
func client(port string) *kinesis.Client {
	return kinesis.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  pelicantest.HTTPClient(),
	}, func(o *kinesis.Options) { o.BaseEndpoint = aws.String("http://127.0.0.1:" + port) })
}

// notification is a tick and the NotificationSent that answered it.
type notification struct {
	tick         *clockv1.TimeTicked
	tickEventID  string
	tickProducer string
	sent         *notificationv1.NotificationSent
	sentProducer string
}

// waitNotification waits up to timeout for a tick of clockID that ticked after since and its
// NotificationSent.
func waitNotification(t *testing.T, kc *kinesis.Client, clockID string, since time.Time, timeout time.Duration) notification {
	t.Helper()
	var found notification
	waitFor(t, timeout, "a tick of "+clockID+" answered by a NotificationSent", func() (bool, error) {
		evs, err := readEvents(context.Background(), kc)
		if err != nil {
			return false, err
		}
		ticks := map[string]notification{}
		for _, ev := range evs {
			var tick clockv1.TimeTicked
			if pelican.Unwrap(ev.env, &tick) == nil && tick.GetClockId() == clockID && tick.GetTickedAt().AsTime().After(since) {
				if ev.key != clockID {
					return false, fmt.Errorf("tick %s has partition key %q, want the clock id", ev.env.GetEventId(), ev.key)
				}
				ticks["cuckoo-"+ev.env.GetEventId()] = notification{tick: &tick, tickEventID: ev.env.GetEventId(), tickProducer: ev.env.GetProducer()}
			}
		}
		for _, ev := range evs {
			var sent notificationv1.NotificationSent
			if pelican.Unwrap(ev.env, &sent) != nil {
				continue
			}
			if n, ok := ticks[sent.GetNotificationId()]; ok {
				n.sent, n.sentProducer = &sent, ev.env.GetProducer()
				found = n
				return true, nil
			}
		}
		return false, nil
	})
	return found
}

// waitFor polls check every half second until it reports true, failing the test after timeout
// with the last error.
func waitFor(t *testing.T, timeout time.Duration, what string, check func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := check()
		if ok {
			return
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s in vain (last error: %v)", timeout, what, last)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// event is an envelope read from the stream, with its user record's partition key.
type event struct {
	env *pelican.Envelope
	key string
}

// readEvents reads every event of the stream from the trim horizon, deaggregating KPL records.
func readEvents(ctx context.Context, kc *kinesis.Client) ([]event, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	list, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return nil, err
	}
	var out []event
	for _, sh := range list.Shards {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId,
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return nil, err
		}
		for iter := it.ShardIterator; iter != nil; {
			page, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return nil, err
			}
			for _, r := range page.Records {
				users, agg, err := aggregation.Deaggregate(r.Data)
				if err != nil {
					return nil, err
				}
				if !agg {
					users = []aggregation.Record{{PartitionKey: aws.ToString(r.PartitionKey), Data: r.Data}}
				}
				for _, u := range users {
					env, err := pelican.UnmarshalEnvelope(u.Data)
					if err != nil {
						return nil, fmt.Errorf("a record in %s is not an envelope: %w", aws.ToString(sh.ShardId), err)
					}
					out = append(out, event{env: env, key: u.PartitionKey})
				}
			}
			if len(page.Records) == 0 && aws.ToInt64(page.MillisBehindLatest) == 0 {
				break
			}
			iter = page.NextShardIterator
		}
	}
	return out, nil
}

// outboxEntry copies the notifier's outbox out of its container (an empty image has no cat) and
// returns the line of the notification id.
func outboxEntry(t *testing.T, c *compose, docker, id string) map[string]any {
	t.Helper()
	container := strings.TrimSpace(c.outputT(t, "ps", "-q", "notifier"))
	if container == "" {
		t.Fatal("no notifier container")
	}
	out, err := exec.Command(docker, "cp", container+":/var/lib/notifier/outbox.jsonl", "-").Output()
	if err != nil {
		t.Fatalf("docker cp of the outbox: %v", err)
	}
	tr := tar.NewReader(bytes.NewReader(out))
	if _, err := tr.Next(); err != nil {
		t.Fatalf("docker cp gave no file: %v", err)
	}
	sc := bufio.NewScanner(tr)
	sc.Buffer(nil, 1<<20)
	var lines int
	for sc.Scan() {
		lines++
		var entry map[string]any
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatalf("outbox line %d: %v: %s", lines, err, sc.Bytes())
		}
		if entry["notification_id"] == id {
			return entry
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	t.Fatalf("the outbox's %d lines lack %s", lines, id)
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
