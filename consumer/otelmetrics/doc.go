// Package otelmetrics reports a consumer's measurements (package consumer's Metrics) as
// OpenTelemetry instruments, under the names pelican.consumer.*. Shard ids go in the attribute
// messaging.destination.partition.id and error kinds in error.type, following the OpenTelemetry
// semantic conventions for messaging; lease changes carry pelican.lease.change.
package otelmetrics
