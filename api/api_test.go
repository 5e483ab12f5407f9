package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"samspil/access"
	"samspil/forms"
	"samspil/i18n"
	"samspil/outbox"
	"samspil/storage"
)

// testStore opens a fresh store: a real MongoDB when SAMSPIL_TEST_MONGO_URI
// is set, else the embedded store in a temporary folder.
func testStore(t *testing.T) *storage.Store {
	t.Helper()
	ctx := context.Background()
	cfg := storage.Config{DataDir: t.TempDir()}
	if uri := os.Getenv("SAMSPIL_TEST_MONGO_URI"); uri != "" {
		cfg.URI, cfg.Database = uri, fmt.Sprintf("samspil_api_%d", time.Now().UnixNano())
	}
	s, err := storage.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	return s
}

// testAPI is an app over a store, with one key per role.
type testAPI struct {
	app       *fiber.App
	admin     string
	evaluator string
	// skew moves the server's clock ahead of the real one: figures are
	// released when a month has ended, so tests jump past it.
	skew *atomic.Int64
	// registry holds the app's metrics, which main serves on their own
	// address.
	registry *prometheus.Registry
}

// stored reads an admin's raw export of a form: every stored response,
// answers by column name, before any release.
func (ta testAPI) stored(t *testing.T, form string) []map[string]string {
	t.Helper()
	req := httptest.NewRequest("GET", "/api/v1/export/"+form+".csv?raw=true", nil)
	req.Header.Set("Authorization", "Bearer "+ta.admin)
	res, err := ta.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("raw export: %d %v", res.StatusCode, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, name := range rows[0] {
			m[name] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// now is the server's time.
func (ta testAPI) now() time.Time { return time.Now().Add(time.Duration(ta.skew.Load())).UTC() }

// advance moves the server's clock ahead by d.
func (ta testAPI) advance(d time.Duration) { ta.skew.Add(int64(d)) }

// nextMonth moves the server's clock past the end of the month it is in,
// so that what was answered so far is released.
func (ta testAPI) nextMonth() {
	now := ta.now()
	next := time.Date(now.Year(), now.Month()+1, 1, 2, 0, 0, 0, time.UTC)
	ta.advance(next.Sub(now))
}

func newTestAPI(t *testing.T, store Store) testAPI {
	t.Helper()
	catalog, _ := testCatalogs(t)
	return newTestAPIWith(t, store, catalog)
}

// testCatalogs loads the built-in forms and the message catalogs.
func testCatalogs(t *testing.T) (*forms.Catalog, *i18n.Messages) {
	t.Helper()
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	messages, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return catalog, messages
}

// newTestAPIWith builds the app with a catalog of forms and, when given,
// an outbox that sends mail.
func newTestAPIWith(t *testing.T, store Store, catalog *forms.Catalog, mails ...*outbox.Service) testAPI {
	t.Helper()
	_, messages := testCatalogs(t)
	skew := &atomic.Int64{}
	reg := prometheus.NewRegistry()
	// No abuse limits: tests send many requests from one address; the
	// limits have tests of their own.
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	var out *outbox.Service
	if len(mails) > 0 {
		out = mails[0]
	}
	if b, ok := store.(brokenStore); ok {
		// Outages are of the API's own reads and writes.
		out = &outbox.Service{Store: b.Store.(outbox.Store), Now: now}
	}
	app, err := New(Config{Forms: catalog, Messages: messages, Store: store, Registry: reg, Limits: &access.Limits{},
		Now: now, Outbox: out})
	if err != nil {
		t.Fatal(err)
	}
	ta := testAPI{app: app, skew: skew, registry: reg}
	for role, secret := range map[access.Role]*string{access.RoleAdmin: &ta.admin, access.RoleEvaluator: &ta.evaluator} {
		key, s := access.NewKey(role, "", time.Now())
		if err := store.SaveKey(context.Background(), key); err != nil {
			t.Fatal(err)
		}
		*secret = s
	}
	return ta
}

// call sends a request and decodes a JSON reply into a map.
func (ta testAPI) call(t *testing.T, method, path, body string, headers ...string) (*http.Response, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := ta.app.Test(req, 30_000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(data) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: reply %q is not JSON: %v", method, path, data, err)
		}
	}
	return res, out
}

func submissionBody(id string, answers string) string {
	return fmt.Sprintf(`{"submission_id":%q,"lang":"da","answers":%s}`, id, answers)
}

const responses = "/api/v1/forms/citizen_short/responses"

func TestStatusCodes(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	stored := uuid.NewString()
	if res, _ := ta.call(t, "POST", responses, submissionBody(stored, `{"belonging_place":4}`)); res.StatusCode != 201 {
		t.Fatalf("first submission: %d, want 201", res.StatusCode)
	}
	bearer := func(k string) []string { return []string{"Authorization", "Bearer " + k} }

	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		status  int
		code    string
	}{
		{"health", "GET", "/healthz", "", nil, 200, ""},
		{"ready", "GET", "/readyz", "", nil, 200, ""},
		{"form list", "GET", "/api/v1/forms", "", nil, 200, ""},
		{"form", "GET", "/api/v1/forms/citizen_short", "", nil, 200, ""},
		{"unknown form", "GET", "/api/v1/forms/nope", "", nil, 404, "not_found"},
		{"unknown route", "GET", "/api/v1/nope", "", nil, 404, "route_not_found"},
		{"new response", "POST", responses, submissionBody(uuid.NewString(), `{"belonging_place":4}`), nil, 201, ""},
		{"contradictory answers", "POST", responses, submissionBody(uuid.NewString(), `{"barriers":["nothing","transport"]}`), nil, 422, "validation_failed"},
		{"empty response", "POST", responses, submissionBody(uuid.NewString(), `{}`), nil, 422, "validation_failed"},
		{"response without answers", "POST", responses, `{"submission_id":"` + uuid.NewString() + `","answers":null}`, nil, 422, "validation_failed"},
		{"duplicate key", "POST", responses, `{"submission_id":"` + uuid.NewString() + `","answers":{"belonging_place":4,"belonging_place":1}}`, nil, 400, "duplicate_key"},
		{"retried response", "POST", responses, submissionBody(stored, `{"belonging_place":4}`), nil, 200, ""},
		{"reused submission id", "POST", responses, submissionBody(stored, `{"belonging_place":1}`), nil, 409, "submission_conflict"},
		{"response to unknown form", "POST", "/api/v1/forms/nope/responses", submissionBody(uuid.NewString(), `{}`), nil, 404, "not_found"},
		{"malformed JSON", "POST", responses, `{"submission_id":`, nil, 400, "malformed_json"},
		{"two JSON values", "POST", responses, `{} {}`, nil, 400, "malformed_json"},
		{"invalid UTF-8", "POST", responses, submissionBody(uuid.NewString(), "{\"comment\":\"a\xffb\"}"), nil, 400, "invalid_utf8"},
		{"wrong content type", "POST", responses, submissionBody(uuid.NewString(), `{}`), []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"Latin-1 JSON", "POST", responses, submissionBody(uuid.NewString(), `{"belonging_place":4}`), []string{"Content-Type", "application/json; charset=iso-8859-1"}, 415, "unsupported_charset"},
		{"UTF-8 JSON said so", "POST", responses, submissionBody(uuid.NewString(), `{"belonging_place":4}`), []string{"Content-Type", "application/json; charset=UTF-8"}, 201, ""},
		{"unknown field", "POST", responses, `{"submission_id":"x","extra":1}`, nil, 422, "validation_failed"},
		{"invalid answers", "POST", responses, submissionBody(uuid.NewString(), `{"belonging_place":6}`), nil, 422, "validation_failed"},
		{"summary without key", "GET", "/api/v1/forms/citizen_short/summary", "", nil, 401, "unauthorized"},
		{"summary with wrong key", "GET", "/api/v1/forms/citizen_short/summary", "", bearer("sk_wrong"), 401, "unauthorized"},
		{"summary with other scheme", "GET", "/api/v1/forms/citizen_short/summary", "", []string{"Authorization", "Basic " + ta.evaluator}, 401, "unauthorized"},
		{"summary for evaluator", "GET", "/api/v1/forms/citizen_short/summary", "", bearer(ta.evaluator), 200, ""},
		{"summary for admin", "GET", "/api/v1/forms/citizen_short/summary", "", bearer(ta.admin), 200, ""},
		{"summary of unknown form", "GET", "/api/v1/forms/nope/summary", "", bearer(ta.admin), 404, "not_found"},
		{"key by admin", "POST", "/api/v1/keys", `{"role":"evaluator"}`, bearer(ta.admin), 201, ""},
		{"key by evaluator", "POST", "/api/v1/keys", `{"role":"admin"}`, bearer(ta.evaluator), 403, "forbidden"},
		{"key without key", "POST", "/api/v1/keys", `{"role":"admin"}`, nil, 401, "unauthorized"},
		{"key with unknown role", "POST", "/api/v1/keys", `{"role":"king"}`, bearer(ta.admin), 422, "validation_failed"},
		{"key without role", "POST", "/api/v1/keys", `{}`, bearer(ta.admin), 422, "validation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := ta.call(t, tt.method, tt.path, tt.body, tt.headers...)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %v", res.StatusCode, tt.status, body)
			}
			if tt.code == "" {
				return
			}
			e, _ := body["error"].(map[string]any)
			if e["code"] != tt.code || e["message"] == "" || e["message"] == nil {
				t.Errorf("error = %v, want code %q and a message", body["error"], tt.code)
			}
		})
	}
}

