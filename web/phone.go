package web

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"samspil/followup"
	"samspil/forms"
	"samspil/i18n"
	"samspil/intake"
)

// citizenForm finds the latest version of a citizen questionnaire.
func (s *server) citizenForm(c *fiber.Ctx) (*forms.Form, error) {
	f, ok := s.Forms.Form(c.Params("id"), 0)
	if !ok && s.FindForm != nil {
		var err error
		if f, err = s.FindForm.Form(c.UserContext(), c.Params("id"), 0); err != nil {
			return nil, phoneErr(http.StatusNotFound, "form_not_found")
		}
	} else if !ok {
		return nil, phoneErr(http.StatusNotFound, "form_not_found")
	}
	if f.Kind == forms.KindPartner {
		return nil, phoneErr(http.StatusForbidden, "invitation_required")
	}
	return f, nil
}

// showForm is a citizen questionnaire on a phone.
func (s *server) showForm(c *fiber.Ctx, _ *request) error {
	f, err := s.citizenForm(c)
	if err != nil {
		return err
	}
	lang := i18n.Negotiate(f.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	if _, misplaced, err := s.Intake.Place(c.UserContext(), f, c.Query("p"), c.Query("a")); err != nil {
		return err
	} else if len(misplaced) > 0 {
		return phoneErr(http.StatusUnprocessableEntity, "link_not_valid")
	}
	p := s.newPage(c, f, lang, uuid.NewString(), nil, nil)
	s.offerFollowUp(&p, nil)
	return s.renderPhone(c, http.StatusOK, "form.html", p)
}

// postForm stores a response posted by the phone form, without JavaScript.
// Whatever goes wrong, the page comes back with every answer still in it.
func (s *server) postForm(c *fiber.Ctx, _ *request) error {
	f, err := s.citizenForm(c)
	if err != nil {
		return err
	}
	posted, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return phoneErr(http.StatusBadRequest, "malformed_request")
	}
	if v, err := strconv.Atoi(posted.Get("_version")); err == nil && v > 0 {
		if older, ok := s.Forms.Form(f.ID, v); ok {
			f = older
		}
	}
	lang := i18n.Negotiate(f.Languages, posted.Get("_lang"), c.Get(fiber.HeaderAcceptLanguage))
	submission := posted.Get("_submission")
	if _, err := uuid.Parse(submission); err != nil {
		submission = uuid.NewString()
	}
	again := func(status int, banner string, problems []forms.Problem, followUp *intake.Problem) error {
		p := s.newPage(c, f, lang, submission, posted, problems)
		p.Banner = banner
		s.offerFollowUp(&p, posted)
		if followUp != nil && p.FollowUp != nil {
			p.FollowUp.Error = s.Messages.Text(lang, followUp.Code, nil)
			p.Errors = append(p.Errors, questionError{ID: "follow", Question: shortText(p.FollowUp.Question), Message: p.FollowUp.Error})
		}
		return s.renderPhone(c, status, "form.html", p)
	}
	if !s.validCSRF(c, posted.Get("_csrf")) {
		return again(http.StatusForbidden, s.Messages.Text(lang, "csrf_page", nil), nil, nil)
	}
	if code := followUpConflict(posted); code != "" {
		return again(http.StatusUnprocessableEntity, "", nil, &intake.Problem{Field: "follow_up", Code: code})
	}
	if wait, guesses := s.limitSubmission(c, followUpAsked(posted)); wait > 0 {
		msg := "submissions_limited_page"
		if guesses {
			msg = "codes_limited_page"
		}
		return again(http.StatusTooManyRequests, s.Messages.Text(lang, msg, minutes(wait)), nil, nil)
	}
	got, err := s.Intake.Submit(c.UserContext(), intake.Citizen{Form: f, SubmissionID: submission, Lang: lang,
		Partnership: posted.Get("p"), Activity: posted.Get("a"), Answers: rawAnswers(f.Items, posted, "q_"),
		// Answers to questions an earlier answer made not apply are left
		// out only once the citizen has seen that and sent again.
		Shown: posted.Get("_confirm") == "hidden", FollowUp: followUpAsked(posted)})
	if intake.GuessedCode(err) {
		s.Limits.Guesses.Spend(c.IP(), s.Now())
	}
	var invalid *intake.Invalid
	var followUp *intake.Problem
	if errors.As(err, &invalid) {
		followUp = followUpProblem(invalid)
	}
	switch {
	case invalid != nil && invalid.Empty():
		return again(http.StatusUnprocessableEntity, s.Messages.Text(lang, "no_answers", nil), nil, nil)
	case invalid != nil && len(invalid.AnswerProblems())+btoi(followUp != nil) < len(invalid.Problems):
		return phoneErr(http.StatusUnprocessableEntity, "link_not_valid")
	case invalid != nil:
		return again(http.StatusUnprocessableEntity, "", invalid.AnswerProblems(), followUp)
	case errors.Is(err, intake.ErrUnavailable):
		s.Logger.Error("store a response from the phone form", "err", err)
		c.Set(fiber.HeaderRetryAfter, "60")
		return again(http.StatusServiceUnavailable, s.Messages.Text(lang, "store_down_page", nil), nil, nil)
	case err != nil:
		return err
	}
	status, body := http.StatusCreated, "thanks_body"
	if !got.Created {
		// A double tap or a page sent again: the first answers stand.
		status, body = http.StatusOK, "thanks_again"
	}
	p := s.thanksPage(c, f, lang, posted.Get("p"), body)
	if got.FollowUp != "" {
		s.showCode(&p, got.FollowUp, followUpAsked(posted) == intake.NewFollowUp, submission)
	}
	return s.renderPhone(c, status, "thanks.html", p)
}

