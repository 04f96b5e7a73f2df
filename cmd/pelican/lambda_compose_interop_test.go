//go:build interop

package main

import (
	"context"
	"fmt"
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

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/internal/interop"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// TestInteropComposeLambdaProfile runs docker-compose.yml's lambda profile: the cuckoo clock and
// the notifier as Lambda functions under `pelican lambda run`, in their FROM scratch image, against
// the emulator's container. The scheduled function's tick (rate(1 minute), EventBridge's shortest)
// must come back from the Kinesis-triggered one as a NotificationSent.
func TestInteropComposeLambdaProfile(t *testing.T) {
	root := interop.RepoRoot(t)
	emulatorImage := interop.Image(t)
	const lambdaImage = "pelican-lambda:interop"
	build := exec.Command("bash", filepath.Join(root, "scripts", "compose-build.sh"))
	build.Dir = root
	build.Env = append(os.Environ(), "PELICAN_EXAMPLES_IMAGE=pelican-examples:interop", "PELICAN_LAMBDA_IMAGE="+lambdaImage, "OUT="+t.TempDir())
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scripts/compose-build.sh: %v\n%s", err, out)
	}
	_, port, err := net.SplitHostPort(interop.FreeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	clockID := fmt.Sprintf("lambda-clock-%d", time.Now().UnixNano()%1e6)
	project := fmt.Sprintf("pelicanlambda%d", time.Now().UnixNano()%1e6)
	compose := func(args ...string) (string, error) {
		cmdline := interop.Compose(t)
		cmd := exec.Command(cmdline[0], append(append(cmdline[1:], "-p", project, "-f", filepath.Join(root, "docker-compose.yml"), "--profile", "lambda"), args...)...)
		cmd.Env = append(os.Environ(), "PELICAN_IMAGE="+emulatorImage, "PELICAN_LAMBDA_IMAGE="+lambdaImage, "PELICAN_PORT="+port,
			"CLOCK_ID="+clockID, "CLOCK_SCHEDULE=rate(1 minute)", "NOTIFIER_RECIPIENT=#lambda-room")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := compose("logs", "--no-color", "--tail=100")
			t.Logf("compose logs:\n%s", out)
		}
		if out, err := compose("down", "-v", "-t", "10"); err != nil {
			t.Errorf("compose down: %v\n%s", err, out)
		}
	})
	if out, err := compose("up", "-d", "emulator", "cuckooclock-lambda", "notifier-lambda"); err != nil {
		t.Fatalf("compose up: %v\n%s", err, out)
	}

	kc := kinesis.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  pelicantest.HTTPClient(),
	}, func(o *kinesis.Options) { o.BaseEndpoint = aws.String("http://127.0.0.1:" + port) })
	deadline := time.Now().Add(3 * time.Minute)
	for {
		tickIDs, sent := map[string]bool{}, map[string]bool{}
		for _, r := range readAllQuiet(kc, "pelican-events") {
			env, err := pelican.UnmarshalEnvelope(r)
			if err != nil {
				continue
			}
			switch env.GetEventType() {
			case "example.clock.v1.TimeTicked":
				var tick clockv1.TimeTicked
				if pelican.Unwrap(env, &tick) == nil && tick.GetClockId() == clockID {
					tickIDs[env.GetEventId()] = true
				}
			case "example.notification.v1.NotificationSent":
				var s notificationv1.NotificationSent
				if pelican.Unwrap(env, &s) == nil {
					sent[strings.TrimPrefix(s.GetNotificationId(), "cuckoo-")] = true
				}
			}
		}
		for id := range tickIDs {
			if sent[id] {
				logs, _ := compose("logs", "--no-color", "notifier-lambda")
				if !strings.Contains(logs, `msg="esm: invoke"`) || !strings.Contains(logs, "#lambda-room") {
					t.Errorf("the notifier's log lacks its invocations:\n%s", logs)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no tick of %s came back as a notification in 3 minutes (%d ticks seen)", clockID, len(tickIDs))
		}
		time.Sleep(2 * time.Second)
	}
}

// readAllQuiet reads every record's data of stream from the start, or nothing while the emulator
// is not up yet.
func readAllQuiet(kc *kinesis.Client, stream string) [][]byte {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, sh := range shards.Shards {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: "TRIM_HORIZON"})
		if err != nil {
			return nil
		}
		iter := it.ShardIterator
		for iter != nil {
			res, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return nil
			}
			for _, r := range res.Records {
				out = append(out, r.Data)
			}
			if len(res.Records) == 0 {
				break
			}
			iter = res.NextShardIterator
		}
	}
	return out
}
