package api

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
	"samspil/i18n"
	"samspil/partnership"
)

// invited is everything an invitation token opens.
type invited struct {
	inv      partnership.Invitation
	wave     partnership.Wave
	partner  partnership.Partner
	form     *forms.Form
	roster   []rosterEntry
	response forms.Response
	answered bool
}

// invitation finds what a token opens. An unknown token is a 404: the
// token is the only credential, so nothing tells a wrong token from one
// that never was.
func (s *server) invitation(c *fiber.Ctx, store PartnershipStore, formStore FormStore) (invited, error) {
	var in invited
	var err error
	ctx := c.UserContext()
	if in.inv, err = store.Invitation(ctx, access.Hash(c.Params("token"))); err != nil {
		return in, storeError(err, "invitation_not_found")
	}
	if in.wave, err = store.Wave(ctx, in.inv.Partnership, in.inv.Wave); err != nil {
		return in, storeError(err, "invitation_not_found")
	}
	if in.partner, err = store.Partner(ctx, in.inv.Partnership, in.inv.Partner); err != nil {
		return in, storeError(err, "invitation_not_found")
	}
	if in.form, err = s.form(ctx, formStore, in.wave.Form, in.wave.Version); err != nil {
		return in, err
	}
	partners, err := store.Partners(ctx, in.inv.Partnership)
	if err != nil {
		return in, errUnavailable(err)
	}
	in.roster = []rosterEntry{}
	for _, p := range partners {
		if p.Active && p.ID != in.partner.ID {
			in.roster = append(in.roster, rosterEntry{ID: p.ID, Name: p.Name, Sector: p.Sector})
		}
	}
	in.response, in.answered, err = store.Response(ctx, partnerResponseID(in.wave.ID, in.partner.ID))
	if err != nil {
		return in, errUnavailable(err)
	}
	return in, nil
}

// partnerResponseID keys a partner's answer to a wave, so that answering
// again replaces it.
func partnerResponseID(wave, partner string) string {
	return wave + ":" + partner
}

func (in invited) rosterIDs() forms.Roster {
	ids := make(forms.Roster, 0, len(in.roster))
	for _, r := range in.roster {
		ids = append(ids, r.ID)
	}
	return ids
}

func (s *server) getInvitation(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := s.invitation(c, store, formStore)
		if err != nil {
			return err
		}
		lang := s.formLanguage(c, in.form)
		view := invitationView{Partnership: in.inv.Partnership, Wave: in.wave.ID, Partner: in.partner.ID,
			PartnerName: in.partner.Name, Status: in.wave.Status(s.Now()), Form: viewForm(in.form, lang), Roster: in.roster}
		if in.answered {
			view.Answers = in.response.Answers
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
func (s *server) answerInvitation(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := s.invitation(c, store, formStore)
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
		if in.form.HasLanguage(body.Lang) {
			c.Locals(langKey, i18n.Negotiate(s.Messages.Languages(), body.Lang, ""))
		}
		created, err := s.storePartnerAnswer(c, store, in, body.Lang, body.Answers, false)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return c.Status(status).JSON(fiber.Map{"wave": in.wave.ID, "partner": in.partner.ID, "replaced": !created})
	}
}

// storePartnerAnswer validates and stores a partner's answers; shown says
// the answers come from a page that showed every question.
func (s *server) storePartnerAnswer(c *fiber.Ctx, store PartnershipStore, in invited, lang string, raw map[string]any, shown bool) (bool, error) {
	switch in.wave.Status(s.Now()) {
	case partnership.Closed:
		return false, newError(http.StatusGone, "wave_closed")
	case partnership.Scheduled:
		return false, newError(http.StatusForbidden, "wave_not_open")
	}
	validate := in.form.Validate
	if shown {
		validate = in.form.ValidateShown
	}
	answers, invalid := validate(raw, in.rosterIDs())
	if len(invalid) > 0 {
		problems := make([]fieldError, 0, len(invalid))
		for _, p := range invalid {
			problems = append(problems, answerProblem(p))
		}
		return false, errInvalid(problems)
	}
	if !in.form.HasLanguage(lang) {
		lang = in.form.DefaultLanguage
	}
	r := forms.NewResponse(in.form, in.partner.ID, lang, answers, s.Now())
	r.ID = partnerResponseID(in.wave.ID, in.partner.ID)
	r.SubmissionID = ""
	r.Partnership, r.Wave, r.Partner = in.inv.Partnership, in.wave.ID, in.partner.ID
	created, err := store.ReplaceResponse(c.UserContext(), r, in.form.Counts(answers))
	if errors.Is(err, forms.ErrReplacedMeanwhile) {
		return false, newError(http.StatusConflict, "answer_replaced_meanwhile")
	}
	if err != nil {
		return false, errUnavailable(err)
	}
	if created {
		s.metrics.stored.Inc()
	}
	action := "response.create"
	if !created {
		action = "response.replace"
	}
	if err := s.audit(c, store, "invitation:"+in.partner.ID, action, in.inv.Partnership, r.ID); err != nil {
		return false, err
	}
	return created, nil
}
