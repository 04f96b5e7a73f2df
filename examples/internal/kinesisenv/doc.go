// Package kinesisenv gives the example services their Kinesis client from flags and the
// environment: an emulator's endpoint when PELICAN_ENDPOINT (or -endpoint) names one, and
// otherwise Amazon Kinesis through the AWS SDK's default configuration chain. It also waits for
// the stream to take records, so a service started beside its emulator does not race it.
package kinesisenv
