package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"samspil/outbox"
	"samspil/storage"
)

// fixture is a partnership with partners of several sectors and a partner
// wave that is open now.
type fixture struct {
	ta       testAPI
	store    *storage.Store
	pid      string
	wave     string
	partners map[string]string // name → id
	backbone string            // a backbone key of this partnership
	other    string            // a backbone key of another partnership
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	return newFixtureWith(t, testStore(t), nil)
}

// newFixtureWith builds the fixture over store, sending mail with mails
// when it is not nil.
func newFixtureWith(t *testing.T, store *storage.Store, mails *outbox.Service) fixture {
	t.Helper()
	catalog, _ := testCatalogs(t)
	ta := newTestAPIWith(t, store, catalog)
	if mails != nil {
		ta = newTestAPIWith(t, store, catalog, mails)
	}
	fx := fixture{ta: ta, store: store, partners: map[string]string{}}
	admin := []string{"Authorization", "Bearer " + fx.ta.admin}
	_, p := fx.ta.call(t, "POST", "/api/v1/partnerships", `{"name":"Partnerskab Vest","area":"Vestbyen"}`, admin...)
	fx.pid = p["id"].(string)
	_, other := fx.ta.call(t, "POST", "/api/v1/partnerships", `{"name":"Partnerskab Øst"}`, admin...)
	for _, pr := range []struct{ name, sector string }{
		{"Bibliotek", "public"}, {"Jobcenter", "public"}, {"FC Vest", "civil"}, {"Røde Kors", "civil"},
		{"Brugsen", "private"}, {"Mødregruppen", "citizen_group"}, {"Frivilligcenter", "backbone"},
	} {
		res, out := fx.ta.call(t, "POST", "/api/v1/partnerships/"+fx.pid+"/partners",
			fmt.Sprintf(`{"name":%q,"sector":%q}`, pr.name, pr.sector), admin...)
		if res.StatusCode != 201 {
			t.Fatalf("partner %s: %d %v", pr.name, res.StatusCode, out)
		}
		fx.partners[pr.name] = out["id"].(string)
	}
	now := time.Now().UTC()
	res, w := fx.ta.call(t, "POST", "/api/v1/partnerships/"+fx.pid+"/waves",
		fmt.Sprintf(`{"form":"partner_survey","opens_at":%q,"closes_at":%q}`, now.Add(-time.Hour).Format(time.RFC3339), now.Add(30*24*time.Hour).Format(time.RFC3339)), admin...)
	if res.StatusCode != 201 || w["status"] != "open" || w["respondents"] != "partners" {
		t.Fatalf("wave: %d %v", res.StatusCode, w)
	}
	fx.wave = w["id"].(string)
	fx.backbone = fx.key(t, "backbone", fx.pid)
	fx.other = fx.key(t, "backbone", other["id"].(string))
	return fx
}

func (fx fixture) key(t *testing.T, role, pid string) string {
	t.Helper()
	res, out := fx.ta.call(t, "POST", "/api/v1/keys", fmt.Sprintf(`{"role":%q,"partnership":%q}`, role, pid), "Authorization", "Bearer "+fx.ta.admin)
	if res.StatusCode != 201 {
		t.Fatalf("key: %d %v", res.StatusCode, out)
	}
	return out["key"].(string)
}

