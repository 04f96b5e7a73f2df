package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // the service runs in an empty image, which has no zoneinfo

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/examples/cuckooclock/internal/clock"
	"github.com/pelicanhq/pelican/examples/internal/kinesisenv"
	"github.com/pelicanhq/pelican/examples/internal/service"
	"github.com/pelicanhq/pelican/producer"
)

// producerName is the producer every envelope names.
const producerName = "cuckooclock"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "cuckooclock:", err)
		os.Exit(1)
	}
}

// run parses args, publishes a tick every interval until ctx ends, and then sends what is left.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("cuckooclock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	settings := kinesisenv.Bind(fs)
	interval := fs.Duration("interval", 5*time.Second, "time between ticks (env CLOCK_INTERVAL)")
	id := fs.String("clock-id", "black-forest", "the clock's id, the events' partition key (env CLOCK_ID)")
	zone := fs.String("time-zone", "Europe/Berlin", "IANA time zone of the clock's face (env CLOCK_TIME_ZONE)")
	level := fs.String("log-level", "info", "debug, info, warn or error (env PELICAN_LOG_LEVEL)")
	if err := service.FlagsFromEnv(fs, map[string]string{
		"interval": "CLOCK_INTERVAL", "clock-id": "CLOCK_ID", "time-zone": "CLOCK_TIME_ZONE", "log-level": "PELICAN_LOG_LEVEL",
	}); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *interval <= 0 {
		return fmt.Errorf("-interval must be positive, got %s", *interval)
	}
	if *id == "" {
		return errors.New("-clock-id must not be empty")
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return fmt.Errorf("-time-zone: %w", err)
	}
	log, err := service.Logger(stderr, *level)
	if err != nil {
		return err
	}

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
	log.Info("clock started", "clock_id", *id, "interval", *interval, "time_zone", loc.String(), "stream", settings.Stream)
	runErr := clock.New(*id, pub, clock.WithLocation(loc), clock.WithInterval(*interval), clock.WithLogger(log)).Run(ctx)

	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := prod.Close(closeCtx); err != nil {
		return errors.Join(runErr, fmt.Errorf("producer: %w", err))
	}
	log.Info("clock stopped", "clock_id", *id)
	return runErr
}
