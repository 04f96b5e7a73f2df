package runtimeapi_test

import (
	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/lambda/runtimeapi"
)

// A Server is what the event source mapping invokes.
var _ esm.Function = (*runtimeapi.Server)(nil)
