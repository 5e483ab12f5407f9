package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"samspil/access"
	"samspil/forms"
	"samspil/i18n"
	"samspil/internal/mailsink"
	"samspil/mail"
	"samspil/outbox"
	"samspil/partnership"
	"samspil/storage"
)

const base = "https://samspil.example.dk"

// world is a store with a partnership and an open partner round, an SMTP
// sink on loopback and an outbox sending to it, on a clock the test moves.
type world struct {
	t     testing.TB
	store *storage.Store
	sink  *mailsink.Sink
	out   *outbox.Service
	now   *time.Time
	wave  partnership.Wave
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(ctx) })
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := access.NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	w := &world{t: t, store: store, sink: sink, now: &now}
	w.out = &outbox.Service{Store: store, Sealer: sealer, Mailer: w.mailer(sink.Port()), Messages: msgs, Forms: catalog,
		BaseURL: base, Now: func() time.Time { return *w.now }}
	store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Sammen på Vesterbro", Languages: []string{"da"},
		MinGroup: 5, Contact: "Mette Ølgaard, mette@vesterbro.dk"})
	w.wave = partnership.Wave{ID: "w1", Partnership: "vest", Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: now.Add(-time.Hour), ClosesAt: time.Date(2026, 12, 16, 0, 0, 0, 0, partnership.Local)}
	if err := store.CreateWave(ctx, w.wave); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) mailer(port int) *mail.Client {
	cfg, err := mail.ParseURL(fmt.Sprintf("smtp+insecure://127.0.0.1:%d", port), "Samspil Vesterbro <samspil@vesterbro.dk>")
	if err != nil {
		w.t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	return mail.New(cfg)
}

// partner adds a partner; an empty address adds one without.
func (w *world) partner(id, name, email string) partnership.Partner {
	p := partnership.Partner{ID: id, Partnership: "vest", Name: name, Sector: partnership.Civil, Email: email, Active: true}
	if err := w.store.CreatePartner(context.Background(), p); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) invite(p partnership.Partner) outbox.Issued {
	is, ok, err := w.out.Invite(context.Background(), w.wave, p, "b1", false)
	if err != nil || !ok {
		w.t.Fatalf("invite %s: %v, %v", p.ID, ok, err)
	}
	return is
}

func (w *world) drain() int {
	n, err := w.out.Drain(context.Background())
	if err != nil {
		w.t.Fatalf("drain: %v", err)
	}
	return n
}

func (w *world) answer(p partnership.Partner) {
	r := forms.Response{ID: forms.PartnerResponseID(w.wave.ID, p.ID), FormID: "partner_survey", FormVersion: 1,
		Partnership: "vest", Wave: w.wave.ID, Partner: p.ID, Lang: "da", Answers: forms.Answers{}, SubmittedAt: *w.now}
	if _, _, err := w.store.SaveResponse(context.Background(), r, nil); err != nil {
		w.t.Fatal(err)
	}
}

// entries returns the round's outbox entries by partner and kind.
func (w *world) entries() map[string]outbox.Entry {
	es, err := w.store.MailOfWave(context.Background(), w.wave.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]outbox.Entry{}
	for _, e := range es {
		out[string(e.Kind)+":"+e.Partner] = e
	}
	return out
}

func TestInvitationMail(t *testing.T) {
	w := newWorld(t)
	cafe := w.invite(w.partner("cafe", "Café Æblegården", "kontakt@aeblegaarden.dk"))
	none := w.invite(w.partner("club", "Boldklubben", ""))
	if cafe.Mail != outbox.MailQueued || none.Mail != outbox.MailNoAddress {
		t.Fatalf("mail states %q, %q; want queued, and no_address for the partner without an address", cafe.Mail, none.Mail)
	}
	if n := w.drain(); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	got := w.sink.Mails()
	if len(got) != 1 {
		t.Fatalf("%d mails arrived, want 1", len(got))
	}
	m := got[0]
	link := base + "/i/" + cafe.Token
	for what, ok := range map[string]bool{
		"to the partner":           len(m.To) == 1 && m.To[0] == "kontakt@aeblegaarden.dk",
		"name in To, UTF-8":        strings.Contains(strings.ToUpper(m.Header.Get("To")), "=?UTF-8?") && decoded(t, m.Header.Get("To")) == "Café Æblegården <kontakt@aeblegaarden.dk>",
		"from the configured name": decoded(t, m.Header.Get("From")) == "Samspil Vesterbro <samspil@vesterbro.dk>",
		"subject in Danish":        m.Subject == "Sammen på Vesterbro: Hvordan går samarbejdet?",
		"Danish":                   m.Header.Get("Content-Language") == "da",
		"no auto-replies":          m.Header.Get("Auto-Submitted") == "auto-generated",
		"greeting":                 strings.HasPrefix(m.Text, "Kære Café Æblegården\n"),
		"the personal link":        strings.Contains(m.Text, "\n"+link+"\n"),
		"closing date":             strings.Contains(m.Text, "Svar senest 15. december 2026."),
		"contact":                  strings.Contains(m.Text, "skriv til Mette Ølgaard, mette@vesterbro.dk."),
		"link in the HTML":         strings.Contains(m.HTML, `<a href="`+link+`"`),
		"HTML in Danish":           strings.Contains(m.HTML, `<html lang="da" dir="ltr">`),
		"no images":                !strings.Contains(m.HTML, "<img"),
		"no other addresses":       strings.Count(m.HTML, "http") == 2, // the link's href and its text
	} {
		if !ok {
			t.Errorf("invitation mail: %s fails:\n%s\n%s", what, m.Header, m.Text)
		}
	}
	// The link works, and no readable field of the outbox holds it.
	if _, err := w.store.Invitation(context.Background(), access.Hash(cafe.Token)); err != nil {
		t.Errorf("the mailed link opens no invitation: %v", err)
	}
	e := w.entries()["invitation:cafe"]
	b, _ := json.Marshal(e)
	if e.Status != outbox.Sent || strings.Contains(string(b), cafe.Token) {
		t.Errorf("entry %s; want sent, without the token", b)
	}
}

// decoded is an address header as people read it.
func decoded(t testing.TB, h string) string {
	a, err := netmail.ParseAddress(h)
	if err != nil {
		t.Fatalf("address %q: %v", h, err)
	}
	return a.Name + " <" + a.Address + ">"
}

func TestRemindersGoOnlyToThoseWhoHaveNotAnswered(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, b, c := w.partner("a", "Aktivhuset", "a@a.dk"), w.partner("b", "Biblioteket", "b@b.dk"), w.partner("c", "Caféen", "c@c.dk")
	first := w.invite(a)
	w.invite(b)
	w.invite(c)
	w.drain()
	w.answer(b)

	// The last day is 15 December: the first reminder is due 7 days
	// before it, on 8 December at 09:00 in Copenhagen; before, nothing.
	*w.now = time.Date(2026, 12, 8, 7, 59, 0, 0, time.UTC)
	if n, err := w.out.QueueReminders(ctx); err != nil || n != 0 {
		t.Fatalf("before 8 December 09:00: queued %d, %v; want none", n, err)
	}
	*w.now = time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC)
	if n, err := w.out.QueueReminders(ctx); err != nil || n != 2 {
		t.Fatalf("7 days before closing: queued %d, %v; want 2 (a and c; b answered)", n, err)
	}
	if n, _ := w.out.QueueReminders(ctx); n != 0 {
		t.Errorf("queued again: %d, want 0", n)
	}
	// c answers after its reminder was queued: it gets none.
	w.answer(c)
	w.drain()
	var reminded []string
	for _, m := range w.sink.Mails()[3:] {
		reminded = append(reminded, m.To[0])
		if m.Subject != "Påmindelse: Sammen på Vesterbro mangler jeres svar" || !strings.Contains(m.Text, base+"/i/"+first.Token) {
			t.Errorf("reminder %q does not carry the first link:\n%s", m.Subject, m.Text)
		}
	}
	if fmt.Sprint(reminded) != "[a@a.dk]" {
		t.Errorf("reminded %v, want only a@a.dk", reminded)
	}
	if e := w.entries()["reminder:c"]; e.Status != outbox.Skipped || e.Reason != outbox.SkipAnswered {
		t.Errorf("c's reminder: %s %q, want skipped because it answered", e.Status, e.Reason)
	}
	// Turned off, the second reminder is not queued.
	w.wave.Reminders = []int{}
	if err := w.store.UpdateWave(ctx, w.wave); err != nil {
		t.Fatal(err)
	}
	*w.now = time.Date(2026, 12, 13, 8, 0, 0, 0, time.UTC)
	if n, err := w.out.QueueReminders(ctx); err != nil || n != 0 {
		t.Errorf("reminders off: queued %d, %v", n, err)
	}
	// Sent on request, one reminder per partner per request.
	*w.now = w.now.Add(24 * time.Hour)
	if r, err := w.out.RemindNow(ctx, w.wave, "click1"); err != nil || r.Queued != 1 {
		t.Errorf("remind now: %+v, %v; want 1", r, err)
	}
	if r, _ := w.out.RemindNow(ctx, w.wave, "click1"); r.Queued != 0 {
		t.Errorf("the same request again queued %d", r.Queued)
	}
	// A second click: a's reminder is still waiting, so it gets none.
	if r, _ := w.out.RemindNow(ctx, w.wave, "click2"); r.Queued != 0 || r.Recent != 1 {
		t.Errorf("a second request at once: %+v; want a counted as reminded recently", r)
	}
	w.drain()
	*w.now = w.now.Add(19 * time.Hour)
	if r, _ := w.out.RemindNow(ctx, w.wave, "click3"); r.Queued != 0 || r.Recent != 1 {
		t.Errorf("19 hours after a reminder: %+v; want none", r)
	}
}

