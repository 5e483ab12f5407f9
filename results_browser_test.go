package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"samspil/access"
	"samspil/forms"
	"samspil/internal/demo"
	"samspil/storage"
)

// The results, tried as people would in headless Chromium on the demo
// partnership (34 partners, 300 citizens, two citizen and two partner
// rounds): a backbone and an evaluator open the dashboard, the network
// map and the report; a partner opens its link after the round closed;
// a citizen answers in Arabic and goes from the thank-you page to the
// results. Every page passes axe-core; the dashboard's first view
// weighs under 100 KB compressed.
func TestResultsInABrowser(t *testing.T) {
	chromium, axePath := browser(t)
	axeSource, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	d, passwords := seedDemo(t, dir)
	base := serveAt(t, dir, map[string]string{}, &syncBuffer{})
	shots := os.Getenv("SAMSPIL_SCREENSHOTS")
	bctx := newTab(t, chromium, 4*time.Minute)

	check := func(name string, maxSize float64) chromedp.Action[chromedp.Void] {
		return pageCheck(t, axeSource, shots, "results-"+name, maxSize)
	}
	signIn := func(email string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			return chromedp.Do(ctx,
				chromedp.Navigate(base+"/login"),
				chromedp.SetValue(chromedp.CSS("#f-email"), email),
				chromedp.SetValue(chromedp.CSS("#f-password"), passwords[email]),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS(`a[href="/console/account"]`)),
			)
		})
	}
	p := base + "/console/partnerships/" + d.Partnership
	var dashboard, network, report, partner, thanks, citizens, theoryPage string
	var pdf []byte
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 800),
		signIn("bo@example.dk"),
		chromedp.Navigate(p+"/results"),
		check("dashboard", 100<<10),
		into(&dashboard, chromedp.Text(chromedp.CSS("main"))),
		chromedp.Navigate(p+"/network?ties=monthly"),
		check("network", 100<<10),
		into(&network, chromedp.OuterHTML(chromedp.CSS("main"))),
		chromedp.Navigate(p+"/report"),
		check("report", 150<<10),
		into(&report, chromedp.Text(chromedp.CSS("main"))),
		into(&pdf, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4))),
		chromedp.Navigate(p+"/theory"),
		check("theory", 100<<10),
		into(&theoryPage, chromedp.Text(chromedp.CSS("main"))),
		chromedp.Navigate(p+"/theory/versions"),
		check("theory-versions", 100<<10),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#f-email")),
		signIn("eva@example.dk"),
		chromedp.Navigate(p+"/results?lang=en"),
		check("dashboard-en", 100<<10),
		chromedp.Navigate(p+"/report?lang=en"),
		check("report-en", 150<<10),
		chromedp.Navigate(p+"/network?ties=trusted&lang=en"),
		check("network-en", 100<<10),
		chromedp.Navigate(p+"/theory?lang=en"),
		check("theory-en", 100<<10),
	)
	if err != nil {
		t.Fatalf("staff: %v", err)
	}
	for _, want := range []string{"Belonging", "Partnership health", "Change since", "answers", "a small rise"} {
		if !strings.Contains(dashboard, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if n := strings.Count(network, "<title>"); n < 34 {
		t.Errorf("the map names %d partners in <title>s, want all 34", n)
	}
	// The demo's program theory: version 2, its figures in the boxes,
	// targets judged, a withheld figure in words.
	for _, want := range []string{"Version 2", "70 (udgangen af året)", "Kommune, foreninger, butikker og beboere", "of 100", "fordi den, der er med til at bestemme"} {
		if !strings.Contains(theoryPage, want) {
			t.Errorf("the theory page lacks %q", want)
		}
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAllIndex(pdf, -1))
	t.Logf("the report prints on %d A4 pages", pages)
	if pages < 3 || pages > 5 {
		t.Errorf("the report prints on %d A4 pages, want 3 to 5 (the program theory on a landscape page of its own)", pages)
	}
	if shots != "" {
		os.WriteFile(filepath.Join(shots, "results-report.pdf"), pdf, 0o644)
		var png []byte
		err := chromedp.Do(bctx, chromedp.Navigate(p+"/report"),
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
				return err
			}),
			// An A4 sheet at 96 dpi, less the 15 mm margins.
			chromedp.EmulateViewport(680, 1010), into(&png, chromedp.FullScreenshot(100)))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(shots, "results-report-print.png"), png, 0o644)
		chromedp.Call(bctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		chromedp.Do(bctx, chromedp.EmulateViewport(1280, 800))
	}
	for _, want := range []string{"The main points", "Method and protection", "partners have answered"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	var token string
	for _, tok := range d.Tokens {
		token = tok
		break
	}
	err = chromedp.Do(bctx,
		chromedp.Navigate(base+"/i/"+token),
		check("partner", 100<<10),
		into(&partner, chromedp.Text(chromedp.CSS("main"))),
		chromedp.Navigate(base+"/p/"+d.Partnership+"?lang=ar"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=q_belonging_place]`)),
		chromedp.Navigate(base+"/f/citizen_short?p="+d.Partnership+"&lang=ar"),
		chromedp.Click(chromedp.CSS(`input[name=q_belonging_place][value="4"]`)),
		chromedp.Click(chromedp.CSS(`button.send`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/r/"]`)),
		check("thanks-ar", 20<<10),
		into(&thanks, chromedp.Text(chromedp.CSS("main"))),
		chromedp.Click(chromedp.CSS(`a[href^="/r/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.result svg`)),
		check("citizens-ar", 30<<10),
		into(&citizens, chromedp.OuterHTML(chromedp.CSS("html"))),
	)
	for _, lang := range []string{"da", "en", "uk", "pl", "tr"} {
		if err == nil {
			err = chromedp.Do(bctx, chromedp.Navigate(base+"/r/"+d.Partnership+"?lang="+lang), check("citizens-"+lang, 30<<10))
		}
	}
	if err != nil {
		t.Fatalf("partner and citizen: %v", err)
	}
	if !strings.Contains(partner, "Results of the partner round") || !strings.Contains(partner, "partners have answered") {
		t.Errorf("the partner's link does not show the results:\n%s", partner)
	}
	if !strings.Contains(citizens, `dir="rtl"`) || !strings.Contains(citizens, "من كل 10") {
		t.Errorf("the citizens' page in Arabic is not right to left with plain sentences:\n%.600s", citizens)
	}
}

// seedDemo fills dir's embedded store with the demo partnership and two
// staff accounts, a backbone of it and an evaluator, and returns their
// passwords by e-mail.
func seedDemo(t *testing.T, dir string) (demo.Demo, map[string]string) {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d, err := demo.Seed(ctx, store, catalog, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	passwords := map[string]string{}
	for email, role := range map[string]access.Role{"bo@example.dk": access.RoleBackbone, "eva@example.dk": access.RoleEvaluator} {
		var pids []string
		if role == access.RoleBackbone {
			pids = []string{d.Partnership}
		}
		u, _, msg := access.NewUser(email, role, pids, "test", time.Now())
		if msg != "" {
			t.Fatal(msg)
		}
		passwords[email] = "a long enough password for " + email
		u.PasswordHash = access.HashPassword(passwords[email])
		if _, err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return d, passwords
}
