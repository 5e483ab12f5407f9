// Package mailsink is an SMTP server that keeps what it receives: the
// receiving side of the outbox's tests, and a way to watch Samspil's mail
// on one machine (cmd/samspil-mailsink).
package mailsink

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message as received, with its parts decoded.
type Mail struct {
	From    string
	To      []string
	Raw     []byte
	Header  mail.Header
	Subject string
	Text    string
	HTML    string
}

// Sink receives mail on a loopback address.
type Sink struct {
	// Refuse, when set, answers each recipient: a *smtp.SMTPError refuses
	// it with that reply, nil accepts it.
	Refuse func(to string) error
	// RefuseData, when set, answers each whole message: a *smtp.SMTPError
	// refuses it with that reply (as a content filter would), nil takes it.
	RefuseData func(Mail) error
	mu         sync.Mutex
	mails      []Mail
	srv        *smtp.Server
	ln         net.Listener
	user       string
	pass       string
	// onMail is told of each mail as it arrives.
	onMail func(Mail)
}

// Options configure a sink.
type Options struct {
	// TLS offers STARTTLS with this configuration.
	TLS *tls.Config
	// User and Password, when set, are required to send.
	User, Password string
	// OnMail, when set, is told of each mail as it arrives.
	OnMail func(Mail)
}

// Start listens on addr ("127.0.0.1:0" picks a port) and serves until
// Close.
func Start(addr string, o Options) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mail sink: %w", err)
	}
	s := &Sink{ln: ln, user: o.User, pass: o.Password, onMail: o.OnMail}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = o.TLS == nil
	srv.TLSConfig = o.TLS
	srv.MaxMessageBytes = 10 << 20
	s.srv = srv
	go srv.Serve(ln)
	return s, nil
}

// Addr is where the sink listens.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Port is the port the sink listens on.
func (s *Sink) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Mails returns what arrived so far.
func (s *Sink) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Close stops listening and ends open connections.
func (s *Sink) Close() error { return s.srv.Close() }

type session struct {
	sink   *Sink
	from   string
	to     []string
	authed bool
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.sink.user || pass != x.sink.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.sink.user != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.sink.Refuse != nil {
		if err := x.sink.Refuse(to); err != nil {
			return err
		}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	m.From, m.To = x.from, x.to
	if x.sink.RefuseData != nil {
		if err := x.sink.RefuseData(m); err != nil {
			return err
		}
	}
	x.sink.mu.Lock()
	x.sink.mails = append(x.sink.mails, m)
	x.sink.mu.Unlock()
	if x.sink.onMail != nil {
		x.sink.onMail(m)
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// Parse reads a message and decodes its subject and its text and HTML
// parts.
func Parse(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	m := Mail{Raw: raw, Header: msg.Header}
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Mail{}, fmt.Errorf("subject: %w", err)
	}
	return m, m.parts(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func (m *Mail) parts(contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type: %w", err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.parts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch mt {
	case "text/plain":
		m.Text = text
	case "text/html":
		m.HTML = text
	}
	return nil
}
