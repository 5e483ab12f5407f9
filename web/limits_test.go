package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"samspil/access"
	"samspil/api"
)

// tightLimits gives the API and the pages one set of small limits.
func tightLimits(t *testing.T) func(*api.Config, *Config) {
	t.Helper()
	l, err := access.NewLimits("3/1h", "2/10m", "2/1m")
	if err != nil {
		t.Fatal(err)
	}
	return func(a *api.Config, w *Config) { a.Limits, w.Limits = l, l }
}

// Past the limit of responses from one address, the page comes back with
// 429, when to send again, and every answer still in it; the JSON API
// says the same in its own words.
func TestSubmissionsFromOneAddressAreLimited(t *testing.T) {
	ph := newPhonesWith(t, nil, nil, tightLimits(t))
	openCitizenWave(t, ph)
	for i := range 3 {
		if res, _ := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString()), testCSRF); res.StatusCode != http.StatusCreated {
			t.Fatalf("response %d: %d", i+1, res.StatusCode)
		}
	}
	res, html := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString()), testCSRF)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" ||
		!strings.Contains(html, "Many answers came from your network just now. Send again in 20 min.") ||
		!strings.Contains(html, `name="q_belonging_place" value="4" checked`) {
		t.Errorf("fourth response: %d, Retry-After %q, want 429 with the answers kept:\n%s", res.StatusCode, res.Header.Get("Retry-After"), html)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/forms/citizen_short/responses?lang=da",
		strings.NewReader(`{"submission_id":"`+uuid.NewString()+`","answers":{"belonging_place":4}}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := ph.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("JSON response past the limit: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if n := ph.responsesIn(t); n != 3 {
		t.Errorf("n = %d, want only the 3 within the limit", n)
	}
	ph.skew.Add(int64(21 * time.Minute))
	if res, _ := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString()), testCSRF); res.StatusCode != http.StatusCreated {
		t.Errorf("20 minutes later: %d, want the response taken", res.StatusCode)
	}
}

// Invitation links and follow-up codes that open nothing are guesses:
// past the limit, even a right one waits, in the page's language.
func TestGuessesAreLimited(t *testing.T) {
	ph := newPhonesWith(t, nil, nil, tightLimits(t))
	openCitizenWave(t, ph)
	_, html := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "_follow", "new"), testCSRF)
	code := shownCode.FindStringSubmatch(html)[1]

	for range 2 {
		if res, _ := ph.page(t, http.MethodGet, "/i/no-such-token-"+uuid.NewString(), nil, ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown invitation: %d", res.StatusCode)
		}
	}
	res, html := ph.page(t, http.MethodGet, "/i/another-token?lang=da", nil, "")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(html, "For mange forsøg fra dit netværk.") {
		t.Errorf("third unknown invitation: %d, Retry-After %q:\n%s", res.StatusCode, res.Header.Get("Retry-After"), html)
	}
	forget := url.Values{"_csrf": {testCSRF}, "_lang": {"en"}, "_code": {code}}
	if res, html := ph.page(t, http.MethodPost, "/forget", forget, testCSRF); res.StatusCode != http.StatusTooManyRequests ||
		!strings.Contains(html, "Too many attempts from your network.") {
		t.Errorf("a right code after too many guesses: %d\n%s", res.StatusCode, html)
	}
	ph.skew.Add(int64(6 * time.Minute))
	if res, _ := ph.page(t, http.MethodPost, "/forget", forget, testCSRF); res.StatusCode != http.StatusOK {
		t.Errorf("5 minutes later, the right code: %d", res.StatusCode)
	}
}

// Wrong API keys from one address are answered with 429 past the limit,
// and then a right key waits too.
func TestWrongAPIKeysAreLimited(t *testing.T) {
	ph := newPhonesWith(t, nil, nil, tightLimits(t))
	call := func(key string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/partnerships?lang=en", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := ph.app.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, key := range []string{"sk_wrong1", "sk_wrong2"} {
		if res := call(key); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong key: %d", res.StatusCode)
		}
	}
	if res := call("sk_wrong3"); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "30" {
		t.Errorf("third wrong key: %d, Retry-After %q; want 429 after 30 s", res.StatusCode, res.Header.Get("Retry-After"))
	}
}
