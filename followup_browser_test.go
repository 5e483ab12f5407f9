package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"samspil/partnership"
	"samspil/storage"
)

// A citizen asks for a follow-up code on a 360 px phone in Danish, comes
// back in Arabic with the code, tries a wrong code first, and then
// deletes both answers with the code. Every page passes axe-core.
func TestFollowUpCodeInABrowser(t *testing.T) {
	chromium, axePath := browser(t)
	axeSource, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5}); err != nil {
		t.Fatal(err)
	}
	store.Close(ctx)
	base := serveAt(t, dir, map[string]string{}, &syncBuffer{})
	shots := os.Getenv("SAMSPIL_SCREENSHOTS")
	bctx := newTab(t, chromium, time.Minute)
	check := func(name string) chromedp.Action[chromedp.Void] {
		return pageCheck(t, axeSource, shots, name, 12_000)
	}
	pick := func(item string, n int) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS("#w-" + item + " .choice:nth-child(" + string(rune('0'+n)) + ") .c"))
	}
	var code, wrong, linked, found, done, here, reloaded, codeAgain, focused string
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(360, 640),
		chromedp.Navigate(base+"/f/citizen_short?lang=da&p=vest"),
		chromedp.WaitVisible(chromedp.CSS("#q-follow")),
		check("followup-form-da"),
		pick("belonging_place", 4),
		pick("follow", 2),
		chromedp.Click(chromedp.CSS("button.send")),
		chromedp.WaitVisible(chromedp.CSS(".code-value")),
		into(&code, chromedp.Text(chromedp.CSS(".code-value"))),
		into(&focused, chromedp.Evaluate[string](`document.activeElement.tagName`)),
		check("followup-code-da"),
		// A reload after sending shows the thanks, not an empty form that
		// invites answering twice.
		into(&here, chromedp.Evaluate[string](`location.pathname + location.search`)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("h1")),
		into(&reloaded, chromedp.Text(chromedp.CSS("h1"))),
		into(&codeAgain, chromedp.Text(chromedp.CSS(".code-value"))),

		chromedp.Navigate(base+"/f/citizen_short?lang=ar&p=vest"),
		chromedp.WaitVisible(chromedp.CSS("#follow-code")),
		pick("belonging_place", 5),
		chromedp.SetValue(chromedp.CSS("#follow-code"), "ACEF-HJKM"),
		chromedp.Click(chromedp.CSS("button.send")),
		chromedp.WaitVisible(chromedp.CSS("#e-follow")),
		into(&wrong, chromedp.Text(chromedp.CSS(".errors"))),
		check("followup-error-ar"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			// The page came back through the script: type into the new one.
			return chromedp.Do(ctx, into(new(chromedp.Void), chromedp.Evaluate[chromedp.Void](
				`document.getElementById("follow-code").value = "`+strings.ToLower(code)+`"`)))
		}),
		chromedp.Click(chromedp.CSS("button.send")),
		chromedp.WaitVisible(chromedp.CSS("p.banner.ok")),
		into(&linked, chromedp.Text(chromedp.CSS("p.banner.ok"))),

		chromedp.Navigate(base+"/privacy?lang=ar&p=vest"),
		check("privacy-ar"),
		chromedp.Navigate(base+"/privacy?lang=da"),
		check("privacy-da"),
		chromedp.Navigate(base+"/forget?lang=ar"),
		chromedp.WaitVisible(chromedp.CSS("#follow-code")),
		check("forget-ar"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			return chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#follow-code"), code))
		}),
		chromedp.Click(chromedp.CSS("button.send")),
		chromedp.WaitVisible(chromedp.CSS(`button[value=answers]`)),
		into(&found, chromedp.Text(chromedp.CSS("p.banner.ok"))),
		check("forget-found-ar"),
		chromedp.Click(chromedp.CSS(`button[value=answers]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[value=answers]`)),
		into(&done, chromedp.Text(chromedp.CSS("p.banner.ok"))),
		check("forget-done-ar"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z0-9]{4}-[A-Z0-9]{4}$`).MatchString(code) {
		t.Errorf("code shown = %q, want two groups of four", code)
	}
	if !strings.HasPrefix(here, "/f/citizen_short/thanks?lang=da&p=vest&s=") || reloaded != "Tak for dine svar!" || codeAgain != code {
		t.Errorf("after sending, the address is %q and a reload shows %q with code %q; want the thanks page with %s", here, reloaded, codeAgain, code)
	}
	if focused != "H1" {
		t.Errorf("after sending, focus is on %s, want the thank-you heading", focused)
	}
	if !strings.Contains(wrong, "لا نعرف هذا الرمز") {
		t.Errorf("a wrong code's summary says %q, want that the code is unknown, in Arabic", wrong)
	}
	if !strings.Contains(linked, "تم حفظ إجاباتك تحت رمزك") {
		t.Errorf("coming back with the code, the page says %q", linked)
	}
	if !strings.Contains(found, "2") || !strings.Contains(found, code) {
		t.Errorf("the deletion page found %q, want the 2 answers", found)
	}
	if !strings.Contains(done, "تم حذف إجاباتك ورمزك") {
		t.Errorf("after deleting, the page says %q", done)
	}
}
