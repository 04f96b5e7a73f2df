package consumer_test

import (
	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/pelicantest"
)

// The emulator's manual clock, as pelicantest offers it, drives a worker's lease times too.
var _ consumer.Clock = (*pelicantest.Clock)(nil)
