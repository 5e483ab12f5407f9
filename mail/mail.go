// Package mail hands messages to an SMTP server. It is the only package
// that speaks SMTP; what a message says and when it goes are the outbox's.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"samspil/outbox"
)

// Config says where mail goes and whom it is from.
type Config struct {
	Host string
	Port int
	// User and Password log in; empty sends without logging in.
	User, Password string
	// TLS is how the connection is encrypted.
	TLS  Security
	From mail.Address
	// TLSConfig, when set, replaces the system's certificate authorities
	// (tests run a server with a certificate of their own).
	TLSConfig *tls.Config
	// Timeout bounds each exchange with the server; zero takes 30 s.
	Timeout time.Duration
}

// Security is how a connection to the SMTP server is protected.
type Security int

const (
	// StartTLS requires the server to offer STARTTLS: smtp://.
	StartTLS Security = iota
	// ImplicitTLS speaks TLS from the first byte: smtps://.
	ImplicitTLS
	// Plain sends in clear, for a relay on the same machine or network:
	// smtp+insecure://.
	Plain
)

// ParseURL reads SAMSPIL_SMTP_URL and SAMSPIL_MAIL_FROM:
// smtp://user:pass@host:587 (STARTTLS required), smtps://host:465, or
// smtp+insecure://host:25 for a local relay.
func ParseURL(raw, from string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("SMTP URL: not a URL") // the URL may hold a password: never echo it
	}
	var c Config
	port := 587
	switch u.Scheme {
	case "smtp":
		c.TLS = StartTLS
	case "smtps":
		c.TLS, port = ImplicitTLS, 465
	case "smtp+insecure":
		c.TLS, port = Plain, 25
	default:
		return Config{}, fmt.Errorf("SMTP URL: scheme %q: use smtp://, smtps:// or smtp+insecure://", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return Config{}, errors.New("SMTP URL: no host")
	}
	c.Port = port
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return Config{}, fmt.Errorf("SMTP URL: port %q", p)
		}
	}
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if from == "" {
		return Config{}, errors.New("SAMSPIL_MAIL_FROM: needed with an SMTP URL, for instance 'Samspil <samspil@example.dk>'")
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return Config{}, fmt.Errorf("SAMSPIL_MAIL_FROM %q: %w", from, err)
	}
	c.From = *a
	return c, nil
}

// String describes the server without its password, for logs.
func (c Config) String() string {
	scheme := [...]string{"smtp", "smtps", "smtp+insecure"}[c.TLS]
	return fmt.Sprintf("%s://%s", scheme, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
}

// Outcome sorts a failed send by what is safe to do next.
type Outcome int

const (
	// Retry: the message did not go, and may later (a 4xx reply, or a
	// connection lost before the message was complete).
	Retry Outcome = iota
	// Refused: the server will never take this message (a 5xx reply to
	// its recipient or its content).
	Refused
	// Unsure: the connection was lost after the whole message was sent
	// and before the server answered; it may have been taken.
	Unsure
	// ServerProblem: the server refuses everything now (a 5xx reply to
	// the sender, a lost connection before anything was sent): a
	// setting or the server is at fault, not this message.
	ServerProblem
)

// Error is a failed send, with the server's reply.
type Error struct {
	// Code is the server's reply code, 0 when the connection failed.
	Code    int
	Outcome Outcome
	// Reason is the reply as the server gave it, with no recipient
	// address: what the status page shows.
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// Permanent says the server refused this message for good.
func (e *Error) Permanent() bool { return e.Outcome == Refused }

// Uncertain says the message may have been taken.
func (e *Error) Uncertain() bool { return e.Outcome == Unsure }

// AboutServer says the failure is the server's or a setting's, not the
// message's: no message would go now.
func (e *Error) AboutServer() bool { return e.Outcome == ServerProblem }

// Client sends through one server.
type Client struct {
	cfg Config
}

// New returns a client of the server cfg names.
func New(cfg Config) *Client { return &Client{cfg: cfg} }

// Session is one connection that carries several messages.
type Session struct {
	c      *gomail.Client
	from   mail.Address
	broken bool
}

// Open connects and logs in. Its error means nothing can be sent now.
func (c *Client) Open(ctx context.Context) (outbox.Conn, error) {
	timeout := c.cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(c.cfg.Port), gomail.WithTimeout(timeout), gomail.WithoutNoop()}
	switch c.cfg.TLS {
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.cfg.TLSConfig))
	}
	if c.cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.cfg.User), gomail.WithPassword(c.cfg.Password))
	}
	gc, err := gomail.NewClient(c.cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail client for %s: %w", c.cfg, err)
	}
	if err := gc.DialWithContext(ctx); err != nil {
		return nil, fmt.Errorf("connect to %s: %w", c.cfg, err)
	}
	return &Session{c: gc, from: c.cfg.From}, nil
}

