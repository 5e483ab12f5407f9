package web

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
	"samspil/indicators"
	"samspil/partnership"
)

// summary is one partnership on the home page.
type summary struct {
	Partnership partnership.Partnership
	// Received counts citizens' responses this month.
	Received int
	Waves    []waveSummary
	// Attention lists what needs the backbone's attention, as sentences.
	Attention []string
}

type waveSummary struct {
	Wave      partnership.Wave
	Last      time.Time
	Form      string
	Status    string
	Rate      float64
	Invited   int
	Responded int
	Partners  bool
}

// homeView is the overview: the partnerships, and the form to register
// one more (admins), with what was typed in it.
type homeView struct {
	List []summary
	New  partnership.Partnership
}

// home lists the partnerships the person may see, their open waves and
// what needs attention.
func (s *server) home(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "home_title")
	list, err := s.summaries(c, r, p)
	if err != nil {
		return err
	}
	p.Data = homeView{List: list}
	return s.render(c, http.StatusOK, "home.html", p)
}

// summaries are the partnerships the person may see, as the overview
// shows them.
func (s *server) summaries(c *fiber.Ctx, r *request, p *page) ([]summary, error) {
	ctx, now := c.UserContext(), s.Now()
	all, err := s.Store.Partnerships(ctx)
	if err != nil {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(p partnership.Partnership) bool { return !r.Principal.Sees(p.ID) })
	var citizenForms []string
	for _, f := range s.Forms.Forms() {
		if f.Kind != forms.KindPartner {
			citizenForms = append(citizenForms, f.ID)
		}
	}
	today := now.In(local)
	month := forms.Days{From: today.Format("2006-01") + "-01", To: today.Format(time.DateOnly)}
	var list []summary
	for _, pa := range all {
		sum := summary{Partnership: pa}
		if sum.Received, err = indicators.ResponsesReceived(ctx, s.Store, pa.ID, citizenForms, month); err != nil {
			return nil, err
		}
		waves, err := s.Store.Waves(ctx, pa.ID)
		if err != nil {
			return nil, err
		}
		for _, w := range waves {
			if w.Status(now) != partnership.Open {
				continue
			}
			ws := waveSummary{Wave: w, Last: lastDay(w), Form: s.formTitle(w.Form, r.Lang), Status: w.Status(now), Partners: w.Respondents == "partners"}
			if ws.Partners {
				_, rates, err := s.Indicators.Invitees(ctx, pa.ID, w.ID)
				if err != nil {
					return nil, err
				}
				ws.Rate, ws.Invited, ws.Responded = rates.ResponseRate, rates.Invited, rates.Responded
				if left := w.ClosesAt.Sub(now); left < 3*24*time.Hour && rates.ResponseRate < 0.6 {
					sum.Attention = append(sum.Attention, p.T("attention_closing", "Form", ws.Form,
						"Days", strconv.Itoa(int(left.Hours()/24)), "Rate", pct(rates.ResponseRate)))
				}
				if rates.Invited == 0 {
					sum.Attention = append(sum.Attention, p.T("attention_not_invited", "Form", ws.Form))
				}
			}
			sum.Waves = append(sum.Waves, ws)
		}
		partners, err := s.Store.Partners(ctx, pa.ID)
		if err != nil {
			return nil, err
		}
		for _, sec := range partnership.Sectors {
			if !slices.ContainsFunc(partners, func(pt partnership.Partner) bool { return pt.Active && pt.Sector == sec }) {
				sum.Attention = append(sum.Attention, p.T("attention_sector", "Sector", p.T("sector_"+string(sec))))
			}
		}
		list = append(list, sum)
	}
	return list, nil
}

// formTitle is a form's title in the console language.
func (s *server) formTitle(id, lang string) string {
	if f, ok := s.Forms.Form(id, 0); ok {
		return f.Title.In(lang, f.DefaultLanguage)
	}
	return id
}

// account shows the person's own settings: language, and signing out of
// every other browser.
func (s *server) account(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "account_title")
	return s.render(c, http.StatusOK, "account.html", p)
}

func (s *server) saveAccount(c *fiber.Ctx, r *request) error {
	if lang := c.FormValue("lang"); slices.Contains(consoleLanguages, lang) {
		if err := s.Store.SetLang(c.UserContext(), r.User.Email, lang); err != nil {
			return err
		}
		s.rememberLanguage(c, lang)
	}
	return back(c, "/console/account", "saved")
}

