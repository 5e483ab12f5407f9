package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
)

// A backbone makes the links of a round: those with an address go by
// mail, the page says who needs a link by hand, the round's page follows
// each mail, reminders can be set and sent, and a partner who answered
// gets none.
func TestInvitationsGoByMailAndTheRoundFollowsThem(t *testing.T) {
	c := newMailConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 4)
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	partners, _ := c.store.Partners(ctx, p.ID)
	sortPartners(partners)
	noMail := partners[3]
	noMail.Email = ""
	c.store.UpdatePartner(ctx, noMail)
	w, b, path := c.openPartnerRound(t, p, "bo@example.dk", pw)
	if status, _ := b.post(path+"/invitations", url.Values{"_once": {"3f0e1c2a-4b5d-4e6f-8a9b-0c1d2e3f4a5b"}}); status != http.StatusOK {
		t.Fatalf("invite: %d", status)
	}
	if !b.has("Links på vej med mail: 3.") || !b.has("Partnere uden mailadresse: 1.") || !b.has("Ingen mailadresse: giv linket selv") ||
		strings.Count(b.last, `class="letter"`) != 1 || strings.Index(b.last, noMail.Name) > strings.Index(b.last, partners[0].Name) {
		t.Errorf("the links page does not say which links go by mail and which by hand:\n%s", b.last)
	}
	if _, err := c.out.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(c.sink.Mails()); n != 3 {
		t.Fatalf("%d mails arrived, want 3", n)
	}
	b.get(path)
	if strings.Count(b.last, "Sendt ") != 3 || !b.has("Sendt: 3. Venter: 0.") || !b.has("Uden mailadresse: 1.") {
		t.Errorf("the round's page does not show the mail sent:\n%s", b.last)
	}

	// Reminder days: refused as typed, with the field and the summary
	// naming the problem, then saved.
	status, _ := b.post(path+"/reminders", url.Values{"action": {"save"}, "days": {"0, 2"}})
	if status != http.StatusUnprocessableEntity || !b.has(`id="e-days"`) || !b.has(`href="#f-days"`) || !b.has(`value="0, 2"`) {
		t.Errorf("day 0: %d; want the form back with the error at the field and in the summary", status)
	}
	if status, loc := b.post(path+"/reminders", url.Values{"action": {"save"}, "days": {"5"}}); status != http.StatusSeeOther || !strings.Contains(loc, "reminders_saved") {
		t.Fatalf("save 5: %d %s", status, loc)
	}
	if got, _ := c.store.Wave(ctx, p.ID, w.ID); !slices.Equal(got.Reminders, []int{5}) {
		t.Errorf("reminder days %v, want [5]", got.Reminders)
	}
	b.get(path)
	if !b.has("5 dage før sidste dag") {
		t.Error("the round's page does not show the reminder day")
	}

	// One partner answers; a reminder now goes to the other two with an
	// address, once however often the form is posted.
	answered := partners[0]
	if _, _, err := c.store.SaveResponse(ctx, answerOf(w, answered.ID, c.now()), nil); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		b.get(path)
		if status, loc := b.post(path+"/reminders", url.Values{"action": {"now"}, "_once": {"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}}); status != http.StatusSeeOther {
			t.Fatalf("remind now: %d %s", status, loc)
		}
	}
	c.out.Drain(ctx)
	var reminded []string
	for _, m := range c.sink.Mails()[3:] {
		reminded = append(reminded, m.To[0])
		if !strings.HasPrefix(m.Subject, "Påmindelse: Nord") {
			t.Errorf("reminder subject %q", m.Subject)
		}
	}
	slices.Sort(reminded)
	if fmt.Sprint(reminded) != fmt.Sprintf("[%s %s]", partners[1].Email, partners[2].Email) {
		t.Errorf("reminded %v; want the two who have not answered and have an address", reminded)
	}
}

// answerOf is a partner's stored answer to a round.
func answerOf(w partnership.Wave, partner string, at time.Time) forms.Response {
	return forms.Response{ID: forms.PartnerResponseID(w.ID, partner), FormID: w.Form, FormVersion: w.Version, Partnership: w.Partnership,
		Wave: w.ID, Partner: partner, Lang: "da", SubmittedAt: at}
}

