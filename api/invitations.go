package api

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

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
	in.response, in.answered, err = store.Response(ctx, forms.PartnerResponseID(in.wave.ID, in.partner.ID))
	if err != nil {
		return in, errUnavailable(err)
	}
	return in, nil
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
	if err := s.waveAccepts(in.wave); err != nil {
		return false, err
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
		return false, errInvalidAnswers(problems)
	}
	return s.savePartnerAnswer(c, store, in, lang, answers)
}

// waveAccepts refuses answers outside a wave's dates.
func (s *server) waveAccepts(w partnership.Wave) error {
	switch w.Status(s.Now()) {
	case partnership.Closed:
		return newError(http.StatusGone, "wave_closed")
	case partnership.Scheduled:
		return newError(http.StatusForbidden, "wave_not_open")
	}
	return nil
}

func (s *server) savePartnerAnswer(c *fiber.Ctx, store PartnershipStore, in invited, lang string, answers forms.Answers) (bool, error) {
	if !in.form.HasLanguage(lang) {
		lang = in.form.DefaultLanguage
	}
	r := forms.NewResponse(in.form, in.partner.ID, lang, answers, s.Now())
	r.ID = forms.PartnerResponseID(in.wave.ID, in.partner.ID)
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

// showInvitation is a partner's personal form page, filled in with the
// answers it gave before, until the wave closes.
func (s *server) showInvitation(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := s.invitation(c, store, formStore)
		if err != nil {
			return err
		}
		if err := s.waveAccepts(in.wave); err != nil {
			return err
		}
		lang := s.formLanguage(c, in.form)
		var posted url.Values
		if in.answered {
			posted = postedValues(in.form.Items, in.response.Answers, "q_", nil)
		}
		return s.render(c, http.StatusOK, "form.html", s.invitationPage(c, in, lang, posted, nil))
	}
}

func (s *server) invitationPage(c *fiber.Ctx, in invited, lang string, posted url.Values, problems []forms.Problem) page {
	p := s.pageFor(c, in.form, lang, uuid.NewString(), posted, problems, in.roster, "/i/"+c.Params("token"))
	p.Partner = in.partner.Name
	return p
}

// postInvitation stores the answers posted from an invitation page; on any
// problem the page comes back with every answer kept.
func (s *server) postInvitation(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := s.invitation(c, store, formStore)
		if err != nil {
			return err
		}
		posted, err := url.ParseQuery(string(c.Body()))
		if err != nil {
			return newError(http.StatusBadRequest, "malformed_request")
		}
		lang := i18n.Negotiate(in.form.Languages, posted.Get("_lang"), c.Get(fiber.HeaderAcceptLanguage))
		c.Locals(langKey, i18n.Negotiate(s.Messages.Languages(), lang, ""))
		again := func(status int, banner string, problems []forms.Problem) error {
			p := s.invitationPage(c, in, lang, posted, problems)
			p.Banner = banner
			return s.render(c, status, "form.html", p)
		}
		if !s.validCSRF(c, posted.Get("_csrf")) {
			return again(http.StatusForbidden, s.Messages.Text(lang, "csrf_page", nil), nil)
		}
		if err := s.waveAccepts(in.wave); err != nil {
			return err
		}
		answers, problems := in.form.ValidateShown(rawAnswers(in.form.Items, posted, "q_"), in.rosterIDs())
		if len(problems) > 0 {
			return again(http.StatusUnprocessableEntity, "", problems)
		}
		created, err := s.savePartnerAnswer(c, store, in, lang, answers)
		var e *apiError
		if errors.As(err, &e) && e.status == http.StatusServiceUnavailable {
			c.Set(fiber.HeaderRetryAfter, "60")
			return again(http.StatusServiceUnavailable, s.Messages.Text(lang, "store_down_page", nil), nil)
		}
		if err != nil {
			return err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		p := s.invitationPage(c, in, lang, nil, nil)
		p.Banner = s.Messages.Text(lang, "thanks_partner", nil)
		return s.render(c, status, "thanks.html", p)
	}
}
