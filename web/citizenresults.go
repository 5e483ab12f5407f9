package web

import (
	"bytes"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"samspil/charts"
	"samspil/forms"
	"samspil/i18n"
	"samspil/indicators"
	"samspil/partnership"
)

// citizenResults is the results page for the people who answered, in
// their language and plain words: of ten who answered, how many agree
// with each statement, as a row of ten people.
type citizenResults struct {
	Lang, Dir, Title, CSS, JS string
	Description               string
	UI                        map[string]string
	Languages                 []languageLink
	Partnership               partnership.Partnership
	Statements                []statement
	// Intro says how many answers the figures are from; Nothing, that
	// too few have answered to show any.
	Intro, Nothing string
	Use            string
	// PrivacyURL links to the privacy notice.
	PrivacyURL string
}

// statement is one question's result: a sentence and its picture.
type statement struct {
	Sentence string
	Icons    template.HTML
}

// showCitizenResults serves /r/{pid}: the released answers of all the
// partnership's activities. Only figures the indicators service released
// appear, and a question fewer than the minimum group answered is left
// out, never shown as nobody agreeing.
func (s *server) showCitizenResults(c *fiber.Ctx, _ *request) error {
	ctx := c.UserContext()
	pa, err := s.Store.Partnership(ctx, c.Params("pid"))
	if errors.Is(err, partnership.ErrNotFound) {
		return phoneErr(http.StatusNotFound, "link_not_valid")
	} else if err != nil {
		return err
	}
	f, ok := s.Forms.Form(citizenForm, 0)
	if !ok {
		return errNotFound
	}
	lang := i18n.Negotiate(f.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	text := func(id string, args ...any) string {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[args[i].(string)] = args[i+1]
		}
		return s.Messages.Text(lang, id, data)
	}
	v := citizenResults{Lang: lang, Dir: i18n.Dir(lang), Title: text("r_title"), Description: text("r_use"), CSS: s.assets.url["app.css"],
		UI:          map[string]string{"language": text("language"), "r_use_title": text("r_use_title"), "privacy_link": text("privacy_link")},
		Partnership: pa, Use: text("r_use"), PrivacyURL: privacyURL(lang, pa.ID)}
	for _, code := range f.Languages {
		v.Languages = append(v.Languages, languageLink{Code: code, Name: display.Self.Name(language.Make(code)),
			URL: "/r/" + url.PathEscape(pa.ID) + "?" + url.Values{"lang": {code}}.Encode(), Current: code == lang})
	}
	inc, err := s.Indicators.Inclusion(ctx, pa, f, indicators.Query{By: "activity"})
	if err != nil {
		return err
	}
	min := max(inc.MinGroup, 1)
	view := f.In(lang)
	for i, it := range f.Items {
		shares, ok := inc.Total.Shares[it.ID]
		n := inc.Total.Answered[it.ID]
		if it.Type != forms.TypeScale || !ok || n < min || inc.Total.Suppressed {
			continue
		}
		_, hi := it.Range()
		agree := shares[itoa(int(hi))] + shares[itoa(int(hi)-1)]
		tens := int(math.Round(10 * agree))
		sentence := text("r_agree", "Count", tens, "Statement", view.Items[i].Text)
		icons := charts.Icons(tens, 10, v.Dir == "rtl", charts.Text{ID: "r-" + it.ID, Decorative: true})
		v.Statements = append(v.Statements, statement{Sentence: sentence, Icons: template.HTML(icons)}) // drawn by package charts, which escapes every text
	}
	if len(v.Statements) == 0 {
		v.Nothing = text("r_nothing", "Min", min)
	} else {
		v.Intro = text("r_intro", "N", inc.Total.N, "Min", min)
	}
	var b bytes.Buffer
	if err := s.phone.ExecuteTemplate(&b, "results.html", v); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Type("html", "utf-8")
	return c.Status(http.StatusOK).Send(b.Bytes())
}
