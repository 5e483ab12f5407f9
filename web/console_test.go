package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
)

// upload posts a file to the partner import, as the page's form does.
func (b *browser) upload(path, name string, data []byte) int {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", b.csrf())
	f, _ := w.CreateFormFile("file", name)
	f.Write(data)
	w.Close()
	res, err := b.client.Post(b.c.url+path, w.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(res)
}

func TestPartnerImportShowsEveryRowBeforeSaving(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	p := c.partnership(t, "Nord", 1)
	b := c.browser(t)
	b.signIn("anne@example.dk", pw)
	path := "/console/partnerships/" + p.ID + "/partners"
	b.get(path)

	bad := []byte("name;sector;email\nFritidsklubben;public;klub@example.dk\n;civil;\nNord partner 00;civil;\nBageren;shop;ikke-en-mail\n")
	if status := b.upload(path+"/import", "partnere.csv", bad); status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d", status)
	}
	for _, want := range []string{"Fritidsklubben", "Rækker med fejl: 3", "Bageren", "i orden"} {
		if !b.has(want) {
			t.Errorf("the preview does not show %q", want)
		}
	}
	if b.has(`name="confirm"`) {
		t.Error("a file with bad rows can be confirmed")
	}
	if ps, _ := c.store.Partners(context.Background(), p.ID); len(ps) != 1 {
		t.Fatalf("a rejected file saved partners: %d", len(ps))
	}

	good := []byte("name,sector,email\r\nFritidsklubben,public,klub@example.dk\r\nBageren,private,\r\n")
	if status := b.upload(path+"/import", "partnere.csv", good); status != http.StatusOK || !b.has(`name="confirm"`) {
		t.Fatalf("good file: %d", status)
	}
	if ps, _ := c.store.Partners(context.Background(), p.ID); len(ps) != 1 {
		t.Fatal("the preview saved partners before they were confirmed")
	}
	csv := regexp.MustCompile(`name="csv" value="([^"]*)"`).FindStringSubmatch(b.last)
	if csv == nil {
		t.Fatal("the preview does not carry the file to confirm")
	}
	status, loc := b.post(path+"/import", url.Values{"confirm": {"1"}, "csv": {htmlUnescape(csv[1])}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "partners_imported") {
		t.Fatalf("confirm: %d %q %s", status, loc, b.last)
	}
	if ps, _ := c.store.Partners(context.Background(), p.ID); len(ps) != 3 {
		t.Errorf("after confirming: %d partners, want 3", len(ps))
	}
	b.get(path + "/../partners-template.csv")
	if status := b.get("/console/partners-template.csv"); status != http.StatusOK || !strings.HasPrefix(b.last, "name,sector,email") {
		t.Errorf("template: %d %q", status, b.last)
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#43;", "+", "&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#10;", "\n", "&#13;", "\r").Replace(s)
}

func TestAddPartnerKeepsWhatWasTyped(t *testing.T) {
	c := newConsole(t)
	pw := c.user(t, "anne@example.dk", access.RoleAdmin)
	p := c.partnership(t, "Nord", 1)
	b := c.browser(t)
	b.signIn("anne@example.dk", pw)
	path := "/console/partnerships/" + p.ID + "/partners"
	b.get(path)
	status, _ := b.post(path, url.Values{"name": {"Nord partner 00"}, "sector": {"private"}, "email": {"ny@example.dk"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate name: %d", status)
	}
	for _, want := range []string{`value="ny@example.dk"`, `<option value="private" selected>`, `id="e-name"`, `href="#f-name"`} {
		if !b.has(want) {
			t.Errorf("the page that came back lacks %q", want)
		}
	}
}

func TestOpeningAWaveTwiceOpensOne(t *testing.T) {
	c := newConsole(t)
	p := c.partnership(t, "Nord", 6)
	bpw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	b := c.browser(t)
	b.signIn("bo@example.dk", bpw)
	path := "/console/partnerships/" + p.ID + "/waves"
	b.get(path)
	once := regexp.MustCompile(`name="_once" value="([^"]+)"`).FindStringSubmatch(b.last)[1]
	form := url.Values{"_once": {once}, "form": {"partner_survey"}, "opens": {"2.3.2027"}, "closes": {"2027-03-20"}}
	_, first := b.post(path, form)
	_, second := b.post(path, form)
	if first == "" || first != second {
		t.Errorf("two posts of one form went to %q and %q", first, second)
	}
	ws, _ := c.store.Waves(context.Background(), p.ID)
	if len(ws) != 1 {
		t.Fatalf("%d waves, want 1", len(ws))
	}
	if got := ws[0].ClosesAt.Format("2006-01-02 15:04"); got != "2027-03-20 23:00" {
		t.Errorf("a wave whose last day is 20 March closes at %s UTC, want the end of the Danish day", got)
	}
	// Bad dates come back at their fields, with the rest kept.
	b.get(path)
	status, _ := b.post(path, url.Values{"form": {"partner_survey"}, "opens": {"i morgen"}, "closes": {"2027-03-01"}})
	if status != http.StatusUnprocessableEntity || !b.has(`id="e-opens_at"`) || !b.has(`value="i morgen"`) {
		t.Errorf("bad dates: %d", status)
	}
}

func TestInvitationLinksAreShownOnceAndReissued(t *testing.T) {
	c := newConsole(t)
	p := c.partnership(t, "Nord", 4)
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	ctx := context.Background()
	w := partnership.Wave{ID: partnership.NewID("wa"), Partnership: p.ID, Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: c.now().Add(-1e12), ClosesAt: c.now().Add(1e15)}
	c.store.CreateWave(ctx, w)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	path := "/console/partnerships/" + p.ID + "/waves/" + w.ID
	b.get(path)
	if status, _ := b.post(path+"/invitations", nil); status != http.StatusOK {
		t.Fatalf("invite: %d", status)
	}
	links := regexp.MustCompile(`/i/[A-Za-z0-9_-]{40,}`).FindAllString(b.last, -1)
	if len(links) < 4 || !b.has(`class="letter"`) || !b.has(`<img src="data:image/png;base64,`) {
		t.Fatalf("links page: %d links, letters %v", len(links), b.has(`class="letter"`))
	}
	// Shown once: the status page and a second post show no link.
	b.get(path)
	if regexp.MustCompile(`/i/[A-Za-z0-9_-]{40,}`).MatchString(b.last) {
		t.Error("the wave page shows a personal link again")
	}
	b.post(path+"/invitations", nil)
	if regexp.MustCompile(`/i/[A-Za-z0-9_-]{40,}`).MatchString(b.last) || !b.has("allerede et link") {
		t.Error("inviting again shows links again")
	}
	invs, _ := c.store.Invitations(ctx, w.ID)
	if len(invs) != 4 {
		t.Fatalf("%d invitations, want 4", len(invs))
	}
	old := invs[0]
	b.get(path)
	if status, _ := b.post(path+"/invitations/"+old.Partner, nil); status != http.StatusOK {
		t.Fatalf("reissue: %d", status)
	}
	if _, err := c.store.Invitation(ctx, old.Hash); err == nil {
		t.Error("the old link still works after a new one was made")
	}
	if invs, _ := c.store.Invitations(ctx, w.ID); len(invs) != 4 {
		t.Errorf("after reissue: %d invitations", len(invs))
	}
}

func TestPosterPrintsTheActivityLink(t *testing.T) {
	c := newConsole(t)
	p := c.partnership(t, "Nord", 2)
	p.Languages = []string{"da", "ar", "uk"}
	c.store.UpdatePartnership(context.Background(), p)
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	b.get("/console/partnerships/" + p.ID + "/activities")
	status, _ := b.post("/console/partnerships/"+p.ID+"/activities", url.Values{"name": {"Fællesspisning"}, "description": {"Hver torsdag"}})
	if status != http.StatusSeeOther {
		t.Fatalf("add activity: %d %s", status, b.last)
	}
	acts, _ := c.store.Activities(context.Background(), p.ID)
	if status := b.get("/console/partnerships/" + p.ID + "/activities/" + acts[0].ID + "/poster"); status != http.StatusOK {
		t.Fatalf("poster: %d", status)
	}
	link := "/a/" + acts[0].ID
	for _, want := range []string{"<h1>Fællesspisning</h1>", `lang="ar" dir="rtl"`, `lang="uk" dir="ltr"`, "Scan koden", "<svg", link + "</p>"} {
		if !b.has(want) {
			t.Errorf("the poster lacks %q", want)
		}
	}
	// The short link leads to the questionnaire for the activity.
	res, err := b.client.Get(c.url + link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Location"); res.StatusCode != http.StatusFound || got != "/f/citizen_short?p="+p.ID+"&a="+acts[0].ID {
		t.Errorf("short link: %d to %q", res.StatusCode, got)
	}
	if status := b.get("/a/nothing"); status != http.StatusNotFound {
		t.Errorf("an unknown short link: %d", status)
	}
}

// The home page shows each partnership's responses this month and what
// needs attention, and only the partnerships the person runs.
func TestHomeShowsResponsesAndAttention(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 3) // public, civil, private: no citizen group, no backbone
	other := c.partnership(t, "Syd", 0)
	f, _ := c.catalog(t).Form("citizen_short", 0)
	for i := range 3 {
		r := forms.NewResponse(f, uuid.NewString(), "da", forms.Answers{"belonging_place": float64(i + 1)}, c.now())
		r.Partnership = p.ID
		if _, _, err := c.store.SaveResponse(ctx, r, f.Counts(r.Answers)); err != nil {
			t.Fatal(err)
		}
	}
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	b.get("/console")
	for _, want := range []string{"Borgernes svar denne måned: 3", "Ingen aktiv partner i sektoren borgergruppe", "Ingen aktiv partner i sektoren sekretariat"} {
		if !b.has(want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if b.has(other.Name) {
		t.Error("home shows a partnership the person does not run")
	}
}

// An admin changes a colleague's role; the change ends the colleague's
// sessions, and a backbone account cannot change roles at all.
func TestChangeRole(t *testing.T) {
	c := newConsole(t)
	p := c.partnership(t, "Nord", 1)
	apw := c.user(t, "admin@example.dk", access.RoleAdmin)
	bpw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	admin, bo := c.browser(t), c.browser(t)
	admin.signIn("admin@example.dk", apw)
	bo.signIn("bo@example.dk", bpw)
	admin.get("/console/staff")
	if !admin.has("Skift rolle") {
		t.Fatal("the staff page offers no role change")
	}
	status, _ := admin.post("/console/staff/account", url.Values{"email": {"bo@example.dk"}, "action": {"role"}, "role": {"evaluator"}})
	if status != http.StatusSeeOther {
		t.Fatalf("change role: %d %s", status, admin.last)
	}
	u, _, _ := c.store.User(context.Background(), "bo@example.dk")
	if u.Role != access.RoleEvaluator || len(u.Partnerships) != 0 {
		t.Errorf("after the change: %+v", u)
	}
	if status := bo.get("/console"); status != http.StatusSeeOther {
		t.Errorf("the colleague is still signed in with the old role: %d", status)
	}
	// A backbone account may not make itself or others admins.
	c.user(t, "cy@example.dk", access.RoleBackbone, p.ID)
	bo2 := c.browser(t)
	c.store.SetRole(context.Background(), "bo@example.dk", access.RoleBackbone, []string{p.ID})
	bo2.signIn("bo@example.dk", bpw)
	bo2.get("/console/staff")
	if status, _ := bo2.post("/console/staff/account", url.Values{"email": {"cy@example.dk"}, "action": {"role"}, "role": {"admin"}}); status != http.StatusForbidden {
		t.Errorf("a backbone account changed a role: %d", status)
	}
}

// A page posted twice (a double click without JavaScript) shows its links
// on the first answer only; the second says so and offers new links.
func TestInvitingTwiceFromOnePage(t *testing.T) {
	c := newConsole(t)
	p := c.partnership(t, "Nord", 4)
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	w := partnership.Wave{ID: partnership.NewID("wa"), Partnership: p.ID, Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: c.now().Add(-1e12), ClosesAt: c.now().Add(1e15)}
	c.store.CreateWave(context.Background(), w)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	path := "/console/partnerships/" + p.ID + "/waves/" + w.ID
	b.get(path)
	form := url.Values{"_csrf": {b.csrf()}, "_once": {regexp.MustCompile(`name="_once" value="([^"]+)"`).FindStringSubmatch(b.last)[1]}}
	b.post(path+"/invitations", form)
	first := regexp.MustCompile(`/i/[A-Za-z0-9_-]{40,}`).FindAllString(b.last, -1)
	if len(first) < 4 || !b.has("links.csv") {
		t.Fatalf("first post: %d links, download %v", len(first), b.has("links.csv"))
	}
	b.post(path+"/invitations", form)
	if !b.has("blev lavet, da du trykkede første gang") || !b.has(`name="all" value="1"`) {
		t.Fatalf("the second post of one page does not explain where the links went:\n%s", b.last)
	}
	b.post(path+"/invitations", url.Values{"all": {"1"}})
	again := regexp.MustCompile(`/i/[A-Za-z0-9_-]{40,}`).FindAllString(b.last, -1)
	if len(again) < 4 || again[0] == first[0] {
		t.Errorf("new links for everyone: %d links", len(again))
	}
	invs, _ := c.store.Invitations(context.Background(), w.ID)
	if len(invs) != 4 {
		t.Errorf("%d invitations, want 4", len(invs))
	}
	for _, inv := range invs {
		if _, err := c.store.Invitation(context.Background(), inv.Hash); err != nil {
			t.Error(err)
		}
	}
	if _, err := c.store.Invitation(context.Background(), access.Hash(first[0][3:])); err == nil {
		t.Error("an old link still works after new links for everyone")
	}
}

// Every create form posted twice makes one thing.
func TestCreateFormsPostedTwiceMakeOne(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	pw := c.user(t, "admin@example.dk", access.RoleAdmin)
	b := c.browser(t)
	b.signIn("admin@example.dk", pw)
	once := regexp.MustCompile(`name="_once" value="([^"]+)"`)
	twice := func(page, action string, values url.Values) {
		t.Helper()
		b.get(page)
		values.Set("_once", once.FindStringSubmatch(b.last)[1])
		values.Set("_csrf", b.csrf())
		for i := range 2 {
			if status, _ := b.post(action, values); status != http.StatusSeeOther {
				t.Fatalf("%s, post %d: %d\n%s", action, i+1, status, b.last)
			}
		}
	}
	twice("/console", "/console/partnerships", url.Values{"name": {"Nord"}})
	ps, _ := c.store.Partnerships(ctx)
	if len(ps) != 1 {
		t.Fatalf("%d partnerships, want 1", len(ps))
	}
	pid := ps[0].ID
	twice("/console/partnerships/"+pid+"/partners", "/console/partnerships/"+pid+"/partners", url.Values{"name": {"Bibliotek"}, "sector": {"public"}})
	twice("/console/partnerships/"+pid+"/activities", "/console/partnerships/"+pid+"/activities", url.Values{"name": {"Café"}})
	if pts, _ := c.store.Partners(ctx, pid); len(pts) != 1 {
		t.Errorf("%d partners, want 1", len(pts))
	}
	if acts, _ := c.store.Activities(ctx, pid); len(acts) != 1 {
		t.Errorf("%d activities, want 1", len(acts))
	}
}

// What a new user's trial found: each form comes back with what was
// typed and says what is wrong at the field.
func TestFormsComeBackAsTyped(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 2)
	pw := c.user(t, "admin@example.dk", access.RoleAdmin)
	b := c.browser(t)
	b.signIn("admin@example.dk", pw)
	base := "/console/partnerships/" + p.ID

	b.get(base)
	if status, _ := b.post(base, url.Values{"name": {"Nord"}, "min_group": {"abc"}, "lang_da": {"on"}}); status != http.StatusUnprocessableEntity ||
		!b.has(`value="abc"`) || !b.has("Skriv et helt tal") || !b.has("<dd>5</dd>") {
		t.Errorf("minimum group typed as abc: %d", status)
	}

	partners, _ := c.store.Partners(ctx, p.ID)
	b.get(base + "/partners/" + partners[1].ID)
	if status, _ := b.post(base+"/partners/"+partners[1].ID, url.Values{"name": {partners[0].Name}, "sector": {"civil"}, "active": {"on"}}); status != http.StatusUnprocessableEntity ||
		!b.has(`id="e-name"`) || !b.has("<h1>"+partners[1].Name+"</h1>") {
		t.Errorf("renaming to a taken name: %d\n%s", status, b.last)
	}

	// An activity keeps an organiser that was deactivated since.
	act := partnership.Activity{ID: "ac1", Partnership: p.ID, Name: "Café", Active: true, Partners: []string{partners[0].ID}}
	c.store.CreateActivity(ctx, act)
	partners[0].Active = false
	c.store.UpdatePartner(ctx, partners[0])
	b.get(base + "/activities/ac1")
	if !b.has("(ikke aktiv)") {
		t.Error("the activity page does not offer its inactive organiser")
	}
	b.post(base+"/activities/ac1", url.Values{"name": {"Café"}, "active": {"on"}, "partners": {partners[0].ID}})
	if a, _ := c.store.Activity(ctx, p.ID, "ac1"); len(a.Partners) != 1 {
		t.Errorf("saving the activity dropped its organiser: %v", a.Partners)
	}

	// Closing a round needs a tick; moving its last day keeps a bad day.
	w := partnership.Wave{ID: "wa1", Partnership: p.ID, Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: c.now().Add(-time.Hour), ClosesAt: c.now().Add(240 * time.Hour)}
	c.store.CreateWave(ctx, w)
	b.get(base + "/waves/wa1")
	if status, _ := b.post(base+"/waves/wa1/dates", url.Values{"action": {"close"}}); status != http.StatusUnprocessableEntity || !b.has(`id="e-confirm"`) {
		t.Errorf("close without the tick: %d", status)
	}
	if status, _ := b.post(base+"/waves/wa1/dates", url.Values{"closes": {"31.2.2027"}}); status != http.StatusUnprocessableEntity || !b.has(`value="31.2.2027"`) {
		t.Errorf("a bad last day: %d", status)
	}
	if _, loc := b.post(base+"/waves/wa1/dates", url.Values{"action": {"close"}, "confirm": {"on"}}); !strings.Contains(loc, "wave_closed") {
		t.Errorf("close: %q", loc)
	}
	if got, _ := c.store.Wave(ctx, p.ID, "wa1"); got.Status(c.now().Add(time.Second)) != partnership.Closed || got.OpensAt.Sub(w.OpensAt).Abs() > time.Second {
		t.Errorf("after closing: %+v", got)
	}

	// The language chosen in the header holds on the next pages.
	b.get("/console?lang=en")
	b.get(base + "/partners")
	if !b.has(`<html lang="en">`) {
		t.Error("the English chosen on one page is gone on the next")
	}
}

// Two posts of one create form at the same moment make one thing, and
// both answers say it was made.
func TestCreateFormsPostedAtOnceMakeOne(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	pw := c.user(t, "admin@example.dk", access.RoleAdmin)
	b := c.browser(t)
	b.signIn("admin@example.dk", pw)
	b.get("/console")
	values := url.Values{"name": {"Nord"}, "_csrf": {b.csrf()},
		"_once": {regexp.MustCompile(`name="_once" value="([^"]+)"`).FindStringSubmatch(b.last)[1]}}
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Go(func() {
			res, err := b.client.PostForm(c.url+"/console/partnerships", values)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	for _, s := range statuses {
		if s != http.StatusSeeOther {
			t.Errorf("statuses %v, want every post to say it was made", statuses)
			break
		}
	}
	if ps, _ := c.store.Partnerships(ctx); len(ps) != 1 {
		t.Errorf("%d partnerships, want 1", len(ps))
	}
}

// A file from Danish Excel (Windows-1252) is saved as previewed: the
// preview posts the file back as the page's own text.
func TestImportWindows1252(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	pw := c.user(t, "admin@example.dk", access.RoleAdmin)
	p := c.partnership(t, "Nord", 0)
	b := c.browser(t)
	b.signIn("admin@example.dk", pw)
	path := "/console/partnerships/" + p.ID + "/partners"
	b.get(path)
	cp1252 := []byte("navn;sektor;e-mail\r\n\xc6r\xf8 Bibliotek;offentlig;\r\n")
	if status := b.upload(path+"/import", "partnere.csv", cp1252); status != http.StatusOK || !b.has("Ærø Bibliotek") {
		t.Fatalf("preview: %d", status)
	}
	csv := regexp.MustCompile(`name="csv" value="([^"]*)"`).FindStringSubmatch(b.last)
	token := b.csrf()
	b.post(path+"/import", url.Values{"_csrf": {token}, "confirm": {"1"}, "csv": {htmlUnescape(csv[1])}})
	pts, _ := c.store.Partners(ctx, p.ID)
	if len(pts) != 1 || pts[0].Name != "Ærø Bibliotek" {
		t.Errorf("saved %+v, want Ærø Bibliotek", pts)
	}
	// Confirming again, as a double click does, says it was imported.
	if _, loc := b.post(path+"/import", url.Values{"_csrf": {token}, "confirm": {"1"}, "csv": {htmlUnescape(csv[1])}}); !strings.Contains(loc, "partners_imported") {
		t.Errorf("second confirmation: %q, want the import reported done", loc)
	}
}

// The dashboard draws the released citizen indices, in all and by
// activity, and says in words what is too small to show.
func TestResultsDrawReleasedIndices(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 0)
	for _, a := range []partnership.Activity{{ID: "cafe", Partnership: p.ID, Name: "Café", Active: true}, {ID: "walk", Partnership: p.ID, Name: "Gåtur", Active: true}} {
		c.store.CreateActivity(ctx, a)
	}
	f, _ := c.catalog(t).Form("citizen_short", 0)
	for i := range 14 {
		r := forms.NewResponse(f, uuid.NewString(), "da", forms.Answers{"belonging_place": float64(3 + i%3), "belonging_someone": float64(4), "role": "helper"}, c.now())
		r.Partnership, r.Activity = p.ID, "cafe"
		if i >= 12 {
			r.Activity = "walk"
		}
		if _, _, err := c.store.SaveResponse(ctx, r, f.Counts(r.Answers)); err != nil {
			t.Fatal(err)
		}
	}
	pw := c.user(t, "eva@example.dk", access.RoleEvaluator)
	b := c.browser(t)
	b.signIn("eva@example.dk", pw)
	if status := b.get("/console/partnerships/" + p.ID + "/results"); status != http.StatusOK || !b.has("Der er ingen tal endnu") {
		t.Fatalf("before the month ends: %d\n%s", status, b.last)
	}
	// A month is released an hour after it ends.
	now := c.now().UTC()
	c.advance(time.Date(now.Year(), now.Month()+1, 1, 2, 0, 0, 0, time.UTC).Sub(now))
	b.signIn("eva@example.dk", pw) // a month later, the session has ended
	b.get("/console/partnerships/" + p.ID + "/results")
	if dir := os.Getenv("SAMSPIL_SCREENSHOTS"); dir != "" {
		os.WriteFile(dir+"/results.html", []byte(b.last), 0o644)
	}
	for _, want := range []string{`role="img"`, "Café", "For få svar til at vise", "12 svar", `aria-labelledby="share-role-t share-role-d"`, "100,0 %"} {
		if !b.has(want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	// A grouping the form does not have is an error at its field.
	if status := b.get("/console/partnerships/" + p.ID + "/results?by=shoe_size"); status != http.StatusUnprocessableEntity || !b.has("Det skal rettes") {
		t.Errorf("an unknown grouping: %d", status)
	}
}

// Once a partner round has closed, the results page draws partnership
// health by element on its 1-5 scale with the bands shaded.
func TestResultsDrawHealthOfAClosedRound(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 6)
	f, _ := c.catalog(t).Form("partner_survey", 0)
	w := partnership.Wave{ID: "wa1", Partnership: p.ID, Form: f.ID, Version: f.Version, Respondents: "partners",
		OpensAt: c.now().Add(-48 * time.Hour), ClosesAt: c.now().Add(time.Hour)}
	c.store.CreateWave(ctx, w)
	answers := forms.Answers{}
	for _, sc := range f.Scales {
		for _, item := range sc.Items {
			answers[item] = float64(4)
		}
	}
	partners, _ := c.store.Partners(ctx, p.ID)
	for _, pt := range partners {
		c.store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(pt.ID), Partnership: p.ID, Wave: w.ID, Partner: pt.ID})
		r := forms.NewResponse(f, pt.ID, "da", answers, c.now())
		r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = forms.PartnerResponseID(w.ID, pt.ID), "", p.ID, w.ID, pt.ID
		if _, err := c.store.ReplaceResponse(ctx, r, f.Counts(answers)); err != nil {
			t.Fatal(err)
		}
	}
	pw := c.user(t, "eva@example.dk", access.RoleEvaluator)
	b := c.browser(t)
	b.signIn("eva@example.dk", pw)
	b.get("/console/partnerships/" + p.ID + "/results")
	if !b.has("vises, når runden lukker") {
		t.Error("before the round closes, the page does not say when health comes")
	}
	c.advance(2 * time.Hour)
	b.get("/console/partnerships/" + p.ID + "/results")
	for _, want := range []string{"Partnerskabets sundhed", `aria-labelledby="health-t health-d"`, "6 partnere", "<title>styrke</title>"} {
		if !b.has(want) {
			t.Errorf("the results page lacks %q", want)
		}
	}
}

// A round's page draws the share answered day by day once it has run
// for more than a day.
func TestWaveStatusDrawsAnswersOverTime(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 4)
	f, _ := c.catalog(t).Form("partner_survey", 0)
	w := partnership.Wave{ID: "wa1", Partnership: p.ID, Form: f.ID, Version: f.Version, Respondents: "partners",
		OpensAt: c.now().Add(-72 * time.Hour), ClosesAt: c.now().Add(72 * time.Hour)}
	c.store.CreateWave(ctx, w)
	partners, _ := c.store.Partners(ctx, p.ID)
	for i, pt := range partners {
		c.store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(pt.ID), Partnership: p.ID, Wave: w.ID, Partner: pt.ID})
		if i < 2 {
			answers := forms.Answers{"relations_trust_close_relations": float64(4)}
			r := forms.NewResponse(f, pt.ID, "da", answers, c.now().Add(-time.Duration(48-24*i)*time.Hour))
			r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = forms.PartnerResponseID(w.ID, pt.ID), "", p.ID, w.ID, pt.ID
			c.store.ReplaceResponse(ctx, r, f.Counts(answers))
		}
	}
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	b.get("/console/partnerships/" + p.ID + "/waves/" + w.ID)
	if !b.has(`aria-labelledby="days-t days-d"`) || !b.has("50 %") {
		t.Errorf("the round's page has no chart of answers over time:\n%s", b.last)
	}
}

// Two citizen rounds: the results page says how each index moved, in
// numbers and in words.
func TestResultsTellTheChangeBetweenRounds(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 0)
	f, _ := c.catalog(t).Form("citizen_short", 0)
	for i, w := range []partnership.Wave{
		{ID: "w1", Partnership: p.ID, Form: f.ID, Version: f.Version, Respondents: "citizens", OpensAt: c.now().Add(-40 * 24 * time.Hour), ClosesAt: c.now().Add(-20 * 24 * time.Hour)},
		{ID: "w2", Partnership: p.ID, Form: f.ID, Version: f.Version, Respondents: "citizens", OpensAt: c.now().Add(-20 * 24 * time.Hour), ClosesAt: c.now().Add(24 * time.Hour)},
	} {
		c.store.CreateWave(ctx, w)
		for j := range 8 {
			answers := forms.Answers{"belonging_place": float64(1 + 3*i + j%2), "belonging_someone": float64(1 + 3*i)}
			r := forms.NewResponse(f, uuid.NewString(), "da", answers, c.now())
			r.Partnership, r.Wave = p.ID, w.ID
			if _, _, err := c.store.SaveResponse(ctx, r, f.Counts(answers)); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := c.now().UTC()
	c.advance(time.Date(now.Year(), now.Month()+1, 1, 2, 0, 0, 0, time.UTC).Sub(now))
	pw := c.user(t, "eva@example.dk", access.RoleEvaluator)
	b := c.browser(t)
	b.signIn("eva@example.dk", pw)
	b.get("/console/partnerships/" + p.ID + "/results")
	if dir := os.Getenv("SAMSPIL_SCREENSHOTS"); dir != "" {
		os.WriteFile(dir+"/results-change.html", []byte(b.last), 0o644)
	}
	if !b.has("Ændring mellem de to seneste runder") || !b.has("en stor stigning") {
		t.Errorf("the change between rounds is not told:\n%s", b.last)
	}
	// Each index round by round, the older round first.
	if !b.has(`aria-labelledby="time0-t time0-d"`) || !b.has("At høre til runde for runde") {
		t.Error("the page draws no index over time")
	}
}

// The network map draws who works with whom and says in words who has no
// ties; "at least monthly" leaves out the rarer ones.
func TestNetworkMap(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 5)
	f, _ := c.catalog(t).Form("partner_survey", 0)
	w := partnership.Wave{ID: "wa1", Partnership: p.ID, Form: f.ID, Version: f.Version, Respondents: "partners",
		OpensAt: c.now().Add(-48 * time.Hour), ClosesAt: c.now().Add(48 * time.Hour)}
	c.store.CreateWave(ctx, w)
	pts, _ := c.store.Partners(ctx, p.ID)
	answer := func(from partnership.Partner, ties map[string]string) {
		var collab []map[string]any
		for to, freq := range ties {
			collab = append(collab, map[string]any{"partner": to, "frequency": freq})
		}
		answers := forms.Answers{"relations_trust_close_relations": float64(4), "collaboration": collab}
		r := forms.NewResponse(f, from.ID, "da", answers, c.now())
		r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = forms.PartnerResponseID(w.ID, from.ID), "", p.ID, w.ID, from.ID
		if _, err := c.store.ReplaceResponse(ctx, r, f.Counts(answers)); err != nil {
			t.Fatal(err)
		}
	}
	for _, pt := range pts {
		c.store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(pt.ID), Partnership: p.ID, Wave: w.ID, Partner: pt.ID})
	}
	answer(pts[0], map[string]string{pts[1].ID: "weekly", pts[2].ID: "once_or_twice"})
	answer(pts[1], map[string]string{pts[0].ID: "weekly"})
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	b.get("/console/partnerships/" + p.ID + "/network")
	if dir := os.Getenv("SAMSPIL_SCREENSHOTS"); dir != "" {
		os.WriteFile(dir+"/network.html", []byte(b.last), 0o644)
	}
	for _, want := range []string{`aria-labelledby="network-t network-d"`, "<title>" + pts[0].Name, "5 partnere har tilsammen 2 bånd", "Uden bånd (2)"} {
		if !b.has(want) {
			t.Errorf("the map lacks %q", want)
		}
	}
	b.get("/console/partnerships/" + p.ID + "/network?ties=monthly")
	if !b.has("5 partnere har tilsammen 1 bånd") {
		t.Error("at least monthly keeps a tie reported once or twice")
	}
}

