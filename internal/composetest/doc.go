// Package composetest holds the interop tests of the docker-compose dev environment. The first
// builds the images from this checkout, brings docker-compose.yml up under a project name of its
// own, checks from the host that a tick of the cuckooclock example becomes a notification of the
// notifier example, recreates the stack to check that the volumes keep the stream and the
// notifier's state, and tears it all down. The second runs the lambda profile: the same examples
// as Lambda functions under `pelican lambda run`, a scheduled tick answered by the
// Kinesis-triggered notifier. Run them with `go test -tags interop -run Interop
// ./internal/composetest`.
package composetest
