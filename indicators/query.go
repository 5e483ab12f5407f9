package indicators

import (
	"strings"
	"time"

	"samspil/partnership"
)

// Query chooses citizen figures of one partnership. Time comes in whole
// months: the unit figures are released in.
type Query struct {
	Wave     string
	Activity string
	// From and To are months, YYYY-MM, both included; empty is open.
	From, To string
	// By groups the figures: "activity", "wave", "month" or one of the
	// form's quasi-identifiers; empty gives the total only.
	By string
}

// Invalid is a query a person must correct, with a problem per field.
type Invalid struct{ Problems []partnership.Problem }

func (e *Invalid) Error() string {
	codes := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		codes[i] = p.Field + ": " + p.Code
	}
	return "invalid indicator query: " + strings.Join(codes, ", ")
}

func invalid(ps []partnership.Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &Invalid{Problems: ps}
}

// ParseMonth reads a month as YYYY-MM, or the month of a date YYYY-MM-DD:
// a date range is widened to the whole months it touches.
func ParseMonth(v string) (string, bool) {
	for _, layout := range []string{"2006-01", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format("2006-01"), true
		}
	}
	return "", false
}

// MonthRange reads from and to (either may be empty) into months, with a
// problem per field for what cannot be read.
func MonthRange(from, to string) (string, string, []partnership.Problem) {
	var ps []partnership.Problem
	read := func(field, v string) string {
		if v == "" {
			return ""
		}
		m, ok := ParseMonth(v)
		if !ok {
			ps = append(ps, partnership.Problem{Field: field, Code: "invalid_date"})
		}
		return m
	}
	f, t := read("from", from), read("to", to)
	if len(ps) == 0 && f != "" && t != "" && f > t {
		ps = append(ps, partnership.Problem{Field: "to", Code: "range_reversed"})
	}
	return f, t, ps
}

// matches reports whether a class falls within the query's filters. A
// class that gave up an attribute a filter names is outside it.
func (q Query) matches(c Class, dims []string) bool {
	month, hasMonth := value(c, dims, "month")
	wave, hasWave := value(c, dims, "wave")
	activity, hasActivity := value(c, dims, "activity")
	return (q.Wave == "" || hasWave && wave == q.Wave) &&
		(q.Activity == "" || hasActivity && activity == q.Activity) &&
		(q.From == "" || hasMonth && month >= q.From) &&
		(q.To == "" || hasMonth && month <= q.To)
}
