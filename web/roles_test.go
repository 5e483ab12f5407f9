package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samspil/access"
	"samspil/partnership"
)

// Every page and form action, for every kind of person: who may use it is
// written out here by hand, so a changed rule has to change this table.
func TestEveryPageForEveryRole(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	own := c.partnership(t, "Nord", 3)
	other := c.partnership(t, "Syd", 1)
	pws := map[string]string{
		"admin":          c.user(t, "admin@example.dk", access.RoleAdmin),
		"own backbone":   c.user(t, "own@example.dk", access.RoleBackbone, own.ID),
		"other backbone": c.user(t, "other@example.dk", access.RoleBackbone, other.ID),
		"evaluator":      c.user(t, "eva@example.dk", access.RoleEvaluator),
	}
	emails := map[string]string{"admin": "admin@example.dk", "own backbone": "own@example.dk", "other backbone": "other@example.dk", "evaluator": "eva@example.dk"}
	c.user(t, "colleague@example.dk", access.RoleBackbone, own.ID)
	partners, _ := c.store.Partners(ctx, own.ID)
	act := partnership.Activity{ID: partnership.NewID("ac"), Partnership: own.ID, Name: "Café", Active: true, Partners: []string{}}
	c.store.CreateActivity(ctx, act)
	w := partnership.Wave{ID: partnership.NewID("wa"), Partnership: own.ID, Form: "partner_survey", Version: 1, Respondents: "partners",
		OpensAt: c.now().Add(-1e12), ClosesAt: c.now().Add(1e15)}
	c.store.CreateWave(ctx, w)
	params := map[string]string{":pid": own.ID, ":id": partners[0].ID, ":partner": partners[1].ID, ":aid": act.ID, ":wid": w.ID,
		":email": "colleague@example.dk", ":token": "x", ":name": "x"}

	const (
		anyone   = "anyone"
		all      = "admin, own backbone, other backbone, evaluator"
		viewers  = "admin, own backbone, evaluator"
		managers = "admin, own backbone"
		admins   = "admin"
	)
	who := map[string]string{
		"GET /": anyone, "GET /login": anyone, "POST /login": anyone, "POST /logout": all,
		"GET /setup/:token": anyone, "POST /setup/:token": anyone, "GET /static/:name": anyone, "GET /favicon.ico": anyone,
		"GET /f/:id": anyone, "POST /f/:id": anyone, "GET /f/:id/thanks": anyone, "GET /a/:aid": anyone, "GET /p/:pid": anyone, "GET /i/:token": anyone, "GET /r/:pid": anyone, "POST /i/:token": anyone, "GET /forget": anyone, "GET /privacy": anyone, "POST /forget": anyone,
		"GET /console": all, "GET /console/account": all, "POST /console/account": all,
		"POST /console/account/sign-out-everywhere": all, "POST /console/account/password": all, "GET /console/partners-template.csv": all,
		"POST /console/partnerships": admins, "GET /console/audit": admins,
		"GET /console/staff": "admin, own backbone, other backbone", "POST /console/staff": "admin, own backbone, other backbone",
		"POST /console/staff/account":    managers,
		"GET /console/p/*":               all,
		"GET /console/partnerships/:pid": viewers, "POST /console/partnerships/:pid": managers,
		"GET /console/partnerships/:pid/results": viewers, "GET /console/partnerships/:pid/network": viewers, "GET /console/partnerships/:pid/report": viewers, "GET /console/partnerships/:pid/theory": viewers, "POST /console/partnerships/:pid/theory": managers,
		"POST /console/partnerships/:pid/theory/start": managers, "GET /console/partnerships/:pid/theory/edit": managers, "GET /console/partnerships/:pid/theory/versions": viewers,
		"GET /console/partnerships/:pid/partners": viewers, "POST /console/partnerships/:pid/partners": managers,
		"POST /console/partnerships/:pid/partners/import": managers,
		"GET /console/partnerships/:pid/partners/:id":     managers, "POST /console/partnerships/:pid/partners/:id": managers,
		"GET /console/partnerships/:pid/activities": viewers, "POST /console/partnerships/:pid/activities": managers,
		"GET /console/partnerships/:pid/activities/:aid": managers, "POST /console/partnerships/:pid/activities/:aid": managers,
		"GET /console/partnerships/:pid/poster": managers, "GET /console/partnerships/:pid/activities/:aid/poster": managers,
		"GET /console/partnerships/:pid/waves": viewers, "POST /console/partnerships/:pid/waves": managers,
		"GET /console/partnerships/:pid/waves/:wid": viewers, "POST /console/partnerships/:pid/waves/:wid/dates": managers,
		"POST /console/partnerships/:pid/waves/:wid/invitations": managers, "POST /console/partnerships/:pid/waves/:wid/invitations/:partner": managers,
		"POST /console/partnerships/:pid/waves/:wid/reminders": managers, "POST /console/partnerships/:pid/waves/:wid/mail/:partner": managers,
	}
	browsers := map[string]*browser{"not signed in": c.browser(t)}
	for name, pw := range pws {
		b := c.browser(t)
		if status, _ := b.signIn(emails[name], pw); status != http.StatusSeeOther {
			t.Fatalf("sign in as %s: %d", name, status)
		}
		browsers[name] = b
	}
	param := regexp.MustCompile(`:\w+`)
	for _, r := range (&server{assets: &assets{}}).routes() {
		route := r.method + " " + r.path
		rule, ok := who[route]
		if !ok {
			t.Errorf("%s: not in this table; decide who may use it", route)
			continue
		}
		delete(who, route)
		if route == "POST /logout" || rule == anyone {
			continue // the sign-in tests cover these
		}
		path := param.ReplaceAllStringFunc(r.path, func(p string) string { return params[p] })
		for name, b := range browsers {
			b.get("/console/account") // a page with this browser's form token
			var status int
			if r.method == http.MethodGet {
				status = b.get(path)
			} else {
				// The staff form names its account in a field.
				status, _ = b.post(path, url.Values{"email": {"colleague@example.dk"}})
			}
			allowed := rule == anyone || strings.Contains(rule, name)
			switch {
			case allowed && (status == 401 || status == 403 || (status == 303 && name != "not signed in" && strings.Contains(b.last, "login"))):
				t.Errorf("%s as %s: %d, want access (%s)", route, name, status, rule)
			case !allowed && name == "not signed in" && r.method == http.MethodGet && status != http.StatusSeeOther:
				t.Errorf("%s not signed in: %d, want a redirect to sign in", route, status)
			case !allowed && name == "not signed in" && r.method == http.MethodPost && status != http.StatusUnauthorized && status != http.StatusForbidden:
				t.Errorf("%s not signed in: %d, want 401", route, status)
			case !allowed && name != "not signed in" && status != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403 (%s)", route, name, status, rule)
			}
		}
	}
	for route := range who {
		t.Errorf("%s is in the table but not a route", route)
	}
}
