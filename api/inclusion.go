package api

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
	"samspil/indicators"
	"samspil/partnership"
)

// citizenSurvey loads the partnership and the citizen form (?form=,
// citizen_short by default) that citizen indicators describe.
func (s *server) citizenSurvey(c *fiber.Ctx, store PartnershipStore, formStore FormStore) (partnership.Partnership, *forms.Form, error) {
	p, err := store.Partnership(c.UserContext(), c.Params("pid"))
	if err != nil {
		return p, nil, storeError(err, "partnership_not_found")
	}
	f, err := s.citizenForm(c, formStore, c.Query("form", citizenForm))
	return p, f, err
}

// citizenForm finds a form that citizen figures may describe: a partner
// survey's figures are released per closed wave, by health and network.
func (s *server) citizenForm(c *fiber.Ctx, formStore FormStore, id string) (*forms.Form, error) {
	f, err := s.form(c.UserContext(), formStore, id, 0)
	if err == nil && f.Kind == forms.KindPartner {
		return nil, errInvalid([]fieldError{{field: "form", code: "partner_form", msgID: "partner_form_figures"}})
	}
	return f, err
}

// indicatorError turns what the indicators service refused into a reply.
func indicatorError(err error) error {
	var inv *indicators.Invalid
	switch {
	case errors.As(err, &inv):
		return domainProblems(inv.Problems)
	case errors.Is(err, indicators.ErrWaveNotFound):
		return errNotFound("wave_not_found")
	default:
		return errUnavailable(err)
	}
}

// inclusion gives the citizen-level indicators of a partnership: for each
// index n, mean, sd, 95% CI and the distribution of its items' answers,
// with the shares of each answer to the choice questions, for the whole
// and by a grouping, from what the indicators service released.
func (s *server) inclusion(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, f, err := s.citizenSurvey(c, store, formStore)
		if err != nil {
			return err
		}
		inc, err := s.indicators.Inclusion(c.UserContext(), p, f, indicators.Query{Wave: c.Query("wave"),
			Activity: c.Query("activity"), From: c.Query("from"), To: c.Query("to"), By: c.Query("by")})
		if err != nil {
			return indicatorError(err)
		}
		q := inc.Query
		filters := map[string]string{"form": f.ID}
		for k, v := range map[string]string{"wave": q.Wave, "activity": q.Activity, "from": q.From, "to": q.To, "by": q.By} {
			if v != "" {
				filters[k] = v
			}
		}
		return c.JSON(fiber.Map{"filters": filters, "min_group": inc.MinGroup, "released_through": inc.ReleasedThrough,
			"computed_at": s.Now().UTC().Format(time.RFC3339), "total": inc.Total, "groups": inc.Groups})
	}
}

// change compares each index between two samples of citizens: two waves
// or two periods of whole months; an activity narrows both.
func (s *server) change(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, f, err := s.citizenSurvey(c, store, formStore)
		if err != nil {
			return err
		}
		waves, err := store.Waves(c.UserContext(), p.ID)
		if err != nil {
			return errUnavailable(err)
		}
		paired, err := strconv.ParseBool(c.Query("paired", "false"))
		if err != nil {
			return domainProblems([]partnership.Problem{{Field: "paired", Code: "invalid_value"}})
		}
		ch, err := s.indicators.Change(c.UserContext(), p, f, waves, indicators.ChangeQuery{
			FromWave: c.Query("from_wave"), ToWave: c.Query("to_wave"), Mode: c.Query("mode"),
			FromPeriod: c.Query("from_period"), ToPeriod: c.Query("to_period"), Activity: c.Query("activity"),
			Paired: paired,
		})
		if err != nil {
			return indicatorError(err)
		}
		return c.JSON(fiber.Map{"filters": ch.Filters, "min_group": ch.MinGroup, "released_through": ch.ReleasedThrough,
			"computed_at": s.Now().UTC().Format(time.RFC3339), "indices": ch.Indices})
	}
}

// inclusionByPartnership sets every partnership's inclusion indicators side
// by side, for evaluators comparing them.
func (s *server) inclusionByPartnership(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		from, to, problems := indicators.MonthRange(c.Query("from"), c.Query("to"))
		if by := c.Query("by", "partnership"); by != "partnership" {
			problems = append(problems, partnership.Problem{Field: "by", Code: "invalid_grouping"})
		}
		if err := domainProblems(problems); err != nil {
			return err
		}
		f, err := s.citizenForm(c, formStore, c.Query("form", citizenForm))
		if err != nil {
			return err
		}
		all, err := store.Partnerships(c.UserContext())
		if err != nil {
			return errUnavailable(err)
		}
		groups, err := s.indicators.Compare(c.UserContext(), all, f, indicators.Query{From: from, To: to})
		if err != nil {
			return indicatorError(err)
		}
		filters := map[string]string{"form": f.ID, "by": "partnership"}
		if from != "" {
			filters["from"] = from
		}
		if to != "" {
			filters["to"] = to
		}
		return c.JSON(fiber.Map{"filters": filters, "computed_at": s.Now().UTC().Format(time.RFC3339), "groups": groups})
	}
}
