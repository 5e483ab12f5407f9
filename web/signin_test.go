package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"samspil/access"
)

func TestSignInAndOut(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	b := c.browser(t)

	if status := b.get("/console/audit"); status != http.StatusSeeOther {
		t.Fatalf("a console page without signing in: %d, want a redirect to sign in", status)
	}
	status, loc := b.signIn("Anne@Example.dk ", pw)
	if status != http.StatusSeeOther || loc != "/console" {
		t.Fatalf("sign in: %d to %q", status, loc)
	}
	if status := b.get("/console"); status != http.StatusOK || !b.has("anne@example.dk") {
		t.Fatalf("console after sign-in: %d", status)
	}
	b.post("/logout", nil)
	if status := b.get("/console"); status != http.StatusSeeOther {
		t.Errorf("console after sign-out: %d", status)
	}
}

// A sign-in page reached from a console link returns there, and only to
// a console page.
func TestSignInReturnsToThePageAsked(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	for next, want := range map[string]string{"/console/staff": "/console/staff", "https://evil.example/": "/console", "//evil.example": "/console"} {
		b := c.browser(t)
		b.get("/login?next=" + url.QueryEscape(next))
		_, loc := b.post("/login", url.Values{"email": {"anne@example.dk"}, "password": {pw}, "next": {next}})
		if loc != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, loc, want)
		}
	}
}

// The answer to an unknown address is the answer to a wrong password.
func TestSignInDoesNotTellWhichAccountsExist(t *testing.T) {
	c := newConsole(t)
	c.user(t, "anne@example.dk", access.RoleAdmin)
	disabled := c.user(t, "bo@example.dk", access.RoleAdmin)
	c.store.SetDisabled(context.Background(), "bo@example.dk", true)

	var pages []string
	for _, try := range [][2]string{{"anne@example.dk", "wrong password, long"}, {"nobody@example.dk", "wrong password, long"}, {"bo@example.dk", disabled}} {
		b := c.browser(t)
		status, _ := b.signIn(try[0], try[1])
		if status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", try[0], status)
		}
		page := strings.ReplaceAll(b.last, try[0], "EMAIL")
		pages = append(pages, csrfField.ReplaceAllString(page, ""))
	}
	if pages[0] != pages[1] || pages[1] != pages[2] {
		t.Error("the pages for a wrong password, an unknown address and a disabled account differ")
	}
	if !strings.Contains(pages[0], "E-mail eller adgangskode er forkert") {
		t.Error("the page does not say what went wrong")
	}
}

func TestSignInIsThrottled(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	b := c.browser(t)
	for range 5 {
		if status, _ := b.signIn("anne@example.dk", "not the password!"); status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", status)
		}
	}
	// The sixth try is refused even with the right password, and says
	// when to try again.
	status, _ := b.signIn("anne@example.dk", pw)
	if status != http.StatusTooManyRequests || !b.has("Prøv igen om 5 minutter") {
		t.Fatalf("sixth try: %d %s", status, b.last)
	}
	// An address nobody has is throttled the same way.
	for range 5 {
		b.signIn("nobody@example.dk", "not the password!")
	}
	if status, _ := b.signIn("nobody@example.dk", "whatever it is"); status != http.StatusTooManyRequests {
		t.Errorf("unknown address, sixth try: %d", status)
	}
	c.advance(5 * time.Minute)
	if status, _ := b.signIn("anne@example.dk", pw); status != http.StatusSeeOther {
		t.Errorf("five minutes later: %d", status)
	}
}

func TestSessionsExpire(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	b := c.browser(t)
	b.signIn("anne@example.dk", pw)

	// Used every 7 hours, the session lasts; after 8 idle hours it ends.
	for range 3 {
		c.advance(7 * time.Hour)
		if status := b.get("/console"); status != http.StatusOK {
			t.Fatalf("after 7 hours of use: %d", status)
		}
	}
	c.advance(8 * time.Hour)
	if status := b.get("/console"); status != http.StatusSeeOther {
		t.Fatalf("after 8 idle hours: %d", status)
	}

	// However active, a session ends 7 days after sign-in.
	b.signIn("anne@example.dk", pw)
	for range 24 {
		c.advance(7 * time.Hour)
		b.get("/console")
	}
	if status := b.get("/console"); status != http.StatusSeeOther {
		t.Errorf("after 7 days: %d", status)
	}
}

