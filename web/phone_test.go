package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"samspil/access"
	"samspil/api"
	"samspil/followup"
	"samspil/forms"
	"samspil/i18n"
	"samspil/indicators"
	"samspil/intake"
	"samspil/partnership"
	"samspil/storage"
)

// phones is the whole HTTP app (JSON API and pages, with their shared
// middleware) over a store, as citizens and partners meet it.
type phones struct {
	app   *fiber.App
	store *storage.Store
	skew  *atomic.Int64
}

func (ph phones) now() time.Time { return time.Now().Add(time.Duration(ph.skew.Load())) }

// newPhones serves the app over a fresh store; intakeStore, when given,
// is what responses are stored through.
func newPhones(t *testing.T, catalog *forms.Catalog, intakeStore func(*storage.Store) intake.Store) phones {
	t.Helper()
	return newPhonesWith(t, catalog, intakeStore, nil)
}

// newPhonesWith is newPhones with the configurations of the API and the
// pages changed by tune, when given.
func newPhonesWith(t *testing.T, catalog *forms.Catalog, intakeStore func(*storage.Store) intake.Store, tune func(*api.Config, *Config)) phones {
	t.Helper()
	c := newConsole(t)
	if catalog == nil {
		var err error
		if catalog, err = forms.Builtin(); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ph := phones{store: c.store, skew: c.skew}
	var in intake.Store = c.store
	if intakeStore != nil {
		in = intakeStore(c.store)
	}
	finder := catalogFinder{catalog}
	responses := intake.New(in, finder, ph.now)
	keys, err := followup.NewKeyring(bytes.Repeat([]byte("k"), followup.MinSecret))
	if err != nil {
		t.Fatal(err)
	}
	followUps := followup.New(c.store, keys, ph.now)
	responses.FollowUps(followUps)
	apiCfg := api.Config{Forms: catalog, Messages: msgs, Store: c.store, Now: ph.now, Intake: responses}
	figures := indicators.New(c.store, c.store, indicators.Catalog(catalog), ph.now)
	webCfg := Config{Store: c.store, Forms: catalog, Messages: msgs, Now: ph.now, Intake: responses, Indicators: figures,
		FollowUps: followUps}
	if tune != nil {
		tune(&apiCfg, &webCfg)
	}
	app, err := api.New(apiCfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Mount(app, webCfg); err != nil {
		t.Fatal(err)
	}
	ph.app = app
	return ph
}

type catalogFinder struct{ c *forms.Catalog }

func (f catalogFinder) Form(_ context.Context, id string, version int) (*forms.Form, error) {
	if form, ok := f.c.Form(id, version); ok {
		return form, nil
	}
	return nil, errors.New("no such form")
}

const testCSRF = "0123456789abcdef0123456789abcdef"

// page fetches or posts a phone page, with the CSRF cookie when given.
func (ph phones) page(t *testing.T, method, path string, form url.Values, cookie string) (*http.Response, string) {
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
	res, err := ph.app.Test(req, 30_000)
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

// withTiny adds the test form with a required item and a short text.
func withTiny(t *testing.T) *forms.Catalog {
	t.Helper()
	c, _ := forms.Builtin()
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
	return c
}

var volatile = regexp.MustCompile(`name="_submission" value="[^"]*"|/static/app\.[0-9a-f]+\.`)

func TestFormPageInEveryLanguage(t *testing.T) {
	ph := newPhones(t, nil, nil)
	ctx := context.Background()
	if err := ph.store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5}); err != nil {
		t.Fatal(err)
	}
	if err := ph.store.CreateActivity(ctx, partnership.Activity{ID: "cafe", Partnership: "vest", Name: "Café", Active: true}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"da", "en", "ar", "uk", "pl", "tr"} {
		t.Run(lang, func(t *testing.T) {
			res, html := ph.page(t, "GET", "/f/citizen_short?lang="+lang+"&p=vest&a=cafe", nil, testCSRF)
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
	ph := newPhones(t, nil, nil)
	res, html := ph.page(t, "GET", "/f/citizen_short?lang=ar", nil, "")
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
	if res, _ := ph.page(t, "GET", "/f/partner_survey", nil, ""); res.StatusCode != 403 {
		t.Errorf("partner survey as a public page: %d, want 403", res.StatusCode)
	}
	if res, html := ph.page(t, "GET", "/f/nope?lang=en", nil, ""); res.StatusCode != 404 || !strings.Contains(html, "The questionnaire does not exist.") {
		t.Errorf("unknown form: %d %s", res.StatusCode, html)
	}
}

func TestFormPostKeepsEveryAnswerOnProblems(t *testing.T) {
	ph := newPhones(t, withTiny(t), nil)
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"en"},
		"q_colour": {"red"}, "q_why_red": {"because"}, "q_pets": {"cat", "fish"}, "q_note": {"far too long"}}
	res, html := ph.page(t, "POST", "/f/tiny", form, testCSRF)
	if res.StatusCode != 422 {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	for _, want := range []string{
		// The summary names each question and links to it.
		`<a href="#q-mood" dir="auto"><b>Mood?</b> Please answer this question.</a>`,
		`<a href="#q-note" dir="auto"><b>Note?</b> The text is too long. It may have at most 5 characters.</a>`,
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
	ph := newPhones(t, nil, nil)
	sub := uuid.NewString()
	form := url.Values{"_csrf": {testCSRF}, "_submission": {sub}, "_lang": {"da"},
		"q_belonging_place": {"4"}, "q_barriers": {"cost", "language"}, "q_first_community": {"yes"}, "q_age_band": {"prefer_not"}}
	res, html := ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 201 || !strings.Contains(html, "Tak for dine svar!") {
		t.Fatalf("first post: %d\n%s", res.StatusCode, html)
	}
	res, html = ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 200 || !strings.Contains(html, "Vi har allerede fået dine svar.") {
		t.Errorf("second post of the same page: %d, want 200 and a thank-you", res.StatusCode)
	}
	var n int
	err := ph.store.EachResponse(context.Background(), "citizen_short", "", "", func(forms.Response) error { n++; return nil })
	if err != nil || n != 1 {
		t.Errorf("stored %d responses (%v), want one", n, err)
	}
	r, ok, err := ph.store.Response(context.Background(), forms.ResponseID("citizen_short", sub))
	if err != nil || !ok || r.Answers["first_community"] != true || r.Answers["age_band"] != forms.PreferNot {
		t.Errorf("stored %+v, %v, %v", r.Answers, ok, err)
	}
}

// A page sent with nothing answered is refused and says so; nothing is
// stored or counted.
func TestEmptyFormIsRefused(t *testing.T) {
	ph := newPhones(t, nil, nil)
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"en"}}
	res, html := ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 422 || !strings.Contains(html, "Answer at least one question before you send.") {
		t.Errorf("empty page: %d, want 422 saying to answer one question\n%s", res.StatusCode, html)
	}
	n := 0
	ph.store.EachResponse(context.Background(), "citizen_short", "", "", func(forms.Response) error { n++; return nil })
	if n != 0 {
		t.Errorf("an empty page stored %d responses", n)
	}
}

func TestFormPostWithoutCSRFKeepsAnswers(t *testing.T) {
	ph := newPhones(t, nil, nil)
	form := url.Values{"_csrf": {"stale"}, "_submission": {uuid.NewString()}, "_lang": {"en"}, "q_role": {"helper"}}
	res, html := ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 403 || !strings.Contains(html, "The page was too old to send.") || !strings.Contains(html, `value="helper" checked`) {
		t.Errorf("stale page: %d, want 403 with the answers kept", res.StatusCode)
	}
}

// brokenStore stores no response: the store is down.
type brokenStore struct{ *storage.Store }

func (brokenStore) SaveResponse(context.Context, forms.Response, []forms.Count) (forms.Response, bool, error) {
	return forms.Response{}, false, errors.New("connection refused")
}

func TestFormPostWhenTheStoreIsDown(t *testing.T) {
	ph := newPhones(t, nil, func(s *storage.Store) intake.Store { return brokenStore{s} })
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"en"}, "q_belonging_place": {"2"}}
	res, html := ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
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
	ph := newPhones(t, nil, nil)
	for _, form := range []string{"citizen_short", "activity_checkin"} {
		for _, lang := range []string{"da", "en", "ar", "uk", "pl", "tr"} {
			res, html := ph.gzipGet(t, "/f/"+form+"?lang="+lang)
			total := res
			for _, asset := range regexp.MustCompile(`/static/[^"]+`).FindAllString(html, -1) {
				n, _ := ph.gzipGet(t, asset)
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
func (ph phones) gzipGet(t *testing.T, path string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := ph.app.Test(req)
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
	ph := newPhones(t, nil, nil)
	for _, method := range []string{"GET", "POST"} {
		var form url.Values
		if method == "POST" {
			form = url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"en"}, "p": {"gone"}, "q_role": {"helper"}}
		}
		res, html := ph.page(t, method, "/f/citizen_short?p=gone&lang=en", form, testCSRF)
		if res.StatusCode != 422 || !strings.Contains(html, "This link is no longer valid.") {
			t.Errorf("%s with an unknown partnership: %d %s, want 422 saying the link is not valid", method, res.StatusCode, html)
		}
	}
}

func TestInvitationPage(t *testing.T) {
	ph := newPhones(t, nil, nil)
	ctx := context.Background()
	c := &console{store: ph.store, skew: ph.skew}
	p := c.partnership(t, "Vest", 0)
	p.Contact = "Anne Holm, anne@example.dk"
	ph.store.UpdatePartnership(ctx, p)
	ids := map[string]string{}
	for _, name := range []string{"Jobcenter", "FC Vest", "Bibliotek"} {
		pt := partnership.Partner{ID: partnership.NewID("pt"), Partnership: p.ID, Name: name, Sector: partnership.Civil, Active: true}
		ph.store.CreatePartner(ctx, pt)
		ids[name] = pt.ID
	}
	w := partnership.Wave{ID: partnership.NewID("wa"), Partnership: p.ID, Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: ph.now().Add(-time.Hour), ClosesAt: ph.now().Add(30 * 24 * time.Hour)}
	ph.store.CreateWave(ctx, w)
	token := access.NewToken()
	ph.store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(token), Partnership: p.ID, Wave: w.ID, Partner: ids["Jobcenter"]})

	res, html := ph.page(t, "GET", "/i/"+token+"?lang=da", nil, testCSRF)
	fc := ids["FC Vest"]
	if res.StatusCode != 200 || !strings.Contains(html, "<bdi>Jobcenter</bdi>") || !strings.Contains(html, `value="`+fc+`"`) ||
		strings.Contains(html, `value="`+ids["Jobcenter"]+`"`) {
		t.Fatalf("invitation page: %d; want the partner's name and the others to pick\n%s", res.StatusCode, html)
	}
	// Each question about a partner names it for screen readers.
	if !strings.Contains(html, `<span class="sr"> (FC Vest)</span>`) {
		t.Error("the questions about a partner do not name it")
	}
	// Which partnership, until when, and whom to ask, at the top.
	closes := phoneDate("da", lastDay(w))
	for _, want := range []string{"Partnerskab: Vest", "Runden lukker " + closes, `Spørgsmål? Skriv til Anne Holm, <a href="mailto:anne@example.dk">anne@example.dk</a>.`} {
		if !strings.Contains(html, want) {
			t.Errorf("the partner's page lacks %q", want)
		}
	}
	form := url.Values{"_csrf": {testCSRF}, "_lang": {"da"}, "q_relations_trust_close_relations": {"4"},
		"q_collaboration": {fc}, "q_collaboration__" + fc + "__frequency": {"monthly"}, "q_collaboration__" + fc + "__trust": {"5"}}
	res, html = ph.page(t, "POST", "/i/"+token, form, testCSRF)
	if res.StatusCode != 201 || !strings.Contains(html, "Tak for jeres svar!") || strings.Count(html, "Tak") != 1 ||
		strings.Contains(html, "dine") || !strings.Contains(html, "Jeres svar er gemt. I kan ændre dem på jeres link indtil "+closes+".") ||
		!strings.Contains(html, `href="/i/`+token+`?lang=da">Ændr jeres svar</a>`) {
		t.Fatalf("post: %d, want one thanks in one voice and a link back\n%s", res.StatusCode, html)
	}
	_, html = ph.page(t, "GET", "/i/"+token, nil, testCSRF)
	if !strings.Contains(html, "I svarede "+phoneDate("da", ph.now())+". I kan ændre jeres svar indtil "+closes+".") {
		t.Errorf("coming back: the page does not say when the partner answered")
	}
	if !strings.Contains(html, `name="q_collaboration" value="`+fc+`" checked`) ||
		!strings.Contains(html, `name="q_collaboration__`+fc+`__trust" value="5" checked`) {
		t.Errorf("coming back: the page does not show the answers given before")
	}
	// Without the script, answers about a partner not ticked are not
	// dropped unsaid: the page asks, and sending again leaves them out.
	bib := ids["Bibliotek"]
	unticked := url.Values{"_csrf": {testCSRF}, "_lang": {"da"}, "q_relations_trust_close_relations": {"4"},
		"q_collaboration": {fc}, "q_collaboration__" + fc + "__frequency": {"monthly"}, "q_collaboration__" + bib + "__trust": {"3"}}
	res, html = ph.page(t, "POST", "/i/"+token, unticked, testCSRF)
	if res.StatusCode != 422 || !strings.Contains(html, "I har svaret om Bibliotek uden at sætte kryds ved den.") ||
		!strings.Contains(html, `name="_confirm" value="hidden"`) || !strings.Contains(html, "Tjek et svar") {
		t.Errorf("answers about a partner not ticked: %d, want 422 asking\n%s", res.StatusCode, html)
	}
	unticked.Set("_confirm", "hidden")
	if res, _ := ph.page(t, "POST", "/i/"+token, unticked, testCSRF); res.StatusCode != 200 {
		t.Errorf("sent again: %d, want 200 with the answers stored", res.StatusCode)
	}
	form.Set("q_collaboration__"+fc+"__trust", "9")
	res, html = ph.page(t, "POST", "/i/"+token, form, testCSRF)
	if res.StatusCode != 422 || !strings.Contains(html, `name="q_collaboration__`+fc+`__frequency" value="monthly" checked`) {
		t.Errorf("invalid change: %d, want 422 with the answers kept", res.StatusCode)
	}
	if res, html := ph.page(t, "GET", "/i/not-a-token?lang=en", nil, ""); res.StatusCode != 404 || !strings.Contains(html, "This link does not work.") ||
		!strings.Contains(html, "a new one may have replaced it") || !strings.Contains(html, `href="/i/not-a-token?lang=da"`) {
		t.Errorf("unknown token: %d, want what may have happened, what to do and the language switch\n%s", res.StatusCode, html)
	}

	ph.skew.Add(int64(60 * 24 * time.Hour))
	// Once the round has closed, the link shows the partnership's
	// results instead of the form, and takes no more answers.
	res, html = ph.page(t, "GET", "/i/"+token+"?lang=en", nil, "")
	if res.StatusCode != 200 || !strings.Contains(html, "Results of the partner round") || strings.Contains(html, `name="q_collaboration"`) {
		t.Errorf("closed round: %d %s, want the results page", res.StatusCode, html)
	}
	if res, html := ph.page(t, "POST", "/i/"+token, form, testCSRF); res.StatusCode != 410 || !strings.Contains(html, "Denne runde er lukket") {
		t.Errorf("answering a closed round: %d %s, want a friendly 410 page", res.StatusCode, html)
	}
}

