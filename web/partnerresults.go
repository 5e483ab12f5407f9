package web

import (
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"samspil/i18n"
	"samspil/intake"
)

// partnerResultsView is what a partner sees on its own link once the
// round has closed: the partnership's health by element with the change
// since the round before, who answered, and the map of who works with
// whom, unless the backbone switched the map off. Never a partner's
// ratings of another: the map draws every tie alike.
type partnerResultsView struct {
	Partner  string
	Answered bool
	Closed   string
	MinGroup int
	// Covers says what the figures cover, under the health chart.
	Covers  string
	Health  healthView
	Network *networkView
	// Theory is the partnership's program theory with its figures: what
	// the partners are working towards together.
	Theory *theoryView
}

// partnerResults shows a closed round's results to a partner, in the
// partner form's languages.
func (s *server) partnerResults(c *fiber.Ctx, in intake.Invited) error {
	ctx := c.UserContext()
	lang := i18n.Negotiate(in.Form.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	p := &page{Lang: lang, CSS: s.assets.url["console.css"], JS: s.assets.url["console.js"], msgs: s.Messages, Public: true}
	p.Title = p.T("partner_results_title")
	p.Other = "en"
	if lang == "en" {
		p.Other = "da"
	}
	p.OtherURL = c.Path() + "?" + url.Values{"lang": {p.Other}}.Encode()
	pa, err := s.Store.Partnership(ctx, in.Invitation.Partnership)
	if err != nil {
		return err
	}
	v := partnerResultsView{Partner: in.Partner.Name, Answered: in.Answered, Closed: p.LongDate(lastDay(in.Wave)), MinGroup: pa.MinGroup}
	if v.Health, err = s.healthOf(ctx, p, pa, in.Wave.ID); err != nil {
		return err
	}
	v.Covers = p.T("report_filter_min", "Min", pa.MinGroup)
	v.Health.Rounds = nil // a partner sees its own round
	if !pa.HidePartnerMap {
		n, err := s.networkOf(ctx, p, pa, in.Wave.ID, "any", in.Partner.ID)
		if err != nil {
			return err
		}
		v.Network = &n
	}
	if t, ok, err := s.Store.Theory(ctx, pa.ID); err != nil {
		return err
	} else if ok {
		tv, err := s.drawTheory(ctx, p, pa, t)
		if err != nil {
			return err
		}
		v.Theory = &tv
	}
	p.Data = v
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, "partner_results.html", p)
}
