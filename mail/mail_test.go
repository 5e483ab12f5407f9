package mail_test

import (
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

// A 4xx reply may pass, a 5xx reply is final, and a connection that
// breaks is worth another try on a new connection.
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
		if !errors.As(err, &me) || me.Code != want.code || me.Permanent() != want.permanent || strings.Contains(me.Reason, to) {
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