// Forwarded headers count only from a trusted proxy: a client cannot pick
// the address sign-in throttling counts, nor make cookies Secure.
func TestForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		want    int // status of the 21st wrong password, each from its own claimed address
	}{
		{"no proxy", nil, http.StatusTooManyRequests},
		{"trusted proxy", []string{"0.0.0.0/0"}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConsole(t)
			msgs, _ := i18n.Load()
			catalog, _ := forms.Builtin()
			app, err := api.New(api.Config{Forms: catalog, Messages: msgs, Store: c.store, TrustedProxies: tc.proxies})
			if err != nil {
				t.Fatal(err)
			}
			if err := Mount(app, Config{Store: c.store, Forms: catalog, Messages: msgs}); err != nil {
				t.Fatal(err)
			}
			var status int
			for i := range 21 {
				form := url.Values{"_csrf": {testCSRF}, "email": {fmt.Sprintf("u%d@example.dk", i)}, "password": {"wrong password!"}}
				req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Cookie", anonCSRFCookie+"="+testCSRF)
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
				req.Header.Set("X-Forwarded-Proto", "https")
				res, err := app.Test(req, 30_000)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				status = res.StatusCode
			}
			req := httptest.NewRequest("GET", "/login", nil)
			req.Header.Set("X-Forwarded-Proto", "https")
			res, err := app.Test(req, 30_000)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if secure := strings.Contains(res.Header.Get("Set-Cookie"), "secure"); secure != (tc.proxies != nil) {
				t.Errorf("X-Forwarded-Proto: https made the cookie Secure: %v (%s)", secure, res.Header.Get("Set-Cookie"))
			}
			if status != tc.want {
				t.Errorf("21st wrong password: %d, want %d", status, tc.want)
			}
		})
	}
}

