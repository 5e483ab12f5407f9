package outbox

import (
	"context"
	"fmt"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
)

// MailState says what becomes of a new link's mail.
type MailState string

// The states of a new link's mail.
const (
	// MailOff: no SMTP server is configured; the link is copied by hand.
	MailOff MailState = "off"
	// MailQueued: the mail is in the outbox.
	MailQueued MailState = "queued"
	// MailNoAddress: the partner has no usable e-mail address, so the
	// link needs to reach it by hand.
	MailNoAddress MailState = "no_address"
)

// Issued is a new personal link, shown once, and what becomes of its mail.
type Issued struct {
	Partner partnership.Partner
	Token   string
	Mail    MailState
}

// Invite makes partner p's personal link to wave w and queues its mail.
// With replace, the partner's earlier link stops working; without, a
// partner invited already keeps its link and ok is false. The mail's
// entry is written before the invitation: a crash between the two leaves
// an entry whose invitation never appears, which the sender skips, never
// an invitation whose mail is forgotten.
func (s *Service) Invite(ctx context.Context, w partnership.Wave, p partnership.Partner, batch string, replace bool) (Issued, bool, error) {
	now := s.now().UTC()
	token := access.NewToken()
	inv := partnership.Invitation{Hash: access.Hash(token), Partnership: p.Partnership, Wave: w.ID, Partner: p.ID,
		CreatedAt: now, Batch: batch}
	if s.Sealer != nil {
		inv.Sealed = s.Sealer.Seal(token, inv.Hash)
	}
	is := Issued{Partner: p, Token: token, Mail: MailOff}
	var queued string
	if s.Enabled() {
		is.Mail = MailNoAddress
		if to, ok := Address(p); ok {
			e := Entry{ID: fmt.Sprintf("invitation:%s:%s:%s", w.ID, p.ID, inv.Hash[:16]), Kind: Invitation,
				To: to.Address, Name: to.Name, Partnership: p.Partnership, Wave: w.ID, Partner: p.ID,
				Invitation: inv.Hash, Status: Pending, Created: now, Due: now}
			if _, err := s.Store.QueueMail(ctx, e); err != nil {
				return Issued{}, false, err
			}
			queued, is.Mail = e.ID, MailQueued
		}
	}
	if replace {
		if err := s.Store.ReissueInvitation(ctx, inv); err != nil {
			return Issued{}, false, err
		}
		return is, true, nil
	}
	created, err := s.Store.CreateInvitation(ctx, inv)
	if err != nil || created {
		return is, created, err
	}
	if queued != "" {
		// Invited already: the entry would carry a link that never worked.
		if err := s.Store.DeleteMail(ctx, queued); err != nil {
			return Issued{}, false, err
		}
	}
	return Issued{}, false, nil
}

