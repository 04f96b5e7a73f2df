package wire

import (
	"testing"
	"time"
)

func TestParseSigningDate(t *testing.T) {
	want := time.Date(2026, 12, 7, 11, 52, 8, 0, time.UTC)
	for _, tc := range []struct {
		value   string
		amzDate bool
		ok      bool
	}{
		{"20261207T115208Z", true, true},
		{"20261207T115208Z", false, true},              // Date in basic format, as go-kinesis sends it
		{"Mon, 07 Dec 2026 11:52:08 GMT", false, true}, // RFC 1123
		{"Monday, 07-Dec-26 11:52:08 GMT", false, true},
		{"Mon, 07 Dec 2026 11:52:08 GMT", true, false}, // X-Amz-Date is basic format only
		{"2026-12-07T11:52:08Z", false, false},
		{"", false, false},
	} {
		got, err := parseSigningDate(tc.value, tc.amzDate)
		if (err == nil) != tc.ok {
			t.Errorf("%q (X-Amz-Date %v): error %v, want ok %v", tc.value, tc.amzDate, err, tc.ok)
			continue
		}
		if tc.ok && !got.Equal(want) {
			t.Errorf("%q: %v, want %v", tc.value, got, want)
		}
	}
}
