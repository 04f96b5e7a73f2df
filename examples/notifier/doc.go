// Notifier is the notification service of Pelican's example pair. It subscribes to a Kinesis
// stream with package consumer and a pelican.Subscriber, and answers two event types:
//
//   - example.clock.v1.TimeTicked, from the cuckooclock example: it sends a chat notification
//     ("Cuckoo!") for every tick, with the id "cuckoo-" and the tick's event id;
//   - example.notification.v1.NotificationRequested, from any service: it sends what is asked.
//
// Sending is a stand-in for a mail or chat provider: the notifier logs the notification and
// appends it as one JSON line to outbox.jsonl in its data directory, and then publishes
// example.notification.v1.NotificationSent on the same stream (or NotificationFailed for a
// request it cannot send). Events are delivered at least once, so sending is keyed by the
// notification id, as a provider's idempotency key: an event delivered again is not sent twice,
// and its NotificationSent is published again with the same event id, so readers can drop the
// duplicate.
//
// With a data directory, the consumer's leases and checkpoints are kept there too (leases.json),
// so a restarted notifier resumes after the last event it handled. That suits one process; run
// several and they need a shared lease store such as a DynamoDB table (consumer/lease).
//
// Usage:
//
//	notifier [-endpoint URL] [-stream NAME] [-region REGION] [-recipient HANDLE] [-data-dir DIR]
//
// Every flag has an environment variable as its default: PELICAN_ENDPOINT, PELICAN_STREAM,
// AWS_REGION, NOTIFIER_RECIPIENT, NOTIFIER_DATA_DIR, and PELICAN_LOG_LEVEL for -log-level. Without
// an endpoint it reads Amazon Kinesis with the default AWS credentials. The docker-compose.yml at
// the root of the repository runs it against the emulator.
package main
