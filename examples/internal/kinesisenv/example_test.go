package kinesisenv_test

import (
	"context"
	"flag"
	"log"
	"os"
	"time"

	"github.com/pelicanhq/pelican/examples/internal/kinesisenv"
)

// A service's start: flags with the environment as defaults, a client, and a wait for the stream.
func ExampleSettings_Client() {
	fs := flag.NewFlagSet("service", flag.ExitOnError)
	settings := kinesisenv.Bind(fs) // -endpoint, -stream, -region
	_ = fs.Parse(os.Args[1:])

	ctx := context.Background()
	client, err := settings.Client(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := kinesisenv.WaitForStream(ctx, client, settings.Stream, time.Minute); err != nil {
		log.Fatal(err)
	}
}
