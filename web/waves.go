package web

import (
	"net/http"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // waves open and close on Danish days, on any host

	"github.com/gofiber/fiber/v2"

	"samspil/partnership"
)

// local is where waves' dates are days.
var local = partnership.Local

type wavesView struct {
	Waves []waveRow
	Forms []formChoice
	// New is the wave being opened, kept when the form comes back.
	Form, Opens, Closes string
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
	v := wavesView{Form: "partner_survey"}
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
func lastDay(w partnership.Wave) time.Time { return w.LastDay() }

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
	w := partnership.Wave{ID: onceID(c, "wa", pid), Partnership: pid, Form: c.FormValue("form")}
	if _, err := s.Store.Wave(c.UserContext(), pid, w.ID); err == nil {
		return back(c, "/console/partnerships/"+pid+"/waves/"+w.ID, "wave_opened")
	}
	v.Form, v.Opens, v.Closes = w.Form, c.FormValue("opens"), c.FormValue("closes")
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
	for _, pr := range w.Check(kind) {
		if pr.Code == "required" && ((pr.Field == "opens_at" && v.Opens != "") || (pr.Field == "closes_at" && v.Closes != "")) {
			continue // already said: the day typed cannot be read
		}
		ps = append(ps, pr)
	}
	if okCloses && !w.ClosesAt.After(s.Now()) {
		ps = append(ps, partnership.Problem{Field: "closes_at", Code: "closes_in_past"})
	}
	if len(ps) > 0 {
		p.domainProblems(ps)
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "waves.html", p)
	}
	if err := s.Store.CreateWave(c.UserContext(), w); err != nil {
		// The same wave, posted twice at once, is already there.
		if _, again := s.Store.Wave(c.UserContext(), pid, w.ID); again == nil {
			return back(c, "/console/partnerships/"+pid+"/waves/"+w.ID, "wave_opened")
		}
		return err
	}
	if err := s.audit(c, r, "wave.create", pid, w.ID); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+pid+"/waves/"+w.ID, "wave_opened")
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
	done := "wave_dates"
	if c.FormValue("action") == "close" {
		// Only an open round closes early, and only when the person
		// ticked that it cannot be undone.
		if w.Status(now) != partnership.Open {
			return back(c, "/console/partnerships/"+w.Partnership+"/waves/"+w.ID, "")
		}
		if c.FormValue("confirm") != "on" {
			p.problem("confirm", "wave_close_now", "wave_close_unconfirmed")
			p.Data = v
			return s.render(c, http.StatusUnprocessableEntity, "wave.html", p)
		}
		w.ClosesAt, done = now.UTC().Truncate(time.Second), "wave_closed"
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
			v.Closes, v.ClosesTyped = c.FormValue("closes"), true
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
	return back(c, "/console/partnerships/"+w.Partnership+"/waves/"+w.ID, done)
}
