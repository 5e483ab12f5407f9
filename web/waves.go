package web

import (
	"crypto/sha256"
	"encoding/base32"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // waves open and close on Danish days, on any host

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"samspil/access"
	"samspil/forms"
	"samspil/indicators"
	"samspil/partnership"
	"samspil/qr"
)

// local is where waves' dates are days: a wave opens at the start of its
// first day and closes at the end of its last, Danish time.
var local = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return time.UTC
	}
	return l
}()

type wavesView struct {
	Waves []waveRow
	Forms []formChoice
	// New is the wave being opened, kept when the form comes back.
	Form, Opens, Closes string
	// Once makes a double submit open one wave.
	Once string
}

type waveRow struct {
	Wave   partnership.Wave
	Form   string
	Status string
	// Last is the wave's last day, as people say it.
	Last time.Time
}

type formChoice struct{ ID, Title, Kind string }

func (s *server) wavesView(c *fiber.Ctx, r *request, p *page) (wavesView, error) {
	pa, err := s.partnershipOf(c, p, "waves")
	if err != nil {
		return wavesView{}, err
	}
	ws, err := s.Store.Waves(c.UserContext(), pa.ID)
	if err != nil {
		return wavesView{}, err
	}
	slices.SortFunc(ws, func(a, b partnership.Wave) int { return b.OpensAt.Compare(a.OpensAt) })
	v := wavesView{Once: uuid.NewString()}
	for _, w := range ws {
		v.Waves = append(v.Waves, waveRow{Wave: w, Form: s.formTitle(w.Form, r.Lang), Status: w.Status(s.Now()), Last: lastDay(w)})
	}
	for _, f := range s.Forms.Forms() {
		v.Forms = append(v.Forms, formChoice{ID: f.ID, Title: f.Title.In(r.Lang, f.DefaultLanguage), Kind: string(f.Kind)})
	}
	today := s.Now().In(local)
	v.Opens, v.Closes = today.Format(time.DateOnly), today.AddDate(0, 0, 14).Format(time.DateOnly)
	return v, nil
}

// lastDay is the last day a wave is open.
func lastDay(w partnership.Wave) time.Time {
	return w.ClosesAt.In(local).Add(-time.Second)
}

func (s *server) wavesPage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "waves_title")
	v, err := s.wavesView(c, r, p)
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(c, http.StatusOK, "waves.html", p)
}

// parseDay reads a day as a date picker sends it (2026-03-02) or as
// people type it where there is no picker (2.3.2026, 02-03-2026).
func parseDay(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.DateOnly, "2.1.2006", "2-1-2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, v, local); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// openWave opens a wave of a form. The form's hidden token names the
// wave, so posting the form twice opens it once.
func (s *server) openWave(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "waves_title")
	v, err := s.wavesView(c, r, p)
	if err != nil {
		return err
	}
	pid := p.Partnership.ID
	once := c.FormValue("_once")
	if _, err := uuid.Parse(once); err != nil {
		once = uuid.NewString()
	}
	sum := sha256.Sum256([]byte(pid + ":" + once))
	w := partnership.Wave{ID: "wa" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10])),
		Partnership: pid, Form: c.FormValue("form")}
	if _, err := s.Store.Wave(c.UserContext(), pid, w.ID); err == nil {
		return back(c, "/console/p/"+pid+"/waves/"+w.ID, "wave_opened")
	}
	v.Form, v.Opens, v.Closes, v.Once = w.Form, c.FormValue("opens"), c.FormValue("closes"), once
	opens, okOpens := parseDay(v.Opens)
	closes, okCloses := parseDay(v.Closes)
	kind := ""
	if f, ok := s.Forms.Form(w.Form, 0); ok {
		kind, w.Version = string(f.Kind), f.Version
	}
	if okOpens {
		w.OpensAt = opens.UTC()
	}
	if okCloses {
		w.ClosesAt = closes.AddDate(0, 0, 1).UTC()
	}
	var ps []partnership.Problem
	if !okOpens && v.Opens != "" {
		ps = append(ps, partnership.Problem{Field: "opens_at", Code: "invalid_day"})
	}
	if !okCloses && v.Closes != "" {
		ps = append(ps, partnership.Problem{Field: "closes_at", Code: "invalid_day"})
	}
	ps = append(ps, w.Check(kind)...)
	if len(ps) > 0 {
		p.domainProblems(ps)
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "waves.html", p)
	}
	if err := s.Store.CreateWave(c.UserContext(), w); err != nil {
		// The same wave, posted twice at once, is already there.
		if _, again := s.Store.Wave(c.UserContext(), pid, w.ID); again == nil {
			return back(c, "/console/p/"+pid+"/waves/"+w.ID, "wave_opened")
		}
		return err
	}
	if err := s.audit(c, r, "wave.create", pid, w.ID); err != nil {
		return err
	}
	return back(c, "/console/p/"+pid+"/waves/"+w.ID, "wave_opened")
}

// waveView is a wave's status page.
type waveView struct {
	Wave     partnership.Wave
	Form     string
	Status   string
	Last     time.Time
	Partners bool
	Rates    indicators.Rates
	Sectors  []sectorRate
	// Waiting are the invited partners who have not answered yet.
	Invitees []indicators.Invitee
	Waiting  []indicators.Invitee
	// Days is the count of answers by each day of the wave so far.
	Days     []dayCount
	Contacts map[string]string
	// Link is a citizen wave's link.
	Link string
}

