package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/outbox"
	"samspil/partnership"
)

// mailView is a round's mail on its status page: what became of each
// partner's invitation and reminders, and the reminder schedule.
type mailView struct {
	// On says an SMTP server is configured.
	On   bool
	Rows []mailRow
	// Sent, Waiting, Trouble and ByHand count the partners whose
	// invitation mail went, waits, failed or may not have gone, and who
	// have no address.
	Sent, Waiting, Trouble, ByHand int
	// Days are the reminders' days before closing, with when each goes.
	Days []reminderDay
	// Typed is the reminder days as the form last sent them.
	Typed string
	// Still is how many invited partners have not answered.
	Still int
}

type mailRow struct {
	Partner, Name string
	// Invitation and Reminder are the latest of each kind; nil when none.
	Invitation, Reminder *outbox.Entry
	// NoAddress says the partner has no usable e-mail address.
	NoAddress bool
}

type reminderDay struct {
	Days int
	Due  time.Time
	Past bool
}

// Trouble says a mail the partner should have had did not go, or may not
// have: failed, unknown, or an invitation skipped for a reason other than
// an answer or the end of the round.
func (r mailRow) Trouble() bool {
	lost := func(e *outbox.Entry) bool {
		return e != nil && (e.Status == outbox.Failed || e.Status == outbox.Unknown)
	}
	skipped := r.Invitation != nil && r.Invitation.Status == outbox.Skipped &&
		!slices.Contains([]string{outbox.SkipAnswered, outbox.SkipClosed, outbox.SkipEnded}, r.Invitation.Reason)
	return lost(r.Invitation) || lost(r.Reminder) || skipped
}

// mailView gathers a round's mail for the partners invited to it.
func (s *server) mailView(c *fiber.Ctx, w partnership.Wave, invited map[string]bool, still int) (mailView, error) {
	ctx := c.UserContext()
	mv := mailView{On: s.Outbox.Enabled(), Still: still, Typed: daysText(w.ReminderDays())}
	for _, d := range w.ReminderDays() {
		due := w.ReminderDue(d)
		mv.Days = append(mv.Days, reminderDay{Days: d, Due: due, Past: !due.After(s.Now())})
	}
	entries, err := s.Outbox.Mail(ctx, w)
	if err != nil {
		return mailView{}, err
	}
	if !mv.On && len(entries) == 0 {
		return mv, nil
	}
	partners, err := s.Store.Partners(ctx, w.Partnership)
	if err != nil {
		return mailView{}, err
	}
	sortPartners(partners)
	for _, pt := range partners {
		if !invited[pt.ID] {
			continue
		}
		row := mailRow{Partner: pt.ID, Name: pt.Name}
		_, ok := outbox.Address(pt)
		row.NoAddress = !ok
		for i := range entries {
			e := &entries[i]
			switch {
			case e.Partner != pt.ID:
			case e.Kind == outbox.Invitation:
				row.Invitation = e
			case e.Kind == outbox.Reminder:
				row.Reminder = e
			}
		}
		switch {
		case row.NoAddress:
			mv.ByHand++
		case row.Trouble():
			mv.Trouble++
		case row.Invitation == nil:
		case row.Invitation.Status == outbox.Sent:
			mv.Sent++
		case row.Invitation.Status == outbox.Pending || row.Invitation.Status == outbox.Sending:
			mv.Waiting++
		}
		mv.Rows = append(mv.Rows, row)
	}
	return mv, nil
}

// daysText writes reminder days as the form shows them: "7, 2".
func daysText(days []int) string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = strconv.Itoa(d)
	}
	return strings.Join(out, ", ")
}

// parseDays reads reminder days typed as "7, 2", "7 2" or "7 og 2"; empty
// turns reminders off.
func parseDays(typed string) ([]int, bool) {
	days := []int{}
	for _, f := range strings.FieldsFunc(typed, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if f == "og" || f == "and" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil {
			return nil, false
		}
		days = append(days, d)
	}
	return days, true
}