// thanksPage is the thank-you page in lang, linking to the partnership's
// results; its language links show the same thanks in another language,
// not a new empty form.
func (s *server) thanksPage(c *fiber.Ctx, f *forms.Form, lang, pid, body string) phonePage {
	p := s.newPage(c, f, lang, "", nil, nil)
	p.Banner = s.Messages.Text(lang, body, nil)
	here := func(lang string) string {
		q := url.Values{"lang": {lang}}
		if pid != "" {
			q.Set("p", pid)
		}
		if body == "thanks_again" {
			q.Set("again", "1")
		}
		return "/f/" + url.PathEscape(f.ID) + "/thanks?" + q.Encode()
	}
	for i, l := range p.Languages {
		p.Languages[i].URL = here(l.Code)
	}
	p.Here = here(lang)
	if pid != "" {
		p.Results = "/r/" + url.PathEscape(pid) + "?" + url.Values{"lang": {lang}}.Encode()
	}
	return p
}

// showThanks is the thank-you page again, in the language asked for.
func (s *server) showThanks(c *fiber.Ctx, _ *request) error {
	f, err := s.citizenForm(c)
	if err != nil {
		return err
	}
	lang := i18n.Negotiate(f.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	body := "thanks_body"
	if c.Query("again") != "" {
		body = "thanks_again"
	}
	p := s.thanksPage(c, f, lang, c.Query("p"), body)
	// The page of a new follow-up code, reloaded or come back to: the
	// code again, for an hour after answering.
	if sub := c.Query("s"); s.FollowUps != nil && uuid.Validate(sub) == nil {
		code, ok, err := s.FollowUps.CodeOf(c.UserContext(), forms.ResponseID(f.ID, sub))
		if err != nil {
			return err
		}
		if ok {
			s.showCode(&p, code, true, sub)
		}
	}
	return s.renderPhone(c, http.StatusOK, "thanks.html", p)
}

// renderPhone executes a phone page template and sends it as HTML.
func (s *server) renderPhone(c *fiber.Ctx, status int, name string, p phonePage) error {
	var b bytes.Buffer
	if err := s.phone.ExecuteTemplate(&b, name, p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentLanguage, p.Lang)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	return c.Status(status).Send(b.Bytes())
}

// csrfCookie holds the double-submit token of the form pages. It needs no
// server-side state, so a restart or a second instance never turns a
// citizen's answers away.
const csrfCookie = "samspil_csrf"

func (s *server) csrfToken(c *fiber.Ctx) string { return s.doubleSubmit(c, csrfCookie) }

func (s *server) validCSRF(c *fiber.Ctx, posted string) bool {
	cookie := c.Cookies(csrfCookie)
	return cookie != "" && subtle.ConstantTimeCompare([]byte(cookie), []byte(posted)) == 1
}

// phoneError is an error shown to a citizen or partner as a small page,
// by message id.
type phoneError struct {
	status int
	msg    string
	params map[string]any
}

func (e *phoneError) Error() string { return e.msg }

func phoneErr(status int, msg string) error { return &phoneError{status: status, msg: msg} }

// phoneFail renders an error as a small page for people on a phone, in
// the language they asked for.
func (s *server) phoneFail(c *fiber.Ctx, err error) error {
	var pe *phoneError
	switch {
	case errors.As(err, &pe):
	case errors.Is(err, intake.ErrNoInvitation):
		pe = &phoneError{status: http.StatusNotFound, msg: "invitation_not_found"}
	case errors.Is(err, intake.ErrWaveClosed):
		pe = &phoneError{status: http.StatusGone, msg: "wave_closed"}
	case errors.Is(err, intake.ErrWaveNotOpen):
		pe = &phoneError{status: http.StatusForbidden, msg: "wave_not_open"}
	case errors.Is(err, forms.ErrReplacedMeanwhile):
		pe = &phoneError{status: http.StatusConflict, msg: "answer_replaced_meanwhile"}
	default:
		s.Logger.Error("phone page failed", "route", routeOf(c), "err", err)
		c.Set(fiber.HeaderRetryAfter, "60")
		pe = &phoneError{status: http.StatusServiceUnavailable, msg: "store_unavailable"}
	}
	lang := i18n.Negotiate(s.Messages.Languages(), c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	p := phonePage{Lang: lang, Dir: i18n.Dir(lang), UI: map[string]string{"language": s.Messages.Text(lang, "language", nil)},
		CSS: s.assets.url["app.css"], Title: s.Messages.Text(lang, pe.msg, pe.params)}
	if help, ok := errorHelp[pe.msg]; ok {
		p.Banner = s.Messages.Text(lang, help, nil)
	}
	// The page in another language: the same address, asked again.
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	for _, code := range citizenLanguages {
		q.Set("lang", code)
		p.Languages = append(p.Languages, languageLink{Code: code, Name: display.Self.Name(language.Make(code)),
			URL: c.Path() + "?" + q.Encode(), Current: code == lang})
	}
	return s.renderPhone(c, pe.status, "error.html", p)
}

// errorHelp says, under an error page's heading, what may have happened
// and what to do.
var errorHelp = map[string]string{
	"invitation_not_found": "invitation_not_found_help",
	"link_not_valid":       "link_not_valid_help",
	"wave_closed":          "wave_closed_help",
}

// answerMessage is the message id for a problem with an answer.
func answerMessage(p forms.Problem) string {
	if expected, ok := p.Params["Expected"].(string); ok {
		return p.Code + "_" + expected
	}
	return p.Code
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// showCode puts a follow-up code on a thank-you page: a new one shown
// large, to write down, or word that the answers joined a code's. The
// page's own address (for a reload) carries the submission, which shows
// a new code again for an hour; the page has no language links.
func (s *server) showCode(p *phonePage, code followup.Code, isNew bool, submission string) {
	for _, id := range followUpUI {
		p.UI[id] = s.Messages.Text(p.Lang, id, nil)
	}
	p.Forget = "/forget?" + url.Values{"lang": {p.Lang}}.Encode()
	if !isNew {
		p.Banner += " " + p.UI["follow_linked"]
		return
	}
	p.Code, p.Languages = code.String(), nil
	p.Here += "&" + url.Values{"s": {submission}}.Encode()
}
