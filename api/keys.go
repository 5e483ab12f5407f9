package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
)

// newKey is the only time a key's secret is shown.
type newKey struct {
	ID        string      `json:"id"`
	Role      access.Role `json:"role"`
	Key       string      `json:"key"`
	CreatedAt time.Time   `json:"created_at"`
}

func (s *server) createKey(store KeyStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := requireJSON(c); err != nil {
			return err
		}
		var req keyRequest
		if err := decodeJSON(c.Body(), &req); err != nil {
			return err
		}
		if problems := checkFields(req); len(problems) > 0 {
			return errInvalid(problems)
		}
		key, secret := access.NewKey(access.Role(req.Role), s.Now())
		if err := store.SaveKey(c.UserContext(), key); err != nil {
			return errUnavailable(err)
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(http.StatusCreated).JSON(newKey{ID: key.ID, Role: key.Role, Key: secret, CreatedAt: key.CreatedAt})
	}
}
