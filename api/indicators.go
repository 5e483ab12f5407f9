package api

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/indicators"
)

// partnerFigureError turns what the indicators service refused about a
// partner wave into a reply.
func partnerFigureError(err error) error {
	if errors.Is(err, indicators.ErrNoPartnerWave) {
		return errNotFound("wave_not_found")
	}
	return indicatorError(err)
}

// health gives each partnership-health factor of a partner wave (?wave=,
// the latest by default), released when the wave closes, beside its
// response rates.
func (s *server) health(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := store.Partnership(c.UserContext(), c.Params("pid"))
		if err != nil {
			return storeError(err, "partnership_not_found")
		}
		h, err := s.indicators.Health(c.UserContext(), p, c.Query("wave"))
		if err != nil {
			return partnerFigureError(err)
		}
		return c.JSON(fiber.Map{
			"filters": fiber.Map{"wave": h.Wave}, "min_group": h.MinGroup, "computed_at": s.Now().UTC().Format(time.RFC3339),
			"form": h.Form, "version": h.Version, "released": h.Released, "releases_at": h.ReleasesAt,
			"previous_wave": h.PreviousWave, "factors": h.Factors, "response_rate": h.ResponseRate,
		})
	}
}

// networkView serves a partner wave's collaboration network: nodes,
// directed ties, whole-network metrics, the brokers between others and,
// once the wave has closed, the ratings each partner received.
func (s *server) networkView(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := store.Partnership(c.UserContext(), c.Params("pid"))
		if err != nil {
			return storeError(err, "partnership_not_found")
		}
		n, err := s.indicators.Network(c.UserContext(), p, c.Query("wave"))
		if err != nil {
			return partnerFigureError(err)
		}
		return c.JSON(fiber.Map{
			"filters": fiber.Map{"wave": n.Wave}, "min_group": n.MinGroup, "computed_at": s.Now().UTC().Format(time.RFC3339),
			"released": n.Released, "nodes": n.Nodes, "edges": n.Edges, "metrics": n.Metrics, "brokers": n.Brokers,
			"received": n.Received,
		})
	}
}