// Every route, called by every kind of caller, answers as its access rule
// says. A route missing from this table fails the test, so no endpoint
// ships without a decision on who may call it.
func TestEveryRouteForEveryRole(t *testing.T) {
	fx := newFixture(t)
	const (
		anyone   = "anyone"
		admins   = "admin"
		managers = "admin, own backbone"
		viewers  = "admin, own backbone, evaluator"
		readers  = "admin, evaluator"
	)
	who := map[string]string{
		"GET /healthz": anyone, "GET /readyz": anyone, "GET /api/v1/openapi.json": anyone,
		"GET /api/v1/forms": anyone, "POST /api/v1/forms": admins, "GET /api/v1/forms/:id": anyone,
		"GET /api/v1/forms/:id/codebook": readers, "POST /api/v1/forms/:id/responses": anyone,
		"GET /api/v1/forms/:id/summary": readers,
		"POST /api/v1/keys":             admins, "GET /api/v1/keys": admins, "DELETE /api/v1/keys/:kid": admins,
		"GET /api/v1/audit":         admins,
		"POST /api/v1/partnerships": admins, "GET /api/v1/partnerships": viewers,
		"GET /api/v1/partnerships/:pid": viewers, "PATCH /api/v1/partnerships/:pid": managers, "DELETE /api/v1/partnerships/:pid": admins,
		"DELETE /api/v1/partnerships/:pid/partners/:id": managers,
		"POST /api/v1/partnerships/:pid/partners":       managers, "GET /api/v1/partnerships/:pid/partners": viewers,
		`POST /api/v1/partnerships/:pid/partners\:import`:       managers,
		"PATCH /api/v1/partnerships/:pid/partners/:id":          managers,
		"POST /api/v1/partnerships/:pid/activities":             managers,
		"GET /api/v1/partnerships/:pid/activities":              managers,
		"PATCH /api/v1/partnerships/:pid/activities/:id":        managers,
		"POST /api/v1/partnerships/:pid/waves":                  managers,
		"GET /api/v1/partnerships/:pid/waves":                   managers,
		"GET /api/v1/partnerships/:pid/waves/:wid":              managers,
		"PATCH /api/v1/partnerships/:pid/waves/:wid":            managers,
		"POST /api/v1/partnerships/:pid/waves/:wid/reminders":   managers,
		"GET /api/v1/partnerships/:pid/waves/:wid/mail":         managers,
		"POST /api/v1/partnerships/:pid/waves/:wid/invitations": managers,
		"GET /api/v1/partnerships/:pid/waves/:wid/invitations":  managers,
		"GET /api/v1/partnerships/:pid/waves/:wid/status":       managers,
		"GET /api/v1/partnerships/:pid/links":                   managers,
		"GET /api/v1/partnerships/:pid/links/qr.svg":            managers,
		"GET /api/v1/partnerships/:pid/links/qr.png":            managers,
		"GET /api/v1/partnerships/:pid/links/:aid/qr.svg":       managers,
		"GET /api/v1/partnerships/:pid/links/:aid/qr.png":       managers,
		"GET /api/v1/invitations/:token":                        anyone,
		"PUT /api/v1/invitations/:token/response":               anyone,
		"GET /api/v1/partnerships/:pid/export.csv":              viewers,
		"GET /api/v1/partnerships/:pid/datapackage.json":        viewers,
		"GET /api/v1/export/:form.csv":                          readers,
		"GET /api/v1/export/:form/datapackage.json":             readers,
		"GET /api/v1/partnerships/:pid/indicators/change":       viewers,
		"GET /api/v1/indicators/inclusion":                      readers,
		"GET /api/v1/partnerships/:pid/indicators/inclusion":    viewers,
		"GET /api/v1/partnerships/:pid/indicators/health":       viewers,
		"GET /api/v1/partnerships/:pid/theory":                  viewers,
		"PUT /api/v1/partnerships/:pid/theory":                  managers,
		"GET /api/v1/partnerships/:pid/theory/template":         viewers,
		"GET /api/v1/partnerships/:pid/theory/versions":         viewers,
		"GET /api/v1/partnerships/:pid/theory/versions/:n":      viewers,
		"GET /api/v1/partnerships/:pid/theory/compare":          viewers,
		"GET /api/v1/partnerships/:pid/network":                 viewers,
	}
	callers := []struct {
		name, key string
	}{
		{"no key", ""}, {"admin", fx.ta.admin}, {"own backbone", fx.backbone}, {"other backbone", fx.other}, {"evaluator", fx.ta.evaluator},
	}
	param := regexp.MustCompile(`:\w+`)
	for _, r := range (&server{}).routes() {
		route := r.method + " " + r.path
		rule, ok := who[route]
		if !ok {
			t.Errorf("%s: not in this table; decide who may call it", route)
			continue
		}
		delete(who, route)
		path := strings.ReplaceAll(param.ReplaceAllStringFunc(strings.ReplaceAll(r.path, `\:`, "\x00"), func(p string) string {
			if p == ":pid" {
				return fx.pid
			}
			return "x"
		}), "\x00", ":")
		for _, c := range callers {
			headers := []string{"Content-Type", "application/json"}
			if c.key != "" {
				headers = append(headers, "Authorization", "Bearer "+c.key)
			}
			req := httptest.NewRequest(r.method, path, strings.NewReader("{}"))
			for i := 0; i < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			res, err := fx.ta.app.Test(req, 30_000)
			if err != nil {
				t.Fatal(err)
			}
			name := c.name
			if name == "other backbone" && !strings.Contains(r.path, ":pid") {
				name = "own backbone" // lists without a partnership show a backbone its own
			}
			allowed := rule == anyone || strings.Contains(rule, name)
			switch {
			case allowed && (res.StatusCode == 401 || res.StatusCode == 403):
				t.Errorf("%s as %s: %d, want access (%s)", route, c.name, res.StatusCode, rule)
			case !allowed && c.key == "" && res.StatusCode != 401:
				t.Errorf("%s without a key: %d, want 401", route, res.StatusCode)
			case !allowed && c.key != "" && res.StatusCode != 403:
				t.Errorf("%s as %s: %d, want 403 (%s)", route, c.name, res.StatusCode, rule)
			}
		}
	}
	for route := range who {
		t.Errorf("%s is in the table but not a route", route)
	}
}

