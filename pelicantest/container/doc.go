// Package container is a testcontainers-go module for the Pelican emulator image: Run starts the
// FROM scratch image built by `make image`, options create streams and turn on persistence or
// throughput limits, and KinesisEndpoint and Client give a ready aws-sdk-go-v2 client.
//
// Set TESTCONTAINERS_RYUK_DISABLED=true where the reaper image cannot be pulled, and
// TESTCONTAINERS_HOST_OVERRIDE=localhost where the Docker bridge is not reachable.
package container
