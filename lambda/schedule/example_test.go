package schedule_test

import (
	"fmt"
	"time"

	"github.com/pelicanhq/pelican/lambda/schedule"
)

// The next three occasions of a schedule for weekday mornings, as EventBridge writes it.
func ExampleParse() {
	s, err := schedule.Parse("cron(30 7 ? * MON-FRI *)")
	if err != nil {
		panic(err)
	}
	t := time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC) // a Friday noon
	for range 3 {
		t = s.Next(t)
		fmt.Println(t.Format("Mon 2006-01-02 15:04"))
	}
	_, err = schedule.Parse("cron(30 7 * * MON-FRI *)")
	fmt.Println(err)
	// Output:
	// Mon 2026-03-09 07:30
	// Tue 2026-03-10 07:30
	// Wed 2026-03-11 07:30
	// schedule: cron(30 7 * * MON-FRI *): day-of-month "*" and day-of-week "MON-FRI" are both set; EventBridge takes one of them and ? in the other
}
