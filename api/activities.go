package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"samspil/partnership"
)

// activityInput is the body of POST and PATCH .../activities.
type activityInput struct {
	Name        *string  `json:"name"`
	Description *string  `json:"description"`
	Partners    []string `json:"partners"`
	Active      *bool    `json:"active"`
}

func (in activityInput) apply(a *partnership.Activity) {
	set(&a.Name, in.Name)
	set(&a.Description, in.Description)
	set(&a.Active, in.Active)
	if in.Partners != nil {
		a.Partners = in.Partners
	}
}

func (s *server) saveActivity(store PartnershipStore, create bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in activityInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		a := partnership.Activity{ID: partnership.NewID("ac"), Partnership: pid, Active: true}
		if !create {
			var err error
			if a, err = store.Activity(c.UserContext(), pid, c.Params("id")); err != nil {
				return storeError(err, "activity_not_found")
			}
		}
		in.apply(&a)
		partners, err := store.Partners(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		if err := domainProblems(a.Check(partners)); err != nil {
			return err
		}
		action, status, save := "activity.update", http.StatusOK, store.UpdateActivity
		if create {
			action, status, save = "activity.create", http.StatusCreated, store.CreateActivity
		}
		if err := s.audit(c, store, actor(c), action, pid, a.ID); err != nil {
			return err
		}
		if err := save(c.UserContext(), a); err != nil {
			return storeError(err, "activity_not_found")
		}
		return c.Status(status).JSON(a)
	}
}

func (s *server) listActivities(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		as, err := store.Activities(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		return c.JSON(fiber.Map{"activities": as})
	}
}
