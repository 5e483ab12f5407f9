package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
)

// authorize enforces a route's rule before its handler runs.
func (s *server) authorize(path string, r rule) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(routeKey, path)
		if r.public {
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
		if !slices.Contains(r.roles, key.Role) {
			return newError(http.StatusForbidden, "forbidden")
		}
		// A backbone key runs its own partnership only.
		if pid := c.Params("pid"); key.Role == access.RoleBackbone && pid != "" && pid != key.Partnership {
			return newError(http.StatusForbidden, "forbidden")
		}
		c.Locals(keyLocal, key)
		return c.Next()
	}
}

// keyLocal holds the key a request was authorized with.
const keyLocal = "key"
