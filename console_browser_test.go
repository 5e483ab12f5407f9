package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"samspil/internal/loopback"
	"samspil/internal/mailsink"
)

// The README's walk-through, in headless Chromium: create the first admin
// from the first start's link, sign in, register a partnership with 30
// partners from a CSV file, add 3 activities and print a poster, open a
// partner wave, hand out the links, watch the response rate move as
// partners answer, and sign out. Every page passes axe-core and weighs
// under 30 KB compressed, in Danish and in English.
func TestConsoleWalkThrough(t *testing.T) {
	chromium, axePath := browser(t)
	axeSource, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	addr := loopback.FreeAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	out := &syncBuffer{}
	// Mail goes to a sink on loopback, as the README's local try-out does.
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	done := startServer(ctx, t, addr, t.TempDir(), map[string]string{
		"SAMSPIL_SMTP_URL":  fmt.Sprintf("smtp+insecure://127.0.0.1:%d", sink.Port()),
		"SAMSPIL_MAIL_FROM": "Samspil <samspil@example.dk>"}, out)
	defer func() {
		stop()
		<-done
	}()
	// The first start prints one plain block with the link that creates
	// the first admin.
	var setup string
	for deadline := time.Now().Add(10 * time.Second); setup == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		setup = regexp.MustCompile(`http://\S+/setup/\S+`).FindString(out.String())
	}
	if setup == "" {
		t.Fatalf("no first-admin link in the first start's output:\n%s", out)
	}
	base := "http://" + addr
	setup = strings.Replace(setup, "http://localhost:"+strings.Split(addr, ":")[1], base, 1)

	shots := os.Getenv("SAMSPIL_SCREENSHOTS")
	csvFile := filepath.Join(t.TempDir(), "partnere.csv")
	var rows strings.Builder
	rows.WriteString("name;sector;email\n")
	sectors := []string{"public", "civil", "private", "citizen_group", "backbone"}
	for i := range 30 {
		fmt.Fprintf(&rows, "Partner nr. %02d;%s;kontakt%d@example.dk\n", i+1, sectors[i%len(sectors)], i+1)
	}
	if err := os.WriteFile(csvFile, []byte(rows.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	bctx, cancelTimeout := context.WithTimeout(bctx, 4*time.Minute)
	defer cancelTimeout()

	checked := map[string]bool{}
	check := func(name string) chromedp.Action[chromedp.Void] {
		checked[name] = true
		return pageCheck(t, axeSource, shots, "console-"+name, 30<<10)
	}
	submit := func(form string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(form + " button[type=submit]"))
	}
	var location, pid, rate string
	var posters, links []string
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(setup),
		check("setup-first-admin"),
		chromedp.SetValue(chromedp.CSS("#f-email"), "anne@example.dk"),
		chromedp.SetValue(chromedp.CSS("#f-password"), "tre grønne cykler"),
		chromedp.SetValue(chromedp.CSS("#f-repeat"), "tre grønne cykler"),
		submit("main form"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/console/partnerships"]`)),
		check("home-empty"),
		// The browser asks for English; the account chooses Danish.
		chromedp.Navigate(base+"/console/account"),
		chromedp.Click(chromedp.CSS(`input[name=lang][value=da]`)),
		submit(`form[action="/console/account"]`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Navigate(base+"/console"),
		chromedp.SetValue(chromedp.CSS(`form[action="/console/partnerships"] #f-name`), "Partnerskab Vest"),
		chromedp.SetValue(chromedp.CSS(`form[action="/console/partnerships"] #f-area`), "Vestbyen"),
		submit(`form[action="/console/partnerships"]`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		into(&location, chromedp.Location()),
	)
	if err != nil {
		t.Fatalf("first admin and partnership: %v", err)
	}
	pid = regexp.MustCompile(`/console/partnerships/([a-z0-9]+)`).FindStringSubmatch(location)[1]
	p := base + "/console/partnerships/" + pid
	// Citizens answer in all six languages: the posters say so in each.
	err = chromedp.Do(bctx,
		check("partnership"),
		chromedp.Navigate(p),
		chromedp.Click(chromedp.CSS(`input[name=lang_en]`)),
		chromedp.Click(chromedp.CSS(`input[name=lang_ar]`)),
		chromedp.Click(chromedp.CSS(`input[name=lang_pl]`)),
		chromedp.Click(chromedp.CSS(`input[name=lang_tr]`)),
		chromedp.Click(chromedp.CSS(`input[name=lang_uk]`)),
		submit(`form[action^="/console/partnerships/"]`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Navigate(p+"/partners"),
		check("partners-empty"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{csvFile}),
		submit(`form[enctype="multipart/form-data"]`),
		chromedp.WaitVisible(chromedp.CSS("#preview")),
		check("partners-import-preview"),
		submit(`form:has(input[name=confirm])`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		check("partners"),
		chromedp.Click(chromedp.CSS("#partner-list tbody a")),
		chromedp.WaitVisible(chromedp.CSS(`input[name=active]`)),
		check("partner-edit"),
		chromedp.Navigate(base+"/console/partnerships/nope"),
		check("error-not-found"),
		chromedp.Navigate(p+"/activities"),
		check("activities-empty"),
	)
	if err != nil {
		t.Fatalf("partners: %v", err)
	}
	for _, name := range []string{"Lektiecafé for børn og forældre i Vestbyens medborgerhus", "Fællesspisning", "Gåtur"} {
		err := chromedp.Do(bctx,
			chromedp.Navigate(p+"/activities"),
			chromedp.SetValue(chromedp.CSS(`form[action$="/activities"] #f-name`), name),
			chromedp.Click(chromedp.CSS(`form[action$="/activities"] .checklist label:nth-child(2) input`)),
			submit(`form[action$="/activities"]`),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
		)
		if err != nil {
			t.Fatalf("activity %s: %v", name, err)
		}
	}
	var pdf []byte
	err = chromedp.Do(bctx,
		check("activities"),
		chromedp.Click(chromedp.CSS(`.card a[href*="/activities/"]:not([href$="/poster"])`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=active]`)),
		check("activity-edit"),
		chromedp.Navigate(p+"/activities"),
		into(&posters, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href*="/activities/"][href$="/poster"]')].map(a => a.href)`)),
	)
	if err != nil || len(posters) != 3 {
		t.Fatalf("activities: %d posters, %v", len(posters), err)
	}
	err = chromedp.Do(bctx,
		chromedp.Navigate(posters[0]),
		check("poster"),
		into(&pdf, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4))),
	)
	if err != nil {
		t.Fatalf("poster: %v", err)
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAllIndex(pdf, -1)); n != 1 {
		t.Errorf("the poster prints on %d pages, want one A4", n)
	}
	printed := func(name string) {
		if shots == "" {
			return
		}
		var png []byte
		if _, err := chromedp.Call(bctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		// An A4 sheet at 96 dpi, less the 15 mm margins.
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(680, 1010), into(&png, chromedp.FullScreenshot(100))); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(shots, "console-"+name+"-print.png"), png, 0o644)
		chromedp.Call(bctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		chromedp.Do(bctx, chromedp.EmulateViewport(1280, 800))
	}
	printed("poster")
	today := time.Now().Format(time.DateOnly)
	err = chromedp.Do(bctx,
		chromedp.Navigate(p+"/waves"),
		check("waves"),
		chromedp.SetValue(chromedp.CSS("#f-form"), "partner_survey"),
		chromedp.SetValue(chromedp.CSS("#f-opens_at"), today),
		chromedp.SetValue(chromedp.CSS("#f-closes_at"), time.Now().AddDate(0, 0, 14).Format(time.DateOnly)),
		submit(`form[action$="/waves"]`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		check("wave-new"),
		submit(`form[action$="/invitations"]`),
		chromedp.WaitVisible(chromedp.CSS("td code")),
		check("links"),
		chromedp.Func(func(context.Context, *chromedp.Target) error { printed("letters"); return nil }),
		into(&links, chromedp.Evaluate[[]string](`[...document.querySelectorAll('td code')].map(c => c.textContent)`)),
	)
	if err != nil || len(links) != 30 {
		t.Fatalf("wave and links: %d links, %v", len(links), err)
	}
	// Six partners answer through their links.
	for _, link := range links[:6] {
		token := link[strings.LastIndex(link, "/")+1:]
		req, _ := http.NewRequest(http.MethodPut, base+"/api/v1/invitations/"+token+"/response",
			strings.NewReader(`{"lang":"da","answers":{"relations_trust_close_relations":4}}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("partner answer: %v %v", res.StatusCode, err)
		}
		res.Body.Close()
	}
	// The 30 invitations arrive by mail, each with its partner's link.
	for deadline := time.Now().Add(30 * time.Second); len(sink.Mails()) < 30 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
	}
	if got := sink.Mails(); len(got) != 30 || !strings.Contains(got[0].Text, "/i/") {
		t.Fatalf("%d invitation mails arrived, want 30", len(got))
	}
	var waitingCount int
	var invited, waveURL, mailSummary string
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`.noprint p a[href*="/waves/"]`)),
		chromedp.WaitVisible(chromedp.CSS(".big")),
		into(&rate, chromedp.Text(chromedp.CSS(".big"))),
		into(&waitingCount, chromedp.Evaluate[int](`document.querySelectorAll('#h-waiting + ul li').length`)),
		into(&mailSummary, chromedp.Text(chromedp.CSS("#h-mail + p"))),
		check("wave-status"),
		into(&waveURL, chromedp.Location()),
		chromedp.Navigate(base+"/console"),
		check("home"),
		chromedp.Navigate(p+"/results"),
		check("results-empty"),
		chromedp.Navigate(p+"/network"),
		check("network"),
		chromedp.Navigate(base+"/console/staff"),
		check("staff"),
		chromedp.SetValue(chromedp.CSS(`form[action="/console/staff"] #f-email`), "bo@example.dk"),
		chromedp.Click(chromedp.CSS(`form[action="/console/staff"] input[name=partnerships]`)),
		submit(`form[action="/console/staff"]`),
		chromedp.WaitVisible(chromedp.CSS("#setup-link")),
		check("staff-invited"),
		into(&invited, chromedp.Text(chromedp.CSS("#setup-link"))),
		chromedp.Navigate(base+"/console/audit"),
		check("audit"),
		chromedp.Navigate(base+"/console/account"),
		check("account"),
	)
	if err != nil {
		t.Fatalf("status, staff and audit: %v", err)
	}
	if want := "6 af 30 har svaret (20 %)"; !strings.Contains(rate, want) {
		t.Errorf("the wave's status says %q, want %q", rate, want)
	}
	if !strings.Contains(mailSummary, "Sendt: 30.") {
		t.Errorf("the wave's mail says %q, want 30 sent", mailSummary)
	}
	if waitingCount != 24 {
		t.Errorf("%d partners listed as not answered, want 24", waitingCount)
	}

	// The same pages in English.
	for _, pg := range []string{"/console", "/console/partnerships/" + pid, "/console/partnerships/" + pid + "/partners", "/console/partnerships/" + pid + "/activities",
		"/console/partnerships/" + pid + "/waves", "/console/staff", "/console/account"} {
		var lang string
		name := "en" + strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(pg, "/console", ""), "/p/"+pid, "-partnership"), "/", "-")
		if err := chromedp.Do(bctx, chromedp.Navigate(base+pg+"?lang=en"), check(name),
			into(&lang, chromedp.Evaluate[string](`document.documentElement.lang`))); err != nil {
			t.Fatal(err)
		}
		if lang != "en" {
			t.Errorf("%s?lang=en is in %q", pg, lang)
		}
	}

	// Closing the round early (after ticking that it cannot be undone)
	// releases its partnership health, which the results page draws.
	var health bool
	err = chromedp.Do(bctx,
		chromedp.Navigate(waveURL),
		chromedp.Click(chromedp.CSS(`#f-confirm`)),
		submit(`form:has(input[name=action][value=close])`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Navigate(p+"/results"),
		check("results-health"),
		into(&health, chromedp.Evaluate[bool](`!!document.querySelector('svg[aria-labelledby="health-t health-d"]')`)),
	)
	if err != nil {
		t.Fatalf("close the round and see its health: %v", err)
	}
	if !health {
		t.Error("after the round closed, the results page draws no partnership health")
	}

	// The program theory: started from the template, its health box shows
	// the closed round's figure; adapted with a note, saved as version 2,
	// and compared with version 1.
	var healthBox, saved, changes string
	err = chromedp.Do(bctx,
		chromedp.Navigate(p+"/theory"),
		check("theory-empty"),
		submit(`form[action$="/theory/start"]`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		check("theory"),
		into(&healthBox, chromedp.Evaluate[string](`[...document.querySelectorAll('table tbody tr')].find(r => r.textContent.includes('stoler på hinanden')).textContent`)),
		chromedp.Navigate(p+"/theory/edit"),
		check("theory-edit"),
		chromedp.SetValue(chromedp.CSS(`[name="el.0.text"]`), "Partnere fra hele Vestbyen"),
		chromedp.SetValue(chromedp.CSS(`[name="new.text"]`), "Flere bliver frivillige"),
		chromedp.SetValue(chromedp.CSS(`[name="new.column"]`), "long_term"),
		chromedp.SetValue(chromedp.CSS(`#f-note`), "Flere partnere vil være med"),
		submit(`form.theory-edit`),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		into(&saved, chromedp.Text(chromedp.CSS("main"))),
		chromedp.Navigate(p+"/theory/versions"),
		check("theory-versions"),
		into(&changes, chromedp.Text(chromedp.CSS(".changes"))),
		chromedp.Navigate(p+"/theory?lang=en"),
		check("en-theory"),
	)
	if err != nil {
		t.Fatalf("program theory: %v", err)
	}
	if !strings.Contains(healthBox, "af 5") && !strings.Contains(healthBox, "of 5") {
		t.Errorf("the theory's health box says %q, want the closed round's figure", healthBox)
	}
	if !strings.Contains(saved, "Version 2") || !strings.Contains(saved, "Partnere fra hele Vestbyen") {
		t.Errorf("after saving, the theory page says %q", saved)
	}
	if !strings.Contains(changes, "Flere bliver frivillige") || !strings.Contains(changes, "Partnere fra hele Vestbyen") {
		t.Errorf("the versions page shows the changes %q", changes)
	}

	// Signing out ends the session: the console asks to sign in again.
	var h1 string
	err = chromedp.Do(bctx,
		chromedp.Navigate(base+"/console"),
		submit(`form[action="/logout"]`),
		chromedp.WaitVisible(chromedp.CSS("#f-email")),
		check("login"),
		chromedp.SetValue(chromedp.CSS("#f-email"), "anne@example.dk"),
		chromedp.SetValue(chromedp.CSS("#f-password"), "not the password"),
		submit("main form"),
		chromedp.WaitVisible(chromedp.CSS(".errors")),
		check("login-failed"),
		chromedp.Navigate(strings.Replace(invited, "http://localhost:"+strings.Split(addr, ":")[1], base, 1)),
		chromedp.WaitVisible(chromedp.CSS("#f-repeat")),
		check("setup"),
		chromedp.Navigate(base+"/console/partnerships/"+pid),
		chromedp.WaitVisible(chromedp.CSS("#f-email")),
		into(&h1, chromedp.Text(chromedp.CSS("h1"))),
	)
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if h1 != "Sign in" {
		t.Errorf("after signing out, a console page shows %q, want the sign-in page in the browser's language", h1)
	}
}

// pageCheck runs axe-core on the page in the browser and checks its
// weight compressed; with shots set it also keeps it at 360 and 1280 px,
// as shots/name-width.png.
func pageCheck(t *testing.T, axeSource []byte, shots, name string, maxSize float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		var violations string
		var size float64
		err := chromedp.Do(ctx,
			chromedp.WaitReady(chromedp.CSS("main")),
			into(new(chromedp.Void), chromedp.Evaluate[chromedp.Void](string(axeSource))),
			into(&violations, chromedp.Evaluate[string](`axe.run(document).then(r => JSON.stringify(
				r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))))`, chromedp.EvalAwaitPromise)),
			into(&size, chromedp.Evaluate[float64](`performance.getEntriesByType("navigation")[0].encodedBodySize`)),
		)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		t.Logf("%-36s %6.0f bytes compressed", name, size)
		if violations != "[]" {
			t.Errorf("%s: axe-core found %s", name, violations)
		}
		if size > maxSize {
			t.Errorf("%s weighs %.0f bytes compressed, over %.0f", name, size, maxSize)
		}
		if shots == "" {
			return nil
		}
		for _, width := range []int64{360, 1280} {
			var png []byte
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), into(&png, chromedp.FullScreenshot(100))); err != nil {
				return err
			}
			_ = os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644)
		}
		return chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800))
	})
}