// Fiber's app.Test cannot see the body limit, which the server enforces
// while reading, so this one goes over a loopback connection.
func TestBodyTooLargeIs413(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ta.app.Listener(ln)
	t.Cleanup(func() { _ = ta.app.Shutdown() })

	huge := submissionBody(uuid.NewString(), fmt.Sprintf(`{"comment":%q}`, strings.Repeat("a", bodyLimit)))
	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+responses, strings.NewReader(huge))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out errorBody
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 413 || out.Error.Code != "body_too_large" || out.Error.Message != "The content is too large. It may be at most 64 KiB." {
		t.Errorf("oversized body: %d %+v, want 413 body_too_large", res.StatusCode, out)
	}
}

func TestSubmitListsEveryProblemInTheRequestLanguage(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	body := `{"submission_id":"not-a-uuid","lang":"LANG","answers":{"belonging_place":9,"role":"boss","first_community":5,"shoe_size":44}}`
	tests := []struct {
		lang    string
		summary string
		range_  string
	}{
		{"da", "Nogle af svarene skal rettes.", "Vælg et tal fra 1 til 5."},
		{"en", "Some of the answers need to be corrected.", "Choose a number from 1 to 5."},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			res, out := ta.call(t, "POST", responses, strings.Replace(body, "LANG", tt.lang, 1))
			if res.StatusCode != 422 {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if got := out["error"].(map[string]any)["message"]; got != tt.summary {
				t.Errorf("message = %q, want %q", got, tt.summary)
			}
			got := map[string]string{}
			messages := map[string]string{}
			for _, e := range out["errors"].([]any) {
				e := e.(map[string]any)
				got[e["field"].(string)] = e["code"].(string)
				messages[e["field"].(string)] = e["message"].(string)
			}
			want := map[string]string{
				"submission_id":           "invalid_uuid",
				"answers.belonging_place": "out_of_range",
				"answers.role":            "unknown_option",
				"answers.first_community": "wrong_type",
				"answers.shoe_size":       "unknown_item",
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("errors = %v, want %v", got, want)
			}
			if messages["answers.belonging_place"] != tt.range_ {
				t.Errorf("range message = %q, want %q", messages["answers.belonging_place"], tt.range_)
			}
			if res.Header.Get("Content-Language") != tt.lang {
				t.Errorf("Content-Language = %q, want %q", res.Header.Get("Content-Language"), tt.lang)
			}
		})
	}
}

