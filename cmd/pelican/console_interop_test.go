//go:build interop

package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// screenshotDir is where the browser test leaves its screenshots: $PELICAN_ARTIFACTS, or a
// folder under the temporary directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("PELICAN_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "pelican-console-screenshots")
	}
	dir = filepath.Join(dir, "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestInteropConsoleInChromium drives Debian's Chromium, headless, through the console that
// pelican emulator serves on its port: create a stream, publish a typed event through the form,
// see it decoded in the records view and in the live tail, split a shard, throttle one.
func TestInteropConsoleInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("interop: Chromium is missing at %s (Debian package chromium): run 'make setup-interop'", chromiumPath)
	}
	// The emulator as pelican emulator runs it, console mounted, with the test's schemas.
	fs := newFlagSet("emulator", "emulator", io.Discard)
	ec := emulatorConsoleFlags(fs)
	if _, err := fs.parse([]string{"--proto", "../../console/testdata/proto"}); err != nil {
		t.Fatal(err)
	}
	srv := emulator.RunT(t, ec.options(slog.New(slog.DiscardHandler), io.Discard, "127.0.0.1:0")...)
	base := srv.URL() + "/_pelican/console/"
	client := kinesis.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
		HTTPClient: pelicantest.HTTPClient()}, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.URL()) })

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoFirstRun, chromedp.DisableGPU,
		chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	shots := screenshotDir(t)
	shot := func(name string) {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\n%.3000s", what, err, html)
		}
	}
	// submit clicks a button that submits a form and waits for the next page to load.
	submit := func(what string, sel string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	check := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\n%.3000s", what, err, html)
		}
	}

	// Create a stream of two shards through the form.
	do("open the console", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS("#create-stream")))
	do("fill the create form", chromedp.SetValue(chromedp.CSS(`#create-stream input[name=name]`), "orders"),
		chromedp.SetValue(chromedp.CSS(`#create-stream input[name=shards]`), "2"))
	submit("create the stream", `#create-stream button`)
	check("the stream page shows two open shards", `document.querySelectorAll('#lineage g.shard.open').length === 2`)
	do("back to the list", chromedp.Navigate(base))
	shot("streams")

	// Publish a typed event (a type known only from --proto) through the form.
	do("open the publish form", chromedp.Navigate(base+"streams/orders/publish"), chromedp.WaitVisible(chromedp.CSS("#publish-event")),
		chromedp.SetValue(chromedp.CSS("#type"), "shop.v1.OrderPlaced"),
		chromedp.SetValue(chromedp.CSS("#key"), "customer-7"),
		chromedp.SetValue(chromedp.CSS("#json"), `{"order_id": "o-browser", "amount_cents": "1250", "items": ["kettle"]}`))
	shot("publish")
	submit("publish", "#publish")
	check("the records view shows the event decoded",
		`[...document.querySelectorAll('#records .etype')].some(e => e.textContent === 'shop.v1.OrderPlaced') &&
		 document.querySelector('#records pre.event').textContent.includes('"order_id": "o-browser"')`)
	shot("records")

	// The live tail shows a new event within a second.
	do("open the live tail", chromedp.Navigate(base+"streams/orders/tail"))
	// Ready: the server took its iterators at LATEST, so a record written now shows.
	check("the tail is live", `document.getElementById('tail-status').textContent === 'live' &&
		 document.getElementById('tail-status').title === 'following 2 shards'`)
	data, err := pelican.MarshalEnvelope(&pelican.Envelope{Version: 1, EventId: pelican.NewEventID(), EventType: "shop.v1.OrderPlaced",
		OccurredAt: timestamppb.Now(), Payload: []byte{0x0a, 6, 'o', '-', 't', 'a', 'i', 'l'}})
	if err != nil {
		t.Fatal(err)
	}
	put := time.Now()
	if _, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("tail"), Data: data}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('tail-body').textContent.includes('"order_id": "o-tail"')`,
		chromedp.WithPollingTimeout(time.Second), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("the live tail did not show the event within a second: %v", err)
	}
	t.Logf("live tail: the event showed %v after PutRecord", time.Since(put).Round(time.Millisecond))
	shot("tail")

	// Split shard 0: the lineage shows it closed, with two children.
	do("open the stream", chromedp.Navigate(base+"streams/orders"), chromedp.WaitVisible(chromedp.CSS("#lineage")))
	submit("split shard 0", `button.split[data-shard="shardId-000000000000"]`)
	check("the lineage shows the split",
		`document.querySelector('#lineage g.shard.closed[data-shard="shardId-000000000000"]') !== null &&
		 document.querySelectorAll('#lineage g.shard.open').length === 3 &&
		 document.querySelectorAll('#lineage line.edge').length === 2`)

	// Throttle shard 1: writes to it fail, and the page marks it.
	submit("throttle shard 1", `button.throttle[data-shard="shardId-000000000001"]`)
	check("the throttled shard is marked",
		`document.getElementById('throttled-alert') !== null &&
		 document.querySelector('#lineage g.shard.throttled[data-shard="shardId-000000000001"]') !== null &&
		 document.querySelector('tr.throttled#shardId-000000000001') !== null`)
	_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("x"),
		ExplicitHashKey: aws.String("340282366920938463463374607431768211455"), Data: []byte("x")})
	if err == nil {
		t.Fatal("a write to the throttled shard succeeded")
	}
	// Some traffic on shard 2 for the sparklines of the stream page's screenshot (the README's).
	for range 6 {
		in := &kinesis.PutRecordsInput{StreamName: aws.String("orders")}
		for range 100 {
			in.Records = append(in.Records, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("1"), Data: data})
		}
		if _, err := client.PutRecords(ctx, in); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	do("reload the stream", chromedp.Navigate(base+"streams/orders"), chromedp.WaitVisible(chromedp.CSS("#lineage")))
	shot("stream")
	do("open the faults page", chromedp.Navigate(base+"faults"), chromedp.WaitVisible(chromedp.CSS("#throttles")))
	shot("faults")
	t.Logf("screenshots in %s", shots)
}