type sectorRate struct {
	Sector string
	Rate   *indicators.Rate
}

type dayCount struct {
	Day   time.Time
	Count int
	// Share is the share of invited partners who had answered by then.
	Share float64
}

func (s *server) wavePage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "wave_title")
	v, err := s.waveView(c, r, p)
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(c, http.StatusOK, "wave.html", p)
}

func (s *server) waveView(c *fiber.Ctx, r *request, p *page) (waveView, error) {
	ctx := c.UserContext()
	pa, err := s.partnershipOf(c, p, "waves")
	if err != nil {
		return waveView{}, err
	}
	w, err := s.Store.Wave(ctx, pa.ID, c.Params("wid"))
	if err != nil {
		return waveView{}, err
	}
	v := waveView{Wave: w, Form: s.formTitle(w.Form, r.Lang), Status: w.Status(s.Now()), Last: lastDay(w),
		Partners: w.Respondents == "partners", Contacts: map[string]string{}}
	p.Title = v.Form
	if !v.Partners {
		v.Link = s.citizenURL(c, pa.ID, "")
		return v, nil
	}
	list, rates, err := s.Indicators.Invitees(ctx, pa.ID, w.ID)
	if err != nil {
		return waveView{}, err
	}
	slices.SortFunc(list, func(a, b indicators.Invitee) int {
		return strings.Compare(partnership.NameKey(a.Name), partnership.NameKey(b.Name))
	})
	v.Rates, v.Invitees = rates, list
	for _, sec := range partnership.Sectors {
		if rt := rates.BySector[sec]; rt != nil && rt.Invited > 0 {
			v.Sectors = append(v.Sectors, sectorRate{Sector: string(sec), Rate: rt})
		}
	}
	var ids []string
	for _, inv := range list {
		if inv.Invited && !inv.Responded {
			v.Waiting = append(v.Waiting, inv)
		}
		ids = append(ids, inv.Partner)
	}
	if seesContacts(r.Principal) {
		partners, err := s.Store.Partners(ctx, pa.ID)
		if err != nil {
			return waveView{}, err
		}
		for _, pt := range partners {
			v.Contacts[pt.ID] = pt.Email
		}
	}
	answers, err := s.Store.PartnerResponses(ctx, w.ID, ids)
	if err != nil {
		return waveView{}, err
	}
	v.Days = answersByDay(w, answers, rates.Invited, s.Now())
	return v, nil
}

// answersByDay counts a partner wave's answers by day, from its first
// day to today or its last, with the share answered by each day's end.
func answersByDay(w partnership.Wave, answers []forms.Response, invited int, now time.Time) []dayCount {
	byDay := map[string]int{}
	for _, a := range answers {
		byDay[a.SubmittedAt.In(local).Format(time.DateOnly)]++
	}
	end := w.ClosesAt.Add(-time.Second)
	if now.Before(end) {
		end = now
	}
	end = end.In(local)
	var days []dayCount
	total := 0
	for d := w.OpensAt.In(local); !d.After(end) && len(days) < 120; d = d.AddDate(0, 0, 1) {
		n := byDay[d.Format(time.DateOnly)]
		total += n
		dc := dayCount{Day: d, Count: n}
		if invited > 0 {
			dc.Share = float64(total) / float64(invited)
		}
		days = append(days, dc)
	}
	return days
}

// changeWaveDates closes a wave now or moves its last day.
func (s *server) changeWaveDates(c *fiber.Ctx, r *request) error {
	ctx, now := c.UserContext(), s.Now()
	p := s.page(c, r, "wave_title")
	v, err := s.waveView(c, r, p)
	if err != nil {
		return err
	}
	w := v.Wave
	if c.FormValue("action") == "close" {
		if w.Status(now) == partnership.Closed {
			return back(c, "/console/p/"+w.Partnership+"/waves/"+w.ID, "")
		}
		w.ClosesAt = now.UTC().Truncate(time.Second)
		if !w.ClosesAt.After(w.OpensAt) {
			w.OpensAt = w.ClosesAt.Add(-time.Second)
		}
	} else {
		last, ok := parseDay(c.FormValue("closes"))
		switch {
		case !ok:
			p.problem("closes", "field_closes_at", "invalid_day")
		case !last.AddDate(0, 0, 1).After(now):
			p.problem("closes", "field_closes_at", "closes_in_past")
		case !last.AddDate(0, 0, 1).After(w.OpensAt):
			p.problem("closes", "field_closes_at", "closes_before_open")
		}
		if len(p.Errors) > 0 {
			p.Data = v
			return s.render(c, http.StatusUnprocessableEntity, "wave.html", p)
		}
		w.ClosesAt = last.AddDate(0, 0, 1).UTC()
	}
	if err := s.Store.UpdateWave(ctx, w); err != nil {
		return err
	}
	if err := s.audit(c, r, "wave.dates", w.Partnership, w.ID); err != nil {
		return err
	}
	return back(c, "/console/p/"+w.Partnership+"/waves/"+w.ID, "wave_dates")
}

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