func TestTemporaryFailureIsRetriedPermanentIsNot(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	tries := map[string]int{}
	w.sink.Refuse = func(to string) error {
		mu.Lock()
		defer mu.Unlock()
		tries[to]++
		switch {
		case to == "busy@b.dk" && tries[to] == 1:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		case to == "gone@g.dk":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
		}
		return nil
	}
	w.invite(w.partner("busy", "Travlt", "busy@b.dk"))
	w.invite(w.partner("gone", "Lukket", "gone@g.dk"))
	w.drain()
	es := w.entries()
	busy, gone := es["invitation:busy"], es["invitation:gone"]
	if busy.Status != outbox.Pending || busy.Attempts != 1 || !busy.Due.Equal(w.now.Add(time.Minute)) || !strings.Contains(busy.Reason, "451") {
		t.Errorf("after 451: %+v; want pending, 1 try, due in a minute, with the reply", busy)
	}
	if gone.Status != outbox.Failed || !strings.Contains(gone.Reason, "550") || strings.Contains(gone.Reason, "gone@g.dk") {
		t.Errorf("after 550: %s %q; want failed with the reply and without the address", gone.Status, gone.Reason)
	}
	w.drain()
	if len(w.sink.Mails()) != 0 {
		t.Fatal("sent before its back-off ended")
	}
	*w.now = w.now.Add(time.Minute)
	w.drain()
	if got := w.sink.Mails(); len(got) != 1 || got[0].To[0] != "busy@b.dk" {
		t.Errorf("after the back-off: %d mails; want busy's", len(got))
	}
	if tries["gone@g.dk"] != 1 {
		t.Errorf("the refused mail was tried %d times, want once", tries["gone@g.dk"])
	}
}

