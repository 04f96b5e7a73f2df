// Package notificationv1 holds the generated Go code of the notification service's events: a
// NotificationRequested asks for an e-mail or chat message, and NotificationSent or
// NotificationFailed reports the outcome. It is an example of a team's own event contract, used by
// Pelican's tests and documentation. Generated from notification.proto by `make proto`.
package notificationv1
