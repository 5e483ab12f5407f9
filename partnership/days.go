package partnership

import "time"

// Local is where waves' dates are days: a wave opens at the start of its
// first day and closes at the end of its last, Danish time.
var Local = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return time.UTC
	}
	return l
}()

// LastDay is the last day the wave is open, in Local.
func (w Wave) LastDay() time.Time {
	return w.ClosesAt.In(Local).Add(-time.Second)
}
