package access

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// User is a staff member who signs in to the console with an e-mail
// address and a password. The password itself is never kept.
type User struct {
	// Email is the address the person signs in with, in lower case; it
	// is the account's id.
	Email string
	Role  Role
	// Partnerships are those a backbone user runs.
	Partnerships []string
	// PasswordHash is the argon2id hash of the password, empty until the
	// person has followed their set-password link.
	PasswordHash string
	Disabled     bool
	// Lang is the console language the person chose, "da" or "en".
	Lang      string
	CreatedAt time.Time
	CreatedBy string
}

// Principal is the principal a user acts as.
func (u User) Principal() Principal {
	return Principal{ID: "user:" + u.Email, Role: u.Role, Partnerships: u.Partnerships}
}

// NormalEmail is the form an e-mail address is stored and looked up in.
func NormalEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Session lengths: a session ends after IdleTimeout without a request and
// MaxSessionAge after sign-in, whichever comes first.
const (
	IdleTimeout   = 8 * time.Hour
	MaxSessionAge = 7 * 24 * time.Hour
)

// Session is a signed-in browser. Its token lives only in the browser's
// cookie; the store keeps its Hash.
type Session struct {
	Hash      string
	User      string
	CreatedAt time.Time
	SeenAt    time.Time
}

// NewSession starts a session for a user and returns the token for the
// cookie.
func NewSession(user string, now time.Time) (Session, string) {
	token := random(32)
	now = now.UTC()
	return Session{Hash: Hash(token), User: user, CreatedAt: now, SeenAt: now}, token
}

// Expired reports whether the session has ended by itself.
func (s Session) Expired(now time.Time) bool {
	return !now.Before(s.SeenAt.Add(IdleTimeout)) || !now.Before(s.CreatedAt.Add(MaxSessionAge))
}

// CSRF is the token a session's forms carry: derived from the session's
// secret, so it needs no storage, and useless without the cookie.
func CSRF(token string) string {
	return Hash("csrf:" + token)[:32]
}

// SetupLinkTTL is how long a link to set a password works.
const SetupLinkTTL = 24 * time.Hour

// SetupLink lets one person set their password once, within SetupLinkTTL.
// The token is in the link only; the store keeps its Hash.
type SetupLink struct {
	Hash      string
	User      string
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// NewSetupLink makes a link for a user and returns the token for its URL.
func NewSetupLink(user string, now time.Time) (SetupLink, string) {
	token := random(32)
	return SetupLink{Hash: Hash(token), User: user, ExpiresAt: now.UTC().Add(SetupLinkTTL)}, token
}

// Usable reports whether the link may still set a password.
func (l SetupLink) Usable(now time.Time) bool {
	return l.UsedAt == nil && now.Before(l.ExpiresAt)
}

// plainAddress is the shape of an address an account may have: what
// people's work addresses look like, without the quoting, percent signs
// and slashes that mail allows but a page and a log should never meet.
var plainAddress = regexp.MustCompile(`^[a-z0-9._+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$`)

// NewUser makes an account to invite, or tells what is wrong with it as a
// field and a message id: the address, the role, or a backbone account
// without a partnership.
func NewUser(email string, role Role, partnerships []string, by string, now time.Time) (User, string, string) {
	u := User{Email: NormalEmail(email), Role: role, CreatedAt: now.UTC().Truncate(time.Second), CreatedBy: by}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || !plainAddress.MatchString(u.Email) {
		return u, "email", "invalid_email"
	}
	switch role {
	case RoleBackbone:
		if len(partnerships) == 0 {
			return u, "partnership", "backbone_needs_partnership"
		}
		u.Partnerships = partnerships
	case RoleAdmin, RoleEvaluator:
	default:
		return u, "role", "invalid_role"
	}
	return u, "", ""
}