func TestSignOutEverywhereAndDisabledAccounts(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	bpw := c.user(t, "bo@example.dk", access.RoleAdmin)
	laptop, phone, bo := c.browser(t), c.browser(t), c.browser(t)
	laptop.signIn("anne@example.dk", pw)
	phone.signIn("anne@example.dk", pw)
	bo.signIn("bo@example.dk", bpw)

	phone.get("/console/account")
	if _, loc := phone.post("/console/account/sign-out-everywhere", nil); !strings.Contains(loc, "signed_out_others") {
		t.Fatalf("sign out everywhere: %q", loc)
	}
	if status := laptop.get("/console"); status != http.StatusSeeOther {
		t.Errorf("the laptop is still signed in: %d", status)
	}
	if status := phone.get("/console"); status != http.StatusOK {
		t.Errorf("the phone that asked was signed out too: %d", status)
	}

	// Disabling an account ends its sessions at once and stops sign-in.
	bo.get("/console/staff")
	if status, _ := bo.post("/console/staff/account", url.Values{"email": {"anne@example.dk"}, "action": {"disable"}}); status != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", status, bo.last)
	}
	if status := phone.get("/console"); status != http.StatusSeeOther {
		t.Errorf("a disabled account is still signed in: %d", status)
	}
	if status, _ := laptop.signIn("anne@example.dk", pw); status != http.StatusUnauthorized {
		t.Errorf("a disabled account signs in: %d", status)
	}
}