// The bare address is a small page, not a JSON 404: what Samspil is, the
// questionnaires anyone may answer, and the way in for staff.
func TestFrontPage(t *testing.T) {
	ph := newPhones(t, nil, nil)
	res, html := ph.page(t, "GET", "/?lang=en", nil, "")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"how is the community doing?", `href="/f/citizen_short?lang=en"`, `href="/login"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the front page lacks %q", want)
		}
	}
	if strings.Contains(html, "/f/partner_survey") {
		t.Error("the front page offers the partner survey, which needs an invitation")
	}
	if res, _ := ph.page(t, "HEAD", "/", nil, ""); res.StatusCode != 200 {
		t.Errorf("HEAD /: %d, want 200 (uptime checks and link previews ask with HEAD)", res.StatusCode)
	}
	if res, _ := ph.page(t, "GET", "/favicon.ico", nil, ""); res.StatusCode != 200 {
		t.Errorf("/favicon.ico: %d, want the icon (a 404 is an error in the browser's console)", res.StatusCode)
	}
	if _, html := ph.page(t, "GET", "/f/citizen_short?lang=da", nil, ""); !strings.Contains(html, `<meta name="description" content="`) {
		t.Error("the citizen form has no meta description")
	}
}

// "No, nothing" with "Transport" contradicts itself: without JavaScript
// the page comes back with the answers kept and the problem at the
// question, naming the option; nothing is stored.
func TestExclusiveOptionRefusedWithOthers(t *testing.T) {
	ph := newPhones(t, nil, nil)
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"da"},
		"q_belonging_place": {"4"}, "q_barriers": {"nothing", "transport"}}
	res, html := ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 422 || !strings.Contains(html, "»Nej, intet« passer ikke sammen med andre svar.") ||
		!strings.Contains(html, `value="transport" checked`) || !strings.Contains(html, `value="4" checked`) {
		t.Errorf("nothing with transport: %d, want 422 with the problem named at the question and the answers kept\n%s", res.StatusCode, html)
	}
	// "Prefer not to answer" with an option is as contradictory.
	form.Set("q_barriers", "transport")
	form.Add("q_barriers", "prefer_not")
	res, html = ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 422 || !strings.Contains(html, "»Vil ikke svare« passer ikke sammen med andre svar.") {
		t.Errorf("prefer not with transport: %d, want 422 naming it at the question", res.StatusCode)
	}
	n := 0
	ph.store.EachResponse(context.Background(), "citizen_short", "", "", func(forms.Response) error { n++; return nil })
	if n != 0 {
		t.Errorf("stored %d contradictory responses", n)
	}
}

