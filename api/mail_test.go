package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"samspil/access"
	"samspil/i18n"
	"samspil/internal/mailsink"
	"samspil/mail"
	"samspil/outbox"
)

// Invitations made through the API are mailed to partners with an
// address; the API says which links still need to reach a partner by
// hand, shows what became of each mail, and queues reminders on request.
func TestInvitationsAndRemindersByMail(t *testing.T) {
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	cfg, err := mail.ParseURL(fmt.Sprintf("smtp+insecure://127.0.0.1:%d", sink.Port()), "Samspil <samspil@example.dk>")
	if err != nil {
		t.Fatal(err)
	}
	store := testStore(t)
	catalog, _ := testCatalogs(t)
	messages, _ := i18n.Load()
	sealer, _ := access.NewSealer([]byte(strings.Repeat("s", 32)))
	out := &outbox.Service{Store: store, Sealer: sealer, Mailer: mail.New(cfg), Messages: messages, Forms: catalog,
		BaseURL: "https://samspil.example.dk", Now: time.Now}
	fx := newFixtureWith(t, store, out)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	pbase := "/api/v1/partnerships/" + fx.pid
	for name, email := range map[string]string{"Bibliotek": "bib@vest.dk", "FC Vest": "fc@vest.dk"} {
		if res, o := fx.ta.call(t, "PATCH", pbase+"/partners/"+fx.partners[name], fmt.Sprintf(`{"email":%q}`, email), bb...); res.StatusCode != 200 {
			t.Fatalf("address of %s: %d %v", name, res.StatusCode, o)
		}
	}
	base := pbase + "/waves/" + fx.wave
	res, o := fx.ta.call(t, "POST", base+"/invitations", "", bb...)
	if res.StatusCode != 201 {
		t.Fatalf("invitations: %d %v", res.StatusCode, o)
	}
	states := map[string]string{}
	for _, l := range o["invitations"].([]any) {
		l := l.(map[string]any)
		states[l["name"].(string)] = l["mail"].(string)
	}
	if states["Bibliotek"] != "queued" || states["FC Vest"] != "queued" || states["Jobcenter"] != "no_address" {
		t.Errorf("mail states %v; want queued for the two with an address, no_address for the rest", states)
	}
	if n, err := out.Drain(context.Background()); err != nil || n != 2 || len(sink.Mails()) != 2 {
		t.Fatalf("sent %d, %v; %d arrived; want 2", n, err, len(sink.Mails()))
	}
	_, o = fx.ta.call(t, "GET", base+"/mail", "", bb...)
	if list, _ := o["mail"].([]any); o["mail_enabled"] != true || len(list) != 2 || list[0].(map[string]any)["status"] != "sent" {
		t.Errorf("mail of the wave: %v; want two sent", o)
	}
	if strings.Contains(fmt.Sprint(o), "/i/") {
		t.Errorf("the mail list shows a link: %v", o)
	}

	// Reminder days are the wave's; an impossible day is refused.
	if res, o := fx.ta.call(t, "PATCH", base, `{"reminders":[3, 10, 3]}`, bb...); res.StatusCode != 200 || fmt.Sprint(o["reminders"]) != "[10 3]" {
		t.Errorf("reminder days: %d %v; want [10 3]", res.StatusCode, o["reminders"])
	}
	if res, o := fx.ta.call(t, "PATCH", base, `{"reminders":[0]}`, bb...); res.StatusCode != 422 || !strings.Contains(fmt.Sprint(o), "reminder_days") {
		t.Errorf("day 0: %d %v; want 422 reminder_days", res.StatusCode, o)
	}
	// A day later, to the two who have not answered; a retry queues none
	// twice.
	out.Now = func() time.Time { return time.Now().Add(21 * time.Hour) }
	key := []string{"Idempotency-Key", "remind-1"}
	res, o = fx.ta.call(t, "POST", base+"/reminders", "", append(bb, key...)...)
	if res.StatusCode != 202 || o["queued"] != float64(2) || o["no_address"] != float64(5) || o["recent"] != float64(0) {
		t.Fatalf("remind now: %d %v; want 2 queued, 5 without an address", res.StatusCode, o)
	}
	fx.ta.call(t, "POST", base+"/reminders", "", append(bb, key...)...)
	out.Drain(context.Background())
	if n := len(sink.Mails()); n != 4 {
		t.Errorf("%d mails after one reminder request sent twice; want 4", n)
	}
	// A new request now: both were reminded moments ago.
	if _, o := fx.ta.call(t, "POST", base+"/reminders", "", bb...); o["queued"] != float64(0) || o["recent"] != float64(2) {
		t.Errorf("a second request: %v; want none queued, 2 reminded recently", o)
	}
}

func TestRemindersNeedAMailServer(t *testing.T) {
	fx := newFixture(t)
	res, o := fx.ta.call(t, "POST", "/api/v1/partnerships/"+fx.pid+"/waves/"+fx.wave+"/reminders", "",
		"Authorization", "Bearer "+fx.backbone, "Accept-Language", "da")
	if e, _ := o["error"].(map[string]any); res.StatusCode != 409 || e["code"] != "mail_off" || !strings.Contains(fmt.Sprint(e["message"]), "mailserver") {
		t.Errorf("without mail: %d %v; want 409 mail_off in Danish", res.StatusCode, o)
	}
}
