package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Years EventBridge's cron year field takes.
const (
	firstYear = 1970
	lastYear  = 2199
)

// Cron is a cron(...) schedule, evaluated in UTC.
type Cron struct {
	expr    string
	minutes bits
	hours   bits
	months  bits
	years   bits // bit i is year firstYear+i

	// Day of month, when the day-of-week field is ?.
	domAny     bool // ? in day-of-month: the day-of-week field decides
	dom        bits
	domLast    bool // L: the month's last day
	domWeekday int  // nW: the weekday nearest day n; 0 when not used

	// Day of week (1 is Sunday), when the day-of-month field is ?.
	dow     bits
	dowLast int // nL: the month's last weekday n; 0 when not used
	dowNth  int // n#k: the kth weekday n of the month; 0 when not used
	dowK    int
}

// bits is a set of small numbers.
type bits [4]uint64

func (b *bits) set(i int)     { b[i/64] |= 1 << (i % 64) }
func (b bits) has(i int) bool { return i >= 0 && i < 256 && b[i/64]&(1<<(i%64)) != 0 }

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

// field describes one of the six fields for the general parser.
type field struct {
	name   string
	lo, hi int
	names  map[string]int
	step   bool // whether / is allowed
}

var (
	minuteField = field{"minutes", 0, 59, nil, true}
	hourField   = field{"hours", 0, 23, nil, true}
	domField    = field{"day-of-month", 1, 31, nil, true}
	monthField  = field{"month", 1, 12, monthNames, true}
	dowField    = field{"day-of-week", 1, 7, dayNames, false}
	yearField   = field{"year", firstYear, lastYear, nil, true}
)

// parseCron reads the six fields.
func parseCron(expr, body string) (*Cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("schedule: %s: want 6 fields (minutes hours day-of-month month day-of-week year), got %d", expr, len(f))
	}
	c := &Cron{expr: expr}
	var err error
	fail := func(err error) (*Cron, error) { return nil, fmt.Errorf("schedule: %s: %w", expr, err) }
	if c.minutes, err = minuteField.parse(f[0], 0); err != nil {
		return fail(err)
	}
	if c.hours, err = hourField.parse(f[1], 0); err != nil {
		return fail(err)
	}
	if c.months, err = monthField.parse(f[3], 0); err != nil {
		return fail(err)
	}
	if c.years, err = yearField.parse(f[5], firstYear); err != nil {
		return fail(err)
	}
	dom, dow := strings.ToUpper(f[2]), strings.ToUpper(f[4])
	switch {
	case dom == "?" && dow == "?":
		return fail(fmt.Errorf("day-of-month and day-of-week are both ?; one of them must say which days"))
	case dom != "?" && dow != "?":
		return fail(fmt.Errorf("day-of-month %q and day-of-week %q are both set; EventBridge takes one of them and ? in the other", f[2], f[4]))
	case dom == "?":
		c.domAny = true
		if err := c.parseDayOfWeek(dow); err != nil {
			return fail(err)
		}
	default:
		if err := c.parseDayOfMonth(dom); err != nil {
			return fail(err)
		}
	}
	return c, nil
}

func (c *Cron) parseDayOfMonth(s string) error {
	switch {
	case s == "L":
		c.domLast = true
		return nil
	case strings.HasPrefix(s, "L"):
		return fmt.Errorf("day-of-month %q: only L alone is supported (EventBridge documents no offset from the last day)", s)
	case strings.HasSuffix(s, "W"):
		n, err := number(strings.TrimSuffix(s, "W"), domField)
		if err != nil {
			return fmt.Errorf("day-of-month %q: W follows one day of the month, as 15W: %w", s, err)
		}
		c.domWeekday = n
		return nil
	case strings.ContainsAny(s, "LW"):
		return fmt.Errorf("day-of-month %q: L and W stand alone (L, or a day and W as 15W), not in lists or ranges", s)
	}
	var err error
	c.dom, err = domField.parse(s, 0)
	return err
}

