package api

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"samspil/i18n"
	"samspil/intake"
)

// roster lists the partners an invitee may say it worked with.
func roster(in intake.Invited) []rosterEntry {
	out := make([]rosterEntry, 0, len(in.Roster))
	for _, p := range in.Roster {
		out = append(out, rosterEntry{ID: p.ID, Name: p.Name, Sector: p.Sector})
	}
	return out
}

func (s *server) getInvitation() fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := s.openInvitation(c)
		if err != nil {
			return err
		}
		lang := s.formLanguage(c, in.Form)
		view := invitationView{Partnership: in.Invitation.Partnership, Wave: in.Wave.ID, Partner: in.Partner.ID,
			PartnerName: in.Partner.Name, Status: in.Wave.Status(s.Now()), Form: viewForm(in.Form, lang), Roster: roster(in)}
		if in.Answered {
			view.Answers = in.Answers
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(view)
	}
}

// answerBody is the body of PUT /invitations/{token}/response.
type answerBody struct {
	Lang    string         `json:"lang"`
	Answers map[string]any `json:"answers"`
}

// answerInvitation stores a partner's answers, replacing earlier ones until
// the wave closes.
func (s *server) answerInvitation() fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := s.openInvitation(c)
		if err != nil {
			return err
		}
		if err := requireJSON(c); err != nil {
			return err
		}
		var body answerBody
		if err := decodeJSON(c.Body(), &body); err != nil {
			return err
		}
		if in.Form.HasLanguage(body.Lang) {
			c.Locals(langKey, i18n.Negotiate(s.Messages.Languages(), body.Lang, ""))
		}
		created, err := s.intake.Answer(c.UserContext(), in, body.Lang, body.Answers, false)
		if err != nil {
			return intakeError(err)
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return c.Status(status).JSON(fiber.Map{"wave": in.Wave.ID, "partner": in.Partner.ID, "replaced": !created})
	}
}

// openInvitation opens the invitation of the path's token. Tokens that
// open nothing count as guesses of the client's address; past the limit,
// no token is looked up until the wait is over.
func (s *server) openInvitation(c *fiber.Ctx) (intake.Invited, error) {
	now := s.Now()
	if wait := s.Limits.Guesses.Wait(c.IP(), now); wait > 0 {
		return intake.Invited{}, errRateLimited(wait)
	}
	in, err := s.intake.Open(c.UserContext(), c.Params("token"))
	if errors.Is(err, intake.ErrNoInvitation) {
		s.Limits.Guesses.Spend(c.IP(), now)
	}
	if err != nil {
		return intake.Invited{}, intakeError(err)
	}
	return in, nil
}
