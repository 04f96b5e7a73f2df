package runtimeapi_test

import (
	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/lambda/runtimeapi"
)

// A Server, and a Pool of them, is what the event source mapping invokes.
var (
	_ esm.Function = (*runtimeapi.Server)(nil)
	_ esm.Function = (*runtimeapi.Pool)(nil)
)
