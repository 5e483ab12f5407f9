package api

import (
	"context"
	_ "embed"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz says the process serves requests, whatever the store does.
func healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether requests can be served, which needs the store.
func readyz(store Pinger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			return errUnavailable(err)
		}
		return c.JSON(fiber.Map{"status": "ready"})
	}
}

//go:embed openapi.json
var openAPI []byte

// serveOpenAPI serves the API's description, which a test keeps in step
// with the registered routes.
func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPI)
}
