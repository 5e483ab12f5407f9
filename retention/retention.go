// Package retention deletes personal data once it has been kept as long
// as a partnership's retention says: free-text answers, partners' contact
// details after the partnership ended, invitations after their wave
// closed, and audit entries after five years. Every step is idempotent,
// so the job can run as often as it likes and pick up where a crash left
// it.
package retention

import (
	"context"
	"fmt"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// TextNote names a response that may hold free text, given on Day.
type TextNote struct {
	Day, Partnership, Response string
}

// Store is what the retention job reads and deletes.
type Store interface {
	Partnerships(ctx context.Context) ([]partnership.Partnership, error)
	Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error)
	TextNotes(ctx context.Context, through string) ([]TextNote, error)
	DropTextNote(ctx context.Context, n TextNote) error
	Response(ctx context.Context, id string) (forms.Response, bool, error)
	StripAnswers(ctx context.Context, id string, items []string) error
	DeleteInvitations(ctx context.Context, waveID string) (int, error)
	ClearContacts(ctx context.Context, p partnership.Partnership) (int, error)
	DeleteAuditBefore(ctx context.Context, t time.Time) (int, error)
	DeleteExpiredSignIns(ctx context.Context, now time.Time) (int, error)
	DeleteReplaysBefore(ctx context.Context, t time.Time) (int, error)
	DeleteMailBefore(ctx context.Context, t time.Time) (int, error)
	Audit(ctx context.Context, e partnership.AuditEntry) error
}

// FormFinder finds a published form version.
type FormFinder interface {
	Form(ctx context.Context, id string, version int) (*forms.Form, error)
}

// Service runs the retention job.
type Service struct {
	store Store
	forms FormFinder
	now   func() time.Time
}

// New makes the retention job.
func New(store Store, forms FormFinder, now func() time.Time) *Service {
	return &Service{store: store, forms: forms, now: now}
}

// Report says what a run deleted.
type Report struct {
	// Texts is responses whose free text went; Contacts, partners whose
	// e-mail went; Invitations, Audit and SignIns (staff sessions and
	// password links that ended) and Mail (outbox entries done with),
	// documents deleted.
	Texts, Contacts, Invitations, Audit, SignIns, Mail int
}

func (r Report) String() string {
	return fmt.Sprintf("texts=%d contacts=%d invitations=%d audit=%d sign-ins=%d mail=%d", r.Texts, r.Contacts, r.Invitations, r.Audit, r.SignIns, r.Mail)
}

// MailMonths is how long the outbox remembers a mail it is done with,
// which the round's status page shows: its address and what became of it.
const MailMonths = 3

// Run deletes what is due now, and records in the audit log that it did,
// with counts, never what was deleted.
func (s *Service) Run(ctx context.Context) (Report, error) {
	now := s.now().UTC()
	var rep Report
	ps, err := s.store.Partnerships(ctx)
	if err != nil {
		return rep, fmt.Errorf("retention: %w", err)
	}
	byID := map[string]partnership.Partnership{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	if rep.Texts, err = s.texts(ctx, byID, now); err != nil {
		return rep, err
	}
	for _, p := range ps {
		if p.ContactsDue(now) {
			n, err := s.store.ClearContacts(ctx, p)
			if err != nil {
				return rep, fmt.Errorf("retention: %w", err)
			}
			rep.Contacts += n
		}
		waves, err := s.store.Waves(ctx, p.ID)
		if err != nil {
			return rep, fmt.Errorf("retention: %w", err)
		}
		for _, w := range waves {
			if w.Respondents == "partners" && p.InvitationsDue(w, now) {
				n, err := s.store.DeleteInvitations(ctx, w.ID)
				if err != nil {
					return rep, fmt.Errorf("retention: %w", err)
				}
				rep.Invitations += n
			}
		}
	}
	if rep.Audit, err = s.store.DeleteAuditBefore(ctx, now.AddDate(-partnership.AuditYears, 0, 0)); err != nil {
		return rep, fmt.Errorf("retention: %w", err)
	}
	if rep.SignIns, err = s.store.DeleteExpiredSignIns(ctx, now); err != nil {
		return rep, fmt.Errorf("retention: %w", err)
	}
	if rep.Mail, err = s.store.DeleteMailBefore(ctx, now.AddDate(0, -MailMonths, 0)); err != nil {
		return rep, fmt.Errorf("retention: %w", err)
	}
	// Answers kept for retried create requests: a day is enough. They
	// hold nothing personal beyond what was created, so no report.
	if _, err := s.store.DeleteReplaysBefore(ctx, now.Add(-24*time.Hour)); err != nil {
		return rep, fmt.Errorf("retention: %w", err)
	}
	if rep != (Report{}) {
		e := partnership.AuditEntry{ID: partnership.NewID("au"), At: now, Actor: "samspil", Action: "retention.run", Target: rep.String()}
		if err := s.store.Audit(ctx, e); err != nil {
			return rep, fmt.Errorf("retention: %w", err)
		}
	}
	return rep, nil
}

// texts deletes the free text of responses kept as long as their
// partnership's retention says. Only notes old enough for the shortest
// retention of any partnership are read.
func (s *Service) texts(ctx context.Context, ps map[string]partnership.Partnership, now time.Time) (int, error) {
	shortest := partnership.DefaultRetention.TextMonths
	for _, p := range ps {
		shortest = min(shortest, p.RetentionOrDefault().TextMonths)
	}
	notes, err := s.store.TextNotes(ctx, now.AddDate(0, -shortest, 0).Format(time.DateOnly))
	if err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	n := 0
	for _, note := range notes {
		r, ok, err := s.store.Response(ctx, note.Response)
		if err != nil {
			return n, fmt.Errorf("retention: %w", err)
		}
		if ok {
			keep := ps[note.Partnership].RetentionOrDefault() // a partnership that is gone keeps the default
			if !keep.TextDue(r.SubmittedAt, now) {
				continue
			}
			f, err := s.forms.Form(ctx, r.FormID, r.FormVersion)
			if err != nil {
				return n, fmt.Errorf("retention: %w", err)
			}
			if items := f.TextItems(r.Answers); len(items) > 0 {
				if err := s.store.StripAnswers(ctx, r.ID, items); err != nil {
					return n, fmt.Errorf("retention: %w", err)
				}
				n++
			}
		}
		if err := s.store.DropTextNote(ctx, note); err != nil {
			return n, fmt.Errorf("retention: %w", err)
		}
	}
	return n, nil
}
