package outbox

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// tick is how often the sender looks at the outbox when nobody pokes it.
const tick = 15 * time.Second

// notYet is how long an invitation mail waits for its invitation to be
// written (the entry is written first) before it counts as replaced.
const notYet = 2 * time.Minute

// Run sends what is due until ctx ends: at once when poked, otherwise
// every few seconds; every few minutes it also queues the reminders that
// fell due and marks claims that outlived their lease. A server that
// cannot be reached is asked again after a back-off that doubles up to
// five minutes; no entry is claimed meanwhile.
func (s *Service) Run(ctx context.Context) {
	var wait time.Duration
	var lastChores time.Time
	for {
		if now := s.now(); now.Sub(lastChores) >= 5*time.Minute {
			s.chores(ctx)
			lastChores = now
		}
		_, err := s.Drain(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			wait = min(max(2*wait, 5*time.Second), 5*time.Minute)
			s.logger().Warn("mail not sent; trying again later", "err", err, "in", wait)
		default:
			wait = tick
		}
		select {
		case <-ctx.Done():
			return
		case <-s.pokes():
		case <-time.After(wait):
		}
	}
}

// chores queues due reminders and settles claims that outlived their
// lease.
func (s *Service) chores(ctx context.Context) {
	if n, err := s.QueueReminders(ctx); err != nil {
		s.logger().Error("queue reminders", "err", err)
	} else if n > 0 {
		s.logger().Info("reminders queued", "count", n)
	}
	now := s.now()
	if n, err := s.Store.ExpireClaims(ctx, now.Add(-s.lease()), now); err != nil {
		s.logger().Error("settle old claims", "err", err)
	} else if n > 0 {
		s.logger().Warn("mails claimed by a sender that stopped; they may or may not have gone", "count", n)
	}
}

func (s *Service) lease() time.Duration {
	if s.Lease == 0 {
		return 10 * time.Minute
	}
	return s.Lease
}

func (s *Service) giveUp() time.Duration {
	if s.GiveUp == 0 {
		return 48 * time.Hour
	}
	return s.GiveUp
}

// batch is how many due entries one pass takes.
const batch = 200

// Drain sends the entries that are due, on one connection, and reports
// how many went. Its error means the server could not be reached: the
// entries stay as they were.
func (s *Service) Drain(ctx context.Context) (sent int, err error) {
	if !s.Enabled() {
		return 0, nil
	}
	for {
		due, err := s.Store.DueMail(ctx, s.now(), batch)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		n, err := s.send(ctx, due)
		sent += n
		if err != nil || len(due) < batch {
			return sent, err
		}
	}
}

// send hands due entries over, claiming each just before it goes.
func (s *Service) send(ctx context.Context, due []Entry) (sent int, err error) {
	var conn Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	c := newCache(s.Store)
	for _, e := range due {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		if conn == nil || conn.Broken() {
			if conn != nil {
				conn.Close()
			}
			if conn, err = s.Mailer.Open(ctx); err != nil {
				return sent, err
			}
		}
		ok, err := s.Store.ClaimMail(ctx, e.ID, s.now())
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // another sender has it
		}
		l, v, err := s.compose(ctx, c, e)
		switch {
		case err != nil:
			// The store failed: try again soon, without counting a try.
			s.logger().Error("write mail", "entry", e.ID, "err", err)
			err = s.Store.RetryMail(ctx, e.ID, s.now().Add(time.Minute), false, "")
		case v.skip != "":
			s.counts.skipped.Add(1)
			err = s.Store.FinishMail(ctx, e.ID, Skipped, v.skip, s.now())
		case v.wait > 0:
			err = s.Store.RetryMail(ctx, e.ID, s.now().Add(v.wait), false, "")
		default:
			sendErr := conn.Send(l)
			if err = s.settle(ctx, e, sendErr); err == nil && sendErr == nil {
				sent++
			}
		}
		if err != nil {
			// The entry stays claimed; when its lease runs out it is
			// marked Unknown, never sent again.
			return sent, fmt.Errorf("record mail %s: %w", e.ID, err)
		}
	}
	return sent, nil
}

// settle records how handing an entry over went: sent, failed for good,
// or due again after a back-off that doubles from a minute to an hour,
// until the entry is older than GiveUp.
func (s *Service) settle(ctx context.Context, e Entry, sendErr error) error {
	now := s.now()
	if sendErr == nil {
		s.counts.sent.Add(1)
		return s.Store.FinishMail(ctx, e.ID, Sent, "", now)
	}
	var p interface{ Permanent() bool }
	if errors.As(sendErr, &p) && p.Permanent() {
		s.counts.failed.Add(1)
		s.logger().Warn("mail refused", "entry", e.ID, "reason", sendErr)
		return s.Store.FinishMail(ctx, e.ID, Failed, sendErr.Error(), now)
	}
	if now.Sub(e.Created) >= s.giveUp() {
		s.counts.failed.Add(1)
		reason := fmt.Sprintf("gave up after %d tries: %v", e.Attempts+1, sendErr)
		s.logger().Warn("mail given up", "entry", e.ID, "reason", sendErr)
		return s.Store.FinishMail(ctx, e.ID, Failed, reason, now)
	}
	backoff := min(time.Minute<<min(e.Attempts, 6), time.Hour)
	return s.Store.RetryMail(ctx, e.ID, now.Add(backoff), true, sendErr.Error())
}

