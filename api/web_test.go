package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"samspil/forms"
	"samspil/partnership"
)

// page fetches or posts a form page, with the CSRF cookie when given.
func (ta testAPI) page(t *testing.T, method, path string, form url.Values, cookie string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", csrfCookie+"="+cookie)
	}
	res, err := ta.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(data)
}

const testCSRF = "0123456789abcdef0123456789abcdef"

// withTiny adds the test form with a required item and a short text.
func withTiny(t *testing.T, ta testAPI, c *forms.Catalog) {
	t.Helper()
	data, err := os.ReadFile("../forms/testdata/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := forms.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Add(f); err != nil {
		t.Fatal(err)
	}
}

var volatile = regexp.MustCompile(`name="_submission" value="[^"]*"|/static/app\.[0-9a-f]+\.`)

func TestFormPageInEveryLanguage(t *testing.T) {
	store := testStore(t)
	ta := newTestAPI(t, store)
	ctx := context.Background()
	if err := store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateActivity(ctx, partnership.Activity{ID: "cafe", Partnership: "vest", Name: "Café", Active: true}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"da", "en", "ar", "uk", "pl", "tr"} {
		t.Run(lang, func(t *testing.T) {
			res, html := ta.page(t, "GET", "/f/citizen_short?lang="+lang+"&p=vest&a=cafe", nil, testCSRF)
			if res.StatusCode != 200 || res.Header.Get("Content-Language") != lang {
				t.Fatalf("status %d, Content-Language %q", res.StatusCode, res.Header.Get("Content-Language"))
			}
			got := volatile.ReplaceAllStringFunc(html, func(s string) string {
				if strings.HasPrefix(s, "name=") {
					return `name="_submission" value="SUBMISSION"`
				}
				return "/static/app.HASH."
			})
			golden := "testdata/form-citizen_short-" + lang + ".html"
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("page differs from %s (UPDATE_GOLDEN=1 rewrites it after review)", golden)
			}
		})
	}
}

func TestFormPageBasics(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	res, html := ta.page(t, "GET", "/f/citizen_short?lang=ar", nil, "")
	for _, want := range []string{`<html lang="ar" dir="rtl">`, `<legend dir="auto">`, `name="_csrf"`, `hreflang="da"`, `aria-current="true">العربية`} {
		if !strings.Contains(html, want) {
			t.Errorf("Arabic page lacks %s", want)
		}
	}
	cookies := res.Header.Values("Set-Cookie")
	if len(cookies) != 1 || !strings.HasPrefix(cookies[0], csrfCookie+"=") || !strings.Contains(cookies[0], "HttpOnly") || !strings.Contains(cookies[0], "SameSite=Strict") {
		t.Errorf("cookies = %v, want only the CSRF cookie, HttpOnly and SameSite=Strict", cookies)
	}
	for header, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if !strings.Contains(res.Header.Get(header), want) {
			t.Errorf("%s = %q, want %q", header, res.Header.Get(header), want)
		}
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("pages may be framed")
	}
	if res, _ := ta.page(t, "GET", "/f/partner_survey", nil, ""); res.StatusCode != 403 {
		t.Errorf("partner survey as a public page: %d, want 403", res.StatusCode)
	}
	if res, html := ta.page(t, "GET", "/f/nope?lang=en", nil, ""); res.StatusCode != 404 || !strings.Contains(html, "The questionnaire does not exist.") {
		t.Errorf("unknown form: %d %s", res.StatusCode, html)
	}
}

