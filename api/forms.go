package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
	"samspil/i18n"
	"samspil/intake"
)

// formListing is one entry of GET /api/v1/forms.
type formListing struct {
	ID         string     `json:"id"`
	Version    int        `json:"version"`
	Versions   []int      `json:"versions"`
	Kind       forms.Kind `json:"kind"`
	Languages  []string   `json:"languages"`
	Unreviewed []string   `json:"unreviewed_languages"`
	Title      string     `json:"title"`
}

func (s *server) listing(c *fiber.Ctx, f *forms.Form) formListing {
	unreviewed := f.Unreviewed
	if unreviewed == nil {
		unreviewed = []string{}
	}
	return formListing{ID: f.ID, Version: f.Version, Versions: s.Forms.Versions(f.ID), Kind: f.Kind,
		Languages: f.Languages, Unreviewed: unreviewed, Title: f.Title.In(s.formLanguage(c, f), f.DefaultLanguage)}
}

func (s *server) listForms(c *fiber.Ctx) error {
	all := s.Forms.Forms()
	list := make([]formListing, 0, len(all))
	for _, f := range all {
		list = append(list, s.listing(c, f))
	}
	c.Vary(fiber.HeaderAcceptLanguage)
	return c.JSON(fiber.Map{"forms": list})
}

// formView is a form in one language, as a client renders it, with the
// text direction of the language.
type formView struct {
	forms.View
	Dir string `json:"dir"`
}

func viewForm(f *forms.Form, lang string) formView {
	return formView{View: f.In(lang), Dir: i18n.Dir(lang)}
}

func (s *server) getForm(store FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		version, err := versionParam(c.Query("version"))
		if err != nil {
			return err
		}
		f, err := s.form(c.UserContext(), store, c.Params("id"), version)
		if err != nil {
			return err
		}
		lang := s.formLanguage(c, f)
		c.Vary(fiber.HeaderAcceptLanguage)
		c.Set(fiber.HeaderContentLanguage, lang)
		return c.JSON(viewForm(f, lang))
	}
}

// versionParam reads an optional form version; 0 means the latest.
func versionParam(raw string) (int, error) {
	if raw == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < 1 {
		return 0, errInvalid([]fieldError{{field: "version", code: "invalid_value", msgID: "invalid_version"}})
	}
	return v, nil
}

// form finds a version of a form (0: the latest). A form published through
// another instance of Samspil is not in this one's catalog yet, so a miss
// reloads the catalog from the store once.
func (s *server) form(ctx context.Context, store FormStore, id string, version int) (*forms.Form, error) {
	if f, ok := s.Forms.Form(id, version); ok {
		return f, nil
	}
	published, err := store.Forms(ctx)
	if err != nil {
		return nil, errUnavailable(err)
	}
	for _, f := range published {
		if _, err := s.Forms.Add(f); err != nil {
			s.Logger.Error("stored form conflicts with the catalog", "form", f.ID, "version", f.Version, "err", err)
		}
	}
	if f, ok := s.Forms.Form(id, version); ok {
		return f, nil
	}
	if _, ok := s.Forms.Form(id, 0); ok {
		return nil, errNotFound("form_version_not_found")
	}
	return nil, errNotFound("form_not_found")
}

// formLanguage picks the language to show a form in, among its own.
func (s *server) formLanguage(c *fiber.Ctx, f *forms.Form) string {
	return i18n.Negotiate(f.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
}

// receipt acknowledges a stored response.
type receipt struct {
	ID           string       `json:"id"`
	SubmissionID string       `json:"submission_id"`
	Version      int          `json:"version"`
	Scores       forms.Scores `json:"scores"`
	// FollowUpCode is the code the answers are linked to, when asked.
	FollowUpCode string `json:"follow_up_code,omitempty"`
}

// submitResponse stores a citizen's answers. Phones retry on bad
// connections, so a submission id that is already stored with the same
// answers is acknowledged again rather than stored twice.
func (s *server) submitResponse(store ResponseStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, err := s.form(c.UserContext(), formStore, c.Params("id"), 0); err != nil {
			return err
		}
		if err := requireJSON(c); err != nil {
			return err
		}
		sub, err := decodeSubmission(c.Body())
		if err != nil {
			return err
		}
		f, err := s.form(c.UserContext(), formStore, c.Params("id"), sub.Version)
		if err != nil {
			if sub.Version != 0 {
				return errInvalid([]fieldError{{field: "version", code: "invalid_value", msgID: "form_version_not_found"}})
			}
			return err
		}
		if f.Kind == forms.KindPartner {
			return newError(http.StatusForbidden, "invitation_required")
		}
		if f.HasLanguage(sub.Lang) {
			c.Locals(langKey, i18n.Negotiate(s.Messages.Languages(), sub.Lang, ""))
		}
		var found []intake.Problem
		for _, fe := range checkFields(sub) {
			found = append(found, intake.Problem{Field: fe.field, Detail: fe})
		}
		if sub.Lang != "" && !f.HasLanguage(sub.Lang) {
			found = append(found, intake.Problem{Field: "lang", Detail: fieldError{field: "lang", code: "invalid_lang", msgID: "invalid_lang"}})
		}
		if err := s.limitSubmission(c, sub.FollowUp); err != nil {
			return err
		}
		got, err := s.intake.Submit(c.UserContext(), intake.Citizen{Form: f, SubmissionID: sub.SubmissionID, Lang: sub.Lang,
			Partnership: sub.Partnership, Activity: sub.Activity, Answers: sub.Answers, Problems: found, FollowUp: sub.FollowUp})
		if intake.GuessedCode(err) {
			s.Limits.Guesses.Spend(c.IP(), s.Now())
		}
		if err != nil {
			return intakeError(err)
		}
		if got.Created {
			c.Status(http.StatusCreated)
		}
		stored, scores := got.Response, got.Response.Scores
		if scores == nil {
			scores = forms.Scores{}
		}
		var code string
		if got.FollowUp != "" {
			code = got.FollowUp.String()
		}
		return c.JSON(receipt{ID: stored.ID, SubmissionID: stored.SubmissionID, Version: stored.FormVersion, Scores: scores, FollowUpCode: code})
	}
}

