package access

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle slows down password guessing: each failed sign-in spends a
// token of the account's bucket and of the client address's bucket, and
// an empty bucket refuses sign-in until it refills. Unknown accounts get
// buckets like known ones, so the answer never tells which exist.
//
// Buckets live in this process: with several instances, each allows its
// own share.
type Throttle struct {
	mu        sync.Mutex
	accounts  map[string]*rate.Limiter
	addresses map[string]*rate.Limiter
	account   limit
	address   limit
}

type limit struct {
	every time.Duration
	burst int
}

// NewThrottle allows five wrong passwords per account in a row, then one
// more every five minutes; and twenty per client address, then one a
// minute.
func NewThrottle() *Throttle {
	return &Throttle{accounts: map[string]*rate.Limiter{}, addresses: map[string]*rate.Limiter{},
		account: limit{5 * time.Minute, 5}, address: limit{time.Minute, 20}}
}

// Attempt takes a token from the account's and the address's buckets
// before a password is checked, so that guesses sent all at once are
// counted like guesses sent one by one. It returns how long to wait when
// either bucket is empty (taking nothing), else a function that gives the
// tokens back: call it when the password was right.
func (t *Throttle) Attempt(account, address string, now time.Time) (wait time.Duration, succeeded func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.bucket(t.accounts, account, t.account, now).ReserveN(now, 1)
	b := t.bucket(t.addresses, address, t.address, now).ReserveN(now, 1)
	if d := max(a.DelayFrom(now), b.DelayFrom(now)); d > 0 {
		a.CancelAt(now)
		b.CancelAt(now)
		return time.Duration(math.Ceil(d.Seconds())) * time.Second, nil
	}
	return 0, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		a.CancelAt(now)
		b.CancelAt(now)
	}
}

// bucket returns the limiter for a key, making it on first use. Full
// buckets are forgotten once a map grows large, so the maps stay small.
func (t *Throttle) bucket(m map[string]*rate.Limiter, key string, l limit, now time.Time) *rate.Limiter {
	if b, ok := m[key]; ok {
		return b
	}
	if len(m) >= 10000 {
		for k, b := range m {
			if b.TokensAt(now) >= float64(b.Burst()) {
				delete(m, k)
			}
		}
	}
	b := rate.NewLimiter(rate.Every(l.every), l.burst)
	m[key] = b
	return b
}
