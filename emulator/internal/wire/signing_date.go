package wire

import (
	"net/http"
	"time"
)

// parseSigningDate reads the time a request was signed at. X-Amz-Date is ISO 8601 basic format
// (20261207T115208Z). Without it SigV4 takes the Date header, which clients send in the same basic
// format (sendgridlabs/go-kinesis does) or as an HTTP date (RFC 1123 and its relatives); both are
// read.
func parseSigningDate(value string, fromAmzDate bool) (time.Time, error) {
	t, err := time.Parse(amzDateFormat, value)
	if err == nil || fromAmzDate {
		return t, err
	}
	return http.ParseTime(value)
}
