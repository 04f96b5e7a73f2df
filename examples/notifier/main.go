package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/examples/internal/filelease"
	"github.com/pelicanhq/pelican/examples/internal/kinesisenv"
	"github.com/pelicanhq/pelican/examples/internal/service"
	"github.com/pelicanhq/pelican/examples/notifier/internal/notify"
	"github.com/pelicanhq/pelican/producer"
)

// producerName is the producer every envelope the notifier publishes names.
const producerName = "notifier"

// Files in the data directory.
const (
	outboxFile = "outbox.jsonl"
	leasesFile = "leases.json"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "notifier:", err)
		os.Exit(1)
	}
}

// run parses args and handles the stream's events until ctx ends, then finishes the events in
// flight, checkpoints them and sends what is left to publish.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("notifier", flag.ContinueOnError)
	fs.SetOutput(stderr)
	settings := kinesisenv.Bind(fs)
	recipient := fs.String("recipient", "#cuckoo-clock", "chat handle that tick notifications go to (env NOTIFIER_RECIPIENT)")
	dataDir := fs.String("data-dir", "", "keep the outbox and the checkpoints in this directory; empty keeps them in memory (env NOTIFIER_DATA_DIR)")
	level := fs.String("log-level", "info", "debug, info, warn or error (env PELICAN_LOG_LEVEL)")
	if err := service.FlagsFromEnv(fs, map[string]string{
		"recipient": "NOTIFIER_RECIPIENT", "data-dir": "NOTIFIER_DATA_DIR", "log-level": "PELICAN_LOG_LEVEL",
	}); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *recipient == "" {
		return errors.New("-recipient must not be empty")
	}
	log, err := service.Logger(stderr, *level)
	if err != nil {
		return err
	}

	var store lease.Store = lease.NewMemory()
	outboxPath := ""
	if *dataDir != "" {
		if err := os.MkdirAll(*dataDir, 0o755); err != nil {
			return err
		}
		fl, err := filelease.Open(filepath.Join(*dataDir, leasesFile))
		if err != nil {
			return err
		}
		store = fl
		outboxPath = filepath.Join(*dataDir, outboxFile)
	}
	ob, err := notify.OpenOutbox(outboxPath)
	if err != nil {
		return err
	}
	defer ob.Close()

	client, err := settings.Client(ctx)
	if err != nil {
		return err
	}
	log.Info("waiting for the stream", "stream", settings.Stream, "endpoint", settings.Endpoint)
	if err := kinesisenv.WaitForStream(ctx, client, settings.Stream, 2*time.Minute); err != nil {
		return err
	}
	prod, err := producer.New(ctx, client, settings.Stream, producer.WithLogger(log))
	if err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	pub := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName(producerName))
	sub := pelican.NewSubscriber(pelican.WithLogger(log))
	notify.New(pub, ob, notify.WithRecipient(*recipient), notify.WithLogger(log)).Register(sub)
	c, err := consumer.New(client, settings.Stream, sub, consumer.WithLeaseStore(store), consumer.WithLogger(log))
	if err != nil {
		return err
	}
	log.Info("notifier started", "stream", settings.Stream, "recipient", *recipient, "data_dir", *dataDir,
		"sent_before", ob.Count(), "handles", sub.EventTypes())
	runErr := c.Run(ctx)

	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := prod.Close(closeCtx); err != nil {
		return errors.Join(runErr, fmt.Errorf("producer: %w", err))
	}
	log.Info("notifier stopped", "sent", ob.Count())
	return runErr
}