func TestGivesUpAfterTwoDays(t *testing.T) {
	w := newWorld(t)
	w.sink.Refuse = func(string) error {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Greylisted"}
	}
	w.invite(w.partner("grey", "Grå", "grey@g.dk"))
	start := *w.now
	var waits []string
	for i := 0; i < 100 && w.entries()["invitation:grey"].Status == outbox.Pending; i++ {
		w.drain()
		e := w.entries()["invitation:grey"]
		if e.Status == outbox.Pending && len(waits) < 8 {
			waits = append(waits, e.Due.Sub(*w.now).String())
		}
		*w.now = e.Due // the next try, exactly when due
	}
	if got := fmt.Sprint(waits); got != "[1m0s 2m0s 4m0s 8m0s 16m0s 32m0s 1h0m0s 1h0m0s]" {
		t.Errorf("back-off %s; want doubling from a minute to an hour", got)
	}
	e := w.entries()["invitation:grey"]
	if e.Status != outbox.Failed || !strings.HasPrefix(e.Reason, "gave up after") || w.now.Sub(start) < 48*time.Hour || w.now.Sub(start) > 49*time.Hour {
		t.Errorf("%s after %d tries over %s: %q; want failed once two days have passed", e.Status, e.Attempts, w.now.Sub(start), e.Reason)
	}
}