func (c *Cron) parseDayOfWeek(s string) error {
	switch {
	case s == "L":
		c.dow.set(7) // the last day of the week: Saturday
		return nil
	case strings.Contains(s, "#"):
		if strings.ContainsAny(s, ",-/") {
			return fmt.Errorf("day-of-week %q: # takes one day and one week of the month (2#1), not a list or range", s)
		}
		day, k, _ := strings.Cut(s, "#")
		n, err := number(day, dowField)
		if err != nil {
			return fmt.Errorf("day-of-week %q: # follows one day of the week, as 2#1: %w", s, err)
		}
		kk, err := strconv.Atoi(k)
		if err != nil || kk < 1 || kk > 5 {
			return fmt.Errorf("day-of-week %q: the week of the month after # must be 1 to 5", s)
		}
		c.dowNth, c.dowK = n, kk
		return nil
	case strings.HasSuffix(s, "L"):
		n, err := number(strings.TrimSuffix(s, "L"), dowField)
		if err != nil {
			return fmt.Errorf("day-of-week %q: L follows one day of the week, as 6L: %w", s, err)
		}
		c.dowLast = n
		return nil
	case strings.Contains(s, "L"):
		return fmt.Errorf("day-of-week %q: L stands alone or after one day (6L), not in lists or ranges", s)
	}
	var err error
	c.dow, err = dowField.parse(s, 0)
	return err
}

// parse reads a general field: a comma list of *, N, A-B, each optionally /STEP. Bits are the
// values less offset.
func (f field) parse(s string, offset int) (bits, error) {
	var b bits
	if s == "" {
		return b, fmt.Errorf("%s is empty", f.name)
	}
	for _, part := range strings.Split(strings.ToUpper(s), ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		lo, hi := f.lo, f.hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, z, _ := strings.Cut(rng, "-")
			var err error
			if lo, err = number(a, f); err != nil {
				return b, err
			}
			if hi, err = number(z, f); err != nil {
				return b, err
			}
			if lo > hi {
				return b, fmt.Errorf("%s range %q runs backwards; ranges that wrap are not supported", f.name, rng)
			}
		default:
			n, err := number(rng, f)
			if err != nil {
				return b, err
			}
			lo = n
			if !hasStep {
				hi = n
			}
		}
		step := 1
		if hasStep {
			if !f.step {
				return b, fmt.Errorf("%s %q: / is not allowed in the %s field", f.name, part, f.name)
			}
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 || stepText[0] == '+' {
				return b, fmt.Errorf("%s %q: the step after / must be a positive whole number", f.name, part)
			}
			step = n
		}
		for v := lo; v <= hi; v += step {
			b.set(v - offset)
		}
	}
	return b, nil
}

// number reads one value of a field: digits, or a name where the field has names.
func number(s string, f field) (int, error) {
	if n, ok := f.names[s]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || s == "" || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("%s value %q is not a number from %d to %d", f.name, s, f.lo, f.hi)
	}
	if n < f.lo || n > f.hi {
		return 0, fmt.Errorf("%s value %d is outside %d to %d", f.name, n, f.lo, f.hi)
	}
	return n, nil
}

// String returns the expression.
func (c *Cron) String() string { return c.expr }

// Next returns the first minute after after that the expression names, or the zero time after
// the year 2199.
func (c *Cron) Next(after time.Time) time.Time {
	t := after.UTC().Truncate(time.Minute).Add(time.Minute)
	if t.Year() < firstYear {
		t = time.Date(firstYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	first := true
	for day.Year() <= lastYear {
		y, m, d := day.Date()
		switch {
		case !c.years.has(y - firstYear):
			day, first = time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC), false
			continue
		case !c.months.has(int(m)):
			day, first = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC), false
			continue
		case c.dayMatches(day):
			h0, m0 := 0, 0
			if first {
				h0, m0 = t.Hour(), t.Minute()
			}
			for h := h0; h < 24; h++ {
				if !c.hours.has(h) {
					continue
				}
				start := 0
				if h == h0 {
					start = m0
				}
				for mi := start; mi < 60; mi++ {
					if c.minutes.has(mi) {
						return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
					}
				}
			}
		}
		day, first = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC), false
	}
	return time.Time{}
}

// dayMatches applies whichever day field is not ?.
func (c *Cron) dayMatches(day time.Time) bool {
	y, m, d := day.Date()
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if !c.domAny {
		switch {
		case c.domLast:
			return d == last
		case c.domWeekday > 0:
			return d == nearestWeekday(y, m, c.domWeekday, last)
		}
		return c.dom.has(d)
	}
	wd := int(day.Weekday()) + 1
	switch {
	case c.dowLast > 0:
		return wd == c.dowLast && d+7 > last
	case c.dowNth > 0:
		return wd == c.dowNth && (d-1)/7+1 == c.dowK
	}
	return c.dow.has(wd)
}

// nearestWeekday is the Monday-to-Friday day nearest day n of the month, never crossing into
// another month; 0 when the month has no day n.
func nearestWeekday(y int, m time.Month, n, last int) int {
	if n > last {
		return 0
	}
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}
