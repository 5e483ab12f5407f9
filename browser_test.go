package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"samspil/forms"
	"samspil/internal/loopback"
)

// browser finds Chromium and axe-core, which .ci/run installs. Outside CI
// the test is skipped without them; in CI their absence is a failure.
func browser(t *testing.T) (chromium, axe string) {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing; .ci/run installs it", what)
		}
		t.Skipf("%s is missing (.ci/run installs it): skipping the browser test", what)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		missing("Chromium")
	}
	axe = filepath.Join("e2e", "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(axe); err != nil {
		missing("axe-core (npm ci --prefix e2e)")
	}
	return chromium, axe
}

// A citizen answers the form on a 360×640 phone in Danish and in Arabic:
// the page passes axe-core, questions hide as answers change, and the
// answers are stored once each.
func TestPhoneFormInABrowser(t *testing.T) {
	chromium, axePath := browser(t)
	axeSource, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	addr := loopback.FreeAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	done := startServer(ctx, t, addr, t.TempDir(), map[string]string{"SAMSPIL_ADMIN_KEY": "e2e-admin"}, &syncBuffer{})
	defer func() {
		stop()
		<-done
	}()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()

	for _, tc := range []struct{ lang, thanks string }{
		{"da", "Tak for dine svar!"},
		{"ar", "شكرًا على إجاباتك!"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			bctx, cancel := chromedp.NewContext(allocCtx)
			defer cancel()
			bctx, cancelTimeout := context.WithTimeout(bctx, 60*time.Second)
			defer cancelTimeout()

			var violations, heading string
			var dir chromedp.AttributeResult
			var frequencyHidden, frequencyShown, costAfterNothing, nothingAfterCost bool
			var screenshot []byte
			pick := func(item string, n int) chromedp.Action[chromedp.Void] {
				return chromedp.Click(chromedp.CSS(fmt.Sprintf("#w-%s .choice:nth-child(%d) .c", item, n)))
			}
			err := chromedp.Do(bctx,
				chromedp.EmulateViewport(360, 640),
				chromedp.Navigate("http://"+addr+"/f/citizen_short?lang="+tc.lang),
				chromedp.WaitVisible(chromedp.CSS("button.send")),
				into(&dir, chromedp.AttributeValue(chromedp.CSS("html"), "dir")),
				into(new(chromedp.Void), chromedp.Evaluate[chromedp.Void](string(axeSource))),
				into(&violations, chromedp.Evaluate[string](`axe.run(document).then(r => JSON.stringify(
					r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))))`, chromedp.EvalAwaitPromise)),
				pick("belonging_place", 4),
				pick("trust_participants", 5),
				pick("role", 2),
				pick("duration", 1),
				into(&frequencyHidden, chromedp.Evaluate[bool](`document.getElementById("w-frequency").hidden`)),
				pick("duration", 4),
				into(&frequencyShown, chromedp.Evaluate[bool](`!document.getElementById("w-frequency").hidden`)),
				pick("frequency", 1),
				pick("barriers", 3),
				// "No, nothing" unticks "cost", and "cost" unticks it again.
				pick("barriers", 7),
				into(&costAfterNothing, chromedp.Evaluate[bool](`document.querySelector("input[name=q_barriers][value=cost]").checked`)),
				pick("barriers", 3),
				into(&nothingAfterCost, chromedp.Evaluate[bool](`document.querySelector("input[name=q_barriers][value=nothing]").checked`)),
				into(&screenshot, chromedp.CaptureScreenshot()),
				chromedp.Click(chromedp.CSS("button.send")),
				chromedp.WaitVisible(chromedp.CSS("p.banner.ok")),
				into(&heading, chromedp.Text(chromedp.CSS("h1"))),
			)
			if err != nil {
				t.Fatal(err)
			}
			if shots := os.Getenv("SAMSPIL_SCREENSHOTS"); shots != "" {
				_ = os.WriteFile(filepath.Join(shots, "form-"+tc.lang+".png"), screenshot, 0o644)
			}
			if violations != "[]" {
				t.Errorf("axe-core found accessibility violations: %s", violations)
			}
			if want := map[string]string{"da": "ltr", "ar": "rtl"}[tc.lang]; dir.Value != want {
				t.Errorf("dir = %q, want %q", dir.Value, want)
			}
			if !frequencyHidden || !frequencyShown {
				t.Errorf("'how often' hidden after 'first time': %v, shown after 'over a year': %v; want both", frequencyHidden, frequencyShown)
			}
			if costAfterNothing || nothingAfterCost {
				t.Errorf("'No, nothing' left 'cost' ticked: %v; 'cost' left 'No, nothing' ticked: %v", costAfterNothing, nothingAfterCost)
			}
			if strings.TrimSpace(heading) != tc.thanks {
				t.Errorf("after sending, the page says %q, want %q", heading, tc.thanks)
			}
		})
	}

	// Published figures wait for the month to end; an admin's raw export
	// shows what was stored at once.
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/export/citizen_short.csv?raw=true", nil)
	req.Header.Set("Authorization", "Bearer e2e-admin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("raw export: %v", err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	for _, r := range rows[1:] {
		if r[col("frequency")] != "weekly" || !strings.Contains(r[col("barriers")], "cost") {
			t.Errorf("stored %v, want weekly with cost as a barrier", r)
		}
	}
	if len(rows) != 3 {
		t.Errorf("stored %d responses, want 2", len(rows)-1)
	}
}

