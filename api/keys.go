package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/partnership"
)

// keyView describes a key without its secret; Key is set only when the key
// is made, the one time it is shown.
type keyView struct {
	ID          string      `json:"id"`
	Role        access.Role `json:"role"`
	Partnership string      `json:"partnership,omitempty"`
	Key         string      `json:"key,omitempty"`
	CreatedAt   time.Time   `json:"created_at"`
	RevokedAt   *time.Time  `json:"revoked_at,omitempty"`
}

func viewKey(k access.Key) keyView {
	return keyView{ID: k.ID, Role: k.Role, Partnership: k.Partnership, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

func (s *server) createKey(store KeyStore, partnerships PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req keyRequest
		if err := decodeBody(c, &req); err != nil {
			return err
		}
		if req.Partnership != "" {
			_, err := partnerships.Partnership(c.UserContext(), req.Partnership)
			if errors.Is(err, partnership.ErrNotFound) {
				return errInvalid([]fieldError{{field: "partnership", code: "unknown_partnership", msgID: "partnership_not_found"}})
			}
			if err != nil {
				return errUnavailable(err)
			}
		}
		key, secret := access.NewKey(access.Role(req.Role), req.Partnership, s.Now())
		if err := s.audit(c, partnerships, actor(c), "key.create", req.Partnership, key.ID); err != nil {
			return err
		}
		if err := store.SaveKey(c.UserContext(), key); err != nil {
			return errUnavailable(err)
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		v := viewKey(key)
		v.Key = secret
		return c.Status(http.StatusCreated).JSON(v)
	}
}

func (s *server) listKeys(store KeyStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		keys, err := store.Keys(c.UserContext())
		if err != nil {
			return errUnavailable(err)
		}
		views := make([]keyView, 0, len(keys))
		for _, k := range keys {
			views = append(views, viewKey(k))
		}
		return c.JSON(fiber.Map{"keys": views})
	}
}

func (s *server) revokeKey(store KeyStore, partnerships PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		found, err := store.RevokeKey(c.UserContext(), c.Params("kid"), s.Now())
		if err != nil {
			return errUnavailable(err)
		}
		if !found {
			return errNotFound("key_not_found")
		}
		if err := s.audit(c, partnerships, actor(c), "key.revoke", "", c.Params("kid")); err != nil {
			return err
		}
		return c.SendStatus(http.StatusNoContent)
	}
}