// A new staff member's set-password link goes by mail as well.
func TestSetPasswordLinkGoesByMail(t *testing.T) {
	c := newMailConsole(t)
	pw := c.user(t, "admin@example.dk", access.RoleAdmin)
	b := c.browser(t)
	b.signIn("admin@example.dk", pw)
	b.get("/console/staff")
	if status, _ := b.post("/console/staff", url.Values{"email": {"ny@kommune.dk"}, "role": {"evaluator"}}); status != http.StatusCreated {
		t.Fatalf("invite: %d %s", status, b.last)
	}
	if !b.has("Linket er på vej med mail til ny@kommune.dk") {
		t.Error("the staff page does not say the link went by mail")
	}
	link := regexp.MustCompile(`/setup/[A-Za-z0-9_-]+`).FindString(b.last)
	if link == "" {
		t.Fatal("the staff page shows no link")
	}
	c.out.Drain(context.Background())
	got := c.sink.Mails()
	if len(got) != 1 || got[0].To[0] != "ny@kommune.dk" || got[0].Subject != "Din adgang til Samspil" || !strings.Contains(got[0].Text, link+"\n") ||
		!strings.Contains(got[0].Text, "admin@example.dk har givet dig en konto") {
		t.Errorf("set-password mail: %d mails; want one to ny@kommune.dk with the page's link %s", len(got), link)
	}
}

// A mail the server refuses says why in plain words, offers to send it
// again, and stops being a problem once it went; a server that is down
// shows on the page.
func TestTheRoundsPageSaysWhyAMailDidNotArrive(t *testing.T) {
	c := newMailConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Syd", 2)
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	partners, _ := c.store.Partners(ctx, p.ID)
	sortPartners(partners)
	wrong := partners[0]
	refused := wrong.Email
	c.sink.Refuse = func(to string) error {
		if to == refused {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		}
		return nil
	}
	_, b, path := c.openPartnerRound(t, p, "bo@example.dk", pw)
	b.post(path+"/invitations", url.Values{"_once": {"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}})
	c.out.Drain(ctx)
	b.get(path)
	if !b.has("Kom ikke frem: 1.") || !b.has("Kom ikke frem: adressen findes ikke") || !b.has("550 5.1.1 No such user") ||
		!b.has(`action="`+path+`/mail/`+wrong.ID+`"`) {
		t.Fatalf("a refused address: the page does not say why, or offers no new try:\n%s", b.last)
	}
	wrong.Email = "rettet@example.dk"
	c.store.UpdatePartner(ctx, wrong)
	if status, loc := b.post(path+"/mail/"+wrong.ID, url.Values{"_once": {"1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}}); status != http.StatusSeeOther {
		t.Fatalf("send again: %d %s", status, loc)
	}
	c.out.Drain(ctx)
	b.get(path)
	if b.has("Kom ikke frem: 1.") || b.has(`action="`+path+`/mail/`+wrong.ID+`"`) {
		t.Errorf("the mail went the second time, but the page still shows the failure:\n%s", b.last[strings.Index(b.last, "h-mail"):])
	}
	// The server goes down: the page says so.
	c.sink.Close()
	c.store.UpdatePartner(ctx, partners[1])
	b.post(path+"/invitations", url.Values{"all": {"1"}, "_once": {"2a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}})
	c.out.Drain(ctx)
	b.get(path)
	if !b.has("Mailserveren har ikke taget imod mail siden") {
		t.Error("the page does not say the mail server is down")
	}
}

// openPartnerRound opens a partner round of p closing in 20 days and
// signs in a browser on its page.
func (c *console) openPartnerRound(t *testing.T, p partnership.Partnership, email, password string) (partnership.Wave, *browser, string) {
	t.Helper()
	w := partnership.Wave{ID: partnership.NewID("wa"), Partnership: p.ID, Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: c.now().Add(-time.Hour), ClosesAt: c.now().Add(20 * 24 * time.Hour)}
	if err := c.store.CreateWave(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	b := c.browser(t)
	b.signIn(email, password)
	path := "/console/partnerships/" + p.ID + "/waves/" + w.ID
	b.get(path)
	return w, b, path
}
