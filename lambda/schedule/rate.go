package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is a rate(...) schedule: due every Every, counted from the time it is measured from.
type Rate struct {
	expr string
	// Every is the period.
	Every time.Duration
}

// Next returns after plus one period: a rate schedule is due one period after it starts, and
// one period after each time it was due.
func (r Rate) Next(after time.Time) time.Time { return after.Add(r.Every).UTC() }

// String returns the expression.
func (r Rate) String() string { return r.expr }

// parseRate reads "VALUE UNIT": a positive whole number and minute(s), hour(s) or day(s), the
// unit singular for 1 and plural otherwise, as EventBridge requires.
func parseRate(expr, body string) (Rate, error) {
	f := strings.Fields(body)
	if len(f) != 2 {
		return Rate{}, fmt.Errorf("schedule: %s: want rate(VALUE UNIT), such as rate(5 minutes)", expr)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 || f[0][0] == '+' {
		return Rate{}, fmt.Errorf("schedule: %s: the value %q is not a positive whole number", expr, f[0])
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit, plural := f[1], strings.HasSuffix(f[1], "s")
	d, ok := units[strings.TrimSuffix(unit, "s")]
	if !ok {
		return Rate{}, fmt.Errorf("schedule: %s: the unit %q is not minute(s), hour(s) or day(s)", expr, unit)
	}
	if n == 1 && plural {
		return Rate{}, fmt.Errorf("schedule: %s: a value of 1 takes a singular unit (rate(1 %s))", expr, strings.TrimSuffix(unit, "s"))
	}
	if n > 1 && !plural {
		return Rate{}, fmt.Errorf("schedule: %s: a value above 1 takes a plural unit (rate(%d %ss))", expr, n, unit)
	}
	if time.Duration(n) > (1<<62)/d {
		return Rate{}, fmt.Errorf("schedule: %s: the period is too long", expr)
	}
	return Rate{expr: expr, Every: time.Duration(n) * d}, nil
}
