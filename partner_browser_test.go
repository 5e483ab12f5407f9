package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"samspil/access"
	"samspil/partnership"
	"samspil/storage"
)

// A partner answers the partner survey of a partnership with 35 partners
// on a 360 px phone: the roster is by sector and name with a box to find
// a partner, the questions about a partner open right under it, and the
// page passes axe-core. The test counts the taps and the page's height,
// which the README reports as the survey's length.
func TestPartnerSurveyInABrowser(t *testing.T) {
	chromium, axePath := browser(t)
	axeSource, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	token := seedRoster(t, dir, 35)
	base := serveAt(t, dir, map[string]string{}, &syncBuffer{})
	bctx := newTab(t, chromium, 2*time.Minute)

	shots := os.Getenv("SAMSPIL_SCREENSHOTS")
	var found int
	var over, finds []string
	var forced string
	var sectors []string
	var walk struct {
		Taps, Before, After, Questions int
	}
	var heading string
	var roster []byte
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(360, 640),
		chromedp.Navigate(base+"/i/"+token+"?lang=da"),
		pageCheck(t, axeSource, "", "partner-survey", 30<<10),
		into(&sectors, chromedp.Evaluate[[]string](`[...document.querySelectorAll("h3.sector")].map(h => h.textContent)`)),
		into(&over, chromedp.Evaluate[[]string](overflowJS)),
		// The box finds a partner by part of its name, without minding
		// accents or æ/ø/å, and says so when none matches.
		chromedp.SendKeys(chromedp.CSS(".find input"), "bibliotek"),
		into(&found, chromedp.Evaluate[int](`[...document.querySelectorAll(".roster .partner")].filter(p => !p.hidden).length`)),
		into(&finds, chromedp.Evaluate[[]string](`["cafe", "rode kors", "zzz"].map(q => {
			const i = document.querySelector(".find input");
			i.value = q; i.dispatchEvent(new Event("input"));
			return [...document.querySelectorAll(".roster .partner")].filter(p => !p.hidden).length + " " + document.querySelector(".find .none").textContent;
		})`)),
		into(new(chromedp.Void), chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector(".find input"); i.value = ""; i.dispatchEvent(new Event("input")); })()`)),
		// Answer every question on a 1-5 scale, and name five partners
		// with how often, trust and contribution: one tap per answer.
		into(&walk, chromedp.Evaluate[struct{ Taps, Before, After, Questions int }](`(() => {
			// Off-screen sections are laid out only when near; measure them all.
			document.querySelectorAll("form>section").forEach(s => s.style.contentVisibility = "visible");
			const before = document.documentElement.scrollHeight;
			let taps = 0, questions = 0;
			const tap = el => { el.click(); taps++; };
			document.querySelectorAll("form .q").forEach(q => {
				if (q.closest(".sub") || q.hidden) return;
				const choices = q.querySelectorAll(".choices.scale .choice, .choices.rating .choice");
				if (choices.length) { questions++; tap(choices[3] || choices[0]); }
			});
			[...document.querySelectorAll(".roster .partner")].slice(0, 5).forEach(p => {
				tap(p.querySelector("label.choice"));
				p.querySelectorAll(".sub .q").forEach(q => {
					const c = q.querySelectorAll(".choice");
					if (c.length) tap(c[1]);
				});
			});
			return {Taps: taps, Before: before, After: document.documentElement.scrollHeight, Questions: questions};
		})()`)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if shots == "" {
				return nil
			}
			return chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("h3.sector")), into(&roster, chromedp.CaptureScreenshot()))
		}),
		// In high-contrast mode a picked partner still shows it is picked.
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "forced-colors", Value: "active"}}})
			return err
		}),
		into(&forced, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".partner input:checked + .c")).outlineStyle`)),
		chromedp.Click(chromedp.CSS("button.send")),
		chromedp.WaitVisible(chromedp.CSS("p.banner.ok")),
		into(&heading, chromedp.Text(chromedp.CSS("h1"))),
	)
	if err != nil {
		t.Fatal(err)
	}
	if shots != "" {
		_ = os.WriteFile(filepath.Join(shots, "partner-roster-360.png"), roster, 0o644)
	}
	t.Logf("partner survey, 35 partners, 360 px: %d questions on a scale and 5 partners named in %d taps; the page is %d px high, %d px with the 5 partners' questions open",
		walk.Questions, walk.Taps, walk.Before, walk.After)
	if strings.Join(sectors, ",") != "Offentlig,Civilsamfund,Privat,Borgergruppe,Sekretariat" {
		t.Errorf("roster headings %v, want the sectors in order", sectors)
	}
	if want := []string{"2 ", "2 ", "0 Ingen partnere passer. Prøv et andet ord."}; strings.Join(finds, "|") != strings.Join(want, "|") {
		t.Errorf("finding cafe, rode kors and zzz: %q, want %q", finds, want)
	}
	if forced != "solid" {
		t.Errorf("in high-contrast mode a picked partner's outline is %q, want solid", forced)
	}
	if len(over) > 0 {
		t.Errorf("at 360 px the words overflow their box in %q", over)
	}
	if found != 2 { // Bibliotek Syd 2 and 3; the partner answering is Bibliotek Syd
		t.Errorf("finding 'bibliotek' shows %d partners, want 2", found)
	}
	if walk.Taps != walk.Questions+5*4 {
		t.Errorf("%d taps for %d questions and 5 partners with 3 questions each, want %d: the questions about a partner did not open under it",
			walk.Taps, walk.Questions, walk.Questions+20)
	}
	if strings.TrimSpace(heading) != "Tak for jeres svar!" {
		t.Errorf("after sending: %q", heading)
	}
}

// seedRoster registers a partnership with n partners over every sector,
// an open partner round and an invitation for the first partner, in dir's
// embedded store, and returns the invitation's token.
func seedRoster(t *testing.T, dir string, n int) string {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	now := time.Now()
	p := partnership.Partnership{ID: "pa-roster", Name: "Samspil Syd", Contact: "Anne Holm, anne@example.dk", MinGroup: 5, Languages: []string{"da"}, CreatedAt: now}
	if err := store.CreatePartnership(ctx, p); err != nil {
		t.Fatal(err)
	}
	names := []string{"Bibliotek Syd", "Jobcentret", "Sundhedsplejen", "Skolen", "Ungdomsklubben", "FOF", "Røde Kors", "Idrætsforeningen",
		"Spejderne", "Mødrehjælpen", "Frivilligcentret", "Café Syd", "Brugsen", "Cykelsmeden", "Boligforeningen", "Beboerrådet", "Lektiehjælpen"}
	var first string
	for i := range n {
		name := names[i%len(names)]
		if i >= len(names) {
			name = fmt.Sprintf("%s %d", name, i/len(names)+1)
		}
		pt := partnership.Partner{ID: fmt.Sprintf("pt_%02d", i), Partnership: p.ID, Name: name, Sector: partnership.Sectors[i%len(partnership.Sectors)],
			Active: true, JoinedAt: now}
		if err := store.CreatePartner(ctx, pt); err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = pt.ID
		}
	}
	w := partnership.Wave{ID: "wa-roster", Partnership: p.ID, Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(14 * 24 * time.Hour)}
	if err := store.CreateWave(ctx, w); err != nil {
		t.Fatal(err)
	}
	token := access.NewToken()
	if _, err := store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(token), Partnership: p.ID, Wave: w.ID, Partner: first, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return token
}
