package partnership

import "time"

// Retention says how long a partnership's personal data is kept, in
// months: free-text answers from the day they were given, partners'
// contact e-mails (and the partnership's contact) from the day the
// partnership ended, invitations from the day their wave closed.
type Retention struct {
	TextMonths       int `json:"text_months"`
	ContactMonths    int `json:"contact_months"`
	InvitationMonths int `json:"invitation_months"`
}

// DefaultRetention is what a partnership keeps unless it says otherwise.
var DefaultRetention = Retention{TextMonths: 12, ContactMonths: 3, InvitationMonths: 3}

// AuditYears is how long the audit log keeps an entry, everywhere.
const AuditYears = 5

// maxRetentionMonths bounds what a partnership may set: ten years.
const maxRetentionMonths = 120

// RetentionOrDefault is the partnership's retention, with defaults for
// what it does not set.
func (p Partnership) RetentionOrDefault() Retention {
	r := DefaultRetention
	if p.Retention == nil {
		return r
	}
	for _, f := range []struct {
		dst *int
		v   int
	}{
		{&r.TextMonths, p.Retention.TextMonths}, {&r.ContactMonths, p.Retention.ContactMonths},
		{&r.InvitationMonths, p.Retention.InvitationMonths},
	} {
		if f.v > 0 {
			*f.dst = f.v
		}
	}
	return r
}

func (r Retention) check() []Problem {
	var ps []Problem
	for _, f := range []struct {
		field string
		v     int
	}{{"retention.text_months", r.TextMonths}, {"retention.contact_months", r.ContactMonths}, {"retention.invitation_months", r.InvitationMonths}} {
		if f.v < 0 || f.v > maxRetentionMonths {
			ps = append(ps, problem(f.field, "invalid_retention", map[string]any{"Max": maxRetentionMonths}))
		}
	}
	return ps
}

// TextDue says whether a free-text answer given at was kept long enough.
func (r Retention) TextDue(at, now time.Time) bool {
	return !at.AddDate(0, r.TextMonths, 0).After(now)
}

// ContactsDue says whether the partnership's contact details were kept
// long enough: it ended at least ContactMonths ago.
func (p Partnership) ContactsDue(now time.Time) bool {
	return p.EndedAt != nil && !p.EndedAt.AddDate(0, p.RetentionOrDefault().ContactMonths, 0).After(now)
}

// InvitationsDue says whether a wave's invitations were kept long enough:
// it closed at least InvitationMonths ago.
func (p Partnership) InvitationsDue(w Wave, now time.Time) bool {
	return !w.ClosesAt.AddDate(0, p.RetentionOrDefault().InvitationMonths, 0).After(now)
}