func TestErrorLanguageFollowsQueryThenHeader(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	tests := []struct {
		path, accept, want string
	}{
		{"/api/v1/forms/nope", "", "Spørgeskemaet findes ikke."},
		{"/api/v1/forms/nope", "en-GB,en;q=0.8", "The questionnaire does not exist."},
		{"/api/v1/forms/nope?lang=da", "en", "Spørgeskemaet findes ikke."},
		{"/api/v1/forms/nope?lang=en", "", "The questionnaire does not exist."},
	}
	for _, tt := range tests {
		_, out := ta.call(t, "GET", tt.path, "", "Accept-Language", tt.accept)
		if got := out["error"].(map[string]any)["message"]; got != tt.want {
			t.Errorf("GET %s (Accept-Language %q): message %q, want %q", tt.path, tt.accept, got, tt.want)
		}
	}
}

func TestFormInTheNegotiatedLanguage(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	_, da := ta.call(t, "GET", "/api/v1/forms/citizen_short", "")
	_, en := ta.call(t, "GET", "/api/v1/forms/citizen_short?lang=en", "")
	if da["lang"] != "da" || en["lang"] != "en" || da["dir"] != "ltr" {
		t.Fatalf("lang/dir = %v/%v and %v, want da/ltr and en", da["lang"], da["dir"], en["lang"])
	}
	first := func(f map[string]any) map[string]any { return f["items"].([]any)[0].(map[string]any) }
	if first(da)["text"] != "Jeg føler, at jeg hører til her." || first(en)["text"] != "I feel that I belong here." {
		t.Errorf("first question: %q / %q", first(da)["text"], first(en)["text"])
	}
	if first(en)["min"] != float64(1) || first(en)["max"] != float64(5) || first(en)["labels"].(map[string]any)["min"] != "Not at all" {
		t.Errorf("scale item = %v, want 1-5 with end labels", first(en))
	}
	_, list := ta.call(t, "GET", "/api/v1/forms", "", "Accept-Language", "en")
	var f map[string]any
	for _, l := range list["forms"].([]any) {
		if l.(map[string]any)["id"] == "citizen_short" {
			f = l.(map[string]any)
		}
	}
	if f["id"] != "citizen_short" || f["title"] != "How are things for you here?" || f["kind"] != "citizen" {
		t.Errorf("listing = %v", f)
	}
}

