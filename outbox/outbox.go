// Package outbox sends Samspil's e-mail: partners' invitations and
// reminders, and staff members' set-password links. Every mail is first an
// entry in the store, written in the same step as what caused it; a
// background sender claims each entry before it sends it, so an entry goes
// out at most once, across crashes and several instances.
//
// Entries keep no message and no link: the sender writes the mail from the
// partnership's current details when it sends, and takes the link from the
// invitation, where it is sealed with a key the store does not hold.
package outbox

import (
	"context"
	"log/slog"
	"net/mail"
	"sync"
	"sync/atomic"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/i18n"
	"samspil/partnership"
)

// Kind is what a mail is for.
type Kind string

// The kinds of mail.
const (
	// Invitation carries a partner's personal link to a wave.
	Invitation Kind = "invitation"
	// Reminder asks a partner who has not answered yet, with the same link.
	Reminder Kind = "reminder"
	// SetPassword carries a staff member's one-time link to set a password.
	SetPassword Kind = "set_password"
)

// Status is where an entry is on its way.
type Status string

// The statuses of an entry.
const (
	// Pending waits for its due time.
	Pending Status = "pending"
	// Sending is claimed by a sender, which is handing it to the server.
	Sending Status = "sending"
	// Sent was accepted by the SMTP server.
	Sent Status = "sent"
	// Failed was refused for good (a 5xx reply), or kept failing until
	// the sender gave up.
	Failed Status = "failed"
	// Skipped was no longer wanted when its turn came: the partner had
	// answered, the link was replaced, the wave had closed.
	Skipped Status = "skipped"
	// Unknown was claimed by a sender that stopped before it could say
	// how the sending went: it may have gone. It is never sent again by
	// itself (at most once); the status page offers to send a new one.
	Unknown Status = "unknown"
)

// Entry is one mail to send, or sent. Its readable fields name who and
// what, never a link.
type Entry struct {
	ID          string `bson:"_id"`
	Kind        Kind   `bson:"kind"`
	To          string `bson:"to"`
	Name        string `bson:"name,omitempty"`
	Partnership string `bson:"partnership,omitempty"`
	Wave        string `bson:"wave,omitempty"`
	Partner     string `bson:"partner,omitempty"`
	// Invitation is the hash of the invitation whose link an invitation
	// mail carries: a newer link makes the mail pointless.
	Invitation string `bson:"invitation,omitempty"`
	// Slot is a reminder's place in the wave's schedule (7 for 7 days
	// before closing) or 0 for one sent on request.
	Slot int    `bson:"slot,omitempty"`
	Lang string `bson:"lang"`
	// By is the staff member who made a set-password link, and Reset
	// says it replaces a forgotten password.
	By    string `bson:"by,omitempty"`
	Reset bool   `bson:"reset,omitempty"`
	// Secret is a set-password link's token, sealed for this entry; it
	// is dropped once the entry is done.
	Secret   []byte    `bson:"secret,omitempty"`
	Status   Status    `bson:"status"`
	Attempts int       `bson:"attempts"`
	Created  time.Time `bson:"created"`
	// Due is when the entry may next be tried.
	Due     time.Time `bson:"due"`
	Claimed time.Time `bson:"claimed,omitzero"`
	Done    time.Time `bson:"done,omitzero"`
	// Reason says why an entry failed, was skipped or waits: the
	// server's reply or the sender's words, never a link.
	Reason string `bson:"reason,omitempty"`
}

// MailStore keeps the outbox.
type MailStore interface {
	QueueMail(ctx context.Context, e Entry) (bool, error)
	DeleteMail(ctx context.Context, id string) error
	DueMail(ctx context.Context, now time.Time, limit int) ([]Entry, error)
	ClaimMail(ctx context.Context, id string, now time.Time) (bool, error)
	FinishMail(ctx context.Context, id string, status Status, reason string, at time.Time) error
	RetryMail(ctx context.Context, id string, due time.Time, attempted bool, reason string) error
	ExpireClaims(ctx context.Context, before, at time.Time) (int, error)
	MailOfWave(ctx context.Context, wave string) ([]Entry, error)
}

