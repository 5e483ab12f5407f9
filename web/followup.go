package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"samspil/followup"
	"samspil/i18n"
	"samspil/intake"
)

// followUpField is the optional last question of a citizen's form: answer
// again later under a code, and with which code.
type followUpField struct {
	// Choice is what was picked: "no", "new" or "code".
	Choice, Code string
	Question     string
	Error        string
}

// followUpUI are the texts of the follow-up question and pages.
var followUpUI = []string{"follow_q", "follow_help", "follow_no", "follow_new", "follow_have", "follow_code_label",
	"follow_code_title", "follow_code_keep", "follow_linked", "forget_link", "forget_title", "forget_intro",
	"forget_code_label", "forget_find", "forget_answers", "forget_code_only", "forget_published"}

// offerFollowUp adds the follow-up question to a form page in a
// partnership, with what was posted.
func (s *server) offerFollowUp(p *phonePage, posted url.Values) {
	if s.FollowUps == nil || p.Context["p"] == "" {
		return
	}
	for _, id := range followUpUI {
		p.UI[id] = s.Messages.Text(p.Lang, id, nil)
	}
	p.FollowUp = &followUpField{Choice: posted.Get("_follow"), Code: posted.Get("_code"), Question: p.UI["follow_q"]}
}

// followUpAsked is what a posted form asks of follow-up codes, for intake:
// a code typed in counts even if its option was not picked, and a picked
// option without a code is a code missing.
func followUpAsked(posted url.Values) string {
	code := strings.TrimSpace(posted.Get("_code"))
	switch posted.Get("_follow") {
	case "new":
		return intake.NewFollowUp
	case "code":
		if code == "" {
			return "-" // read as a malformed code: the page asks for it
		}
		return code
	case "":
		return code
	}
	return ""
}

// followUpConflict is the problem of a follow-up answer that says two
// things: a code typed in while another option is picked (which did the
// person mean?), or "I have a code" with none typed.
func followUpConflict(posted url.Values) string {
	code, choice := strings.TrimSpace(posted.Get("_code")), posted.Get("_follow")
	switch {
	case code != "" && (choice == "new" || choice == "no"):
		return "follow_up_choose"
	case code == "" && choice == "code":
		return "follow_up_missing"
	}
	return ""
}

// followUpProblem is the follow-up code's problem among those intake
// found, if any.
func followUpProblem(invalid *intake.Invalid) *intake.Problem {
	i := slices.IndexFunc(invalid.Problems, func(p intake.Problem) bool { return p.Field == "follow_up" })
	if i < 0 {
		return nil
	}
	return &invalid.Problems[i]
}

// forgetPage is the page where a citizen deletes their answers with a
// follow-up code.
func (s *server) forgetPage(c *fiber.Ctx, lang string) phonePage {
	ui := make(map[string]string, len(followUpUI)+2)
	for _, id := range append(followUpUI, "language", "privacy_link", "forget_cancel") {
		ui[id] = s.Messages.Text(lang, id, nil)
	}
	// The summary above a wrong code asks to check it, not answers.
	ui["errors_title"] = s.Messages.Text(lang, "forget_check", nil)
	p := phonePage{Lang: lang, Dir: i18n.Dir(lang), UI: ui, CSS: s.assets.url["app.css"], Title: ui["forget_title"],
		Description: ui["forget_intro"], CSRF: s.csrfToken(c), Action: "/forget", PrivacyURL: privacyURL(lang, "")}
	for _, code := range citizenLanguages {
		p.Languages = append(p.Languages, languageLink{Code: code, Name: display.Self.Name(language.Make(code)),
			URL: "/forget?" + url.Values{"lang": {code}}.Encode(), Current: code == lang})
	}
	return p
}

// showForget asks for the code whose answers to delete, or says what was
// deleted (the page a deletion redirects to, so that a reload never sends
// the deletion again).
func (s *server) showForget(c *fiber.Ctx, _ *request) error {
	lang := i18n.Negotiate(citizenLanguages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	p := s.forgetPage(c, lang)
	if done := c.Query("done"); done == "answers" || done == "code" {
		p.Done = s.Messages.Text(lang, "forget_done_"+done, nil)
	}
	return s.renderPhone(c, http.StatusOK, "forget.html", p)
}

// postForget finds the answers a code links and, once the citizen has
// seen how many and chosen, deletes them or only the code.
func (s *server) postForget(c *fiber.Ctx, _ *request) error {
	posted, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return phoneErr(http.StatusBadRequest, "malformed_request")
	}
	lang := i18n.Negotiate(citizenLanguages, posted.Get("_lang"), c.Get(fiber.HeaderAcceptLanguage))
	p := s.forgetPage(c, lang)
	p.FollowUp = &followUpField{Code: posted.Get("_code"), Question: p.UI["forget_code_label"]}
	fail := func(status int, msg string) error {
		p.FollowUp.Error = s.Messages.Text(lang, msg, nil)
		p.Errors = []questionError{{ID: "follow", Question: p.UI["forget_code_label"], Message: p.FollowUp.Error}}
		return s.renderPhone(c, status, "forget.html", p)
	}
	if !s.validCSRF(c, posted.Get("_csrf")) {
		p.Banner = s.Messages.Text(lang, "csrf_forget", nil)
		return s.renderPhone(c, http.StatusForbidden, "forget.html", p)
	}
	if s.FollowUps == nil {
		return fail(http.StatusUnprocessableEntity, intake.CodeFollowUpUnavailable)
	}
	// Codes that find nothing count as guesses: past the limit, no code
	// is looked up until the wait is over.
	now := s.Now()
	if wait := s.Limits.Guesses.Wait(c.IP(), now); wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())))
		p.Banner = s.Messages.Text(lang, "rate_limited", minutes(wait))
		return s.renderPhone(c, http.StatusTooManyRequests, "forget.html", p)
	}
	code, link, err := s.FollowUps.Find(c.UserContext(), posted.Get("_code"), "")
	switch {
	case errors.Is(err, followup.ErrMalformed):
		return fail(http.StatusUnprocessableEntity, intake.CodeInvalidFollowUp)
	case errors.Is(err, followup.ErrUnknown):
		s.Limits.Guesses.Spend(c.IP(), now)
		return fail(http.StatusNotFound, "forget_unknown")
	case err != nil:
		return err
	}
	p.FollowUp.Code = code.String()
	switch posted.Get("_do") {
	case "answers", "code":
		if err := s.FollowUps.Forget(c.UserContext(), link, posted.Get("_do") == "answers"); err != nil {
			return err
		}
		return c.Redirect("/forget?"+url.Values{"lang": {lang}, "done": {posted.Get("_do")}}.Encode(), http.StatusSeeOther)
	}
	days, err := s.FollowUps.Days(c.UserContext(), link)
	if err != nil {
		return err
	}
	var printed []string
	for _, d := range days {
		if day := citizenDate(lang, d); !slices.Contains(printed, day) {
			printed = append(printed, day)
		}
	}
	sep := ", "
	if lang == "ar" {
		sep = "، "
	}
	p.Found = s.Messages.Text(lang, "forget_found", map[string]any{"Code": code.String(), "Count": len(days), "Days": strings.Join(printed, sep)})
	return s.renderPhone(c, http.StatusOK, "forget.html", p)
}

// citizenDate writes a day as people reading lang write it: in words in
// Danish and English, in figures otherwise.
func citizenDate(lang string, t time.Time) string { return i18n.LongDate(lang, t.In(local)) }
