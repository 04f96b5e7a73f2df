// Cuckooclock is the clock service of Pelican's example pair: a cuckoo clock that strikes every
// few seconds instead of every hour, and publishes each strike as an example.clock.v1.TimeTicked
// event on a Kinesis stream, through package producer and a pelican.Publisher. The notifier
// example turns each tick into a notification.
//
// Usage:
//
//	cuckooclock [-endpoint URL] [-stream NAME] [-region REGION] [-interval 5s] [-clock-id ID] [-time-zone ZONE]
//
// Every flag has an environment variable as its default: PELICAN_ENDPOINT, PELICAN_STREAM,
// AWS_REGION, CLOCK_INTERVAL, CLOCK_ID, CLOCK_TIME_ZONE, and PELICAN_LOG_LEVEL for -log-level.
// Without an endpoint it publishes to Amazon Kinesis with the default AWS credentials. The
// docker-compose.yml at the root of the repository runs it against the emulator.
package main
