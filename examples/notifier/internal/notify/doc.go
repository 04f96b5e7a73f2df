// Package notify is the notifier example's service logic, shared by its long-running consumer
// (examples/notifier) and its Lambda function (examples/notifier/lambda): a Notifier answers
// TimeTicked and NotificationRequested events by sending through an Outbox, the stand-in for a
// mail or chat provider, and publishing NotificationSent or NotificationFailed.
package notify