func TestFormPostKeepsEveryAnswerOnProblems(t *testing.T) {
	catalog, _ := forms.Builtin()
	ta := newTestAPIWith(t, testStore(t), catalog)
	withTiny(t, ta, catalog)
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"en"},
		"q_colour": {"red"}, "q_why_red": {"because"}, "q_pets": {"cat", "fish"}, "q_note": {"far too long"}}
	res, html := ta.page(t, "POST", "/f/tiny", form, testCSRF)
	if res.StatusCode != 422 {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	for _, want := range []string{
		`<a href="#q-mood" dir="auto">Please answer this question.</a>`,
		`<a href="#q-note" dir="auto">The text is too long. It may have at most 5 characters.</a>`,
		`aria-invalid="true" aria-describedby="e-mood"`,
		`value="red" checked`, `value="cat" checked`, `value="fish" checked`,
		`>far too long</textarea>`, `value="` + form.Get("_submission") + `"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("re-rendered page lacks %s", want)
		}
	}
}

func TestFormPostStoresOnceAndThanks(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"da"},
		"q_belonging_place": {"4"}, "q_barriers": {"cost", "language"}, "q_first_community": {"yes"}, "q_age_band": {"prefer_not"}}
	res, html := ta.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 201 || !strings.Contains(html, "Tak for dine svar!") {
		t.Fatalf("first post: %d\n%s", res.StatusCode, html)
	}
	res, html = ta.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 200 || !strings.Contains(html, "Vi har allerede fået dine svar.") {
		t.Errorf("second post of the same page: %d, want 200 and a thank-you", res.StatusCode)
	}
	rows := ta.stored(t, "citizen_short")
	if len(rows) != 1 || rows[0]["first_community"] != "true" || rows[0]["age_band"] != "prefer_not" {
		t.Errorf("stored %v, want one response", rows)
	}
}

func TestFormPostWithoutCSRFKeepsAnswers(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	form := url.Values{"_csrf": {"stale"}, "_submission": {uuid.NewString()}, "_lang": {"en"}, "q_role": {"helper"}}
	res, html := ta.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 403 || !strings.Contains(html, "The page was too old to send.") || !strings.Contains(html, `value="helper" checked`) {
		t.Errorf("stale page: %d, want 403 with the answers kept", res.StatusCode)
	}
}

func TestFormPostWhenTheStoreIsDown(t *testing.T) {
	ta := newTestAPI(t, brokenStore{Store: testStore(t)})
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"en"}, "q_belonging_place": {"2"}}
	res, html := ta.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" {
		t.Errorf("store down: %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if !strings.Contains(html, "Please try sending again in a minute.") || !strings.Contains(html, `name="q_belonging_place" value="2" checked`) {
		t.Errorf("store-down page does not keep the answer or say to try again:\n%s", html)
	}
}

// The first view of a form, as served compressed, must stay under 20 KB:
// citizens on cheap phones and small data plans open it from a poster.
func TestFirstViewWeighsAtMost20KB(t *testing.T) {
	const budget = 20 * 1024
	ta := newTestAPI(t, testStore(t))
	for _, form := range []string{"citizen_short", "activity_checkin"} {
		for _, lang := range []string{"da", "en", "ar", "uk", "pl", "tr"} {
			res, html := ta.gzipGet(t, "/f/"+form+"?lang="+lang)
			total := res
			for _, asset := range regexp.MustCompile(`/static/[^"]+`).FindAllString(html, -1) {
				n, _ := ta.gzipGet(t, asset)
				total += n
			}
			if total > budget {
				t.Errorf("%s in %s weighs %d bytes compressed, over the %d budget", form, lang, total, budget)
			}
		}
	}
}

// gzipGet fetches a path as a browser would and returns the compressed
// size and the uncompressed text.
func (ta testAPI) gzipGet(t *testing.T, path string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := ta.app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s is not compressed", path)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(zr)
	return len(raw), string(text)
}

func TestFormLinkWithUnknownPartnershipSaysSo(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	for _, method := range []string{"GET", "POST"} {
		var form url.Values
		if method == "POST" {
			form = url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"en"}, "p": {"gone"}, "q_role": {"helper"}}
		}
		res, html := ta.page(t, method, "/f/citizen_short?p=gone&lang=en", form, testCSRF)
		if res.StatusCode != 422 || !strings.Contains(html, "This link is no longer valid.") {
			t.Errorf("%s with an unknown partnership: %d %s, want 422 saying the link is not valid", method, res.StatusCode, html)
		}
	}
}
