package mail_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"samspil/internal/mailsink"
	"samspil/mail"
	"samspil/outbox"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url, from, want, err string
	}{
		{url: "smtp://user:pa%40ss@mail.example.dk:587", from: "Samspil <s@example.dk>", want: "smtp://mail.example.dk:587"},
		{url: "smtp://mail.example.dk", from: "s@example.dk", want: "smtp://mail.example.dk:587"},
		{url: "smtps://mail.example.dk", from: "s@example.dk", want: "smtps://mail.example.dk:465"},
		{url: "smtp+insecure://127.0.0.1:2525", from: "s@example.dk", want: "smtp+insecure://127.0.0.1:2525"},
		{url: "http://mail.example.dk", from: "s@example.dk", err: "scheme"},
		{url: "smtp://:25", from: "s@example.dk", err: "no host"},
		{url: "smtp://mail.example.dk:99999", from: "s@example.dk", err: "port"},
		{url: "smtp://mail.example.dk", from: "", err: "SAMSPIL_MAIL_FROM"},
		{url: "smtp://mail.example.dk", from: "not an address", err: "SAMSPIL_MAIL_FROM"},
		{url: "smtp://user:secret@%zz", from: "s@example.dk", err: "not a URL"},
	} {
		c, err := mail.ParseURL(tc.url, tc.from)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: %v, want an error about %s", tc.url, err, tc.err)
		case tc.err == "" && (err != nil || c.String() != tc.want):
			t.Errorf("%s: %s %v, want %s", tc.url, c, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("%s: the error shows the password: %v", tc.url, err)
		}
	}
	c, _ := mail.ParseURL("smtp://user:pa%40ss@mail.example.dk", "s@example.dk")
	if c.User != "user" || c.Password != "pa@ss" || strings.Contains(c.String(), "pa@ss") {
		t.Errorf("credentials %q %q, described as %s", c.User, c.Password, c)
	}
}

func letter(to string) outbox.Letter {
	return outbox.Letter{ID: "test.1", To: netmail.Address{Name: "Æble Ø", Address: to}, Subject: "Hej på dig", Text: "Tekst", HTML: "<p>Tekst</p>", Lang: "da"}
}