func TestInvitationLifecycle(t *testing.T) {
	fx := newFixture(t)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	base := "/api/v1/partnerships/" + fx.pid + "/waves/" + fx.wave

	// Deactivated partners are not invited.
	fx.ta.call(t, "PATCH", "/api/v1/partnerships/"+fx.pid+"/partners/"+fx.partners["Brugsen"], `{"active":false}`, bb...)
	res, out := fx.ta.call(t, "POST", base+"/invitations", "", bb...)
	if res.StatusCode != 201 || out["created"] != float64(6) {
		t.Fatalf("invitations: %d %v, want 6 created", res.StatusCode, out)
	}
	links := map[string]string{}
	for _, l := range out["invitations"].([]any) {
		l := l.(map[string]any)
		links[l["name"].(string)] = l["link"].(string)
	}
	if _, out := fx.ta.call(t, "POST", base+"/invitations", "", bb...); out["created"] != float64(0) {
		t.Errorf("inviting again created %v, want 0: one invitation per partner", out["created"])
	}
	token := links["Bibliotek"][strings.LastIndex(links["Bibliotek"], "/")+1:]
	if len(token) < 22 {
		t.Fatalf("token %q is shorter than 128 bits", token)
	}

	res, inv := fx.ta.call(t, "GET", "/api/v1/invitations/"+token+"?lang=en", "")
	if res.StatusCode != 200 || inv["partner_name"] != "Bibliotek" || inv["status"] != "open" {
		t.Fatalf("invitation: %d %v", res.StatusCode, inv)
	}
	roster := inv["roster"].([]any)
	if len(roster) != 5 {
		t.Errorf("roster has %d partners, want the 5 other active ones", len(roster))
	}
	answer := func(trust int) string {
		return fmt.Sprintf(`{"lang":"da","answers":{"relations_trust_close_relations":4,"collaboration":[{"partner":%q,"frequency":"weekly","trust":%d}]}}`,
			fx.partners["FC Vest"], trust)
	}
	if res, out := fx.ta.call(t, "PUT", "/api/v1/invitations/"+token+"/response", answer(5)); res.StatusCode != 201 {
		t.Fatalf("first answer: %d %v", res.StatusCode, out)
	}
	if res, out := fx.ta.call(t, "PUT", "/api/v1/invitations/"+token+"/response", answer(2)); res.StatusCode != 200 || out["replaced"] != true {
		t.Fatalf("changed answer: %d %v, want 200 replaced", res.StatusCode, out)
	}
	stranger := fmt.Sprintf(`{"answers":{"collaboration":[{"partner":%q,"trust":3}]}}`, fx.partners["Bibliotek"])
	if res, out := fx.ta.call(t, "PUT", "/api/v1/invitations/"+token+"/response", stranger); res.StatusCode != 422 {
		t.Errorf("rating itself: %d %v, want 422", res.StatusCode, out)
	}
	_, inv = fx.ta.call(t, "GET", "/api/v1/invitations/"+token, "")
	rated := inv["answers"].(map[string]any)["collaboration"].([]any)[0].(map[string]any)
	if rated["trust"] != float64(2) {
		t.Errorf("stored answer = %v, want the changed trust 2", rated)
	}
	if rows := fx.ta.stored(t, "partner_survey"); len(rows) != 1 {
		t.Errorf("%d stored answers after an answer and its change, want 1", len(rows))
	}
	if res, _ := fx.ta.call(t, "GET", "/api/v1/invitations/not-a-token", ""); res.StatusCode != 404 {
		t.Errorf("unknown token: %d, want 404", res.StatusCode)
	}

	// After the wave closes, the link refuses kindly.
	later := fx.ta
	later.app = reopen(t, fx, func() time.Time { return time.Now().Add(60 * 24 * time.Hour) })
	if res, out := later.call(t, "PUT", "/api/v1/invitations/"+token+"/response", answer(3)); res.StatusCode != 410 || out["error"].(map[string]any)["code"] != "wave_closed" {
		t.Errorf("answer after closing: %d %v, want 410 wave_closed", res.StatusCode, out)
	}

	// The audit log names the partner's invitation, never the token.
	_, log := fx.ta.call(t, "GET", "/api/v1/audit", "", "Authorization", "Bearer "+fx.ta.admin)
	logText, _ := json.Marshal(log)
	if strings.Contains(string(logText), token) || !strings.Contains(string(logText), "response.replace") {
		t.Errorf("audit log holds the token or lacks the replacement: %s", logText)
	}
}