func TestSMTPDownDelaysAndLosesNothing(t *testing.T) {
	w := newWorld(t)
	port := w.sink.Port()
	w.sink.Close()
	w.invite(w.partner("a", "A", "a@a.dk"))
	w.invite(w.partner("b", "B", "b@b.dk"))
	if _, err := w.out.Drain(context.Background()); err == nil {
		t.Fatal("no error with the server down")
	}
	for k, e := range w.entries() {
		if e.Status != outbox.Pending || e.Attempts != 0 {
			t.Errorf("%s while the server is down: %s, %d tries; want pending and untouched", k, e.Status, e.Attempts)
		}
	}
	sink, err := mailsink.Start(fmt.Sprintf("127.0.0.1:%d", port), mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if n := w.drain(); n != 2 || len(sink.Mails()) != 2 {
		t.Errorf("server back: sent %d, %d arrived; want 2", n, len(sink.Mails()))
	}
}

// A sender that claimed an entry and stopped: the entry is never sent
// again by itself (at most once), and after the lease it says Unknown.
func TestClaimedEntryOfAStoppedSenderIsNotSentTwice(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.invite(w.partner("a", "A", "a@a.dk"))
	id := w.entries()["invitation:a"].ID
	if ok, err := w.store.ClaimMail(ctx, id, *w.now); !ok || err != nil {
		t.Fatalf("claim: %v, %v", ok, err)
	}
	if ok, _ := w.store.ClaimMail(ctx, id, *w.now); ok {
		t.Fatal("claimed twice")
	}
	w.drain()
	*w.now = w.now.Add(11 * time.Minute)
	if n, err := w.store.ExpireClaims(ctx, w.now.Add(-10*time.Minute), *w.now); n != 1 || err != nil {
		t.Fatalf("expire: %d, %v", n, err)
	}
	w.drain()
	if e := w.entries()["invitation:a"]; e.Status != outbox.Unknown || len(w.sink.Mails()) != 0 {
		t.Errorf("%s, %d mails; want unknown and nothing sent", e.Status, len(w.sink.Mails()))
	}
}

func TestTwoSendersSendEachEntryOnce(t *testing.T) {
	w := newWorld(t)
	for i := range 60 {
		w.invite(w.partner(fmt.Sprintf("p%02d", i), fmt.Sprintf("Partner %02d", i), fmt.Sprintf("p%02d@x.dk", i)))
	}
	other := &outbox.Service{Store: w.store, Sealer: w.out.Sealer, Mailer: w.mailer(w.sink.Port()), Messages: w.out.Messages,
		Forms: w.out.Forms, BaseURL: base, Now: w.out.Now}
	var wg sync.WaitGroup
	sent := make([]int, 2)
	for i, s := range []*outbox.Service{w.out, other} {
		wg.Go(func() {
			n, err := s.Drain(context.Background())
			if err != nil {
				t.Error(err)
			}
			sent[i] = n
		})
	}
	wg.Wait()
	ids := map[string]int{}
	for _, m := range w.sink.Mails() {
		ids[m.Header.Get("Message-Id")]++
	}
	if len(ids) != 60 || sent[0]+sent[1] != 60 || len(w.sink.Mails()) != 60 {
		t.Errorf("%d mails, %d distinct, senders report %v; want each of 60 once", len(w.sink.Mails()), len(ids), sent)
	}
}

// The entry is written before its invitation: an entry whose invitation
// never came (a crash between the two), or was replaced, is never sent.
func TestMailOnlyForALinkThatWorks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p := w.partner("a", "A", "a@a.dk")
	w.store.QueueMail(ctx, outbox.Entry{ID: "invitation:w1:a:crashed", Kind: outbox.Invitation, To: "a@a.dk",
		Partnership: "vest", Wave: "w1", Partner: "a", Invitation: "no-such-hash", Status: outbox.Pending, Created: *w.now, Due: *w.now})
	w.drain()
	if e := w.entries()["invitation:a"]; e.Status != outbox.Pending || len(w.sink.Mails()) != 0 {
		t.Fatalf("just written: %s; want it to wait for its invitation", e.Status)
	}
	*w.now = w.now.Add(3 * time.Minute)
	w.drain()
	if e := w.entries()["invitation:a"]; e.Status != outbox.Skipped {
		t.Fatalf("its invitation never came: %s, want skipped", e.Status)
	}
	old := w.invite(p)
	fresh, _, err := w.out.Invite(ctx, w.wave, p, "b2", true)
	if err != nil {
		t.Fatal(err)
	}
	w.drain()
	got := w.sink.Mails()
	if len(got) != 1 || !strings.Contains(got[0].Text, fresh.Token) || strings.Contains(got[0].Text, old.Token) {
		t.Errorf("after a new link: %d mails; want one, with the new link", len(got))
	}
	// Invited already: no second entry.
	if _, ok, _ := w.out.Invite(ctx, w.wave, p, "b3", false); ok {
		t.Error("invited twice")
	}
}

