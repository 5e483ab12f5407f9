package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
	"samspil/outbox"
	"samspil/partnership"
	"samspil/qr"
)

// waveInput is the body of POST .../waves.
type waveInput struct {
	Form        string    `json:"form" validate:"required"`
	Version     int       `json:"version" validate:"gte=0"`
	Respondents string    `json:"respondents"`
	OpensAt     time.Time `json:"opens_at"`
	ClosesAt    time.Time `json:"closes_at"`
	// Reminders are the days before closing that reminders go out on;
	// absent takes 7 and 2, an empty list sends none.
	Reminders *[]int `json:"reminders"`
}

// waveView is a wave with its status at the time of the request.
type waveView struct {
	partnership.Wave
	Status string `json:"status"`
}

// viewWave shows a wave with its status and the reminder days it uses.
func (s *server) viewWave(w partnership.Wave) waveView {
	w.Reminders = append([]int{}, w.ReminderDays()...)
	return waveView{w, w.Status(s.Now())}
}

func (s *server) createWave(store PartnershipStore, forms FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in waveInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		w := partnership.Wave{ID: partnership.NewID("wa"), Partnership: pid, Form: in.Form, Version: in.Version,
			OpensAt: in.OpensAt.UTC(), ClosesAt: in.ClosesAt.UTC()}
		if in.Reminders != nil {
			w.Reminders = append([]int{}, *in.Reminders...)
		}
		kind := ""
		if f, err := s.form(c.UserContext(), forms, in.Form, in.Version); err == nil {
			kind, w.Version = string(f.Kind), f.Version
		}
		problems := w.Check(kind)
		if in.Respondents != "" && kind != "" && in.Respondents != w.Respondents {
			problems = append(problems, partnership.Problem{Field: "respondents", Code: "wrong_kind",
				Params: map[string]any{"Kind": kind}})
		}
		if err := domainProblems(problems); err != nil {
			return err
		}
		if err := s.audit(c, store, actor(c), "wave.create", pid, w.ID); err != nil {
			return err
		}
		if err := store.CreateWave(c.UserContext(), w); err != nil {
			return errUnavailable(err)
		}
		return c.Status(http.StatusCreated).JSON(s.viewWave(w))
	}
}

func (s *server) listWaves(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		ws, err := store.Waves(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		views := make([]waveView, 0, len(ws))
		for _, w := range ws {
			views = append(views, s.viewWave(w))
		}
		return c.JSON(fiber.Map{"waves": views})
	}
}

func (s *server) getWave(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := store.Wave(c.UserContext(), c.Params("pid"), c.Params("wid"))
		if err != nil {
			return storeError(err, "wave_not_found")
		}
		return c.JSON(s.viewWave(w))
	}
}

// invitationLink is a new invitation's link, shown once.
type invitationLink struct {
	Partner string `json:"partner"`
	Name    string `json:"name"`
	Link    string `json:"link"`
	// Mail says whether the link is on its way by mail (queued), needs
	// to reach the partner by hand (no_address), or mail is off.
	Mail outbox.MailState `json:"mail"`
}

// createInvitations invites every active partner not invited yet. The
// links are in this reply only: the tokens are stored as hashes.
func (s *server) createInvitations(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		w, err := store.Wave(c.UserContext(), pid, c.Params("wid"))
		if err != nil {
			return storeError(err, "wave_not_found")
		}
		if w.Respondents != "partners" {
			return errInvalid([]fieldError{{field: "wave", code: "wrong_kind", msgID: "citizen_wave_invitations"}})
		}
		if w.Status(s.Now()) == partnership.Closed {
			return newError(http.StatusGone, "wave_closed")
		}
		partners, err := store.Partners(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		links := []invitationLink{}
		for _, p := range partners {
			if !p.Active {
				continue
			}
			is, created, err := s.Outbox.Invite(c.UserContext(), w, p, "", false)
			if err != nil {
				return errUnavailable(err)
			}
			if created {
				links = append(links, invitationLink{Partner: p.ID, Name: p.Name, Link: s.baseURL(c) + "/i/" + is.Token, Mail: is.Mail})
			}
		}
		s.Outbox.Poke()
		if err := s.audit(c, store, actor(c), "invitations.create", pid, w.ID); err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(http.StatusCreated).JSON(fiber.Map{"created": len(links), "invitations": links})
	}
}

