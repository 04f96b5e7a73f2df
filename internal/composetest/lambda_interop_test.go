//go:build interop

package composetest

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/internal/interop"
)

// lambdaImage is the tag the test builds the example Lambda functions under.
const lambdaImage = "pelican-lambda:interop"

// TestInteropComposeLambdaProfile runs docker-compose.yml's lambda profile: the cuckoo clock and
// the notifier as Lambda functions under `pelican lambda run`, in their FROM scratch image, against
// the emulator's container. The scheduled function's tick (rate(1 minute), EventBridge's shortest)
// must come back from the Kinesis-triggered one as a NotificationSent.
func TestInteropComposeLambdaProfile(t *testing.T) {
	root := interop.RepoRoot(t)
	emulatorImage := interop.Image(t)
	buildImages(t, root, "PELICAN_LAMBDA_IMAGE="+lambdaImage)
	_, port, err := net.SplitHostPort(interop.FreeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	clockID := "lambda-clock-" + randomHex(4)
	c := &compose{
		cmd:      interop.Compose(t),
		file:     filepath.Join(root, "docker-compose.yml"),
		project:  "pelicanlambda" + randomHex(4),
		profiles: []string{"lambda"},
		env: []string{
			"PELICAN_IMAGE=" + emulatorImage,
			"PELICAN_LAMBDA_IMAGE=" + lambdaImage,
			"PELICAN_PORT=" + port,
			"CLOCK_ID=" + clockID,
			"CLOCK_SCHEDULE=rate(1 minute)",
			"NOTIFIER_RECIPIENT=#lambda-room",
		},
	}
	c.downAtEnd(t)
	c.run(t, "up", "-d", "emulator", "cuckooclock-lambda", "notifier-lambda")

	n := waitNotification(t, client(port), clockID, time.Time{}, 3*time.Minute)
	if n.tickProducer != "cuckooclock" || n.sentProducer != "notifier" {
		t.Fatalf("tick published by %q and notification by %q", n.tickProducer, n.sentProducer)
	}
	logs := c.outputT(t, "logs", "--no-color", "notifier-lambda")
	if !strings.Contains(logs, `msg="esm: invoke"`) || !strings.Contains(logs, "#lambda-room") {
		t.Errorf("the notifier's log lacks its invocations:\n%s", logs)
	}
}