func TestSetPasswordMail(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	l, token := access.NewSetupLink("ny@kommune.dk", *w.now)
	w.store.CreateSetupLink(ctx, l)
	if ok, err := w.out.SetPasswordMail(ctx, "ny@kommune.dk", token, "en", "anne@kommune.dk", false); !ok || err != nil {
		t.Fatalf("queue: %v, %v", ok, err)
	}
	w.drain()
	got := w.sink.Mails()
	if len(got) != 1 || got[0].Subject != "Your access to Samspil" || !strings.Contains(got[0].Text, base+"/setup/"+token+"\n") {
		t.Fatalf("set-password mail: %d mails: %v", len(got), got)
	}
	// Replaced by a newer link before it went: not sent.
	l, used := access.NewSetupLink("ny@kommune.dk", *w.now)
	w.store.CreateSetupLink(ctx, l)
	w.out.SetPasswordMail(ctx, "ny@kommune.dk", used, "da", "anne@kommune.dk", true)
	newer, _ := access.NewSetupLink("ny@kommune.dk", *w.now)
	w.store.CreateSetupLink(ctx, newer)
	w.drain()
	if len(w.sink.Mails()) != 1 {
		t.Error("a replaced link was sent")
	}
	// Expired before the server took it: not sent.
	l, late := access.NewSetupLink("sen@kommune.dk", *w.now)
	w.store.CreateSetupLink(ctx, l)
	w.out.SetPasswordMail(ctx, "sen@kommune.dk", late, "da", "anne@kommune.dk", false)
	*w.now = w.now.Add(25 * time.Hour)
	w.drain()
	if len(w.sink.Mails()) != 1 {
		t.Error("an expired link was sent")
	}
}

func TestMailTurnedOff(t *testing.T) {
	w := newWorld(t)
	w.out.Mailer = nil
	is := w.invite(w.partner("a", "A", "a@a.dk"))
	if is.Mail != outbox.MailOff || len(w.entries()) != 0 {
		t.Errorf("without a server: %q, %d entries; want off and none", is.Mail, len(w.entries()))
	}
	if _, err := w.out.Drain(context.Background()); err != nil {
		t.Error(err)
	}
}

// A new link's entry is written before the invitation it carries: a pass
// that runs in between, and finds the partner's old link still in place,
// waits for the new one instead of skipping the mail.
func TestANewLinksMailWaitsForItsInvitation(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p := w.partner("a", "A", "a@a.dk")
	w.invite(p)
	w.drain()
	*w.now = w.now.Add(time.Hour)
	token := access.NewToken()
	inv := partnership.Invitation{Hash: access.Hash(token), Partnership: "vest", Wave: "w1", Partner: "a", CreatedAt: *w.now,
		Sealed: w.out.Sealer.Seal(token, access.Hash(token))}
	w.store.QueueMail(ctx, outbox.Entry{ID: "invitation:w1:a:new", Kind: outbox.Invitation, To: "a@a.dk", Partnership: "vest",
		Wave: "w1", Partner: "a", Invitation: inv.Hash, Status: outbox.Pending, Created: *w.now, Due: *w.now})
	w.drain() // the old link is still the partner's
	if e := w.entries()["invitation:a"]; e.ID == "invitation:w1:a:new" && e.Status != outbox.Pending {
		t.Fatalf("the new link's mail: %s %q; want it to wait", e.Status, e.Reason)
	}
	if err := w.store.ReissueInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	*w.now = w.now.Add(time.Minute)
	w.drain()
	got := w.sink.Mails()
	if len(got) != 2 || !strings.Contains(got[1].Text, token) {
		t.Errorf("%d mails; want the second with the new link", len(got))
	}
}

