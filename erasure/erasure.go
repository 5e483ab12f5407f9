// Package erasure deletes a data subject's data on request: a partner
// organisation's contact details, links and survey answers, or a whole
// partnership once it has ended. (A citizen deletes their own answers
// with a follow-up code, see package followup.) Each erasure is recorded
// in the audit log by ids, never by what was erased, and every step can
// run again: an erasure cut short is finished by asking again.
package erasure

import (
	"context"
	"errors"
	"fmt"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// Store is what erasure reads and deletes.
type Store interface {
	Partnership(ctx context.Context, id string) (partnership.Partnership, error)
	Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error)
	Partner(ctx context.Context, partnershipID, id string) (partnership.Partner, error)
	UpdatePartner(ctx context.Context, p partnership.Partner) error
	// EraseResponse takes a response off the totals and exports and
	// deletes it; one that is gone is no error.
	EraseResponse(ctx context.Context, id string) error
	DeleteInvitationsOf(ctx context.Context, partnershipID, partnerID string) (int, error)
	ErasePartnership(ctx context.Context, partnershipID string, waves []string) error
	Audit(ctx context.Context, e partnership.AuditEntry) error
}

// Service erases.
type Service struct {
	store Store
	now   func() time.Time
}

// New makes the erasure service.
func New(store Store, now func() time.Time) *Service { return &Service{store: store, now: now} }

// ErrNotEnded refuses to erase a partnership that has not ended: its
// figures are still in use, and answers may still come in.
var ErrNotEnded = errors.New("the partnership has not ended")

// ErasedName is what an erased partner is called: the network keeps a
// node for it, so that the ties other partners reported stay, without a
// name.
const ErasedName = "—"

// Partner erases a partner organisation: its answers to every partner
// round (taken off the figures), its invitations, and its name and
// e-mail. Its node stays in the network, nameless and inactive, because
// the ties other partners reported to it are theirs.
func (s *Service) Partner(ctx context.Context, actor, partnershipID, partnerID string) error {
	p, err := s.store.Partner(ctx, partnershipID, partnerID)
	if err != nil {
		return err
	}
	waves, err := s.store.Waves(ctx, partnershipID)
	if err != nil {
		return fmt.Errorf("erase partner: %w", err)
	}
	for _, w := range waves {
		if w.Respondents != "partners" {
			continue
		}
		if err := s.store.EraseResponse(ctx, forms.PartnerResponseID(w.ID, p.ID)); err != nil {
			return fmt.Errorf("erase partner's answers: %w", err)
		}
	}
	if _, err := s.store.DeleteInvitationsOf(ctx, partnershipID, p.ID); err != nil {
		return fmt.Errorf("erase partner: %w", err)
	}
	now := s.now().UTC()
	// Names are unique in a partnership; the id keeps erased ones apart.
	p.Name, p.Email, p.Active, p.Erased = ErasedName+" "+p.ID, "", false, true
	if p.LeftAt == nil {
		p.LeftAt = &now
	}
	if err := s.store.UpdatePartner(ctx, p); err != nil {
		return fmt.Errorf("erase partner: %w", err)
	}
	return s.audit(ctx, actor, "partner.erase", partnershipID, p.ID)
}

// Partnership erases a partnership that has ended, with everything it
// holds.
func (s *Service) Partnership(ctx context.Context, actor, partnershipID string) error {
	p, err := s.store.Partnership(ctx, partnershipID)
	if err != nil {
		return err
	}
	if p.EndedAt == nil || p.EndedAt.After(s.now()) {
		return ErrNotEnded
	}
	waves, err := s.store.Waves(ctx, partnershipID)
	if err != nil {
		return fmt.Errorf("erase partnership: %w", err)
	}
	ids := make([]string, len(waves))
	for i, w := range waves {
		ids[i] = w.ID
	}
	// Recorded first: an erasure cut short still left its trace.
	if err := s.audit(ctx, actor, "partnership.erase", partnershipID, partnershipID); err != nil {
		return err
	}
	return s.store.ErasePartnership(ctx, partnershipID, ids)
}

func (s *Service) audit(ctx context.Context, actor, action, partnershipID, target string) error {
	e := partnership.AuditEntry{ID: partnership.NewID("au"), At: s.now().UTC(), Actor: actor, Action: action,
		Partnership: partnershipID, Target: target}
	if err := s.store.Audit(ctx, e); err != nil {
		return fmt.Errorf("record erasure: %w", err)
	}
	return nil
}
