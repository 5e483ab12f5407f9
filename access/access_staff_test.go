package access

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPasswordsHashAndCheck(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !CheckPassword(h, "correct horse battery") {
		t.Fatal("the right password does not match its hash")
	}
	for _, wrong := range []string{"", "correct horse batterY", "correct horse battery "} {
		if CheckPassword(h, wrong) {
			t.Errorf("%q matches", wrong)
		}
	}
	if h2 := HashPassword("correct horse battery"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$$", "plain"} {
		if CheckPassword(bad, "") {
			t.Errorf("malformed hash %q matches", bad)
		}
	}
}

func TestPasswordProblem(t *testing.T) {
	tests := []struct{ password, want string }{
		{"kort", "password_short"},
		{"elleve tegn", "password_short"},
		{"Password1234", "password_common"},
		{"adgangskode123", "password_common"},
		{"aaaaaaaaaaaaaaa", "password_common"},
		{"abcabcabcabcabc", "password_common"},
		{"anne@example.dk", "password_common"},
		{"gul cykel på taget", ""},
		{"æøåæøåæøåæøx", ""},
	}
	for _, tt := range tests {
		if got := PasswordProblem(tt.password, "anne@example.dk"); got != tt.want {
			t.Errorf("PasswordProblem(%q) = %q, want %q", tt.password, got, tt.want)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, token := NewSession("anne@example.dk", start)
	if s.Hash != Hash(token) || token == "" {
		t.Fatal("session does not keep the hash of its token")
	}
	if s.Expired(start.Add(IdleTimeout - time.Minute)) {
		t.Error("expired before the idle timeout")
	}
	if !s.Expired(start.Add(IdleTimeout)) {
		t.Error("not expired after 8 idle hours")
	}
	// Used every few hours, it still ends 7 days after sign-in.
	s.SeenAt = start.Add(MaxSessionAge - time.Hour)
	if s.Expired(start.Add(MaxSessionAge - time.Minute)) {
		t.Error("an active session expired early")
	}
	if !s.Expired(start.Add(MaxSessionAge)) {
		t.Error("an active session outlived 7 days")
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := NewThrottle()
	for i := range 5 {
		if w, _ := th.Attempt("anne@example.dk", "10.0.0.1", now); w != 0 {
			t.Fatalf("attempt %d waits %v", i+1, w)
		}
	}
	w, _ := th.Attempt("anne@example.dk", "10.0.0.2", now)
	if w < 4*time.Minute || w > 5*time.Minute {
		t.Fatalf("after five failures the account waits %v, want about 5 minutes", w)
	}
	if w, _ := th.Attempt("bo@example.dk", "10.0.0.1", now); w != 0 {
		t.Errorf("another account from the same address waits %v", w)
	}
	if w, _ := th.Attempt("anne@example.dk", "10.0.0.1", now.Add(5*time.Minute)); w != 0 {
		t.Errorf("five minutes later the account still waits %v", w)
	}
	// A right password gives its tokens back: signing in often is fine.
	for range 10 {
		w, ok := th.Attempt("cy@example.dk", "10.0.0.3", now)
		if w != 0 {
			t.Fatalf("a person who signs in right waits %v", w)
		}
		ok()
	}
	// Twenty failures from one address across accounts stop the address.
	for i := range 20 {
		th.Attempt(string(rune('a'+i))+"@example.dk", "10.0.0.9", now)
	}
	if w, _ := th.Attempt("new@example.dk", "10.0.0.9", now); w == 0 {
		t.Error("an address that failed 20 times is not slowed down")
	}
}

// Guesses sent all at once are counted like guesses sent one by one.
func TestThrottleCountsConcurrentGuesses(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := NewThrottle()
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for i := range 40 {
		wg.Go(func() {
			if w, _ := th.Attempt("anne@example.dk", fmt.Sprintf("10.0.1.%d", i), now); w == 0 {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Errorf("%d of 40 simultaneous guesses were let through, want 5", n)
	}
}

func TestRules(t *testing.T) {
	backbone := Principal{Role: RoleBackbone, Partnerships: []string{"pa_1", "pa_2"}}
	evaluator := Principal{Role: RoleEvaluator}
	tests := []struct {
		rule Rule
		p    Principal
		pid  string
		want bool
	}{
		{Managers, backbone, "pa_2", true},
		{Managers, backbone, "pa_3", false},
		{Managers, evaluator, "pa_1", false},
		{Viewers, evaluator, "pa_1", true},
		{Admins, backbone, "", false},
		{Anyone, Principal{}, "pa_1", true},
	}
	for _, tt := range tests {
		if got := tt.rule.Allows(tt.p, tt.pid); got != tt.want {
			t.Errorf("%v.Allows(%v, %q) = %v", tt.rule, tt.p, tt.pid, got)
		}
	}
}

// How long one sign-in spends on its password: go test ./access -bench Password
func BenchmarkCheckPassword(b *testing.B) {
	h := HashPassword("correct horse battery")
	for b.Loop() {
		CheckPassword(h, "correct horse battery")
	}
}
