package outbox

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"samspil/access"
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

// troubled notes since when the sender has failed, for the console.
func (s *Service) troubled(err error) {
	if t := s.trouble.Load(); t != nil {
		s.trouble.Store(&trouble{since: t.since, reason: err.Error()})
		return
	}
	s.trouble.Store(&trouble{since: s.now(), reason: err.Error()})
}

// Trouble tells since when the sender has been unable to send, and why;
// a zero time says it sends.
func (s *Service) Trouble() (since time.Time, reason string) {
	if t := s.trouble.Load(); t != nil {
		return t.since, t.reason
	}
	return time.Time{}, ""
}

type trouble struct {
	since  time.Time
	reason string
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
// how many went. It stops at an error: the server could not be reached
// or refuses everything (the entry in hand is put back as it was), or the
// store failed (an entry whose outcome could not be recorded stays
// claimed, and turns Unknown when its lease ends).
func (s *Service) Drain(ctx context.Context) (sent int, err error) {
	if !s.Enabled() {
		return 0, nil
	}
	defer func() {
		switch {
		case err != nil && ctx.Err() == nil:
			s.troubled(err)
		case err == nil && sent > 0:
			s.trouble.Store(nil)
		}
	}()
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
		l, token, v, err := s.compose(ctx, c, e)
		// What happened is recorded even when the process is stopping:
		// an entry left claimed would turn Unknown.
		rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		switch {
		case err != nil:
			err = s.storeTrouble(rec, e, err)
		case v.skip != "":
			s.counts.skipped.Add(1)
			err = s.Store.FinishMail(rec, e.ID, Skipped, v.skip, s.now())
		case v.wait > 0:
			err = s.Store.RetryMail(rec, e.ID, s.now().Add(v.wait), false, "")
		default:
			sendErr := conn.Send(l)
			var server interface{ AboutServer() bool }
			if errors.As(sendErr, &server) && server.AboutServer() {
				// Nothing would go now: put it back untouched and stop.
				if err := s.Store.RetryMail(rec, e.ID, s.now(), false, ""); err != nil {
					cancel()
					return sent, err
				}
				cancel()
				return sent, fmt.Errorf("the mail server refuses: %s", redact(sendErr.Error(), token))
			}
			if err = s.settle(rec, e, sendErr, token); err == nil && sendErr == nil {
				sent++
			}
		}
		cancel()
		if err != nil {
			return sent, fmt.Errorf("record mail %s: %w", e.ID, err)
		}
	}
	return sent, nil
}

// settle records how handing an entry over went: sent; failed for good;
// unknown, when it may have gone; or due again after a back-off that
// doubles from a minute to an hour, until it has been tried a few times
// over GiveUp. The server's reply is kept without the link.
func (s *Service) settle(ctx context.Context, e Entry, sendErr error, token string) error {
	now := s.now()
	if sendErr == nil {
		s.counts.sent.Add(1)
		return s.Store.FinishMail(ctx, e.ID, Sent, "", now)
	}
	reason := redact(sendErr.Error(), token)
	var p interface{ Permanent() bool }
	var u interface{ Uncertain() bool }
	switch {
	case errors.As(sendErr, &u) && u.Uncertain():
		s.logger().Warn("mail may or may not have gone", "entry", e.ID, "reason", reason)
		return s.Store.FinishMail(ctx, e.ID, Unknown, reason, now)
	case errors.As(sendErr, &p) && p.Permanent():
		s.counts.failed.Add(1)
		s.logger().Warn("mail refused", "entry", e.ID, "reason", reason)
		return s.Store.FinishMail(ctx, e.ID, Failed, reason, now)
	case s.givenUp(e, now):
		s.counts.failed.Add(1)
		reason = fmt.Sprintf("gave up after %d tries: %s", e.Attempts+1, reason)
		s.logger().Warn("mail given up", "entry", e.ID, "reason", reason)
		return s.Store.FinishMail(ctx, e.ID, Failed, reason, now)
	}
	return s.Store.RetryMail(ctx, e.ID, now.Add(backoff(e.Attempts)), true, reason)
}

// backoff is how long an entry waits after its tries-th failure: a minute,
// doubling up to an hour.
func backoff(tries int) time.Duration { return min(time.Minute<<min(tries, 6), time.Hour) }

// givenUp says an entry failed for the last time: tried three times at
// least, and older than GiveUp. An entry held back by an outage, untried,
// gets its tries.
func (s *Service) givenUp(e Entry, now time.Time) bool {
	return e.Attempts >= 2 && now.Sub(e.Created) >= s.giveUp()
}

// storeTrouble puts an entry back when what its mail needs could not be
// read, counting a try, so that a lasting fault ends in Failed and shows.
func (s *Service) storeTrouble(ctx context.Context, e Entry, err error) error {
	s.logger().Error("write mail", "entry", e.ID, "err", err)
	now := s.now()
	if s.givenUp(e, now) {
		s.counts.failed.Add(1)
		return s.Store.FinishMail(ctx, e.ID, Failed, "gave up: what the mail needs could not be read", now)
	}
	return s.Store.RetryMail(ctx, e.ID, now.Add(backoff(e.Attempts)), true, "what the mail needs could not be read; trying again")
}