// Waiting lists the invited partners of wave w who have not answered.
func (s *Service) Waiting(ctx context.Context, w partnership.Wave) ([]partnership.Invitation, error) {
	invs, err := s.Store.Invitations(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	var out []partnership.Invitation
	for _, inv := range invs {
		_, answered, err := s.Store.Response(ctx, forms.PartnerResponseID(w.ID, inv.Partner))
		if err != nil {
			return nil, err
		}
		if !answered {
			out = append(out, inv)
		}
	}
	return out, nil
}

// Reminded counts what a reminder run did.
type Reminded struct {
	// Queued reminders are in the outbox.
	Queued int
	// ByHand partners have no usable address, or a link made before
	// links were sealed: their reminder is the backbone's to give.
	ByHand int
	// Recent partners had a reminder less than a day ago, or have a mail
	// waiting: they get no second one now.
	Recent int
}

// recently is how long after a mail a partner gets no reminder.
const recently = 20 * time.Hour

// RemindNow queues a reminder to every invited partner of w who has not
// answered, has an address and had no reminder in the last day. batch names
// the request, so that a form posted twice queues each reminder once.
func (s *Service) RemindNow(ctx context.Context, w partnership.Wave, batch string) (Reminded, error) {
	if !s.Enabled() {
		return Reminded{}, nil
	}
	return s.remind(ctx, w, "now-"+batch, 0, s.now())
}

// remind queues reminder slot of w to the partners still waiting whose
// invitation is older than due.
func (s *Service) remind(ctx context.Context, w partnership.Wave, name string, slot int, due time.Time) (Reminded, error) {
	var r Reminded
	waiting, err := s.Waiting(ctx, w)
	if err != nil {
		return r, err
	}
	mail, err := s.Store.MailOfWave(ctx, w.ID)
	if err != nil {
		return r, err
	}
	now := s.now().UTC()
	// A partner's latest reminder, sent or on its way, or an invitation
	// still on its way: a reminder now would come too soon after it.
	last := map[string]time.Time{}
	for _, e := range mail {
		waiting := e.Status == Pending || e.Status == Sending
		switch {
		case slot != 0 && e.Kind == Reminder && e.Slot != 0 && waiting:
			continue // an earlier slot's reminder still waiting: this one takes its place
		case waiting:
			last[e.Partner] = now
		case e.Kind == Reminder && e.Status == Sent && e.Done.After(last[e.Partner]):
			last[e.Partner] = e.Done
		}
	}
	for _, inv := range waiting {
		if inv.CreatedAt.After(due) {
			continue // invited after the reminder was due: the invitation is news enough
		}
		p, err := s.Store.Partner(ctx, w.Partnership, inv.Partner)
		if err != nil {
			return r, err
		}
		to, ok := Address(p)
		if !ok || !p.Active || len(inv.Sealed) == 0 {
			// No address, or a link made before links were sealed,
			// which cannot be mailed again: a reminder by hand.
			r.ByHand++
			continue
		}
		if at, ok := last[p.ID]; ok && now.Sub(at) < recently {
			r.Recent++
			continue
		}
		e := Entry{ID: fmt.Sprintf("reminder:%s:%s:%s", w.ID, p.ID, name), Kind: Reminder, To: to.Address, Name: to.Name,
			Partnership: w.Partnership, Wave: w.ID, Partner: p.ID, Slot: slot, Status: Pending, Created: now, Due: now}
		ok, err = s.Store.QueueMail(ctx, e)
		if err != nil {
			return r, err
		}
		if ok {
			r.Queued++
		}
	}
	return r, nil
}

// SetPasswordMail queues a staff member's one-time link to set a
// password, in the console language lang, naming who made it (by) and
// whether it replaces a forgotten password (reset). The token is sealed
// for the entry and dropped once the entry is done.
func (s *Service) SetPasswordMail(ctx context.Context, email, token, lang, by string, reset bool) (bool, error) {
	if !s.Enabled() {
		return false, nil
	}
	now := s.now().UTC()
	e := Entry{ID: "set_password:" + access.Hash(token)[:24], Kind: SetPassword, To: email, Lang: lang, By: by, Reset: reset,
		Status: Pending, Created: now, Due: now}
	e.Secret = s.Sealer.Seal(token, e.ID)
	if _, err := s.Store.QueueMail(ctx, e); err != nil {
		return false, err
	}
	s.Poke()
	return true, nil
}

// Mail lists the mail of round w, oldest first.
func (s *Service) Mail(ctx context.Context, w partnership.Wave) ([]Entry, error) {
	return s.Store.MailOfWave(ctx, w.ID)
}

// MailLink queues a mail with partner p's current link to round w, on
// request: after a mail failed, or for a partner given an address since.
// batch names the request, so that a form posted twice queues one mail.
func (s *Service) MailLink(ctx context.Context, w partnership.Wave, p partnership.Partner, batch string) (MailState, error) {
	if !s.Enabled() {
		return MailOff, nil
	}
	to, ok := Address(p)
	if !ok || !p.Active {
		return MailNoAddress, nil
	}
	invs, err := s.Store.Invitations(ctx, w.ID)
	if err != nil {
		return "", err
	}
	for _, inv := range invs {
		if inv.Partner != p.ID {
			continue
		}
		now := s.now().UTC()
		e := Entry{ID: fmt.Sprintf("invitation:%s:%s:%s:%s", w.ID, p.ID, inv.Hash[:16], batch), Kind: Invitation,
			To: to.Address, Name: to.Name, Partnership: p.Partnership, Wave: w.ID, Partner: p.ID,
			Invitation: inv.Hash, Status: Pending, Created: now, Due: now}
		if _, err := s.Store.QueueMail(ctx, e); err != nil {
			return "", err
		}
		s.Poke()
		return MailQueued, nil
	}
	return "", partnership.ErrNotFound
}
