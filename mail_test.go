package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"samspil/internal/loopback"
	"samspil/internal/mailsink"
)

// What the "done when" says, run as an operator would: a backbone
// creates invitations for 34 partners and 34 mails arrive at a local SMTP
// server; the round's mail list shows them sent; partners answer through
// the mailed links; a reminder goes only to those who have not answered;
// /metrics counts the outbox, and the logs never show a link.
func TestThirtyFourInvitationsArriveAndRemindersSkipThoseWhoAnswered(t *testing.T) {
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	addr, metrics := loopback.FreeAddr(t), loopback.FreeAddr(t)
	base := "http://" + addr
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := startServer(ctx, t, addr, t.TempDir(), map[string]string{"SAMSPIL_ADMIN_KEY": "adm-secret-123",
		"SAMSPIL_METRICS_ADDR": metrics, "SAMSPIL_PUBLIC_URL": base,
		"SAMSPIL_SMTP_URL":  fmt.Sprintf("smtp+insecure://127.0.0.1:%d", sink.Port()),
		"SAMSPIL_MAIL_FROM": "Samspil <samspil@example.dk>"}, out)
	defer func() {
		cancel()
		<-done
	}()
	call := apiCaller(t, base, "adm-secret-123")
	waitFor := func(n int) []mailsink.Mail {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); len(sink.Mails()) < n && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		}
		time.Sleep(200 * time.Millisecond) // and no more than n
		got := sink.Mails()
		if len(got) != n {
			t.Fatalf("%d mails arrived, want %d", len(got), n)
		}
		return got
	}

	p := call("POST", "/api/v1/partnerships", `{"name":"Sammen i Sydhavn","contact":"Mette, mette@sydhavn.dk"}`)["id"].(string)
	for i := range 34 {
		call("POST", "/api/v1/partnerships/"+p+"/partners", fmt.Sprintf(`{"name":"Partner %02d","sector":"civil","email":"p%02d@sydhavn.dk"}`, i, i))
	}
	now := time.Now().UTC()
	w := call("POST", "/api/v1/partnerships/"+p+"/waves", fmt.Sprintf(`{"form":"partner_survey","opens_at":%q,"closes_at":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339), now.Add(14*24*time.Hour).Format(time.RFC3339)))["id"].(string)
	wave := "/api/v1/partnerships/" + p + "/waves/" + w
	if got := call("POST", wave+"/invitations", ""); got["created"] != float64(34) {
		t.Fatalf("invitations: %v", got)
	}
	invitations := waitFor(34)
	mailed := call("GET", wave+"/mail", "")["mail"].([]any)
	sent := 0
	for _, e := range mailed {
		if e.(map[string]any)["status"] == "sent" {
			sent++
		}
	}
	if sent != 34 {
		t.Errorf("the round's mail shows %d sent, want 34", sent)
	}

	// Ten partners answer through the link in their mail.
	linkOf := regexp.MustCompile(regexp.QuoteMeta(base) + `/i/([A-Za-z0-9_-]+)`)
	var answered, tokens []string
	for _, m := range invitations {
		tokens = append(tokens, linkOf.FindStringSubmatch(m.Text)[1])
	}
	for i, m := range invitations[:10] {
		req, _ := http.NewRequest(http.MethodPut, base+"/api/v1/invitations/"+tokens[i]+"/response",
			strings.NewReader(`{"lang":"da","answers":{"relations_trust_close_relations":4}}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("answer through the mailed link: %v %v", res.StatusCode, err)
		}
		res.Body.Close()
		answered = append(answered, m.To[0])
	}
	if got := call("POST", wave+"/reminders", ""); got["queued"] != float64(24) {
		t.Fatalf("reminders: %v, want 24 queued", got)
	}
	for _, m := range waitFor(58)[34:] {
		if slices.Contains(answered, m.To[0]) {
			t.Errorf("%s answered and got a reminder", m.To[0])
		}
		if !strings.HasPrefix(m.Subject, "Påmindelse: Sammen i Sydhavn") {
			t.Errorf("reminder subject %q", m.Subject)
		}
	}

	res, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`samspil_mail_entries{status="sent"} 58`, `samspil_mail_entries{status="failed"} 0`,
		"samspil_mail_oldest_due_seconds 0", `samspil_mail_handed_over_total{result="sent"} 58`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, token := range tokens {
		if strings.Contains(out.String(), token) || strings.Contains(string(body), token) {
			t.Fatal("a mailed link shows in the logs or the metrics")
		}
	}
}

// Mail settings that cannot work stop the start with a message that names
// the setting, never the server's password.
func TestMailSettings(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		err  string
	}{
		{env: map[string]string{"SAMSPIL_SMTP_URL": "smtp://u:hemmelig@mail.example.dk"}, err: "SAMSPIL_MAIL_FROM"},
		{env: map[string]string{"SAMSPIL_SMTP_URL": "smtp://u:hemmelig@mail.example.dk", "SAMSPIL_MAIL_FROM": "s@example.dk"}, err: "-public-url"},
		{env: map[string]string{"SAMSPIL_SMTP_URL": "smtp://u:hemmelig@mail.example.dk", "SAMSPIL_MAIL_FROM": "s@example.dk"},
			args: []string{"-public-url", "https://samspil.example.dk"}},
		{env: map[string]string{"SAMSPIL_SMTP_URL": "smtp+insecure://127.0.0.1:2525", "SAMSPIL_MAIL_FROM": "s@example.dk"}},
		{env: map[string]string{"SAMSPIL_SMTP_URL": "ftp://u:hemmelig@mail.example.dk", "SAMSPIL_MAIL_FROM": "s@example.dk"}, err: "scheme"},
	} {
		cfg, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
		switch {
		case tc.err == "" && (err != nil || cfg.smtp == nil):
			t.Errorf("%v %v: %v; want mail on", tc.env, tc.args, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v: %v; want an error naming %s", tc.env, err, tc.err)
		case err != nil && strings.Contains(err.Error(), "hemmelig"):
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
