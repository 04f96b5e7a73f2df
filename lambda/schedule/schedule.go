package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Schedule says when a schedule expression is next due.
type Schedule interface {
	// Next returns the first time the schedule is due strictly after after, in UTC; the zero time
	// when it never is again (a cron expression's years have passed).
	Next(after time.Time) time.Time
	// String returns the expression as parsed.
	String() string
}

// Parse reads an EventBridge schedule expression: rate(VALUE UNIT) or cron(FIELDS).
func Parse(expr string) (Schedule, error) {
	e := strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(e, "rate(") && strings.HasSuffix(e, ")"):
		return parseRate(e, e[len("rate("):len(e)-1])
	case strings.HasPrefix(e, "cron(") && strings.HasSuffix(e, ")"):
		return parseCron(e, e[len("cron("):len(e)-1])
	}
	return nil, fmt.Errorf("schedule: %q is not a schedule expression: want rate(VALUE UNIT) or cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR)", expr)
}
