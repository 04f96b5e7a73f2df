// Package otelmetrics reports a producer's measurements (package producer's Metrics) as
// OpenTelemetry instruments, under the names pelican.producer.*. Shard ids go in the attribute
// messaging.destination.partition.id and error codes in error.type, following the OpenTelemetry
// semantic conventions for messaging.
package otelmetrics
