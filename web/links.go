package web

import (
	"cmp"
	"encoding/base64"
	"encoding/csv"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/internal/sheet"
	"samspil/outbox"
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
	// Lost says this very form, posted before, made the links: the
	// browser showed this second answer instead of the first.
	Lost bool
	// CSV is the links as a spreadsheet file, for a download link.
	CSV template.URL
	// Local says the links point at this computer: no public address is
	// configured and the page was opened on localhost.
	Local bool
	// Mailed and ByHand count the links on their way by mail and those
	// whose partner has no address.
	Mailed, ByHand int
}

type personalLink struct {
	Partner, Name, Email, Link string
	Mail                       outbox.MailState
	// QR is the link's code as a PNG of one pixel per module, which a
	// page of 30 letters carries in a few kilobytes (SVG needs ten times
	// as much); it prints sharp when scaled up without smoothing.
	QR template.URL
}

// invite creates invitations for every active partner not yet invited
// and shows their links once: only the tokens' hashes are stored.
func (s *server) invite(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "links_title")
	v, err := s.waveOf(c, r, p)
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
	// One invitation round per wave at a time in this process: a double
	// click must not split the links between two pages.
	mu, _ := s.inviting.LoadOrStore(v.Wave.ID, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	lv := s.linksView(c, v)
	batch := onceID(c, "", v.Wave.ID)
	if c.FormValue("all") == "1" {
		// New links for every invited partner who has not answered.
		invitees, _, err := s.Indicators.Invitees(ctx, v.Wave.Partnership, v.Wave.ID)
		if err != nil {
			return err
		}
		waiting := map[string]bool{}
		for _, inv := range invitees {
			waiting[inv.Partner] = inv.Invited && !inv.Responded
		}
		for _, pt := range partners {
			if !waiting[pt.ID] {
				continue
			}
			is, _, err := s.Outbox.Invite(ctx, v.Wave, pt, batch, true)
			if err != nil {
				return err
			}
			if err := lv.add(s.baseURL(c), is); err != nil {
				return err
			}
		}
		lv.Reissued = true
	}
	for _, pt := range partners {
		if !pt.Active || lv.Reissued {
			continue
		}
		is, created, err := s.Outbox.Invite(ctx, v.Wave, pt, batch, false)
		if err != nil {
			return err
		}
		if created {
			if err := lv.add(s.baseURL(c), is); err != nil {
				return err
			}
		}
	}
	s.Outbox.Poke()
	if len(lv.Links) == 0 {
		invs, err := s.Store.Invitations(ctx, v.Wave.ID)
		if err != nil {
			return err
		}
		lv.Lost = slices.ContainsFunc(invs, func(i partnership.Invitation) bool { return i.Batch == batch })
	}
	lv.csv(r.Lang)
	if err := s.audit(c, r, "invitations.create", v.Wave.Partnership, v.Wave.ID); err != nil {
		return err
	}
	p.Data = lv
	return s.render(c, http.StatusOK, "links.html", p)
}

// linksView starts the page of new links to a wave.
func (s *server) linksView(c *fiber.Ctx, v waveView) linksView {
	host := c.Hostname()
	return linksView{Wave: v.Wave, Form: v.Form, Last: v.Last,
		Local: s.PublicURL == "" && (strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "127."))}
}

func (lv *linksView) add(base string, is outbox.Issued) error {
	link := base + "/i/" + is.Token
	png, err := qr.PNG(link, -1)
	if err != nil {
		return err
	}
	pt := is.Partner
	lv.Links = append(lv.Links, personalLink{Partner: pt.ID, Name: pt.Name, Email: pt.Email, Link: link, Mail: is.Mail,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
	switch is.Mail {
	case outbox.MailQueued:
		lv.Mailed++
	case outbox.MailNoAddress:
		lv.ByHand++
	}
	return nil
}

// csv puts the links in a spreadsheet file the page offers to download,
// so that nobody copies 30 links by hand. The file is in the page itself:
// the links exist nowhere else.
func (lv *linksView) csv(lang string) {
	if len(lv.Links) == 0 {
		return
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if lang == "da" {
		w.Comma = ';' // what Danish Excel splits on
	}
	// Those who need their link by hand first, then the others.
	slices.SortStableFunc(lv.Links, func(a, b personalLink) int {
		return cmp.Compare(boolInt(a.Mail == outbox.MailQueued), boolInt(b.Mail == outbox.MailQueued))
	})
	w.Write([]string{"name", "email", "link", "mail"})
	for _, l := range lv.Links {
		w.Write(sheet.Row([]string{l.Name, l.Email, l.Link, string(l.Mail)}))
	}
	w.Flush()
	lv.CSV = template.URL("data:text/csv;charset=utf-8," + url.PathEscape("\ufeff"+b.String()))
}

// reissue gives one partner a new link; the old one stops working.
func (s *server) reissue(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "links_title")
	v, err := s.waveOf(c, r, p)
	if err != nil {
		return err
	}
	// After the round has closed, a new link shows the partner the
	// round's results: one who lost its link can still see them.
	pt, err := s.Store.Partner(ctx, v.Wave.Partnership, c.Params("partner"))
	if err != nil {
		return err
	}
	is, _, err := s.Outbox.Invite(ctx, v.Wave, pt, "", true)
	if err != nil {
		return err
	}
	s.Outbox.Poke()
	if err := s.audit(c, r, "invitation.reissue", pt.Partnership, v.Wave.ID+":"+pt.ID); err != nil {
		return err
	}
	lv := s.linksView(c, v)
	lv.Reissued = true
	if err := lv.add(s.baseURL(c), is); err != nil {
		return err
	}
	lv.csv(r.Lang)
	p.Data = lv
	return s.render(c, http.StatusOK, "links.html", p)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
