package api

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
)

// authorize enforces a route's rule before its handler runs.
func (s *server) authorize(path string, r access.Rule) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(routeKey, path)
		if len(c.Body()) > bodyLimit {
			return fiber.ErrRequestEntityTooLarge
		}
		if r.Public {
			return c.Next()
		}
		scheme, secret, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return newError(http.StatusUnauthorized, "unauthorized")
		}
		// Wrong keys are counted by address and by how they start; past the
		// limit, not even a right key is looked at until the wait is over.
		now, prefix := s.Now(), access.KeyPrefix(secret)
		if wait := max(s.Limits.AuthFailures.Wait(c.IP(), now), s.Limits.KeyFailures.Wait(prefix, now)); wait > 0 {
			return errRateLimited(wait)
		}
		failed := func() error {
			s.Limits.AuthFailures.Spend(c.IP(), now)
			s.Limits.KeyFailures.Spend(prefix, now)
			return newError(http.StatusUnauthorized, "unauthorized")
		}
		key, ok, err := s.Store.Key(c.UserContext(), access.Hash(secret))
		if err != nil {
			return errUnavailable(err)
		}
		if !ok {
			return failed()
		}
		if !r.Allows(key.Principal(), c.Params("pid")) {
			return newError(http.StatusForbidden, "forbidden")
		}
		c.Locals(keyLocal, key)
		return c.Next()
	}
}

// keyLocal holds the key a request was authorized with.
const keyLocal = "key"
