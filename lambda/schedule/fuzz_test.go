package schedule

import (
	"testing"
	"time"
)

// matches says whether a whole minute is one the expression names, straight from the fields.
func (c *Cron) matches(t time.Time) bool {
	return c.years.has(t.Year()-firstYear) && c.months.has(int(t.Month())) && c.dayMatches(t) &&
		c.hours.has(t.Hour()) && c.minutes.has(t.Minute())
}

// FuzzParse holds Next to a minute-by-minute scan: whatever Parse accepts, Next is later than
// its argument, on a whole minute the fields name, and no minute between them is named.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rate(5 minutes)", "rate(1 day)", "cron(0 12 * * ? *)", "cron(0/15 * * * ? *)", "cron(0 0 L * ? *)",
		"cron(0 9 1W * ? *)", "cron(0 0 ? * 6L *)", "cron(0 0 ? * 2#1 *)", "cron(5,10-20/5 1-3 ? JAN-MAR MON-FRI 2026-2030)",
	} {
		f.Add(s, int64(1772000000))
	}
	f.Fuzz(func(t *testing.T, expr string, unix int64) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		after := time.Unix(unix%(8e9), 0).UTC()
		next := s.Next(after)
		c, ok := s.(*Cron)
		if !ok {
			if !next.After(after) {
				t.Fatalf("%s: Next(%s) = %s", expr, after, next)
			}
			return
		}
		if next.IsZero() {
			return
		}
		if !next.After(after) || next.Second() != 0 || next.Nanosecond() != 0 || !c.matches(next) {
			t.Fatalf("%s: Next(%s) = %s, which is not a later minute the expression names", expr, after, next)
		}
		for m := after.Truncate(time.Minute).Add(time.Minute); m.Before(next) && m.Sub(after) < 3*24*time.Hour; m = m.Add(time.Minute) {
			if c.matches(m) {
				t.Fatalf("%s: Next(%s) = %s skips %s", expr, after, next, m)
			}
		}
	})
}