// An admin erases a disabled colleague's account: the account and its
// sign-ins go, and the audit log keeps what was done under an alias, not
// the e-mail. An account still in use, or one's own, is not erased.
func TestEraseStaffAccount(t *testing.T) {
	c := newConsole(t)
	p := c.partnership(t, "Nord", 1)
	apw := c.user(t, "admin@example.dk", access.RoleAdmin)
	bpw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	admin, bo := c.browser(t), c.browser(t)
	admin.signIn("admin@example.dk", apw)
	bo.signIn("bo@example.dk", bpw)
	bo.get("/console")
	admin.get("/console/staff")
	if status, _ := admin.post("/console/staff/account", url.Values{"email": {"bo@example.dk"}, "action": {"erase"}}); status != http.StatusForbidden {
		t.Errorf("erasing an account in use: %d, want 403 (disable it first)", status)
	}
	if status, _ := admin.post("/console/staff/account", url.Values{"email": {"bo@example.dk"}, "action": {"disable"}}); status != http.StatusSeeOther {
		t.Fatalf("disable: %d", status)
	}
	admin.get("/console/staff")
	if !admin.has("Slet kontoen") {
		t.Fatal("the staff page offers no erasure of the disabled account")
	}
	if status, _ := admin.post("/console/staff/account", url.Values{"email": {"bo@example.dk"}, "action": {"erase"}}); status != http.StatusSeeOther {
		t.Fatalf("erase: %d %s", status, admin.last)
	}
	if _, ok, _ := c.store.User(context.Background(), "bo@example.dk"); ok {
		t.Error("the erased account is still stored")
	}
	if status := bo.get("/console"); status != http.StatusSeeOther {
		t.Errorf("the erased account is still signed in: %d", status)
	}
	log, _ := c.store.AuditLog(context.Background(), 50)
	erased := false
	for _, e := range log {
		if e.Actor == "bo@example.dk" || e.Target == "bo@example.dk" {
			t.Errorf("the audit log keeps the erased e-mail: %+v", e)
		}
		erased = erased || e.Action == "user.erase"
	}
	if !erased {
		t.Error("the audit log does not say an account was erased")
	}
	if status, _ := admin.post("/console/staff/account", url.Values{"email": {"admin@example.dk"}, "action": {"erase"}}); status != http.StatusForbidden {
		t.Errorf("erasing oneself: %d, want 403", status)
	}
}