// Why an entry was skipped: the readable reason it keeps.
const (
	SkipAnswered  = "the partner answered"
	SkipReplaced  = "a newer link replaced this one"
	SkipClosed    = "the round closed"
	SkipEnded     = "the partnership has ended"
	SkipNoAddress = "the partner has no address or left"
	SkipNoLink    = "the partner has no link"
	SkipOff       = "reminders were turned off"
	SkipExpired   = "link expired before it could be sent"
	SkipKey       = "the link does not open with this installation's key; make a new link"
	SkipKind      = "unknown kind of mail"
)

// verdict is what compose decided besides writing the letter.
type verdict struct {
	// skip says why the entry is no longer wanted.
	skip string
	// wait asks to try again later, without counting a try.
	wait time.Duration
}

// compose writes an entry's letter from the current state of things, or
// says why it should not go now.
func (s *Service) compose(ctx context.Context, c *cache, e Entry) (Letter, verdict, error) {
	switch e.Kind {
	case SetPassword:
		token, err := s.Sealer.Open(e.Secret, e.ID)
		if err != nil {
			return Letter{}, verdict{skip: SkipKey}, nil
		}
		if s.now().Sub(e.Created) > 24*time.Hour {
			return Letter{}, verdict{skip: SkipExpired}, nil
		}
		return s.written(s.setPasswordLetter(e.Lang, s.BaseURL+"/setup/"+token), e)
	case Invitation, Reminder:
	default:
		return Letter{}, verdict{skip: SkipKind}, nil
	}
	pa, err := c.partnership(ctx, e.Partnership)
	if err != nil {
		return Letter{}, verdict{}, err
	}
	w, err := c.wave(ctx, e.Partnership, e.Wave)
	if err != nil {
		return Letter{}, verdict{}, err
	}
	now := s.now()
	switch {
	case pa.EndedAt != nil:
		return Letter{}, verdict{skip: SkipEnded}, nil
	case w.Status(now) == partnership.Closed:
		return Letter{}, verdict{skip: SkipClosed}, nil
	}
	p, err := c.partner(ctx, e.Partnership, e.Partner)
	if errors.Is(err, partnership.ErrNotFound) {
		return Letter{}, verdict{skip: SkipNoAddress}, nil
	}
	if err != nil {
		return Letter{}, verdict{}, err
	}
	if _, ok := Address(p); !ok || !p.Active {
		return Letter{}, verdict{skip: SkipNoAddress}, nil
	}
	inv, ok, err := c.invitation(ctx, w.ID, p.ID)
	if err != nil {
		return Letter{}, verdict{}, err
	}
	if e.Kind == Invitation && (!ok || inv.Hash != e.Invitation) {
		if !ok && now.Sub(e.Created) < notYet {
			return Letter{}, verdict{wait: notYet / 4}, nil
		}
		return Letter{}, verdict{skip: SkipReplaced}, nil
	}
	if !ok {
		return Letter{}, verdict{skip: SkipNoLink}, nil
	}
	if e.Kind == Reminder {
		if v := s.stillWanted(ctx, w, e); v.skip != "" {
			return Letter{}, v, nil
		}
	}
	token, err := s.Sealer.Open(inv.Sealed, inv.Hash)
	if err != nil {
		return Letter{}, verdict{skip: SkipKey}, nil
	}
	// The mail goes to the address the partner has now.
	e.To, e.Name = p.Email, p.Name
	return s.written(s.partnerLetter(e.Kind, pa, w, p, s.BaseURL+"/i/"+token), e)
}

// stillWanted tells whether a reminder should still go: not to a partner
// who answered after it was queued, and not on a schedule turned off.
func (s *Service) stillWanted(ctx context.Context, w partnership.Wave, e Entry) verdict {
	if e.Slot != 0 && !slices.Contains(w.ReminderDays(), e.Slot) {
		return verdict{skip: SkipOff}
	}
	_, answered, err := s.Store.Response(ctx, forms.PartnerResponseID(w.ID, e.Partner))
	if err != nil {
		return verdict{wait: time.Minute}
	}
	if answered {
		return verdict{skip: SkipAnswered}
	}
	return verdict{}
}

func (s *Service) written(l letter, e Entry) (Letter, verdict, error) {
	out, err := l.write(e.ID, mail.Address{Name: e.Name, Address: e.To})
	return out, verdict{}, err
}