// A retry is one response, and the summary counts what was released: the
// five helpers once their month has ended, and not the two who alone said
// they are over 67 (a group of two), nor anything before the month ends.
func TestSummaryCountsStoredResponsesOnce(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	first := uuid.NewString()
	bodies := []string{
		submissionBody(first, `{"belonging_place":5,"role":"helper","barriers":["language","cost"]}`),
		submissionBody(first, `{"belonging_place":5,"role":"helper","barriers":["cost","language"]}`), // a retry
	}
	for range 4 {
		bodies = append(bodies, submissionBody(uuid.NewString(), `{"belonging_place":2,"role":"helper","barriers":["cost"],"first_community":true}`))
	}
	for range 2 {
		bodies = append(bodies, submissionBody(uuid.NewString(), `{"belonging_place":1,"age_band":"67_plus","role":"helper"}`))
	}
	for _, body := range bodies {
		if res, _ := ta.call(t, "POST", responses, body); res.StatusCode >= 300 {
			t.Fatalf("submit: %d", res.StatusCode)
		}
	}
	summary := func() string {
		_, out := ta.call(t, "GET", "/api/v1/forms/citizen_short/summary", "", "Authorization", "Bearer "+ta.evaluator)
		delete(out, "released_through")
		got, _ := json.Marshal(out)
		return string(got)
	}
	if got := summary(); !strings.Contains(got, `"n":0`) {
		t.Errorf("summary before the month ended = %s, want n 0", got)
	}
	ta.nextMonth()
	// The retry lists the same picks in another order: the same answer.
	want := `{"form":"citizen_short","items":{"age_band":{"answered":0},` +
		`"barriers":{"answered":5,"values":{"cost":5,"language":1}},"belonging_place":{"answered":5,"values":{"2":4,"5":1}},` +
		`"belonging_someone":{"answered":0},"duration":{"answered":0},"first_community":{"answered":0},` +
		`"frequency":{"answered":0},"influence_decide":{"answered":0},"influence_heard":{"answered":0},` +
		`"role":{"answered":5,"values":{"helper":5}},"trust_organisers":{"answered":0},"trust_participants":{"answered":0}},"n":5}`
	if got := summary(); got != want {
		t.Errorf("summary = %s\nwant      %s", got, want)
	}
}

