package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/i18n"
	"samspil/outbox"
	"samspil/partnership"
)

// mailView is a round's mail on its status page: what became of each
// partner's invitation and reminders, and the reminder schedule.
type mailView struct {
	// On says an SMTP server is configured.
	On   bool
	Rows []mailRow
	// Sent, Waiting, Failed, Unsure and ByHand count the partners whose
	// invitation went, who have mail waiting, whose latest mail did not
	// arrive or may not have gone, and who have no address.
	Sent, Waiting, Failed, Unsure, ByHand int
	// ToMail and ToHand count the active partners not invited yet with
	// and without an address: what making links will do.
	ToMail, ToHand int
	// Days are the reminders' days before closing, with when each goes.
	Days []reminderDay
	// Typed is the reminder days as the form last sent them.
	Typed string
	// Still is how many invited partners have not answered.
	Still int
	// LastReminder is when reminders last went out, to LastCount partners.
	LastReminder time.Time
	LastCount    int
	// Down is since when the mail server has not taken mail, and DownWhy
	// what it said; zero when it takes mail.
	Down    time.Time
	DownWhy string
}

type mailRow struct {
	Partner, Name string
	// Invitation and Reminder are the latest of each kind, Latest the
	// latest of all; nil when none.
	Invitation, Reminder, Latest *outbox.Entry
	// NoAddress says the partner has no usable e-mail address.
	NoAddress bool
}

type reminderDay struct {
	Days int
	Due  time.Time
	Past bool
}

// Trouble says the partner's latest mail did not go, or may not have:
// failed, unknown, or skipped for a reason other than an answer or the
// end of the round. A mail sent after it clears it.
func (r mailRow) Trouble() bool {
	e := r.Latest
	if e == nil {
		return false
	}
	skipped := e.Status == outbox.Skipped && !slices.Contains([]string{outbox.SkipAnswered, outbox.SkipClosed, outbox.SkipEnded,
		outbox.SkipLater, outbox.SkipRecent, outbox.SkipOff}, e.Reason)
	return e.Status == outbox.Failed || e.Status == outbox.Unknown || skipped
}

// mailView gathers a round's mail, partner by partner.
func (s *server) mailView(c *fiber.Ctx, w partnership.Wave, invited map[string]bool, still int) (mailView, error) {
	ctx := c.UserContext()
	mv := mailView{On: s.Outbox.Enabled(), Still: still, Typed: daysText(w.ReminderDays())}
	mv.Down, mv.DownWhy = s.Outbox.Trouble()
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
		_, hasAddress := outbox.Address(pt)
		if !invited[pt.ID] {
			switch {
			case !pt.Active:
			case hasAddress:
				mv.ToMail++
			default:
				mv.ToHand++
			}
			continue
		}
		row := mailRow{Partner: pt.ID, Name: pt.Name, NoAddress: !hasAddress}
		for i := range entries { // oldest first: the last of each kind wins
			e := &entries[i]
			if e.Partner != pt.ID {
				continue
			}
			row.Latest = e
			if e.Kind == outbox.Invitation {
				row.Invitation = e
			} else {
				row.Reminder = e
			}
		}
		if row.Invitation != nil && row.Invitation.Status == outbox.Sent {
			mv.Sent++
		}
		switch {
		case row.Latest != nil && (row.Latest.Status == outbox.Pending || row.Latest.Status == outbox.Sending):
			mv.Waiting++
		case row.Latest != nil && row.Latest.Status == outbox.Unknown:
			mv.Unsure++
		case row.Trouble():
			mv.Failed++
		case row.NoAddress:
			mv.ByHand++
		}
		mv.Rows = append(mv.Rows, row)
	}
	for _, e := range entries {
		switch {
		case e.Kind != outbox.Reminder:
		case e.Created.After(mv.LastReminder):
			mv.LastReminder, mv.LastCount = e.Created, 1
		case e.Created.Equal(mv.LastReminder):
			mv.LastCount++
		}
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
		if slices.Contains([]string{"og", "and", "dag", "dage", "day", "days"}, strings.ToLower(f)) {
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
		if _, err := s.Outbox.RemindNow(ctx, w, onceID(c, "", w.ID)); err != nil {
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
	switch {
	case !ok || len(w.CheckReminders()) > 0:
		p.problem("days", "reminders_days", "reminders_days_invalid", "Max", partnership.MaxReminderDays)
	case slices.ContainsFunc(w.Reminders, func(d int) bool { return w.ReminderDue(d).Before(w.OpensAt) }):
		p.problem("days", "reminders_days", "reminders_days_before_open", "Opens", i18n.LongDate(r.Lang, w.OpensAt.In(local)))
	}
	if len(p.Errors) > 0 {
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

// MailState says in words where a mail is: waiting, sent when, or why it
// did not go, with the server's own words after the plain ones.
func (p *page) MailState(e *outbox.Entry) string {
	switch {
	case e == nil:
		return p.T("mail_state_none")
	case e.Status == outbox.Pending && e.Attempts == 0:
		return p.T("mail_state_queued")
	case e.Status == outbox.Pending:
		return p.T("mail_state_retry", "When", p.When(e.Due), "Why", p.T(mailWhy(e.Reason)), "Reason", e.Reason)
	case e.Status == outbox.Sending:
		return p.T("mail_state_sending")
	case e.Status == outbox.Sent:
		return p.T("mail_state_sent", "When", p.When(e.Done))
	case e.Status == outbox.Failed:
		return p.T("mail_state_failed", "Why", p.T(mailWhy(e.Reason)), "Reason", e.Reason)
	case e.Status == outbox.Unknown:
		return p.T("mail_state_unknown")
	}
	reason := e.Reason
	if id, ok := skipMessages[e.Reason]; ok {
		reason = p.T(id)
	}
	return p.T("mail_state_skipped", "Reason", reason)
}

// mailWhy is the message id that says in plain words what a server's
// reply means, from its code: "550 5.1.1 No such user" is an address that
// does not exist.
func mailWhy(reason string) string {
	reason = strings.TrimPrefix(reason, "gave up after ")
	if i := strings.Index(reason, ": "); i >= 0 && strings.Contains(reason[:i], "tries") {
		reason = reason[i+2:]
	}
	code, rest, _ := strings.Cut(reason, " ")
	switch {
	case strings.HasPrefix(reason, "address refused"), strings.HasPrefix(rest, "5.1."),
		code == "550" && !strings.HasPrefix(rest, "5.7."), code == "551", code == "553":
		return "mail_why_address"
	case code == "452", code == "552", strings.HasPrefix(rest, "4.2.2"), strings.HasPrefix(rest, "5.2.2"):
		return "mail_why_full"
	case len(code) == 3 && code[0] == '4':
		return "mail_why_busy"
	case len(code) == 3 && code[0] == '5':
		return "mail_why_refused"
	}
	return "mail_why_connection"
}

// When writes a moment the way the page's readers write it: 1/12 kl.
// 17.02, or 1 Dec 17:02.
func (p *page) When(t time.Time) string {
	t = t.In(local)
	if p.Lang == "da" {
		return t.Format("2/1 kl. 15.04")
	}
	return t.Format("2 Jan 15:04")
}