func TestSetPasswordLinks(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	u, _, _ := access.NewUser("anne@example.dk", access.RoleEvaluator, nil, "test", c.now())
	c.store.CreateUser(ctx, u)
	l, token := access.NewSetupLink(u.Email, c.now())
	c.store.CreateSetupLink(ctx, l)

	b := c.browser(t)
	if status := b.get("/setup/" + token); status != http.StatusOK || !b.has("anne@example.dk") {
		t.Fatalf("set-password page: %d", status)
	}
	// Weak passwords come back with the reason at the field.
	for pw, want := range map[string]string{"kort": "mindst 12 tegn", "adgangskode123": "for let at gætte"} {
		status, _ := b.post("/setup/"+token, url.Values{"password": {pw}, "repeat": {pw}})
		if status != http.StatusUnprocessableEntity || !b.has(want) || !b.has(`id="e-password"`) {
			t.Errorf("password %q: %d, want the field to say %q", pw, status, want)
		}
	}
	good := "tre grønne cykler"
	if status, _ := b.post("/setup/"+token, url.Values{"password": {good}, "repeat": {good + "x"}}); status != http.StatusUnprocessableEntity || !b.has("ikke ens") {
		t.Errorf("mismatch: %d", status)
	}
	if status, loc := b.post("/setup/"+token, url.Values{"password": {good}, "repeat": {good}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console") {
		t.Fatalf("set password: %d %q", status, loc)
	}
	if status := b.get("/console"); status != http.StatusOK {
		t.Errorf("not signed in after setting the password: %d", status)
	}
	// Used once, the link is gone.
	other := c.browser(t)
	if status := other.get("/setup/" + token); status != http.StatusGone {
		t.Errorf("reused link: %d", status)
	}
	if status, _ := other.signIn("anne@example.dk", good); status != http.StatusSeeOther {
		t.Errorf("the new password does not sign in: %d", status)
	}

	// A link older than 24 hours is gone too.
	l2, token2 := access.NewSetupLink(u.Email, c.now())
	c.store.CreateSetupLink(ctx, l2)
	c.advance(24 * time.Hour)
	if status := c.browser(t).get("/setup/" + token2); status != http.StatusGone {
		t.Errorf("expired link: %d", status)
	}
}

// The first start's link creates the first admin, once.
func TestFirstAdminLink(t *testing.T) {
	c := newConsole(t)
	l, token := access.NewSetupLink("", c.now())
	c.store.CreateSetupLink(context.Background(), l)
	b := c.browser(t)
	b.get("/setup/" + token)
	if !b.has(`name="email"`) {
		t.Fatal("the first admin's page asks for no e-mail address")
	}
	pw := "første administrator her"
	if status, _ := b.post("/setup/"+token, url.Values{"email": {"ikke en adresse"}, "password": {pw}, "repeat": {pw}}); status != http.StatusUnprocessableEntity {
		t.Errorf("bad address: %d", status)
	}
	if status, _ := b.post("/setup/"+token, url.Values{"email": {"Admin@Example.dk"}, "password": {pw}, "repeat": {pw}}); status != http.StatusSeeOther {
		t.Fatalf("first admin: %d %s", status, b.last)
	}
	u, ok, _ := c.store.User(context.Background(), "admin@example.dk")
	if !ok || u.Role != access.RoleAdmin {
		t.Errorf("first admin = %+v", u)
	}
	if status := c.browser(t).get("/setup/" + token); status != http.StatusGone {
		t.Errorf("the first admin's link works twice: %d", status)
	}
}

// Every form post needs the token of a page this browser was given.
func TestCSRF(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	b := c.browser(t)
	b.signIn("anne@example.dk", pw)
	b.get("/console")
	for _, token := range []string{"", "00000000000000000000000000000000"} {
		status, _ := b.post("/console/partnerships", url.Values{"_csrf": {token}, "name": {"Forged"}})
		if status != http.StatusForbidden {
			t.Errorf("post with token %q: %d, want 403", token, status)
		}
	}
	// Another person's token does not work either.
	other := c.browser(t)
	other.signIn("anne@example.dk", pw)
	other.get("/console")
	status, _ := b.post("/console/partnerships", url.Values{"_csrf": {other.csrf()}, "name": {"Forged"}})
	if status != http.StatusForbidden {
		t.Errorf("another session's token: %d", status)
	}
	ps, _ := c.store.Partnerships(context.Background())
	if len(ps) != 0 {
		t.Errorf("a forged post created %d partnerships", len(ps))
	}
	// The sign-in form has its own token.
	anon := c.browser(t)
	if status, _ := anon.post("/login", url.Values{"email": {"anne@example.dk"}, "password": {pw}}); status != http.StatusForbidden {
		t.Errorf("sign-in without the form's token: %d", status)
	}
}

// The first start's link makes the first admin only while nobody has an
// account: read from a log a day later, it makes nobody an admin.
func TestFirstAdminLinkEndsOnceAnAccountExists(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	l, token := access.NewSetupLink("", c.now())
	c.store.CreateSetupLink(ctx, l)
	b := c.browser(t)
	b.get("/setup/" + token)
	c.user(t, "anne@example.dk", access.RoleAdmin)
	pw := "jeg vil være admin nu"
	if status, _ := b.post("/setup/"+token, url.Values{"email": {"mallory@example.dk"}, "password": {pw}, "repeat": {pw}}); status != http.StatusGone {
		t.Errorf("the first admin's link after an account exists: %d, want 410", status)
	}
	if _, ok, _ := c.store.User(ctx, "mallory@example.dk"); ok {
		t.Error("the first admin's link made an account after one existed")
	}
}

// Two posts of one set-password link at once: one account, one password.
func TestSetupLinkPostedTwiceAtOnce(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	l, token := access.NewSetupLink("", c.now())
	c.store.CreateSetupLink(ctx, l)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, email := range []string{"a@example.dk", "b@example.dk"} {
		b := c.browser(t)
		b.get("/setup/" + token)
		wg.Go(func() {
			pw := "en god adgangskode " + email
			statuses[i], _ = b.post("/setup/"+token, url.Values{"email": {email}, "password": {pw}, "repeat": {pw}})
		})
	}
	wg.Wait()
	users, _ := c.store.Users(ctx)
	if len(users) != 1 {
		t.Errorf("%d accounts from one first-admin link (statuses %v), want 1", len(users), statuses)
	}
}

// A person changes their own password with the current one; other
// browsers are signed out, this one stays.
func TestChangeOwnPassword(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleEvaluator)
	laptop, phone := c.browser(t), c.browser(t)
	laptop.signIn("anne@example.dk", pw)
	phone.signIn("anne@example.dk", pw)
	laptop.get("/console/account")
	fresh := "en helt ny sætning her"
	if status, _ := laptop.post("/console/account/password", url.Values{"current": {"forkert adgangskode"}, "password": {fresh}, "repeat": {fresh}}); status != http.StatusUnprocessableEntity || !laptop.has(`id="e-current"`) {
		t.Errorf("wrong current password: %d", status)
	}
	if _, loc := laptop.post("/console/account/password", url.Values{"current": {pw}, "password": {fresh}, "repeat": {fresh}}); !strings.Contains(loc, "password_changed") {
		t.Fatalf("change: %q %s", loc, laptop.last)
	}
	if status := laptop.get("/console"); status != http.StatusOK {
		t.Errorf("the browser that changed it was signed out: %d", status)
	}
	if status := phone.get("/console"); status != http.StatusSeeOther {
		t.Errorf("another browser stays signed in: %d", status)
	}
	if status, _ := c.browser(t).signIn("anne@example.dk", fresh); status != http.StatusSeeOther {
		t.Errorf("the new password does not sign in: %d", status)
	}
}