// changePassword sets a new password for the person signed in, who types
// the current one first; every other session ends.
func (s *server) changePassword(c *fiber.Ctx, r *request) error {
	ctx, now := c.UserContext(), s.Now()
	p := s.page(c, r, "account_title")
	current, password := c.FormValue("current"), c.FormValue("password")
	wait, succeeded := s.Throttle.Attempt(r.User.Email, c.IP(), now)
	switch {
	case wait > 0:
		c.Set(fiber.HeaderRetryAfter, itoa(int(math.Ceil(wait.Seconds()))))
		p.problem("current", "field_current_password", "login_throttled", "Minutes", int(math.Ceil(wait.Minutes())))
	case !access.CheckPassword(r.User.PasswordHash, current):
		p.problem("current", "field_current_password", "password_wrong")
	default:
		succeeded()
		if msg := access.PasswordProblem(password, r.User.Email); msg != "" {
			p.problem("password", "field_new_password", msg, "Min", access.MinPasswordLength)
		} else if c.FormValue("repeat") != password {
			p.problem("repeat", "field_repeat_password", "password_mismatch")
		}
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "account.html", p)
	}
	if err := s.Store.SetPassword(ctx, r.User.Email, access.HashPassword(password)); err != nil {
		return err
	}
	if err := s.Store.EndSessions(ctx, r.User.Email); err != nil {
		return err
	}
	if err := s.audit(c, r, "user.password_change", "", r.User.Email); err != nil {
		return err
	}
	if err := s.startSession(c, r.User.Email); err != nil {
		return err
	}
	return back(c, "/console/account", "password_changed")
}

// signOutEverywhere ends every session of the person, this one included,
// and signs this browser in again: a lost laptop stops working at once.
func (s *server) signOutEverywhere(c *fiber.Ctx, r *request) error {
	if err := s.Store.EndSessions(c.UserContext(), r.User.Email); err != nil {
		return err
	}
	if err := s.startSession(c, r.User.Email); err != nil {
		return err
	}
	return back(c, "/console/account", "signed_out_others")
}

// auditLog shows who changed what, newest first.
func (s *server) auditLog(c *fiber.Ctx, r *request) error {
	entries, err := s.Store.AuditLog(c.UserContext(), 500)
	if err != nil {
		return err
	}
	all, err := s.Store.Partnerships(c.UserContext())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, pa := range all {
		names[pa.ID] = pa.Name
	}
	p := s.page(c, r, "audit_title")
	p.Data = auditView{Entries: entries, Names: names}
	return s.render(c, http.StatusOK, "audit.html", p)
}

// auditView is the audit log with the partnerships' names.
type auditView struct {
	Entries []partnership.AuditEntry
	Names   map[string]string
}

// audit records a change. A failed audit write fails the action: a change
// nobody can account for is worse than one that has to be retried.
func (s *server) audit(c *fiber.Ctx, r *request, action, pid, target string) error {
	return s.Store.Audit(c.UserContext(), partnership.AuditEntry{ID: partnership.NewID("au"), At: s.Now().UTC(),
		Actor: r.Principal.ID, Action: action, Partnership: pid, Target: target})
}

// partnershipOf loads the partnership a page is about and puts it in the
// navigation.
func (s *server) partnershipOf(c *fiber.Ctx, p *page, section string) (partnership.Partnership, error) {
	pa, err := s.Store.Partnership(c.UserContext(), c.Params("pid"))
	if err != nil {
		return pa, err
	}
	p.Partnership, p.Section = &pa, section
	return pa, nil
}

// baseURL is where links point: the configured public address, else the
// address the request came to.
func (s *server) baseURL(c *fiber.Ctx) string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	return c.BaseURL()
}

func itoa(n int) string { return strconv.Itoa(n) }

// pct shows a share as a whole percentage.
func pct(f float64) string { return strconv.Itoa(int(math.Round(100*f))) + " %" }

// sees reports whether a principal sees contact e-mails: evaluators read
// aggregates and need no one's address.
func seesContacts(p access.Principal) bool { return p.Role != access.RoleEvaluator }