func (s *server) listInvitations() fiber.Handler {
	return func(c *fiber.Ctx) error {
		list, _, err := s.indicators.Invitees(c.UserContext(), c.Params("pid"), c.Params("wid"))
		if err != nil {
			return storeError(err, "wave_not_found")
		}
		return c.JSON(fiber.Map{"invitations": list})
	}
}

// remindersInput is the body of PATCH .../waves/{wid}.
type remindersInput struct {
	Reminders *[]int `json:"reminders" validate:"required"`
}

// updateWave changes a wave's reminder days.
func (s *server) updateWave(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in remindersInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		w, err := store.Wave(c.UserContext(), c.Params("pid"), c.Params("wid"))
		if err != nil {
			return storeError(err, "wave_not_found")
		}
		w.Reminders = append([]int{}, *in.Reminders...)
		if err := domainProblems(w.CheckReminders()); err != nil {
			return err
		}
		if err := s.audit(c, store, actor(c), "wave.reminders", w.Partnership, w.ID); err != nil {
			return err
		}
		if err := store.UpdateWave(c.UserContext(), w); err != nil {
			return errUnavailable(err)
		}
		return c.JSON(s.viewWave(w))
	}
}

// remindNow queues a reminder to every invited partner of a wave who has
// not answered. A retry with the same Idempotency-Key queues none twice.
func (s *server) remindNow(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := store.Wave(c.UserContext(), c.Params("pid"), c.Params("wid"))
		if err != nil {
			return storeError(err, "wave_not_found")
		}
		switch {
		case w.Respondents != "partners":
			return errInvalid([]fieldError{{field: "wave", code: "wrong_kind", msgID: "citizen_wave_invitations"}})
		case w.Status(s.Now()) != partnership.Open:
			return newError(http.StatusConflict, "wave_not_open")
		case !s.Outbox.Enabled():
			return newError(http.StatusConflict, "mail_off")
		}
		batch := c.Get("Idempotency-Key")
		if batch == "" {
			batch = partnership.NewID("r")
		}
		r, err := s.Outbox.RemindNow(c.UserContext(), w, access.Hash(batch)[:16])
		if err != nil {
			return errUnavailable(err)
		}
		s.Outbox.Poke()
		if err := s.audit(c, store, actor(c), "wave.remind", w.Partnership, w.ID); err != nil {
			return err
		}
		return c.Status(http.StatusAccepted).JSON(fiber.Map{"queued": r.Queued, "no_address": r.ByHand, "recent": r.Recent})
	}
}

// mailEntry is an outbox entry as the API shows it: never a link.
type mailEntry struct {
	Partner  string        `json:"partner"`
	Kind     outbox.Kind   `json:"kind"`
	To       string        `json:"to"`
	Status   outbox.Status `json:"status"`
	Attempts int           `json:"attempts"`
	Created  time.Time     `json:"created"`
	Due      time.Time     `json:"due"`
	Done     *time.Time    `json:"done,omitempty"`
	Reason   string        `json:"reason,omitempty"`
}