// into runs an action and keeps its value, so that one Do can run a whole
// scenario.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		*dst = v
		return chromedp.Void{}, nil
	}
}

// overflowJS lists the options whose words do not fit their box: the
// extent of each piece of visible text against the box around it (text
// only for screen readers, .sr, is left out).
const overflowJS = `[...document.querySelectorAll(".choice .c")].filter(c => {
	const box = c.getBoundingClientRect();
	const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
	for (let n = walk.nextNode(); n; n = walk.nextNode()) {
		if (n.parentElement.closest(".sr") || !n.textContent.trim()) continue;
		const r = document.createRange();
		r.selectNodeContents(n);
		if ([...r.getClientRects()].some(q => q.left < box.left - 1 || q.right > box.right + 1)) return true;
	}
	return false;
}).map(c => c.textContent.trim().replace(/\s+/g, " "))`

// No option's words overflow its box on a 360 px phone, in any built-in
// form a citizen opens, in any of its languages, and every such page
// passes axe-core. WHO-5 in Danish and the check-in in Turkish and
// Ukrainian are kept as screenshots.
func TestNoOptionOverflowsOnAPhone(t *testing.T) {
	chromium, axePath := browser(t)
	axeSource, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	base := serveAt(t, t.TempDir(), map[string]string{}, &syncBuffer{})
	bctx := newTab(t, chromium, 2*time.Minute)
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("SAMSPIL_SCREENSHOTS")
	keep := map[string]bool{"who5-da": true, "activity_checkin-tr": true, "activity_checkin-uk": true}
	pages := 0
	for _, f := range catalog.Forms() {
		if f.Kind == forms.KindPartner {
			continue
		}
		for _, lang := range f.Languages {
			var over []string
			var png []byte
			name := f.ID + "-" + lang
			err := chromedp.Do(bctx,
				chromedp.EmulateViewport(360, 640),
				chromedp.Navigate(fmt.Sprintf("%s/f/%s?lang=%s", base, f.ID, lang)),
				chromedp.WaitVisible(chromedp.CSS("button.send")),
				pageCheck(t, axeSource, "", "form-"+name, 30<<10),
				into(&over, chromedp.Evaluate[[]string](overflowJS)),
				chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
					if shots == "" || !keep[name] {
						return nil
					}
					return chromedp.Do(ctx, into(&png, chromedp.FullScreenshot(100)))
				}),
			)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			pages++
			if len(over) > 0 {
				t.Errorf("%s at 360 px: the words overflow their box in %q", name, over)
			}
			if png != nil {
				_ = os.WriteFile(filepath.Join(shots, "form-"+name+"-360.png"), png, 0o644)
			}
		}
	}
	if pages < 10 {
		t.Errorf("checked %d pages, want every built-in citizen form in each of its languages", pages)
	}

	// Without JavaScript, answers that contradict each other come back
	// with a summary at the top that names each question and links to it.
	var summary []string
	var png []byte
	err = chromedp.Do(bctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}),
		chromedp.Navigate(base+"/f/citizen_short?lang=da"),
		chromedp.Click(chromedp.CSS(`input[name=q_duration][value=first_time]`)),
		chromedp.Click(chromedp.CSS(`input[name=q_frequency][value=weekly]`)),
		chromedp.Click(chromedp.CSS(`input[name=q_barriers][value=transport]`)),
		chromedp.Click(chromedp.CSS(`input[name=q_barriers][value=nothing]`)),
		chromedp.Click(chromedp.CSS("button.send")),
		chromedp.WaitVisible(chromedp.CSS(".errors")),
		into(&summary, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".errors li a")].map(a => a.getAttribute("href") + " " + a.querySelector("b").textContent)`)),
		into(&png, chromedp.FullScreenshot(100)),
	)
	if err != nil {
		t.Fatalf("error summary: %v", err)
	}
	if want := []string{"#q-frequency Hvor tit kommer du?", "#q-barriers Er der noget, som gør det svært at være med?"}; !slices.Equal(summary, want) {
		t.Errorf("the error summary names %q, want %q", summary, want)
	}
	if shots != "" {
		_ = os.WriteFile(filepath.Join(shots, "form-errors-da-360.png"), png, 0o644)
	}
}

// serveAt runs the program over the embedded store in dir on a free
// loopback port until the test ends, and returns the address to browse.
func serveAt(t *testing.T, dir string, env map[string]string, out *syncBuffer) string {
	t.Helper()
	addr := loopback.FreeAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	done := startServer(ctx, t, addr, dir, env, out)
	t.Cleanup(func() {
		stop()
		<-done
	})
	return "http://" + addr
}

// newTab starts headless Chromium for the test, with a fresh profile and
// nothing fetched from the internet, and gives a tab that closes when the
// test ends or after timeout.
func newTab(t *testing.T, chromium string, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	tab, cancelTimeout := context.WithTimeout(tab, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	return tab
}
