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
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return newError(http.StatusUnauthorized, "unauthorized")
		}
		key, ok, err := s.Store.Key(c.UserContext(), access.Hash(strings.TrimSpace(secret)))
		if err != nil {
			return errUnavailable(err)
		}
		if !ok {
			return newError(http.StatusUnauthorized, "unauthorized")
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