func TestShortText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Mood?", "Mood?"},
		{"Jeg føler, at jeg hører til her.", "Jeg føler, at jeg hører til her."},
		{"Hvor ofte har du i de sidste to uger følt dig glad og i godt humør, alt i alt?", "Hvor ofte har du i de sidste to uger følt dig glad og i…"},
	} {
		if got := shortText(tt.in); got != tt.want {
			t.Errorf("shortText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Without the script, "first time" with "every week" answers a question
// that no longer applies: the page says so at that question, naming the
// earlier one, keeps every answer, and sending again stores the rest.
func TestHiddenAnswerIsConfirmedNotDropped(t *testing.T) {
	ph := newPhones(t, nil, nil)
	sub := uuid.NewString()
	form := url.Values{"_csrf": {testCSRF}, "_submission": {sub}, "_lang": {"en"},
		"q_belonging_place": {"4"}, "q_duration": {"first_time"}, "q_frequency": {"weekly"}}
	res, html := ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	if res.StatusCode != 422 || !strings.Contains(html, "This question does not apply given your answer to “How long have you taken part?”") ||
		!strings.Contains(html, "<h2>Check an answer</h2>") ||
		!strings.Contains(html, `value="weekly" checked`) || !strings.Contains(html, `name="_confirm" value="hidden"`) {
		t.Fatalf("an answer to a question that does not apply: %d, want 422 saying so at the question\n%s", res.StatusCode, html)
	}
	form.Set("_confirm", "hidden")
	if res, _ := ph.page(t, "POST", "/f/citizen_short", form, testCSRF); res.StatusCode != 201 {
		t.Fatalf("sent again: %d, want 201", res.StatusCode)
	}
	r, ok, err := ph.store.Response(context.Background(), forms.ResponseID("citizen_short", sub))
	if err != nil || !ok || r.Answers["frequency"] != nil || r.Answers["duration"] != "first_time" {
		t.Errorf("stored %+v, want first_time without the frequency", r.Answers)
	}
}

// The thank-you page's language links show the thanks in that language,
// with the link to the results, not a new empty form.
func TestThanksInAnotherLanguage(t *testing.T) {
	ph := newPhones(t, nil, nil)
	ctx := context.Background()
	ph.store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5})
	form := url.Values{"_csrf": {testCSRF}, "_submission": {uuid.NewString()}, "_lang": {"da"}, "p": {"vest"}, "q_belonging_place": {"4"}}
	res, html := ph.page(t, "POST", "/f/citizen_short", form, testCSRF)
	link := `href="/f/citizen_short/thanks?lang=ar&amp;p=vest"`
	if res.StatusCode != 201 || !strings.Contains(html, link) || strings.Contains(html, `href="/f/citizen_short?lang=`) {
		t.Fatalf("thank-you page: %d, want language links to the thanks\n%s", res.StatusCode, html)
	}
	res, html = ph.page(t, "GET", "/f/citizen_short/thanks?lang=ar&p=vest", nil, "")
	if res.StatusCode != 200 || !strings.Contains(html, `dir="rtl"`) || !strings.Contains(html, "شكرًا على إجاباتك!") ||
		!strings.Contains(html, `href="/r/vest?lang=ar"`) || strings.Contains(html, "<form") {
		t.Errorf("the thanks in Arabic: %d\n%s", res.StatusCode, html)
	}
}

func TestLinkMail(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Skriv til Anne, anne@example.dk.", `Skriv til Anne, <a href="mailto:anne@example.dk">anne@example.dk</a>.`},
		{"Ring 12 34 56 78", "Ring 12 34 56 78"},
		{`<script>x@y.dk</script>`, `&lt;script&gt;<a href="mailto:x@y.dk">x@y.dk</a>&lt;/script&gt;`},
	} {
		if got := string(linkMail(tt.in)); got != tt.want {
			t.Errorf("linkMail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
