package access

import (
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		in    string
		burst int
		every time.Duration
		err   bool
		off   bool
	}{
		{in: "20/1m", burst: 20, every: 3 * time.Second},
		{in: "1000/1h", burst: 1000, every: 3600 * time.Millisecond},
		{in: "off", off: true},
		{in: "20", err: true},
		{in: "0/1m", err: true},
		{in: "20/soon", err: true},
		{in: "-3/1m", err: true},
	} {
		l, err := ParseLimit(tc.in)
		switch {
		case (err != nil) != tc.err:
			t.Errorf("ParseLimit(%q): %v", tc.in, err)
		case tc.off && l != nil:
			t.Errorf("ParseLimit(%q) = %+v, want no limit", tc.in, l)
		case !tc.err && !tc.off && (l.burst != tc.burst || l.every != tc.every):
			t.Errorf("ParseLimit(%q) = %d per %s, want %d per %s", tc.in, l.burst, l.every, tc.burst, tc.every)
		}
	}
}

func TestLimiterSpendsAndRefills(t *testing.T) {
	l, _ := ParseLimit("3/1m")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		if w := l.Wait("a", now); w != 0 {
			t.Fatalf("wait before event %d = %s", i, w)
		}
		if w := l.Spend("a", now); w != 0 {
			t.Fatalf("event %d refused: %s", i, w)
		}
	}
	if w := l.Spend("a", now); w != 20*time.Second {
		t.Errorf("fourth event at once: wait %s, want 20s (one per 20 s)", w)
	}
	if w := l.Wait("a", now); w != 20*time.Second {
		t.Errorf("Wait when empty = %s, want 20s", w)
	}
	if w := l.Spend("b", now); w != 0 {
		t.Errorf("another address waits %s", w)
	}
	if w := l.Spend("a", now.Add(20*time.Second)); w != 0 {
		t.Errorf("after 20 s: wait %s, want a refilled token", w)
	}
	var none *Limiter
	if none.Spend("a", now) != 0 || none.Wait("a", now) != 0 {
		t.Error("no limit refused something")
	}
}