// reopen builds a second app over the same store, with another clock.
func reopen(t *testing.T, fx fixture, now func() time.Time) *fiber.App {
	t.Helper()
	catalog, messages := testCatalogs(t)
	app, err := New(Config{Forms: catalog, Messages: messages, Store: fx.store, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func TestResponseRatesBySector(t *testing.T) {
	fx := newFixture(t)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	base := "/api/v1/partnerships/" + fx.pid + "/waves/" + fx.wave
	_, out := fx.ta.call(t, "POST", base+"/invitations", "", bb...)
	links := map[string]string{}
	for _, l := range out["invitations"].([]any) {
		l := l.(map[string]any)
		links[l["name"].(string)] = l["link"].(string)
	}
	// Hand-built: of 2 public partners 1 answers, of 2 civil both, of 1
	// private none, of 1 citizen group none, the backbone answers.
	for _, name := range []string{"Bibliotek", "FC Vest", "Røde Kors", "Frivilligcenter"} {
		token := links[name][strings.LastIndex(links[name], "/")+1:]
		if res, out := fx.ta.call(t, "PUT", "/api/v1/invitations/"+token+"/response", `{"answers":{"communication_informed":3}}`); res.StatusCode != 201 {
			t.Fatalf("%s: %d %v", name, res.StatusCode, out)
		}
	}
	_, status := fx.ta.call(t, "GET", base+"/status", "", bb...)
	got, _ := json.Marshal(status["by_sector"])
	want := `{"backbone":{"invited":1,"responded":1,"response_rate":1},"citizen_group":{"invited":1,"responded":0,"response_rate":0},` +
		`"civil":{"invited":2,"responded":2,"response_rate":1},"private":{"invited":1,"responded":0,"response_rate":0},` +
		`"public":{"invited":2,"responded":1,"response_rate":0.5}}`
	if string(got) != want {
		t.Errorf("by sector = %s\nwant        %s", got, want)
	}
	if status["invited"] != float64(7) || status["responded"] != float64(4) || status["response_rate"] != 4.0/7 {
		t.Errorf("totals = %v invited, %v responded, rate %v; want 7, 4, 4/7", status["invited"], status["responded"], status["response_rate"])
	}
}

func TestPartnerImport(t *testing.T) {
	fx := newFixture(t)
	path := "/api/v1/partnerships/" + fx.pid + "/partners:import"
	post := func(file string) (int, map[string]any) {
		data, err := os.ReadFile("../partnership/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", path, strings.NewReader(string(data)))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+fx.backbone)
		req.Header.Set("Accept-Language", "en")
		res, err := fx.ta.app.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	count := func() int {
		ps, err := fx.store.Partners(context.Background(), fx.pid)
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	before := count()
	status, out := post("partners-bad-row.csv")
	if status != 422 || count() != before {
		t.Fatalf("file with bad rows: %d, %d partners created; want 422 and none", status, count()-before)
	}
	rows := out["rows"].([]any)
	if len(rows) != 4 || rows[0].(map[string]any)["status"] != "would_create" || rows[1].(map[string]any)["status"] != "rejected" {
		t.Errorf("report = %v", rows)
	}
	if msg := rows[1].(map[string]any)["errors"].([]any)[0].(map[string]any)["message"]; !strings.Contains(msg.(string), "public, civil") {
		t.Errorf("sector message = %v", msg)
	}
	status, out = post("partners-windows1252-cr.csv")
	if status != 201 || out["created"] != float64(3) || count() != before+3 {
		t.Fatalf("good file: %d %v", status, out)
	}
	ps, _ := fx.store.Partners(context.Background(), fx.pid)
	found := false
	for _, p := range ps {
		found = found || p.Name == "FC Æblehaven"
	}
	if !found {
		t.Error("the Danish name FC Æblehaven did not survive the import")
	}
	if status, _ := post("partners-crlf.csv"); status != 422 || count() != before+3 {
		t.Errorf("importing the same names again: %d, want 422 and nothing created", status)
	}
}

func TestBadInputIsRefusedAndNothingHalfWritten(t *testing.T) {
	fx := newFixture(t)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	p := "/api/v1/partnerships/" + fx.pid
	_, otherP := fx.ta.call(t, "POST", "/api/v1/partnerships", `{"name":"Tredje"}`, "Authorization", "Bearer "+fx.ta.admin)
	_, stranger := fx.ta.call(t, "POST", "/api/v1/partnerships/"+otherP["id"].(string)+"/partners", `{"name":"Fremmed","sector":"civil"}`, "Authorization", "Bearer "+fx.ta.admin)
	tests := []struct {
		name, method, path, body, field, code string
	}{
		{"wave closing before it opens", "POST", p + "/waves", `{"form":"partner_survey","opens_at":"2026-05-01T00:00:00Z","closes_at":"2026-04-01T00:00:00Z"}`, "closes_at", "closes_before_open"},
		{"wave of a form of the wrong kind", "POST", p + "/waves", `{"form":"citizen_short","respondents":"partners","opens_at":"2026-05-01T00:00:00Z","closes_at":"2026-06-01T00:00:00Z"}`, "respondents", "wrong_kind"},
		{"wave of an unknown form", "POST", p + "/waves", `{"form":"nope","opens_at":"2026-05-01T00:00:00Z","closes_at":"2026-06-01T00:00:00Z"}`, "form", "unknown_form"},
		{"activity run by another partnership's partner", "POST", p + "/activities", `{"name":"Café","partners":["` + stranger["id"].(string) + `"]}`, "partners[0]", "unknown_partner"},
		{"duplicate partner name", "POST", p + "/partners", `{"name":"bibliotek","sector":"public"}`, "name", "duplicate_name"},
		{"sector outside the list", "POST", p + "/partners", `{"name":"Kirken","sector":"church"}`, "sector", "invalid_sector"},
		{"minimum group below 3", "PATCH", p, `{"min_group":2}`, "min_group", "min_group_too_small"},
		// The minimum protects citizens from the partnership's own staff.
		{"minimum group changed by the backbone", "PATCH", p, `{"min_group":7}`, "min_group", "admin_only"},
		{"backbone key without partnership", "POST", "/api/v1/keys", `{"role":"backbone"}`, "partnership", "required"},
	}
	for _, tt := range tests {
		headers := bb
		if tt.path == "/api/v1/keys" || tt.code == "min_group_too_small" {
			headers = []string{"Authorization", "Bearer " + fx.ta.admin}
		}
		res, out := fx.ta.call(t, tt.method, tt.path, tt.body, headers...)
		errs, _ := out["errors"].([]any)
		if res.StatusCode != 422 || len(errs) != 1 || errs[0].(map[string]any)["field"] != tt.field || errs[0].(map[string]any)["code"] != tt.code {
			t.Errorf("%s: %d %v, want 422 %s %s", tt.name, res.StatusCode, out, tt.field, tt.code)
		}
	}
	_, waves := fx.ta.call(t, "GET", p+"/waves", "", bb...)
	_, acts := fx.ta.call(t, "GET", p+"/activities", "", bb...)
	if len(waves["waves"].([]any)) != 1 || len(acts["activities"].([]any)) != 0 {
		t.Errorf("refused requests left data behind: %d waves, %d activities", len(waves["waves"].([]any)), len(acts["activities"].([]any)))
	}
}

func TestCitizenResponsesArePlaced(t *testing.T) {
	fx := newFixture(t)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	p := "/api/v1/partnerships/" + fx.pid
	_, act := fx.ta.call(t, "POST", p+"/activities", `{"name":"Lektiecafé"}`, bb...)
	now := time.Now().UTC()
	_, w := fx.ta.call(t, "POST", p+"/waves", fmt.Sprintf(`{"form":"citizen_short","opens_at":%q,"closes_at":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)), bb...)
	sub := func(pid, aid string) string {
		return fmt.Sprintf(`{"submission_id":%q,"partnership":%q,"activity":%q,"answers":{"belonging_place":4}}`, uuid.NewString(), pid, aid)
	}
	if res, out := fx.ta.call(t, "POST", responses, sub(fx.pid, act["id"].(string))); res.StatusCode != 201 {
		t.Fatalf("placed response: %d %v", res.StatusCode, out)
	} else {
		stored, ok, err := fx.store.Response(context.Background(), out["id"].(string))
		if err != nil || !ok || stored.Wave != w["id"] || stored.Activity != act["id"] || stored.Partnership != fx.pid {
			t.Errorf("stored = %+v, want partnership, activity and the open wave %v", stored, w["id"])
		}
	}
	if res, _ := fx.ta.call(t, "POST", responses, sub("nowhere", "")); res.StatusCode != 422 {
		t.Errorf("unknown partnership: %d, want 422", res.StatusCode)
	}
	fx.ta.call(t, "PATCH", p+"/activities/"+act["id"].(string), `{"active":false}`, bb...)
	if res, out := fx.ta.call(t, "POST", responses, sub(fx.pid, act["id"].(string))); res.StatusCode != 422 || !strings.Contains(fmt.Sprint(out), "inactive_activity") {
		t.Errorf("inactive activity: %d %v, want 422 inactive_activity", res.StatusCode, out)
	}
	_, links := fx.ta.call(t, "GET", p+"/links", "", bb...)
	if n := len(links["links"].([]any)); n != 1 {
		t.Errorf("%d links with the only activity inactive, want the partnership's alone", n)
	}
	req := httptest.NewRequest("GET", p+"/links/qr.svg", nil)
	req.Header.Set("Authorization", "Bearer "+fx.backbone)
	res, _ := fx.ta.app.Test(req)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("QR code: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