// After an outage over both reminder days, a partner gets the latest
// reminder, not both.
func TestAfterAnOutageOnlyTheLatestReminderGoes(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.invite(w.partner("a", "A", "a@a.dk"))
	w.drain()
	port := w.sink.Port()
	w.sink.Close()
	for _, day := range []int{8, 13} { // 7 and 2 days before the last day, 15 December
		*w.now = time.Date(2026, 12, day, 8, 0, 0, 0, time.UTC)
		if n, err := w.out.QueueReminders(ctx); err != nil || n != 1 {
			t.Fatalf("%d December: queued %d, %v", day, n, err)
		}
		if _, err := w.out.Drain(ctx); err == nil {
			t.Fatal("sent with the server down")
		}
	}
	sink, err := mailsink.Start(fmt.Sprintf("127.0.0.1:%d", port), mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	w.drain()
	if n := len(sink.Mails()); n != 1 {
		t.Errorf("%d reminders after the outage, want 1", n)
	}
}

// A server that refuses the sender (a setting is wrong) fails no mail:
// the pass stops and every entry waits untouched.
func TestARefusingServerFailsNoMail(t *testing.T) {
	w := newWorld(t)
	strict, err := mailsink.Start("127.0.0.1:0", mailsink.Options{User: "samspil", Password: "hemmelig"})
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	w.out.Mailer = w.mailer(strict.Port()) // without the login
	for _, id := range []string{"a", "b", "c"} {
		w.invite(w.partner(id, strings.ToUpper(id), id+"@x.dk"))
	}
	if _, err := w.out.Drain(context.Background()); err == nil {
		t.Fatal("no error from a server refusing the sender")
	}
	for k, e := range w.entries() {
		if e.Status != outbox.Pending || e.Attempts != 0 {
			t.Errorf("%s: %s after %d tries; want pending, untouched", k, e.Status, e.Attempts)
		}
	}
}

// A content filter's reply may quote the link; the outbox keeps it out.
func TestAReplyQuotingTheLinkIsKeptWithoutIt(t *testing.T) {
	w := newWorld(t)
	w.sink.RefuseData = func(m mailsink.Mail) error {
		for _, f := range strings.Fields(m.Text) {
			if strings.Contains(f, "/i/") {
				return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Listed URI: " + f}
			}
		}
		return nil
	}
	is := w.invite(w.partner("a", "A", "a@a.dk"))
	w.drain()
	e := w.entries()["invitation:a"]
	if e.Status != outbox.Failed || strings.Contains(e.Reason, is.Token) || !strings.Contains(e.Reason, "[link]") {
		t.Errorf("refused for its link: %s %q; want failed, with [link] for the link", e.Status, e.Reason)
	}
}

// The mail speaks the language the link opens in: the partnership's first
// language that the round's form is in too.
func TestTheMailSpeaksTheFormsLanguage(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pa, _ := w.store.Partnership(ctx, "vest")
	pa.Languages = []string{"ar", "en", "da"} // the partner survey is in Danish and English
	w.store.UpdatePartnership(ctx, pa)
	w.invite(w.partner("a", "Al-Nour", "a@a.dk"))
	w.drain()
	m := w.sink.Mails()[0]
	if m.Header.Get("Content-Language") != "en" || !strings.HasPrefix(m.Text, "Dear Al-Nour") || !strings.Contains(m.Text, "Please answer by 15 December 2026.") {
		t.Errorf("a partnership in Arabic, English and Danish, a form in Danish and English: %s\n%s", m.Header.Get("Content-Language"), m.Text)
	}
}
