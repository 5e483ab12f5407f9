package api

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"samspil/erasure"
)

// erasePartner erases a partner organisation's data on its request: its
// answers leave the figures, its links stop working, its name and e-mail
// go; the network keeps a nameless node.
func (s *server) erasePartner(svc *erasure.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := svc.Partner(c.UserContext(), actor(c), c.Params("pid"), c.Params("id")); err != nil {
			return storeError(err, "partner_not_found")
		}
		return c.SendStatus(http.StatusNoContent)
	}
}

// erasePartnership erases a partnership that has ended, with everything
// it holds.
func (s *server) erasePartnership(svc *erasure.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := svc.Partnership(c.UserContext(), actor(c), c.Params("pid"))
		switch {
		case errors.Is(err, erasure.ErrNotEnded):
			return newError(http.StatusConflict, "partnership_not_ended")
		case err != nil:
			return storeError(err, "partnership_not_found")
		}
		return c.SendStatus(http.StatusNoContent)
	}
}
