package indicators

import (
	"testing"
	"time"
)

// A period is accepted only as two real months (or dates in them) in
// order, and comes back in the one spelling the filters report.
func FuzzParsePeriod(f *testing.F) {
	for _, seed := range []string{"2026-01-01/2026-03-31", "2026-03-31/2026-01-01", "2026-01-01", "2026-02-30/2026-03-01",
		"2026-01-01/2026-01-01", "/", "2026-01-01/2026-03-31/2026-04-01", " 2026-01-01/2026-03-31", "+2026-01-01/2026-03-31",
		"2026-01/2026-03", "2026-13/2026-14"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		first, last, ok := parsePeriod(v)
		if !ok {
			return
		}
		a, errA := time.Parse("2006-01", first)
		b, errB := time.Parse("2006-01", last)
		if errA != nil || errB != nil || b.Before(a) {
			t.Fatalf("parsePeriod(%q) = %q, %q: not two months in order", v, first, last)
		}
		if again, _, _ := parsePeriod(first + "/" + last); again != first {
			t.Fatalf("parsePeriod(%q) does not read its own result back", v)
		}
	})
}

func TestMonthRange(t *testing.T) {
	tests := []struct {
		from, to         string
		wantFrom, wantTo string
		problems         int
	}{
		{"2026-01-15", "2026-03-02", "2026-01", "2026-03", 0},
		{"2026-01", "", "2026-01", "", 0},
		{"2026-03", "2026-01", "2026-03", "2026-01", 1},
		{"januar", "2026-13", "", "", 2},
	}
	for _, tt := range tests {
		from, to, ps := MonthRange(tt.from, tt.to)
		if len(ps) != tt.problems || (tt.problems == 0 && (from != tt.wantFrom || to != tt.wantTo)) {
			t.Errorf("MonthRange(%q, %q) = %q, %q, %v", tt.from, tt.to, from, to, ps)
		}
	}
}