func TestKeysAreShownOnceAndWork(t *testing.T) {
	store := testStore(t)
	ta := newTestAPI(t, store)
	res, out := ta.call(t, "POST", "/api/v1/keys", `{"role":"evaluator"}`, "Authorization", "Bearer "+ta.admin)
	secret, _ := out["key"].(string)
	if res.StatusCode != 201 || secret == "" || out["role"] != "evaluator" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create key: %d %v", res.StatusCode, out)
	}
	if res, _ := ta.call(t, "GET", "/api/v1/forms/citizen_short/summary", "", "Authorization", "Bearer "+secret); res.StatusCode != 200 {
		t.Errorf("new evaluator key: %d, want 200", res.StatusCode)
	}
	if _, found, err := store.Key(context.Background(), secret); err != nil || found {
		t.Errorf("the secret itself finds a key (%v, %v): keys must be stored hashed", found, err)
	}
}

// brokenStore fails or panics where a store that went away, or a bug,
// would; keys and partnerships still work, so requests get that far.
type brokenStore struct {
	Store
	panic bool
}

var errDown = errors.New("connection refused")

func (b brokenStore) Ping(context.Context) error { return errDown }
func (b brokenStore) SaveResponse(context.Context, forms.Response, []forms.Count) (forms.Response, bool, error) {
	return forms.Response{}, false, errDown
}
func (b brokenStore) LoadRelease(context.Context, string) ([]byte, bool, error) {
	if b.panic {
		panic("bug")
	}
	return nil, false, errDown
}
func (b brokenStore) Forms(context.Context) ([]*forms.Form, error) { return nil, errDown }

func TestStoreOutageIs503WithRetryAfter(t *testing.T) {
	ta := newTestAPI(t, brokenStore{Store: testStore(t)})
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/readyz", ""},
		{"POST", responses, submissionBody(uuid.NewString(), `{"belonging_place":3}`)},
		{"GET", "/api/v1/forms/citizen_short/summary", ""},
	} {
		res, out := ta.call(t, c.method, c.path, c.body, "Authorization", "Bearer "+ta.admin, "Accept-Language", "en")
		e, _ := out["error"].(map[string]any)
		if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || e["code"] != "store_unavailable" {
			t.Errorf("%s %s: %d %v (Retry-After %q), want 503 store_unavailable", c.method, c.path, res.StatusCode, out, res.Header.Get("Retry-After"))
		}
		if strings.Contains(fmt.Sprint(out), "refused") {
			t.Errorf("%s %s leaks the driver's error: %v", c.method, c.path, out)
		}
	}
	if res, _ := ta.call(t, "GET", "/healthz", ""); res.StatusCode != 200 {
		t.Errorf("healthz with the store down: %d, want 200 (the process is alive)", res.StatusCode)
	}
}

func TestPanicIsRecoveredAs500(t *testing.T) {
	ta := newTestAPI(t, brokenStore{Store: testStore(t), panic: true})
	res, out := ta.call(t, "GET", "/api/v1/forms/citizen_short/summary", "", "Authorization", "Bearer "+ta.admin)
	if e, _ := out["error"].(map[string]any); res.StatusCode != 500 || e["code"] != "internal" {
		t.Errorf("panicking handler: %d %v, want a 500 JSON error", res.StatusCode, out)
	}
	if res, _ := ta.call(t, "GET", "/healthz", ""); res.StatusCode != 200 {
		t.Errorf("after a panic: %d, want the server still serving", res.StatusCode)
	}
}

func TestMetricsCountRequestsByRouteTemplate(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	ta.call(t, "POST", responses, submissionBody(uuid.NewString(), `{"belonging_place":4}`))
	ta.call(t, "GET", "/no/such/path/123", "")
	if res, _ := ta.call(t, "GET", "/metrics", ""); res.StatusCode != 404 {
		t.Errorf("/metrics on the public address: %d, want 404 (it has its own address)", res.StatusCode)
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(ta.registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	data := rec.Body.Bytes()
	for _, want := range []string{
		`samspil_http_requests_total{method="POST",route="/api/v1/forms/:id/responses",status="201"} 1`,
		`samspil_http_requests_total{method="GET",route="unmatched",status="404"} 2`,
		`samspil_responses_stored_total 1`,
		`samspil_http_request_duration_seconds_bucket`,
		`samspil_store_errors_total 0`,
	} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
