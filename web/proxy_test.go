package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"samspil/access"
	"samspil/api"
)

// get fetches a path with extra headers.
func (ph phones) get(t *testing.T, path string, headers ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := ph.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func csrfCookieOf(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == csrfCookie {
			return c
		}
	}
	return nil
}

// Forwarded headers count only from the configured proxies: a client
// that says X-Forwarded-Proto: https does not make cookies Secure, nor
// does X-Forwarded-For give it a fresh address to count limits by.
func TestForwardedHeadersCountOnlyFromTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		secure  bool
		limited bool
	}{
		{"no proxy configured", nil, false, true},
		{"another proxy", []string{"10.9.8.7"}, false, true},
		// httptest requests come from 0.0.0.0.
		{"from the proxy", []string{"0.0.0.0"}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limits, _ := access.NewLimits("2/1h", "off", "off")
			ph := newPhonesWith(t, nil, nil, func(a *api.Config, w *Config) {
				a.TrustedProxies, a.Limits, w.Limits = tc.proxies, limits, limits
			})
			openCitizenWave(t, ph)
			res := ph.get(t, "/f/citizen_short?p=vest", "X-Forwarded-Proto", "https")
			c := csrfCookieOf(res)
			if c == nil || c.Secure != tc.secure {
				t.Errorf("CSRF cookie %+v, want Secure %v", c, tc.secure)
			}
			// Three responses, each claiming another address.
			var last int
			for i := range 3 {
				form := answered(uuid.NewString())
				req := httptest.NewRequest(http.MethodPost, "/f/citizen_short", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Cookie", csrfCookie+"="+testCSRF)
				req.Header.Set("X-Forwarded-For", "192.0.2."+string(rune('1'+i)))
				res, err := ph.app.Test(req, 30_000)
				if err != nil {
					t.Fatal(err)
				}
				last = res.StatusCode
			}
			if (last == http.StatusTooManyRequests) != tc.limited {
				t.Errorf("third response from 'another' address: %d, want limited %v", last, tc.limited)
			}
		})
	}
}

// A service whose public address is HTTPS tells browsers to keep to it.
func TestHSTSWhenThePublicAddressIsHTTPS(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want bool
	}{{"https://samspil.example.dk", true}, {"http://localhost:8080", false}, {"", false}} {
		ph := newPhonesWith(t, nil, nil, func(a *api.Config, w *Config) { a.PublicURL, w.PublicURL = tc.url, tc.url })
		for _, path := range []string{"/", "/f/citizen_short", "/api/v1/forms"} {
			hsts := ph.get(t, path).Header.Get("Strict-Transport-Security")
			if (hsts != "") != tc.want {
				t.Errorf("public URL %q, %s: Strict-Transport-Security %q, want it %v", tc.url, path, hsts, tc.want)
			}
		}
	}
}
