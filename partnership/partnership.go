// Package partnership models a local partnership: its partner
// organisations, the activities they run, the survey waves it opens and the
// invitations that let each partner answer. It knows nothing about HTTP or
// databases.
package partnership

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Sector is the part of society a partner belongs to.
type Sector string

// The sectors of a partnership.
const (
	Public       Sector = "public"
	Civil        Sector = "civil"
	Private      Sector = "private"
	CitizenGroup Sector = "citizen_group"
	Backbone     Sector = "backbone"
)

// Sectors lists every sector, in the order reports show them.
var Sectors = []Sector{Public, Civil, Private, CitizenGroup, Backbone}

// MinGroupFloor is the smallest minimum group size a partnership may set:
// below it, published figures could point at individuals.
const MinGroupFloor = 3

// Partnership is one local partnership, run by a backbone organisation.
type Partnership struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Area        string   `json:"area"`
	Description string   `json:"description"`
	Languages   []string `json:"languages"`
	MinGroup    int      `json:"min_group"`
	// Contact is whom partners write to with questions, as the backbone
	// writes it: a name and an e-mail address or telephone number.
	Contact string `json:"contact,omitempty"`
	// HidePartnerMap keeps the network map off the partners' results
	// page, for a partnership that would rather show it at a meeting.
	HidePartnerMap bool      `json:"hide_partner_map,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	// Controller is the data controller of the partnership's answers as
	// the privacy notice names it (who, address, e-mail); empty names the
	// installation's.
	Controller string `json:"controller,omitempty"`
	// EndedAt is when the partnership ended, which starts the clock on
	// deleting partners' contact details.
	EndedAt *time.Time `json:"ended_at,omitempty"`
	// Retention overrides how long personal data is kept; nil keeps the
	// defaults.
	Retention *Retention `json:"retention,omitempty"`
}

// Partner is an organisation in a partnership. Partners are deactivated,
// never deleted, so that past network data keeps its meaning.
type Partner struct {
	ID          string     `json:"id"`
	Partnership string     `json:"partnership"`
	Name        string     `json:"name"`
	Sector      Sector     `json:"sector"`
	Email       string     `json:"email,omitempty"`
	Active      bool       `json:"active"`
	JoinedAt    time.Time  `json:"joined_at"`
	LeftAt      *time.Time `json:"left_at,omitempty"`
	// Erased says the partner's data was erased on request: it stays a
	// nameless node of the network.
	Erased bool `json:"erased,omitempty"`
}

// Activity is an indsats: something partners run that citizens take part in.
type Activity struct {
	ID          string   `json:"id"`
	Partnership string   `json:"partnership"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Partners    []string `json:"partners"`
	Active      bool     `json:"active"`
}

// Wave is a survey round of one form version in one partnership.
type Wave struct {
	ID          string    `json:"id"`
	Partnership string    `json:"partnership"`
	Form        string    `json:"form"`
	Version     int       `json:"version"`
	Respondents string    `json:"respondents"` // "partners" or "citizens", from the form's kind
	OpensAt     time.Time `json:"opens_at"`
	ClosesAt    time.Time `json:"closes_at"`
	// Reminders are the days before closing on which partners who have
	// not answered get a reminder by mail; nil takes DefaultReminders,
	// an empty list sends none.
	Reminders []int `json:"reminders"`
}

// DefaultReminders remind partners a week and two days before a round
// closes, as survey guides advise.
var DefaultReminders = []int{7, 2}

// ReminderDays are the days before closing that reminders go out on.
func (w Wave) ReminderDays() []int {
	if w.Reminders == nil {
		return DefaultReminders
	}
	return w.Reminders
}

// ReminderDue is when the reminder of a number of days before closing is
// due: that many days before the last day, at nine in the morning, Danish
// time (2 days before a round whose last day is the 15th: the 13th).
func (w Wave) ReminderDue(days int) time.Time {
	last := w.LastDay()
	return time.Date(last.Year(), last.Month(), last.Day()-days, 9, 0, 0, 0, Local)
}

// MaxReminderDays is the earliest a reminder may be set, in days before
// closing.
const MaxReminderDays = 60

// Wave statuses, derived from the dates.
const (
	Scheduled = "scheduled"
	Open      = "open"
	Closed    = "closed"
)

// Status tells where a wave is at a moment.
func (w Wave) Status(now time.Time) string {
	switch {
	case now.Before(w.OpensAt):
		return Scheduled
	case now.Before(w.ClosesAt):
		return Open
	default:
		return Closed
	}
}

// Invitation lets one partner answer one partner wave. Its token is shown
// once; only the hash is kept.
type Invitation struct {
	Hash        string    `json:"-"`
	Partnership string    `json:"partnership"`
	Wave        string    `json:"wave"`
	Partner     string    `json:"partner"`
	CreatedAt   time.Time `json:"created_at"`
	// Batch names the request that made the invitation, so that a page
	// posted twice can tell its links were made by the first post.
	Batch string `json:"-"`
	// Sealed is the token, sealed with a key the store does not hold, so
	// that a reminder can carry the same link.
	Sealed []byte `json:"-"`
}

// Problem is one invalid field of a request, with a code for programs and
// the message catalog's id for people.
type Problem struct {
	Field  string
	Code   string
	Params map[string]any
}

