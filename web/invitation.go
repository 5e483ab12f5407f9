package web

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"samspil/forms"
	"samspil/i18n"
	"samspil/intake"
)

// showInvitation is a partner's personal form page, filled in with the
// answers it gave before, until the wave closes.
func (s *server) showInvitation(c *fiber.Ctx, _ *request) error {
	in, err := s.openInvitation(c)
	if err != nil {
		return err
	}
	if err := s.Intake.Accepting(in); errors.Is(err, intake.ErrWaveClosed) {
		return s.partnerResults(c, in)
	} else if err != nil {
		return err
	}
	lang := i18n.Negotiate(in.Form.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	var posted url.Values
	if in.Answered {
		posted = postedValues(in.Form.Items, in.Answers, "q_", nil)
	}
	return s.renderPhone(c, http.StatusOK, "form.html", s.invitationPage(c, in, lang, posted, nil))
}

func (s *server) invitationPage(c *fiber.Ctx, in intake.Invited, lang string, posted url.Values, problems []forms.Problem) phonePage {
	p := s.pageFor(c, in.Form, lang, uuid.NewString(), posted, problems, in.Roster, "/i/"+c.Params("token"))
	p.Partner = in.Partner.Name
	// Which partnership, until when, and whom to ask, at the top.
	text := func(id string, data map[string]any) string { return s.Messages.Text(lang, id, data) }
	closes := phoneDate(lang, lastDay(in.Wave))
	pa, err := s.Store.Partnership(c.UserContext(), in.Invitation.Partnership)
	if err == nil {
		p.About = append(p.About, template.HTML(html.EscapeString(text("partner_partnership", map[string]any{"Name": pa.Name}))))
	}
	if in.Answered {
		p.About = append(p.About, template.HTML(html.EscapeString(text("partner_answered", map[string]any{"Answered": phoneDate(lang, in.AnsweredAt), "Day": closes}))))
	} else {
		p.About = append(p.About, template.HTML(html.EscapeString(text("partner_closes", map[string]any{"Day": closes}))))
	}
	if err == nil && pa.Contact != "" {
		p.About = append(p.About, linkMail(text("partner_contact", map[string]any{"Contact": pa.Contact})))
	}
	return p
}

// phoneDate writes a day as a partner reads it in a letter: 15. december
// 2026, or 15 December 2026.
func phoneDate(lang string, t time.Time) string {
	if lang != "da" {
		lang = "en"
	}
	return i18n.LongDate(lang, t.In(local))
}

// postInvitation stores the answers posted from an invitation page; on any
// problem the page comes back with every answer kept.
func (s *server) postInvitation(c *fiber.Ctx, _ *request) error {
	in, err := s.openInvitation(c)
	if err != nil {
		return err
	}
	posted, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return phoneErr(http.StatusBadRequest, "malformed_request")
	}
	lang := i18n.Negotiate(in.Form.Languages, posted.Get("_lang"), c.Get(fiber.HeaderAcceptLanguage))
	again := func(status int, banner string, problems []forms.Problem) error {
		p := s.invitationPage(c, in, lang, posted, problems)
		p.Banner = banner
		return s.renderPhone(c, status, "form.html", p)
	}
	if !s.validCSRF(c, posted.Get("_csrf")) {
		return again(http.StatusForbidden, s.Messages.Text(lang, "csrf_page", nil), nil)
	}
	if ps := untickedAnswers(in, posted); len(ps) > 0 && posted.Get("_confirm") != "hidden" {
		return again(http.StatusUnprocessableEntity, "", ps)
	}
	created, err := s.Intake.Answer(c.UserContext(), in, lang, rawAnswers(in.Form.Items, posted, "q_"), posted.Get("_confirm") == "hidden")
	var invalid *intake.Invalid
	switch {
	case errors.As(err, &invalid) && invalid.Empty():
		return again(http.StatusUnprocessableEntity, s.Messages.Text(lang, "no_answers", nil), nil)
	case errors.As(err, &invalid):
		return again(http.StatusUnprocessableEntity, "", invalid.AnswerProblems())
	case errors.Is(err, intake.ErrUnavailable):
		s.Logger.Error("store a partner's answers", "err", err)
		c.Set(fiber.HeaderRetryAfter, "60")
		return again(http.StatusServiceUnavailable, s.Messages.Text(lang, "store_down_page", nil), nil)
	case err != nil:
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	p := s.invitationPage(c, in, lang, nil, nil)
	p.About = nil
	p.UI["thanks_title"] = s.Messages.Text(lang, "thanks_title_partner", nil)
	p.Banner = s.Messages.Text(lang, "thanks_partner", map[string]any{"Day": phoneDate(lang, lastDay(in.Wave))})
	p.Change = "/i/" + c.Params("token") + "?" + url.Values{"lang": {lang}}.Encode()
	p.Languages = nil
	return s.renderPhone(c, status, "thanks.html", p)
}

// mailAddress finds an e-mail address in a line of text.
var mailAddress = regexp.MustCompile(`[^\s<>()"',;]+@[^\s<>()"',;]+\.[A-Za-z]{2,}`)

// linkMail escapes a line and makes the e-mail addresses in it mailto
// links, so a partner can write to its contact with one tap.
func linkMail(line string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range mailAddress.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:m[0]]))
		addr := line[m[0]:m[1]]
		fmt.Fprintf(&b, `<a href="mailto:%s">%s</a>`, html.EscapeString(url.PathEscape(addr)), html.EscapeString(addr))
		last = m[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return template.HTML(b.String()) // every piece escaped above
}

// CodeUnticked is the problem of answers about a partner that was not
// ticked: they would be left out, so the partner is asked first.
const CodeUnticked = "unticked_partner"

// untickedAnswers finds answers given, without the script, to the
// questions about a partner the partner did not tick: the page asks
// whether to tick it or leave them out, rather than drop them unsaid.
func untickedAnswers(in intake.Invited, posted url.Values) []forms.Problem {
	names := map[string]string{}
	for _, p := range in.Roster {
		names[p.ID] = p.Name
	}
	var problems []forms.Problem
	for _, it := range in.Form.Items {
		if it.Type != forms.TypePartners {
			continue
		}
		prefix := "q_" + it.ID + "__"
		seen := map[string]bool{}
		var unticked []string
		for key, values := range posted {
			id, _, ok := strings.Cut(strings.TrimPrefix(key, prefix), "__")
			if !ok || !strings.HasPrefix(key, prefix) || seen[id] || names[id] == "" || slices.Contains(posted["q_"+it.ID], id) ||
				!slices.ContainsFunc(values, func(v string) bool { return strings.TrimSpace(v) != "" }) {
				continue
			}
			seen[id] = true
			unticked = append(unticked, names[id])
		}
		if len(unticked) > 0 {
			slices.Sort(unticked)
			problems = append(problems, forms.Problem{Item: it.ID, Code: CodeUnticked, Params: map[string]any{"Partner": strings.Join(unticked, "; ")}})
		}
	}
	return problems
}
