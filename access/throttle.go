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

// Wait tells how long the account and address must wait before the next
// attempt; zero allows it now.
func (t *Throttle) Wait(account, address string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(wait(t.bucket(t.accounts, account, t.account, now), now),
		wait(t.bucket(t.addresses, address, t.address, now), now))
}

// Fail records a failed attempt.
func (t *Throttle) Fail(account, address string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bucket(t.accounts, account, t.account, now).AllowN(now, 1)
	t.bucket(t.addresses, address, t.address, now).AllowN(now, 1)
}

func wait(l *rate.Limiter, now time.Time) time.Duration {
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - tokens) / float64(l.Limit()) * float64(time.Second)))
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