// waveMail lists a wave's mail and what became of it.
func (s *server) waveMail(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := store.Wave(c.UserContext(), c.Params("pid"), c.Params("wid"))
		if err != nil {
			return storeError(err, "wave_not_found")
		}
		es, err := s.Outbox.Mail(c.UserContext(), w)
		if err != nil {
			return errUnavailable(err)
		}
		out := make([]mailEntry, 0, len(es))
		for _, e := range es {
			m := mailEntry{Partner: e.Partner, Kind: e.Kind, To: e.To, Status: e.Status, Attempts: e.Attempts,
				Created: e.Created, Due: e.Due, Reason: e.Reason}
			if !e.Done.IsZero() {
				m.Done = &e.Done
			}
			out = append(out, m)
		}
		return c.JSON(fiber.Map{"mail_enabled": s.Outbox.Enabled(), "mail": out})
	}
}

// waveStatus tells how many invited partners answered, in all and by sector.
func (s *server) waveStatus() fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, rates, err := s.indicators.Invitees(c.UserContext(), c.Params("pid"), c.Params("wid"))
		if err != nil {
			return storeError(err, "wave_not_found")
		}
		return c.JSON(rates)
	}
}

// baseURL is where links point: the configured public address, else the
// address the request came to.
func (s *server) baseURL(c *fiber.Ctx) string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	return c.BaseURL()
}

// citizenLink is a link citizens use, for the partnership or an activity.
type citizenLink struct {
	Activity string `json:"activity,omitempty"`
	Name     string `json:"name"`
	Form     string `json:"form"`
	URL      string `json:"url"`
	QRSVG    string `json:"qr_svg"`
	QRPNG    string `json:"qr_png"`
}

// citizenForm is the questionnaire behind citizen links and posters.
const citizenForm = "citizen_short"

func (s *server) links(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		p, err := store.Partnership(c.UserContext(), pid)
		if err != nil {
			return storeError(err, "partnership_not_found")
		}
		acts, err := store.Activities(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		api := s.baseURL(c) + "/api/v1/partnerships/" + pid + "/links/"
		out := []citizenLink{{Name: p.Name, Form: citizenForm, URL: s.citizenURL(c, pid, ""),
			QRSVG: api + "qr.svg", QRPNG: api + "qr.png"}}
		for _, a := range acts {
			if a.Active {
				out = append(out, citizenLink{Activity: a.ID, Name: a.Name, Form: citizenForm, URL: s.citizenURL(c, pid, a.ID),
					QRSVG: api + a.ID + "/qr.svg", QRPNG: api + a.ID + "/qr.png"})
			}
		}
		return c.JSON(fiber.Map{"links": out})
	}
}

func (s *server) citizenURL(c *fiber.Ctx, pid, activity string) string {
	u := s.baseURL(c) + "/f/" + citizenForm + "?p=" + pid
	if activity != "" {
		u += "&a=" + activity
	}
	return u
}

// qr serves a poster's QR code for the partnership's or an activity's
// citizen link, as SVG with the link printed under it or as PNG.
func (s *server) qr(store PartnershipStore, format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid, aid := c.Params("pid"), c.Params("aid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		if aid != "" {
			if _, err := store.Activity(c.UserContext(), pid, aid); err != nil {
				return storeError(err, "activity_not_found")
			}
		}
		link := s.citizenURL(c, pid, aid)
		if format == "png" {
			png, err := qr.PNG(link, 512)
			if err != nil {
				return err
			}
			c.Type("png")
			return c.Send(png)
		}
		svg, err := qr.SVG(link)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "image/svg+xml")
		return c.Send(svg)
	}
}

// invitationView is what an invitation's token reveals.
type invitationView struct {
	Partnership string        `json:"partnership"`
	Wave        string        `json:"wave"`
	Partner     string        `json:"partner"`
	PartnerName string        `json:"partner_name"`
	Status      string        `json:"status"`
	Form        formView      `json:"form"`
	Roster      []rosterEntry `json:"roster"`
	Answers     forms.Answers `json:"answers,omitempty"`
}

// rosterEntry is a partner an invitee may say it worked with.
type rosterEntry struct {
	ID     string             `json:"id"`
	Name   string             `json:"name"`
	Sector partnership.Sector `json:"sector"`
}
