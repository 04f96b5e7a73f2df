package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/lambda/schedule"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		after string
		want  []string // the next occasions, in order
	}{
		{"rate(1 minute)", "2026-03-01T10:00:30Z", []string{"2026-03-01T10:01:30Z", "2026-03-01T10:02:30Z"}},
		{"rate(5 minutes)", "2026-03-01T10:00:00Z", []string{"2026-03-01T10:05:00Z", "2026-03-01T10:10:00Z"}},
		{"rate(1 hour)", "2026-03-01T10:00:00Z", []string{"2026-03-01T11:00:00Z"}},
		{"rate(2 days)", "2026-03-01T10:00:00Z", []string{"2026-03-03T10:00:00Z"}},
		// Examples of EventBridge's documentation.
		{"cron(0 10 * * ? *)", "2026-03-01T10:00:00Z", []string{"2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"}},
		{"cron(15 12 * * ? *)", "2026-03-01T12:14:59Z", []string{"2026-03-01T12:15:00Z", "2026-03-02T12:15:00Z"}},
		{"cron(0 18 ? * MON-FRI *)", "2026-03-06T18:00:00Z", []string{"2026-03-09T18:00:00Z", "2026-03-10T18:00:00Z"}}, // Friday, then Monday
		{"cron(0 8 1 * ? *)", "2026-01-15T00:00:00Z", []string{"2026-02-01T08:00:00Z", "2026-03-01T08:00:00Z"}},
		{"cron(0/15 * * * ? *)", "2026-03-01T10:07:00Z", []string{"2026-03-01T10:15:00Z", "2026-03-01T10:30:00Z", "2026-03-01T10:45:00Z", "2026-03-01T11:00:00Z"}},
		{"cron(0/10 * ? * MON-FRI *)", "2026-03-06T23:55:00Z", []string{"2026-03-09T00:00:00Z", "2026-03-09T00:10:00Z"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", "2026-03-02T17:55:00Z", []string{"2026-03-03T08:00:00Z"}},
		{"cron(1/10 * * * ? *)", "2026-03-01T10:01:00Z", []string{"2026-03-01T10:11:00Z", "2026-03-01T10:21:00Z"}},
		{"cron(0 12 * * ? *)", "2026-03-01T11:00:00Z", []string{"2026-03-01T12:00:00Z"}},
		// Names, lists and case.
		{"cron(30 6 ? jan,Jul sun 2027)", "2026-03-01T00:00:00Z", []string{"2027-01-03T06:30:00Z", "2027-01-10T06:30:00Z"}},
		// L: last day of the month (leap February), and the last Friday.
		{"cron(0 0 L * ? *)", "2028-02-01T00:00:00Z", []string{"2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z", "2028-04-30T00:00:00Z"}},
		{"cron(0 0 ? * 6L *)", "2026-03-01T00:00:00Z", []string{"2026-03-27T00:00:00Z", "2026-04-24T00:00:00Z"}},
		{"cron(0 0 ? * L *)", "2026-03-01T00:00:00Z", []string{"2026-03-07T00:00:00Z"}}, // L alone: Saturday
		// W: 2026-08-01 is a Saturday, so 1W is Monday the 3rd; 2026-05-31 is a Sunday, so 31W is Friday the 29th.
		{"cron(0 9 1W * ? 2026)", "2026-07-31T00:00:00Z", []string{"2026-08-03T09:00:00Z", "2026-09-01T09:00:00Z"}},
		{"cron(0 9 31W * ? 2026)", "2026-05-01T00:00:00Z", []string{"2026-05-29T09:00:00Z", "2026-07-31T09:00:00Z"}},
		{"cron(0 9 15W * ? *)", "2026-03-01T00:00:00Z", []string{"2026-03-16T09:00:00Z"}}, // the 15th is a Sunday
		// #: the second Tuesday; the fifth Monday exists only in some months.
		{"cron(0 0 ? * 3#2 *)", "2026-03-01T00:00:00Z", []string{"2026-03-10T00:00:00Z", "2026-04-14T00:00:00Z"}},
		{"cron(0 0 ? * MON#5 *)", "2026-03-01T00:00:00Z", []string{"2026-03-30T00:00:00Z", "2026-06-29T00:00:00Z"}},
		// Ranges with steps; a year range that ends.
		{"cron(0 0-12/6 * * ? *)", "2026-03-01T00:00:00Z", []string{"2026-03-01T06:00:00Z", "2026-03-01T12:00:00Z", "2026-03-02T00:00:00Z"}},
		{"cron(0 0 1 1 ? 2198-2199)", "2199-01-01T00:00:00Z", []string{"0001-01-01T00:00:00Z"}},
		{"cron(0 0 31 2 ? *)", "2026-01-01T00:00:00Z", []string{"0001-01-01T00:00:00Z"}}, // never
	} {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := schedule.Parse(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tc.expr {
				t.Errorf("String() = %q", s.String())
			}
			prev := at(tc.after)
			for i, w := range tc.want {
				got := s.Next(prev)
				if !got.Equal(at(w)) {
					t.Fatalf("occasion %d after %s: got %s, want %s", i, prev, got, w)
				}
				prev = got
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"every 5 minutes", "not a schedule expression"},
		{"rate(5 minute)", "plural unit"},
		{"rate(1 minutes)", "singular unit"},
		{"rate(0 minutes)", "positive whole number"},
		{"rate(-5 minutes)", "positive whole number"},
		{"rate(5 seconds)", "minute(s), hour(s) or day(s)"},
		{"rate(5)", "want rate(VALUE UNIT)"},
		{"cron(0 12 * * ?)", "want 6 fields"},
		{"cron(0 12 * * * *)", "both set"},
		{"cron(0 12 ? * ? *)", "both ?"},
		{"cron(60 12 * * ? *)", "minutes value 60 is outside 0 to 59"},
		{"cron(0 24 * * ? *)", "hours value 24"},
		{"cron(0 12 0 * ? *)", "day-of-month value 0"},
		{"cron(0 12 * 13 ? *)", "month value 13"},
		{"cron(0 12 ? * 8 *)", "day-of-week value 8"},
		{"cron(0 12 * * ? 1969)", "year value 1969"},
		{"cron(0 12 * * ? 2200)", "year value 2200"},
		{"cron(0 12 ? * MON/2 *)", "/ is not allowed in the day-of-week field"},
		{"cron(0 12 L-3 * ? *)", "only L alone"},
		{"cron(0 12 LW * ? *)", "only L alone"},
		{"cron(0 12 1,15W * ? *)", "W follows one day"},
		{"cron(0 12 ? * 3#1,6#3 *)", "not a list or range"},
		{"cron(0 12 ? * X#1 *)", "# follows one day"},
		{"cron(0 12 ? * 3#6 *)", "1 to 5"},
		{"cron(0 22-2 * * ? *)", "runs backwards"},
		{"cron(*/0 12 * * ? *)", "positive whole number"},
		{"cron(0 12 * FOO ? *)", "not a number"},
		{"cron(0,,5 12 * * ? *)", "not a number"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := schedule.Parse(tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
