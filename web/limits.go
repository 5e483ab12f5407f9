package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/intake"
)

// openInvitation opens the invitation of the path's token. Tokens that
// open nothing count as guesses of the client's address; past the limit,
// no token is looked up until the wait is over.
func (s *server) openInvitation(c *fiber.Ctx) (intake.Invited, error) {
	now := s.Now()
	if wait := s.Limits.Guesses.Wait(c.IP(), now); wait > 0 {
		return intake.Invited{}, s.limited(c, wait)
	}
	in, err := s.Intake.Open(c.UserContext(), c.Params("token"))
	if errors.Is(err, intake.ErrNoInvitation) {
		s.Limits.Guesses.Spend(c.IP(), now)
	}
	return in, err
}

// limitSubmission counts a response sent from the client's address and
// tells how long to wait past the limit; a follow-up code sent with it
// must not be one guess too many either (guesses says that was it).
// Nothing is spent when it waits.
func (s *server) limitSubmission(c *fiber.Ctx, followUp string) (wait time.Duration, guesses bool) {
	now := s.Now()
	if followUp != "" && followUp != intake.NewFollowUp {
		if wait := s.Limits.Guesses.Wait(c.IP(), now); wait > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())))
			return wait, true
		}
	}
	wait = s.Limits.Submissions.Spend(c.IP(), now)
	if wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())))
	}
	return wait, false
}

// limited is the page of a request over a limit: 429, when to come back
// in words and in Retry-After.
func (s *server) limited(c *fiber.Ctx, wait time.Duration) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())))
	return &phoneError{status: http.StatusTooManyRequests, msg: "rate_limited", params: minutes(wait)}
}

// minutes gives a wait as a message's Minutes, rounded up.
func minutes(wait time.Duration) map[string]any {
	return map[string]any{"Minutes": int(math.Ceil(wait.Minutes()))}
}