// Broken says the connection should not carry another message.
func (s *Session) Broken() bool { return s.broken }

// Send hands one message to the server. Its error is an *Error.
func (s *Session) Send(m outbox.Letter) error {
	msg, err := build(s.from, m)
	if err != nil {
		return &Error{Outcome: Refused, Reason: "address refused before sending: " + err.Error()}
	}
	err = s.c.Send(msg)
	switch {
	case err == nil:
		return nil
	case msg.IsDelivered():
		// The server took it; only the reset after it failed. The next
		// message goes on a new connection.
		s.broken = true
		return nil
	}
	return s.classify(err)
}

// classify sorts a failed send by the step that failed and the reply.
func (s *Session) classify(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		s.broken = true
		return &Error{Outcome: ServerProblem, Reason: err.Error()}
	}
	code := se.ErrorCode()
	e := &Error{Code: code, Reason: reply(se)}
	switch {
	case se.Reason == gomail.ErrGetRcpts || se.Reason == gomail.ErrGetSender:
		e.Outcome, e.Reason = Refused, "address refused before sending"
	case code == 0 && se.Reason == gomail.ErrSMTPDataClose:
		s.broken = true
		e.Outcome, e.Reason = Unsure, "connection lost after the message was sent, before the server answered"
	case code == 0:
		s.broken = true
		e.Outcome, e.Reason = Retry, "connection lost while sending"
	case se.Reason == gomail.ErrSMTPMailFrom || se.Reason == gomail.ErrConnCheck:
		s.broken = true
		e.Outcome = ServerProblem
	case code >= 500:
		e.Outcome = Refused
	default:
		e.Outcome = Retry
	}
	return e
}

// serverReply finds a reply code and the server's words in go-mail's
// error text, such as `sending SMTP RCPT TO command: 550 "5.1.1 No such user"`.
var serverReply = regexp.MustCompile(`\b([245]\d\d)[ -]"?([^"]*)"?`)

// reply is the server's reply as it gave it, without go-mail's words
// around it and the recipients it appends: "550 5.1.1 No such user".
func reply(se *gomail.SendError) string {
	r := se.Error()
	if i := strings.Index(r, ", affected "); i >= 0 {
		r = r[:i]
	}
	if m := serverReply.FindStringSubmatch(r); m != nil {
		return strings.TrimSpace(m[1] + " " + m[2])
	}
	return r
}

// Close ends the connection politely.
func (s *Session) Close() error { return s.c.Close() }

// build makes the MIME message: UTF-8 headers, a plain text with an HTML
// alternative, a Message-ID of our own and Auto-Submitted, so that
// out-of-office replies stay away.
func build(from mail.Address, m outbox.Letter) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(from.Name, from.Address); err != nil {
		return nil, err
	}
	if err := msg.AddToFormat(m.To.Name, m.To.Address); err != nil {
		return nil, err
	}
	if m.ReplyTo != nil {
		if err := msg.ReplyToFormat(m.ReplyTo.Name, m.ReplyTo.Address); err != nil {
			return nil, err
		}
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
		msg.SetMessageIDWithValue(m.ID + "@" + domain)
	}
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if m.Lang != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Lang)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
