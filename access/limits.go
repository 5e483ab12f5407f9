package access

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the abuse limits both the JSON API and the pages enforce,
// each a token bucket per client address or per key prefix. A nil
// Limiter allows everything.
type Limits struct {
	// Submissions counts responses sent from one address: generous, since
	// a whole class may answer from one school network.
	Submissions *Limiter
	// Guesses counts links and codes that opened nothing from one
	// address: unknown invitation tokens and follow-up codes.
	Guesses *Limiter
	// AuthFailures counts wrong API keys from one address, and KeyFailures
	// wrong keys that start alike, wherever they come from.
	AuthFailures, KeyFailures *Limiter
}

// Default limits, stated in the README.
const (
	DefaultSubmissions = "1000/1h"
	DefaultGuesses     = "30/10m"
	DefaultAuth        = "20/1m"
)

// NewLimits makes the limits from settings like "1000/1h" (so many in so
// long, all at once if need be) or "off".
func NewLimits(submissions, guesses, auth string) (*Limits, error) {
	var l Limits
	for _, s := range []struct {
		into  **Limiter
		value string
		name  string
	}{{&l.Submissions, submissions, "submissions"}, {&l.Guesses, guesses, "guesses"}, {&l.AuthFailures, auth, "auth"}} {
		lim, err := ParseLimit(s.value)
		if err != nil {
			return nil, fmt.Errorf("%s limit: %w", s.name, err)
		}
		*s.into = lim
	}
	if l.AuthFailures != nil {
		l.KeyFailures = &Limiter{every: l.AuthFailures.every, burst: l.AuthFailures.burst}
	}
	return &l, nil
}

// DefaultLimits are the limits with their default settings.
func DefaultLimits() *Limits {
	l, err := NewLimits(DefaultSubmissions, DefaultGuesses, DefaultAuth)
	if err != nil {
		panic(err) // the defaults parse
	}
	return l
}

// ParseLimit reads "N/duration" (a duration as Go writes it: 10m, 1h),
// or "off" for no limit (nil).
func ParseLimit(v string) (*Limiter, error) {
	if v == "off" {
		return nil, nil
	}
	n, d, ok := strings.Cut(v, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 {
		return nil, fmt.Errorf("%q: want a count and a duration, such as 20/1m, or off", v)
	}
	per, err := time.ParseDuration(d)
	if err != nil || per <= 0 {
		return nil, fmt.Errorf("%q: want a count and a duration, such as 20/1m, or off", v)
	}
	return &Limiter{every: per / time.Duration(count), burst: count}, nil
}

// Limiter holds one token bucket per key: burst events at once, then one
// per every. Buckets live in this process: with several instances, each
// allows its own share.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	every   time.Duration
	burst   int
}

// maxBuckets bounds a limiter's memory: past it, full buckets, which
// limit nobody, are forgotten.
const maxBuckets = 10_000

func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	if l.buckets == nil {
		l.buckets = map[string]*rate.Limiter{}
	}
	if b, ok := l.buckets[key]; ok {
		return b
	}
	if len(l.buckets) >= maxBuckets {
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(b.Burst()) {
				delete(l.buckets, k)
			}
		}
	}
	b := rate.NewLimiter(rate.Every(l.every), l.burst)
	l.buckets[key] = b
	return b
}

// Wait tells how long key must wait before its next event, spending
// nothing: 0 means it may go.
func (l *Limiter) Wait(key string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.bucket(key, now).ReserveN(now, 1)
	defer r.CancelAt(now)
	return roundUp(r.DelayFrom(now))
}

// Spend takes one event from key's bucket. When it is empty it takes
// nothing and tells how long to wait.
func (l *Limiter) Spend(key string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.bucket(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return roundUp(d)
	}
	return 0
}

// roundUp gives a wait in whole seconds, for Retry-After.
func roundUp(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(d.Seconds())) * time.Second
}

// KeyPrefix is the part of a presented API key that wrong keys are
// counted by: a guesser trying many keys of one shape is slowed wherever
// the guesses come from.
func KeyPrefix(secret string) string {
	const n = 8
	if len(secret) > n {
		return secret[:n]
	}
	return secret
}