// redact keeps a link out of a server's reply, which a content filter may
// quote, and keeps the reply short.
func redact(reply, token string) string {
	if token != "" {
		reply = strings.ReplaceAll(reply, token, "[link]")
	}
	if len(reply) > 300 {
		reply = reply[:300] + "…"
	}
	return reply
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
	SkipGone      = "the round or the partnership no longer exists"
	SkipLater     = "a later reminder took its place"
	SkipRecent    = "a reminder went less than a day before"
	SkipUsed      = "the link was used or replaced"
)

// verdict is what compose decided besides writing the letter.
type verdict struct {
	// skip says why the entry is no longer wanted.
	skip string
	// wait asks to try again later, without counting a try.
	wait time.Duration
}

// compose writes an entry's letter from the current state of things, or
// says why it should not go now. It returns the link's token too, to keep
// it out of what is recorded.
func (s *Service) compose(ctx context.Context, c *cache, e Entry) (Letter, string, verdict, error) {
	now := s.now()
	switch e.Kind {
	case SetPassword:
		token, err := s.Sealer.Open(e.Secret, e.ID)
		if err != nil {
			return Letter{}, "", verdict{skip: SkipKey}, nil
		}
		if now.Sub(e.Created) > access.SetupLinkTTL {
			return Letter{}, "", verdict{skip: SkipExpired}, nil
		}
		if l, ok, err := s.Store.SetupLink(ctx, access.Hash(token)); err != nil {
			return Letter{}, "", verdict{}, err
		} else if !ok || !l.Usable(now) {
			return Letter{}, "", verdict{skip: SkipUsed}, nil
		}
		l, err := s.setPasswordLetter(e.Lang, s.BaseURL+"/setup/"+token, e.By, e.Reset).write(e.ID, mail.Address{Name: e.Name, Address: e.To})
		return l, token, verdict{}, err
	case Invitation, Reminder:
	default:
		return Letter{}, "", verdict{skip: SkipKind}, nil
	}
	pa, err := c.partnership(ctx, e.Partnership)
	if err == nil {
		_, err = c.wave(ctx, e.Partnership, e.Wave)
	}
	if errors.Is(err, partnership.ErrNotFound) {
		return Letter{}, "", verdict{skip: SkipGone}, nil
	}
	if err != nil {
		return Letter{}, "", verdict{}, err
	}
	w, _ := c.wave(ctx, e.Partnership, e.Wave)
	switch {
	case pa.EndedAt != nil:
		return Letter{}, "", verdict{skip: SkipEnded}, nil
	case w.Status(now) == partnership.Closed:
		return Letter{}, "", verdict{skip: SkipClosed}, nil
	}
	p, err := c.partner(ctx, e.Partnership, e.Partner)
	if errors.Is(err, partnership.ErrNotFound) {
		return Letter{}, "", verdict{skip: SkipNoAddress}, nil
	}
	if err != nil {
		return Letter{}, "", verdict{}, err
	}
	if _, ok := Address(p); !ok || !p.Active {
		return Letter{}, "", verdict{skip: SkipNoAddress}, nil
	}
	inv, ok, err := c.invitation(ctx, w.ID, p.ID)
	if err != nil {
		return Letter{}, "", verdict{}, err
	}
	young := now.Sub(e.Created) < notYet
	if e.Kind == Invitation && (!ok || inv.Hash != e.Invitation) {
		// The entry is written before its invitation: until that is
		// written, the partner has no link or still the one it replaces.
		if young && (!ok || inv.CreatedAt.Before(e.Created)) {
			return Letter{}, "", verdict{wait: notYet / 4}, nil
		}
		return Letter{}, "", verdict{skip: SkipReplaced}, nil
	}
	if !ok {
		return Letter{}, "", verdict{skip: SkipNoLink}, nil
	}
	if e.Kind == Reminder {
		v, err := s.stillWanted(ctx, c, w, e)
		if err != nil || v.skip != "" {
			return Letter{}, "", v, err
		}
	}
	token, err := s.Sealer.Open(inv.Sealed, inv.Hash)
	if err != nil {
		return Letter{}, "", verdict{skip: SkipKey}, nil
	}
	// The mail goes to the address the partner has now.
	l, err := s.partnerLetter(e.Kind, pa, w, p, s.BaseURL+"/i/"+token).write(e.ID, mail.Address{Name: p.Name, Address: p.Email})
	return l, token, verdict{}, err
}

// stillWanted tells whether a reminder should still go: not to a partner
// who answered after it was queued, not on a schedule turned off, not
// when a later reminder of the schedule is due too (after an outage, the
// latest one goes), and not a scheduled one within a day of another.
func (s *Service) stillWanted(ctx context.Context, c *cache, w partnership.Wave, e Entry) (verdict, error) {
	if e.Slot != 0 {
		if !slices.Contains(w.ReminderDays(), e.Slot) {
			return verdict{skip: SkipOff}, nil
		}
		if slot, _, ok := dueSlot(w, s.now()); ok && slot < e.Slot {
			return verdict{skip: SkipLater}, nil
		}
		mail, err := c.mail(ctx, w.ID)
		if err != nil {
			return verdict{}, err
		}
		for _, o := range mail {
			if o.Kind == Reminder && o.Partner == e.Partner && o.ID != e.ID && o.Status == Sent && s.now().Sub(o.Done) < 20*time.Hour {
				return verdict{skip: SkipRecent}, nil
			}
		}
	}
	_, answered, err := s.Store.Response(ctx, forms.PartnerResponseID(w.ID, e.Partner))
	if err != nil {
		return verdict{}, err
	}
	if answered {
		return verdict{skip: SkipAnswered}, nil
	}
	return verdict{}, nil
}