// Rounds holds what mails are written from and links are made in.
type Rounds interface {
	Partnership(ctx context.Context, id string) (partnership.Partnership, error)
	Partnerships(ctx context.Context) ([]partnership.Partnership, error)
	Partners(ctx context.Context, partnershipID string) ([]partnership.Partner, error)
	Partner(ctx context.Context, partnershipID, id string) (partnership.Partner, error)
	Wave(ctx context.Context, partnershipID, id string) (partnership.Wave, error)
	Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error)
	Invitations(ctx context.Context, waveID string) ([]partnership.Invitation, error)
	CreateInvitation(ctx context.Context, inv partnership.Invitation) (bool, error)
	ReissueInvitation(ctx context.Context, inv partnership.Invitation) error
	Response(ctx context.Context, id string) (forms.Response, bool, error)
	SetupLink(ctx context.Context, hash string) (access.SetupLink, bool, error)
}

// Store is the outbox and the rounds, as one store keeps them.
type Store interface {
	MailStore
	Rounds
}

// Mailer opens connections to the SMTP server.
type Mailer interface {
	Open(ctx context.Context) (Conn, error)
}

// Conn is one connection to the SMTP server.
type Conn interface {
	// Send hands one letter over. An error may say more about itself:
	// Permanent() (refused for good), Uncertain() (it may have gone) or
	// AboutServer() (nothing would go now); any other may pass.
	Send(Letter) error
	// Broken says the connection should carry no more letters.
	Broken() bool
	Close() error
}

// Letter is a mail as written, ready to hand over.
type Letter struct {
	// ID names the mail in its Message-ID; it holds no secret.
	ID string
	To mail.Address
	// ReplyTo is whom an answer to the mail goes to: the partnership's
	// contact, when it names an address.
	ReplyTo *mail.Address
	Subject string
	Text    string
	HTML    string
	Lang    string
}

// Service queues and sends mail.
type Service struct {
	Store  Store
	Sealer *access.Sealer
	// Mailer is the SMTP server; nil sends nothing, and nothing is queued.
	Mailer   Mailer
	Messages *i18n.Messages
	Forms    *forms.Catalog
	// BaseURL is where links point: the public address.
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
	// GiveUp is how long an entry is retried after temporary failures;
	// zero takes two days.
	GiveUp time.Duration
	// Lease is how long a claim may last before the entry counts as
	// Unknown; zero takes ten minutes.
	Lease time.Duration

	pokeOnce sync.Once
	poke     chan struct{}
	// reminded holds when this process last queued each reminder slot.
	reminded sync.Map
	// trouble is since when and why the sender cannot send; nil when it
	// can.
	trouble atomic.Pointer[trouble]
	// counts are what this process handed over or lost for good, for
	// metrics.
	counts counts
}

// counts are totals since the process started.
type counts struct {
	sent, failed, skipped atomic.Int64
}

// Enabled says mail is configured.
func (s *Service) Enabled() bool { return s != nil && s.Mailer != nil }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Poke asks the sender to look at the outbox now rather than at its next
// tick.
func (s *Service) Poke() {
	select {
	case s.pokes() <- struct{}{}:
	default:
	}
}

func (s *Service) pokes() chan struct{} {
	s.pokeOnce.Do(func() { s.poke = make(chan struct{}, 1) })
	return s.poke
}

// Address is a partner's e-mail address when it is one a mail can go to.
func Address(p partnership.Partner) (mail.Address, bool) {
	if p.Email == "" || p.Erased {
		return mail.Address{}, false
	}
	a, err := mail.ParseAddress(p.Email)
	if err != nil || a.Address != p.Email {
		return mail.Address{}, false
	}
	return mail.Address{Name: p.Name, Address: a.Address}, true
}

// Counts are what this process sent, lost for good and skipped since it
// started.
func (s *Service) Counts() (sent, failed, skipped int64) {
	return s.counts.sent.Load(), s.counts.failed.Load(), s.counts.skipped.Load()
}
