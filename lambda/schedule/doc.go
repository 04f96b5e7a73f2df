// Package schedule fires a function on an EventBridge schedule: it parses the schedule
// expressions EventBridge rules take, rate(...) and cron(...), works out when each is due (in
// UTC, as EventBridge does), and on each occasion calls back with the event EventBridge sends a
// Lambda function, aws-lambda-go's events.CloudWatchEvent with detail-type "Scheduled Event".
//
// Cron expressions have EventBridge's six fields (minutes, hours, day-of-month, month,
// day-of-week, year) with its wildcards: , - * / everywhere they are documented, ? in one of the
// two day fields, L (last day of the month, or last given weekday of the month as 6L), W (the
// weekday nearest a day, as 15W) and # (the nth given weekday of the month, as 2#1). Day-of-week
// counts from 1 for Sunday. What EventBridge does not document (L-3, LW, ranges that wrap, steps
// in day-of-week, both day fields set) is refused with an error saying so.
//
// Time comes from a Clock, so a test moves a manual clock instead of waiting for minutes.
package schedule
