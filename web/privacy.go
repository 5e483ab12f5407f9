package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"samspil/i18n"
	"samspil/partnership"
)

// privacyUI are the privacy notice's texts, in the order the page shows
// them.
var privacyUI = []string{"privacy_title", "privacy_who_h", "privacy_what_h", "privacy_what", "privacy_not",
	"privacy_use_h", "privacy_use", "privacy_keep_h", "privacy_keep_answers", "privacy_code_h", "privacy_code",
	"privacy_rights_h", "privacy_rights", "privacy_complain", "forget_link", "language"}

// privacyPage is the privacy notice for citizens, in their language.
type privacyPage struct {
	Lang, Dir, Title, CSS, Description string
	UI                                 map[string]string
	Languages                          []languageLink
	// Who says who the data controller is and how to reach them, with
	// e-mail addresses linked; Keep, how long free text is kept.
	Who          template.HTML
	Keep, Forget string
}

// showPrivacy serves /privacy: who is responsible for the answers, what
// is stored and what is not, for how long, the follow-up code and how to
// have answers deleted. With ?p= it names that partnership's controller.
func (s *server) showPrivacy(c *fiber.Ctx, _ *request) error {
	lang := i18n.Negotiate(citizenLanguages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	controller, months := s.Controller, partnership.DefaultRetention.TextMonths
	if pid := c.Query("p"); pid != "" {
		pa, err := s.Store.Partnership(c.UserContext(), pid)
		switch {
		case errors.Is(err, partnership.ErrNotFound):
			return phoneErr(http.StatusNotFound, "link_not_valid")
		case err != nil:
			return err
		}
		if pa.Controller != "" {
			controller = pa.Controller
		}
		months = pa.RetentionOrDefault().TextMonths
	}
	ui := make(map[string]string, len(privacyUI))
	for _, id := range privacyUI {
		ui[id] = s.Messages.Text(lang, id, nil)
	}
	p := privacyPage{Lang: lang, Dir: i18n.Dir(lang), Title: ui["privacy_title"], CSS: s.assets.url["app.css"],
		Description: ui["privacy_what"], UI: ui,
		Keep:   s.Messages.Text(lang, "privacy_keep_text", map[string]any{"Months": months}),
		Forget: "/forget?" + url.Values{"lang": {lang}}.Encode()}
	if controller != "" {
		p.Who = linkMail(s.Messages.Text(lang, "privacy_who", map[string]any{"Controller": controller}))
	} else {
		p.Who = linkMail(s.Messages.Text(lang, "privacy_who_unset", nil))
	}
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	for _, code := range citizenLanguages {
		q.Set("lang", code)
		p.Languages = append(p.Languages, languageLink{Code: code, Name: display.Self.Name(language.Make(code)),
			URL: "/privacy?" + q.Encode(), Current: code == lang})
	}
	return s.renderPhone(c, http.StatusOK, "privacy.html", phonePage{Lang: p.Lang, Dir: p.Dir, Title: p.Title, CSS: p.CSS,
		Description: p.Description, UI: p.UI, Languages: p.Languages, Privacy: &p})
}