// intakeError maps what intake refused to the API's errors.
func intakeError(err error) error {
	var invalid *intake.Invalid
	switch {
	case errors.As(err, &invalid):
		problems := make([]fieldError, 0, len(invalid.Problems))
		for _, p := range invalid.Problems {
			problems = append(problems, intakeProblem(p))
		}
		return errInvalidAnswers(problems)
	case errors.Is(err, intake.ErrConflict):
		return newError(http.StatusConflict, "submission_conflict")
	case errors.Is(err, intake.ErrPartnerForm):
		return newError(http.StatusForbidden, "invitation_required")
	case errors.Is(err, intake.ErrNoInvitation):
		return errNotFound("invitation_not_found")
	case errors.Is(err, intake.ErrWaveClosed):
		return newError(http.StatusGone, "wave_closed")
	case errors.Is(err, intake.ErrWaveNotOpen):
		return newError(http.StatusForbidden, "wave_not_open")
	case errors.Is(err, forms.ErrReplacedMeanwhile):
		return newError(http.StatusConflict, "answer_replaced_meanwhile")
	case errors.Is(err, intake.ErrUnavailable):
		return errUnavailable(err)
	}
	return err
}

// placeMessages name the message for each problem with a citizen link.
var placeMessages = map[string]string{"unknown_partnership": "partnership_not_found",
	"unknown_activity": "activity_not_found", "inactive_activity": "activity_inactive", intake.CodeNoAnswers: "no_answers",
	intake.CodeInvalidFollowUp: intake.CodeInvalidFollowUp, intake.CodeUnknownFollowUp: intake.CodeUnknownFollowUp,
	intake.CodeFollowUpUnavailable: intake.CodeFollowUpUnavailable, intake.CodePartnershipEnded: intake.CodePartnershipEnded}

// intakeProblem is one problem intake found, as a field error.
func intakeProblem(p intake.Problem) fieldError {
	switch {
	case p.Detail != nil:
		if fe, ok := p.Detail.(fieldError); ok {
			return fe
		}
	case p.Answer != nil:
		return answerProblem(*p.Answer)
	}
	return fieldError{field: p.Field, code: p.Code, msgID: placeMessages[p.Code]}
}

// answerProblem turns a form's verdict on one answer into a field error.
func answerProblem(p forms.Problem) fieldError {
	msgID := p.Code
	if expected, ok := p.Params["Expected"].(string); ok {
		msgID += "_" + expected
	}
	return fieldError{field: "answers." + p.Item, code: p.Code, msgID: msgID, data: p.Params}
}

// formSummary counts the responses and answers a form has released, over
// every partnership: the same protected classes as every indicator.
func (s *server) formSummary(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.citizenForm(c, formStore, c.Params("id"))
		if err != nil {
			return err
		}
		all, err := store.Partnerships(c.UserContext())
		if err != nil {
			return errUnavailable(err)
		}
		sum, err := s.indicators.Summary(c.UserContext(), all, f)
		if err != nil {
			return indicatorError(err)
		}
		return c.JSON(fiber.Map{"form": f.ID, "n": sum.N, "released_through": sum.ReleasedThrough, "items": sum.Items})
	}
}

// limitSubmission counts a response sent from the client's address, and
// refuses it past the limit; a follow-up code sent with it must not be
// one guess too many either.
func (s *server) limitSubmission(c *fiber.Ctx, followUp string) error {
	now := s.Now()
	if followUp != "" && followUp != intake.NewFollowUp {
		if wait := s.Limits.Guesses.Wait(c.IP(), now); wait > 0 {
			return errRateLimited(wait)
		}
	}
	if wait := s.Limits.Submissions.Spend(c.IP(), now); wait > 0 {
		return errRateLimited(wait)
	}
	return nil
}