// reminders saves a round's reminder days, or sends a reminder now to
// every invited partner who has not answered.
func (s *server) reminders(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "wave_title")
	v, err := s.waveView(c, r, p)
	if err != nil {
		return err
	}
	w, path := v.Wave, "/console/partnerships/"+v.Wave.Partnership+"/waves/"+v.Wave.ID
	if v.Status == partnership.Closed || !v.Partners {
		return back(c, path, "")
	}
	if c.FormValue("action") == "now" {
		switch {
		case !s.Outbox.Enabled():
			return &pageError{status: http.StatusConflict, msg: "mail_off"}
		case v.Status != partnership.Open:
			return &pageError{status: http.StatusConflict, msg: "wave_not_open"}
		}
		if _, _, err := s.Outbox.RemindNow(ctx, w, onceID(c, "", w.ID)); err != nil {
			return err
		}
		s.Outbox.Poke()
		if err := s.audit(c, r, "wave.remind", w.Partnership, w.ID); err != nil {
			return err
		}
		return back(c, path, "reminders_queued")
	}
	days, ok := parseDays(c.FormValue("days"))
	w.Reminders = days
	if !ok || len(w.CheckReminders()) > 0 {
		p.problem("days", "reminders_days", "reminders_days_invalid", "Max", partnership.MaxReminderDays)
		v.Mail.Typed = c.FormValue("days")
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "wave.html", p)
	}
	if err := s.Store.UpdateWave(ctx, w); err != nil {
		return err
	}
	if err := s.audit(c, r, "wave.reminders", w.Partnership, w.ID); err != nil {
		return err
	}
	return back(c, path, "reminders_saved")
}

// mailLink mails a partner its current link again: after a mail failed
// or may not have gone, or once the partner has an address.
func (s *server) mailLink(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "wave_title")
	v, err := s.waveOf(c, r, p)
	if err != nil {
		return err
	}
	path := "/console/partnerships/" + v.Wave.Partnership + "/waves/" + v.Wave.ID
	if !s.Outbox.Enabled() {
		return &pageError{status: http.StatusConflict, msg: "mail_off"}
	}
	if v.Status == partnership.Closed {
		return &pageError{status: http.StatusGone, msg: "wave_closed"}
	}
	pt, err := s.Store.Partner(ctx, v.Wave.Partnership, c.Params("partner"))
	if err != nil {
		return err
	}
	state, err := s.Outbox.MailLink(ctx, v.Wave, pt, onceID(c, "", v.Wave.ID+pt.ID))
	if err != nil {
		return err
	}
	if state != outbox.MailQueued {
		return &pageError{status: http.StatusUnprocessableEntity, msg: "mail_no_address"}
	}
	if err := s.audit(c, r, "invitation.mail", pt.Partnership, v.Wave.ID+":"+pt.ID); err != nil {
		return err
	}
	return back(c, path, "mail_queued")
}

// skipMessages are the console's words for why a mail was not sent.
var skipMessages = map[string]string{
	outbox.SkipAnswered: "mail_skip_answered", outbox.SkipReplaced: "mail_skip_replaced", outbox.SkipClosed: "mail_skip_closed",
	outbox.SkipEnded: "mail_skip_ended", outbox.SkipNoAddress: "mail_skip_no_address", outbox.SkipNoLink: "mail_skip_no_link",
	outbox.SkipOff: "mail_skip_off", outbox.SkipKey: "mail_skip_key", outbox.SkipExpired: "mail_skip_expired",
	outbox.SkipKind: "mail_skip_kind", outbox.SkipGone: "mail_skip_gone", outbox.SkipLater: "mail_skip_later",
	outbox.SkipRecent: "mail_skip_recent", outbox.SkipUsed: "mail_skip_used",
}

// MailState says in words where a mail is: queued, sent when, failed why.
func (p *page) MailState(e *outbox.Entry) string {
	when := func(t time.Time) string { return t.In(local).Format("2/1 15.04") }
	switch {
	case e == nil:
		return p.T("mail_state_none")
	case e.Status == outbox.Pending && e.Attempts == 0:
		return p.T("mail_state_queued")
	case e.Status == outbox.Pending:
		return p.T("mail_state_retry", "When", when(e.Due), "Reason", e.Reason)
	case e.Status == outbox.Sending:
		return p.T("mail_state_sending")
	case e.Status == outbox.Sent:
		return p.T("mail_state_sent", "When", when(e.Done))
	case e.Status == outbox.Failed:
		return p.T("mail_state_failed", "Reason", e.Reason)
	case e.Status == outbox.Unknown:
		return p.T("mail_state_unknown")
	}
	reason := e.Reason
	if id, ok := skipMessages[e.Reason]; ok {
		reason = p.T(id)
	}
	return p.T("mail_state_skipped", "Reason", reason)
}