func problem(field, code string, params map[string]any) Problem {
	return Problem{Field: field, Code: code, Params: params}
}

// NewID makes a random id that is also a valid answer key: [a-z0-9], so a
// partner's id can name it in a roster answer.
func NewID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// text checks a required or optional free-text field.
func text(field, v string, required bool, max int) []Problem {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		return []Problem{problem(field, "required", nil)}
	case !utf8.ValidString(v):
		return []Problem{problem(field, "invalid_utf8", nil)}
	case utf8.RuneCountInString(v) > max:
		return []Problem{problem(field, "too_long", map[string]any{"Max": max})}
	}
	return nil
}

// Check trims the partnership's texts, fills in defaults (minimum group 5,
// Danish) and lists what is still wrong.
func (p *Partnership) Check() []Problem {
	p.Name, p.Area, p.Description = strings.TrimSpace(p.Name), strings.TrimSpace(p.Area), strings.TrimSpace(p.Description)
	ps := text("name", p.Name, true, 200)
	ps = append(ps, text("area", p.Area, false, 200)...)
	ps = append(ps, text("description", p.Description, false, 2000)...)
	p.Contact = strings.TrimSpace(p.Contact)
	ps = append(ps, text("contact", p.Contact, false, 200)...)
	p.Controller = strings.TrimSpace(p.Controller)
	ps = append(ps, text("controller", p.Controller, false, 500)...)
	if p.Retention != nil {
		ps = append(ps, p.Retention.check()...)
	}
	if p.MinGroup == 0 {
		p.MinGroup = 5
	}
	if p.MinGroup < MinGroupFloor {
		ps = append(ps, problem("min_group", "min_group_too_small", map[string]any{"Min": MinGroupFloor}))
	}
	if len(p.Languages) == 0 {
		p.Languages = []string{"da"}
	}
	return ps
}

// Check trims the partner's texts and lists what is wrong.
func (p *Partner) Check() []Problem {
	p.Name, p.Email = strings.TrimSpace(p.Name), strings.TrimSpace(p.Email)
	ps := text("name", p.Name, true, 200)
	if !slices.Contains(Sectors, p.Sector) {
		ps = append(ps, problem("sector", "invalid_sector", map[string]any{"Value": string(p.Sector)}))
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			ps = append(ps, problem("email", "invalid_email", nil))
		}
	}
	return ps
}

// NameKey is how partner names are compared: two partners of a partnership
// may not share a name, whatever its case or spacing.
func NameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// Check trims the activity's texts and lists what is wrong; partners are the
// partnership's partners.
func (a *Activity) Check(partners []Partner) []Problem {
	a.Name, a.Description = strings.TrimSpace(a.Name), strings.TrimSpace(a.Description)
	ps := text("name", a.Name, true, 200)
	ps = append(ps, text("description", a.Description, false, 2000)...)
	for i, id := range a.Partners {
		if !slices.ContainsFunc(partners, func(p Partner) bool { return p.ID == id }) {
			ps = append(ps, problem(fmt.Sprintf("partners[%d]", i), "unknown_partner", nil))
		}
	}
	if a.Partners == nil {
		a.Partners = []string{}
	}
	return ps
}

// Check sets whom the wave asks from the form's kind and lists what is wrong.
func (w *Wave) Check(formKind string) []Problem {
	var ps []Problem
	switch formKind {
	case "partner":
		w.Respondents = "partners"
	case "citizen", "activity":
		w.Respondents = "citizens"
	default:
		ps = append(ps, problem("form", "unknown_form", nil))
	}
	if w.OpensAt.IsZero() {
		ps = append(ps, problem("opens_at", "required", nil))
	}
	if w.ClosesAt.IsZero() {
		ps = append(ps, problem("closes_at", "required", nil))
	}
	if !w.OpensAt.IsZero() && !w.ClosesAt.IsZero() && !w.ClosesAt.After(w.OpensAt) {
		ps = append(ps, problem("closes_at", "closes_before_open", nil))
	}
	return append(ps, w.CheckReminders()...)
}

// CheckReminders sorts the reminder days, latest first, without repeats,
// and refuses days outside 1 to MaxReminderDays.
func (w *Wave) CheckReminders() []Problem {
	if w.Reminders == nil {
		return nil
	}
	var ps []Problem
	for i, d := range w.Reminders {
		if d < 1 || d > MaxReminderDays {
			ps = append(ps, problem(fmt.Sprintf("reminders[%d]", i), "reminder_days", map[string]any{"Max": MaxReminderDays}))
		}
	}
	slices.SortFunc(w.Reminders, func(a, b int) int { return b - a })
	w.Reminders = slices.Compact(w.Reminders)
	return ps
}

// ErrDuplicateName is returned when a partnership already has a partner by
// that name.
var ErrDuplicateName = errors.New("a partner with this name exists in the partnership")

// ErrNotFound is returned for a partnership, partner, activity, wave or
// invitation that does not exist.
var ErrNotFound = errors.New("not found")

// AuditEntry records one change: who made it, what and when. It never
// holds a secret.
type AuditEntry struct {
	ID          string    `json:"id"`
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	Action      string    `json:"action"`
	Partnership string    `json:"partnership,omitempty"`
	Target      string    `json:"target,omitempty"`
}
