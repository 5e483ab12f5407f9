package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
)

// ReplayStore keeps the answers to requests sent with an Idempotency-Key,
// by an id derived from the key.
type ReplayStore interface {
	Replay(ctx context.Context, id string) (status int, contentType string, body []byte, found bool, err error)
	SaveReplay(ctx context.Context, id string, status int, contentType string, body []byte, at time.Time) error
}

// idempotencyHeader names the key a client sends with a create request so
// that sending it again, after a timeout or a 503, creates nothing twice.
const idempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey bounds the key's length.
const maxIdempotencyKey = 200

// idempotent answers a POST sent again with the same Idempotency-Key by
// the same API key with the first answer, without running it again. Only
// successful answers are kept (a 4xx may be corrected, a 5xx retried),
// and never one marked no-store, such as a new key's secret. Keys are
// kept 24 hours.
func (s *server) idempotent(store ReplayStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get(idempotencyHeader)
		if key == "" || c.Method() != fiber.MethodPost {
			return c.Next()
		}
		if len(key) > maxIdempotencyKey {
			return errInvalid([]fieldError{{field: idempotencyHeader, code: "too_long", msgID: "too_long", data: map[string]any{"Max": maxIdempotencyKey}}})
		}
		who := "anonymous"
		if k, ok := c.Locals(keyLocal).(access.Key); ok {
			who = k.ID
		}
		sum := sha256.Sum256([]byte(who + "\n" + c.Method() + " " + c.Path() + "\n" + key))
		id := hex.EncodeToString(sum[:])
		if status, contentType, body, ok, err := store.Replay(c.UserContext(), id); err != nil {
			return errUnavailable(err)
		} else if ok {
			c.Set("Idempotent-Replayed", "true")
			c.Set(fiber.HeaderContentType, contentType)
			return c.Status(status).Send(body)
		}
		if err := c.Next(); err != nil {
			return err
		}
		status := c.Response().StatusCode()
		if status < 200 || status >= 300 || strings.Contains(string(c.Response().Header.Peek(fiber.HeaderCacheControl)), "no-store") {
			return nil
		}
		body := append([]byte(nil), c.Response().Body()...)
		if err := store.SaveReplay(c.UserContext(), id, status, string(c.Response().Header.ContentType()), body, s.Now()); err != nil {
			// Done and answered; only a retry would not be recognised.
			s.Logger.Error("store idempotent answer", "err", err)
		}
		return nil
	}
}