// smtp:// requires STARTTLS: a server that does not offer it is not
// sent to in clear; one that does, with a certificate the client trusts
// and a login, is.
func TestStartTLSIsRequired(t *testing.T) {
	plain, err := mailsink.Start("127.0.0.1:0", mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	cfg, _ := mail.ParseURL(fmt.Sprintf("smtp://127.0.0.1:%d", plain.Port()), "s@example.dk")
	if _, err := mail.New(cfg).Open(context.Background()); err == nil {
		t.Fatal("sent to a server without STARTTLS")
	}

	cert, pool := selfSigned(t)
	secure, err := mailsink.Start("127.0.0.1:0", mailsink.Options{TLS: &tls.Config{Certificates: []tls.Certificate{cert}},
		User: "samspil", Password: "hemmelig"})
	if err != nil {
		t.Fatal(err)
	}
	defer secure.Close()
	for _, tc := range []struct {
		password string
		ok       bool
	}{{"forkert", false}, {"hemmelig", true}} {
		cfg, _ := mail.ParseURL(fmt.Sprintf("smtp://samspil:%s@127.0.0.1:%d", tc.password, secure.Port()), "Samspil <s@example.dk>")
		cfg.TLSConfig = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
		conn, err := mail.New(cfg).Open(context.Background())
		if (err == nil) != tc.ok {
			t.Fatalf("password %s: %v", tc.password, err)
		}
		if err != nil {
			continue
		}
		if err := conn.Send(letter("modtager@example.dk")); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	if got := secure.Mails(); len(got) != 1 || got[0].Subject != "Hej på dig" || got[0].Text != "Tekst" || got[0].HTML != "<p>Tekst</p>" {
		t.Errorf("over STARTTLS: %+v", got)
	}
}

// A 4xx reply to a recipient may pass, a 5xx reply is final, and the
// connection carries on.
func TestRepliesAreSorted(t *testing.T) {
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	sink.Refuse = func(to string) error {
		switch to {
		case "busy@example.dk":
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"}
		case "gone@example.dk":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		}
		return nil
	}
	cfg, _ := mail.ParseURL(fmt.Sprintf("smtp+insecure://127.0.0.1:%d", sink.Port()), "s@example.dk")
	conn, err := mail.New(cfg).Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for to, want := range map[string]struct {
		code      int
		permanent bool
	}{"busy@example.dk": {452, false}, "gone@example.dk": {550, true}} {
		err := conn.Send(letter(to))
		var me *mail.Error
		if !errors.As(err, &me) || me.Code != want.code || me.Permanent() != want.permanent || !strings.HasPrefix(me.Reason, fmt.Sprint(want.code, " ")) || strings.Contains(me.Reason, to) {
			t.Errorf("%s: %v; want code %d, permanent %v, without the address", to, err, want.code, want.permanent)
		}
	}
	if err := conn.Send(letter("ok@example.dk")); err != nil || conn.Broken() {
		t.Errorf("after refusals, the same connection: %v (broken %v)", err, conn.Broken())
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// rawServer is an SMTP server on loopback that takes one message and then
// breaks the connection at the step named: "reply" drops it after the
// message, before answering; "reset" answers, then drops it at the RSET
// that follows.
func rawServer(t *testing.T, breakAt string) (port int, got chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		fmt.Fprint(conn, "220 localhost ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
			case "EHLO", "HELO":
				fmt.Fprint(conn, "250-localhost\r\n250 8BITMIME\r\n")
			case "DATA":
				fmt.Fprint(conn, "354 go ahead\r\n")
				var body strings.Builder
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					body.WriteString(l)
				}
				got <- body.String()
				if breakAt == "reply" {
					return
				}
				fmt.Fprint(conn, "250 2.0.0 queued\r\n")
			case "RSET":
				if breakAt == "reset" {
					return
				}
				fmt.Fprint(conn, "250 OK\r\n")
			case "QUIT":
				fmt.Fprint(conn, "221 bye\r\n")
				return
			default:
				fmt.Fprint(conn, "250 OK\r\n")
			}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, got
}

// What a broken connection means depends on when it broke: after the
// server took the message (at the reset that follows) it went; between
// the message and the server's answer nobody knows, and trying again
// could send it twice.
func TestABrokenConnectionIsSortedByWhenItBroke(t *testing.T) {
	for _, tc := range []struct {
		breakAt   string
		delivered bool
		uncertain bool
	}{{"reset", true, false}, {"reply", false, true}} {
		port, got := rawServer(t, tc.breakAt)
		cfg, _ := mail.ParseURL(fmt.Sprintf("smtp+insecure://127.0.0.1:%d", port), "s@example.dk")
		cfg.Timeout = 2 * time.Second
		conn, err := mail.New(cfg).Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		err = conn.Send(letter("a@example.dk"))
		<-got
		var me *mail.Error
		switch {
		case tc.delivered && err != nil:
			t.Errorf("broken at %s: %v; want it counted as sent", tc.breakAt, err)
		case tc.uncertain && (!errors.As(err, &me) || !me.Uncertain()):
			t.Errorf("broken at %s: %v; want uncertain", tc.breakAt, err)
		}
		if !conn.Broken() {
			t.Errorf("broken at %s: the connection would carry another message", tc.breakAt)
		}
	}
}

// A server that refuses the sender refuses every message: that is about
// the server or a setting, not about the message.
func TestARefusedSenderIsAboutTheServer(t *testing.T) {
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{User: "samspil", Password: "hemmelig"})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	cfg, _ := mail.ParseURL(fmt.Sprintf("smtp+insecure://127.0.0.1:%d", sink.Port()), "s@example.dk") // no login
	conn, err := mail.New(cfg).Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var me *mail.Error
	if err := conn.Send(letter("a@example.dk")); !errors.As(err, &me) || !me.AboutServer() || me.Permanent() || me.Code < 500 {
		t.Errorf("5xx to MAIL FROM: %v; want a server problem, not a refusal of the message", err)
	}
}
