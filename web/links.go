package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/partnership"
	"samspil/qr"
)

// linksView lists new personal links, shown this once, with a letter per
// partner to print.
type linksView struct {
	Wave  partnership.Wave
	Form  string
	Last  time.Time
	Links []personalLink
	// Reissued says the links replace earlier ones.
	Reissued bool
}

type personalLink struct {
	Partner, Name, Link string
	QR                  template.HTML
}

// invite creates invitations for every active partner not yet invited
// and shows their links once: only the tokens' hashes are stored.
func (s *server) invite(c *fiber.Ctx, r *request) error {
	ctx, now := c.UserContext(), s.Now()
	p := s.page(c, r, "links_title")
	v, err := s.waveView(c, r, p)
	if err != nil {
		return err
	}
	if !v.Partners {
		return &pageError{status: http.StatusUnprocessableEntity, msg: "citizen_wave_invitations"}
	}
	if v.Status == partnership.Closed {
		return &pageError{status: http.StatusGone, msg: "wave_closed"}
	}
	partners, err := s.Store.Partners(ctx, v.Wave.Partnership)
	if err != nil {
		return err
	}
	sortPartners(partners)
	lv := linksView{Wave: v.Wave, Form: v.Form, Last: v.Last}
	for _, pt := range partners {
		if !pt.Active {
			continue
		}
		token := access.NewToken()
		created, err := s.Store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(token),
			Partnership: pt.Partnership, Wave: v.Wave.ID, Partner: pt.ID, CreatedAt: now.UTC()})
		if err != nil {
			return err
		}
		if created {
			if err := lv.add(s.baseURL(c), pt, token); err != nil {
				return err
			}
		}
	}
	if err := s.audit(c, r, "invitations.create", v.Wave.Partnership, v.Wave.ID); err != nil {
		return err
	}
	p.Data = lv
	return s.render(c, http.StatusOK, "links.html", p)
}

func (lv *linksView) add(base string, pt partnership.Partner, token string) error {
	link := base + "/i/" + token
	svg, err := qr.Code(link)
	if err != nil {
		return err
	}
	lv.Links = append(lv.Links, personalLink{Partner: pt.ID, Name: pt.Name, Link: link, QR: template.HTML(svg)})
	return nil
}

// reissue gives one partner a new link; the old one stops working.
func (s *server) reissue(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "links_title")
	v, err := s.waveView(c, r, p)
	if err != nil {
		return err
	}
	if v.Status == partnership.Closed {
		return &pageError{status: http.StatusGone, msg: "wave_closed"}
	}
	pt, err := s.Store.Partner(ctx, v.Wave.Partnership, c.Params("partner"))
	if err != nil {
		return err
	}
	token := access.NewToken()
	if err := s.Store.ReissueInvitation(ctx, partnership.Invitation{Hash: access.Hash(token), Partnership: pt.Partnership,
		Wave: v.Wave.ID, Partner: pt.ID, CreatedAt: s.Now().UTC()}); err != nil {
		return err
	}
	if err := s.audit(c, r, "invitation.reissue", pt.Partnership, v.Wave.ID+":"+pt.ID); err != nil {
		return err
	}
	lv := linksView{Wave: v.Wave, Form: v.Form, Last: v.Last, Reissued: true}
	if err := lv.add(s.baseURL(c), pt, token); err != nil {
		return err
	}
	p.Data = lv
	return s.render(c, http.StatusOK, "links.html", p)
}
