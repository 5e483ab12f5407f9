package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"samspil/forms"
	"samspil/indicators"
	"samspil/partnership"
)

// openCitizenWave makes partnership vest with an open citizen round.
func openCitizenWave(t *testing.T, ph phones) {
	t.Helper()
	ctx := context.Background()
	if err := ph.store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5}); err != nil {
		t.Fatal(err)
	}
	now := ph.now()
	if err := ph.store.CreateWave(ctx, partnership.Wave{ID: "w1", Partnership: "vest", Form: "citizen_short", Respondents: "citizens",
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

var shownCode = regexp.MustCompile(`class="code-value"[^>]*>([A-Z0-9-]+)<`)

// answered is a filled-in citizen form in vest, with what the follow-up
// question got.
func answered(submission string, follow ...string) url.Values {
	v := url.Values{"_csrf": {testCSRF}, "_submission": {submission}, "_lang": {"en"}, "p": {"vest"}, "q_belonging_place": {"4"}}
	for i := 0; i+1 < len(follow); i += 2 {
		v.Set(follow[i], follow[i+1])
	}
	return v
}

func (ph phones) responsesIn(t *testing.T) int {
	t.Helper()
	tally, err := ph.store.Tally(context.Background(), "citizen_short")
	if err != nil {
		t.Fatal(err)
	}
	return tally.N
}

func TestFollowUpCodeFromFormToDeletion(t *testing.T) {
	ph := newPhones(t, nil, nil)
	openCitizenWave(t, ph)

	// Only a partnership's link offers it: a code follows a person within
	// one partnership's questions.
	if _, html := ph.page(t, http.MethodGet, "/f/citizen_short?lang=en&p=vest", nil, ""); !strings.Contains(html, `name="_follow" value="new"`) ||
		!strings.Contains(html, "Do you want to answer again later") {
		t.Fatal("the form in a partnership does not offer a follow-up code")
	}
	if _, html := ph.page(t, http.MethodGet, "/f/citizen_short?lang=en", nil, ""); strings.Contains(html, `name="_follow"`) {
		t.Error("the form outside any partnership offers a follow-up code")
	}

	// A new code, shown once, large, without language links that would
	// lose it; sent again, the same code.
	first := uuid.NewString()
	res, html := ph.page(t, http.MethodPost, "/f/citizen_short", answered(first, "_follow", "new"), testCSRF)
	m := shownCode.FindStringSubmatch(html)
	if res.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("status %d, no code shown:\n%s", res.StatusCode, html)
	}
	code := m[1]
	if strings.Contains(html, `class="langs"`) || !strings.Contains(html, `href="/forget?lang=en"`) {
		t.Error("the code's thank-you page has language links, or no way to delete the answers")
	}
	if _, again := ph.page(t, http.MethodPost, "/f/citizen_short", answered(first, "_follow", "new"), testCSRF); !strings.Contains(again, ">"+code+"<") {
		t.Errorf("sent again, the page does not show the same code %s", code)
	}

	// Next time: the code typed as people type it joins the answers.
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	res, html = ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "_follow", "code", "_code", typed), testCSRF)
	if res.StatusCode != http.StatusCreated || !strings.Contains(html, "Your answers are saved under your code.") || shownCode.MatchString(html) {
		t.Fatalf("a known code: status %d\n%s", res.StatusCode, html)
	}
	// A code typed without ticking its option counts too.
	if res, _ := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "_code", code), testCSRF); res.StatusCode != http.StatusCreated {
		t.Fatalf("a code without its option: status %d", res.StatusCode)
	}

	// A wrong or missing code is said at the question and in the summary,
	// and nothing typed is lost.
	for _, tc := range []struct {
		follow []string
		want   string
	}{
		{[]string{"_follow", "code", "_code", "ACEF-HJKM"}, "We do not know this code."},
		{[]string{"_follow", "code", "_code", ""}, "Type your code in the box."},
		{[]string{"_follow", "new", "_code", code}, "You typed a code and also chose another answer."},
		{[]string{"_follow", "no", "_code", code}, "You typed a code and also chose another answer."},
		{[]string{"_code", "hello"}, "A code has 8 characters"},
	} {
		res, html := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), tc.follow...), testCSRF)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `<p class="error" id="e-follow" dir="auto">`+tc.want) ||
			!strings.Contains(html, `<a href="#q-follow" dir="auto"><b>Do you want to answer again later`) ||
			!strings.Contains(html, `name="q_belonging_place" value="4" checked`) {
			t.Errorf("follow-up %q: status %d, want the problem at the question and in the summary, answers kept:\n%s", tc.follow, res.StatusCode, html)
		}
	}
	if n := ph.responsesIn(t); n != 3 {
		t.Fatalf("n = %d, want the 3 accepted responses", n)
	}

	// The deletion page: the code finds 3 answers, then deletes them.
	if res, html := ph.page(t, http.MethodGet, "/forget?lang=ar", nil, ""); res.StatusCode != http.StatusOK || !strings.Contains(html, `dir="rtl"`) {
		t.Errorf("deletion page in Arabic: %d", res.StatusCode)
	}
	forget := url.Values{"_csrf": {testCSRF}, "_lang": {"en"}, "_code": {typed}}
	if res, html := ph.page(t, http.MethodPost, "/forget", forget, testCSRF); res.StatusCode != http.StatusOK ||
		!strings.Contains(html, "The code "+code+" belongs to 3 answers") || !strings.Contains(html, `name="_do" value="answers"`) {
		t.Fatalf("finding the answers: %d\n%s", res.StatusCode, html)
	}
	if n := ph.responsesIn(t); n != 3 {
		t.Fatalf("finding them deleted something: n = %d", n)
	}
	forget.Set("_do", "answers")
	// The deletion answers with a redirect, so that a reload never sends
	// it again.
	res, _ = ph.page(t, http.MethodPost, "/forget", forget, testCSRF)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deleting: %d, want a redirect", res.StatusCode)
	}
	if _, html := ph.page(t, http.MethodGet, res.Header.Get("Location"), nil, ""); !strings.Contains(html, "Your answers and your code are deleted.") {
		t.Errorf("after deleting, %s says:\n%s", res.Header.Get("Location"), html)
	}
	if n := ph.responsesIn(t); n != 0 {
		t.Errorf("after deleting, n = %d, want 0", n)
	}
	if res, html := ph.page(t, http.MethodPost, "/forget", forget, testCSRF); res.StatusCode != http.StatusNotFound ||
		!strings.Contains(html, "We do not know this code.") {
		t.Errorf("the deleted code: %d, want unknown", res.StatusCode)
	}
	// The code no longer joins answers either.
	if res, _ := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "_code", code), testCSRF); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a deleted code on the form: %d, want 422", res.StatusCode)
	}
}

func TestForgetOnlyTheCodeKeepsTheAnswers(t *testing.T) {
	ph := newPhones(t, nil, nil)
	openCitizenWave(t, ph)
	_, html := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "_follow", "new"), testCSRF)
	code := shownCode.FindStringSubmatch(html)[1]
	forget := url.Values{"_csrf": {testCSRF}, "_lang": {"da"}, "_code": {code}, "_do": {"code"}}
	res, _ := ph.page(t, http.MethodPost, "/forget", forget, testCSRF)
	if _, html := ph.page(t, http.MethodGet, res.Header.Get("Location"), nil, ""); res.StatusCode != http.StatusSeeOther ||
		!strings.Contains(html, "Din kode er slettet.") {
		t.Fatalf("deleting the code: %d\n%s", res.StatusCode, html)
	}
	if n := ph.responsesIn(t); n != 1 {
		t.Errorf("n = %d, want the answers kept", n)
	}
	if res, _ := ph.page(t, http.MethodPost, "/forget", forget, ""); res.StatusCode != http.StatusForbidden {
		t.Errorf("deletion without the form's cookie: %d, want 403", res.StatusCode)
	}
}

func TestFollowUpCodeInJSON(t *testing.T) {
	ph := newPhones(t, nil, nil)
	openCitizenWave(t, ph)
	send := func(body map[string]any) (int, map[string]any) {
		t.Helper()
		data, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/forms/citizen_short/responses", strings.NewReader(string(data)))
		req.Header.Set("Content-Type", "application/json")
		res, err := ph.app.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return res.StatusCode, out
	}
	status, out := send(map[string]any{"submission_id": uuid.NewString(), "partnership": "vest", "follow_up": "new",
		"answers": map[string]any{"belonging_place": 3}})
	code, _ := out["follow_up_code"].(string)
	if status != http.StatusCreated || len(code) != 9 {
		t.Fatalf("new code: %d %v", status, out)
	}
	if status, out := send(map[string]any{"submission_id": uuid.NewString(), "partnership": "vest", "follow_up": code,
		"answers": map[string]any{"belonging_place": 4}}); status != http.StatusCreated || out["follow_up_code"] != code {
		t.Errorf("known code: %d %v", status, out)
	}
	for _, tc := range []struct {
		body map[string]any
		code string
	}{
		{map[string]any{"partnership": "vest", "follow_up": "ACEF-HJKM"}, "unknown_follow_up"},
		{map[string]any{"partnership": "vest", "follow_up": "nope"}, "invalid_follow_up"},
		{map[string]any{"follow_up": code}, "follow_up_unavailable"},
	} {
		tc.body["submission_id"] = uuid.NewString()
		tc.body["answers"] = map[string]any{"belonging_place": 4}
		status, out := send(tc.body)
		data, _ := json.Marshal(out)
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"field":"follow_up"`) || !strings.Contains(string(data), tc.code) {
			t.Errorf("%v: %d %s; want 422 %s at follow_up", tc.body["follow_up"], status, data, tc.code)
		}
	}
}

func TestPairedChangeFromTheStore(t *testing.T) {
	ph := newPhones(t, nil, nil)
	ctx := context.Background()
	p := partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5}
	if err := ph.store.CreatePartnership(ctx, p); err != nil {
		t.Fatal(err)
	}
	base := ph.now()
	waves := []partnership.Wave{
		{ID: "w1", Partnership: "vest", Form: "citizen_short", Respondents: "citizens", OpensAt: base.Add(-time.Hour), ClosesAt: base.Add(24 * time.Hour)},
		{ID: "w2", Partnership: "vest", Form: "citizen_short", Respondents: "citizens", OpensAt: base.Add(40 * 24 * time.Hour), ClosesAt: base.Add(45 * 24 * time.Hour)},
	}
	for _, w := range waves {
		if err := ph.store.CreateWave(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	// Six people answer twice under their codes, 1 point higher the
	// second time; somebody else answers only once.
	var codes []string
	for range 6 {
		_, html := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "_follow", "new", "q_belonging_place", "2"), testCSRF)
		codes = append(codes, shownCode.FindStringSubmatch(html)[1])
	}
	ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "q_belonging_place", "1"), testCSRF)
	ph.skew.Add(int64(40*24*time.Hour + time.Hour))
	for _, code := range codes {
		if res, _ := ph.page(t, http.MethodPost, "/f/citizen_short", answered(uuid.NewString(), "_code", code, "q_belonging_place", "3"), testCSRF); res.StatusCode != http.StatusCreated {
			t.Fatalf("second answer: %d", res.StatusCode)
		}
	}
	ph.skew.Add(int64(70 * 24 * time.Hour))

	catalog, _ := forms.Builtin()
	f, _ := catalog.Form("citizen_short", 0)
	figures := indicators.New(ph.store, ph.store, indicators.Catalog(catalog), ph.now)
	ch, err := figures.Change(ctx, p, f, waves, indicators.ChangeQuery{FromWave: "w1", ToWave: "w2", Paired: true})
	if err != nil {
		t.Fatal(err)
	}
	got := ch.Indices["belonging"].Paired
	if got == nil || got.N != 6 || got.Difference <= 0 {
		t.Fatalf("paired belonging = %+v, want 6 pairs that each rose", ch.Indices["belonging"])
	}
	// One person deletes their answers: the pairs lose them.
	forget := url.Values{"_csrf": {testCSRF}, "_lang": {"en"}, "_code": {codes[0]}, "_do": {"answers"}}
	ph.page(t, http.MethodPost, "/forget", forget, testCSRF)
	ch, _ = figures.Change(ctx, p, f, waves, indicators.ChangeQuery{FromWave: "w1", ToWave: "w2", Paired: true})
	if got := ch.Indices["belonging"].Paired; got == nil || got.N != 5 {
		t.Errorf("after one person deleted their answers: %+v, want 5 pairs", ch.Indices["belonging"])
	}
}

func TestThanksAgainKeepsItsWordsInAnotherLanguage(t *testing.T) {
	ph := newPhones(t, nil, nil)
	openCitizenWave(t, ph)
	sent := answered(uuid.NewString())
	ph.page(t, http.MethodPost, "/f/citizen_short", sent, testCSRF)
	_, html := ph.page(t, http.MethodPost, "/f/citizen_short", sent, testCSRF)
	link := regexp.MustCompile(`href="(/f/citizen_short/thanks\?[^"]*lang=da[^"]*)"`).FindStringSubmatch(html)
	if link == nil {
		t.Fatalf("no Danish link on the page sent twice:\n%s", html)
	}
	_, da := ph.page(t, http.MethodGet, strings.ReplaceAll(link[1], "&amp;", "&"), nil, "")
	if !strings.Contains(da, "Vi har allerede fået dine svar") {
		t.Errorf("the Danish page of 'we already have your answers' says something else:\n%s", da)
	}
}

// The thank-you page of a new code, reloaded or come back to, shows the
// code again for an hour after answering, and only to the address that
// names the submission.
func TestANewCodeSurvivesAReload(t *testing.T) {
	ph := newPhones(t, nil, nil)
	openCitizenWave(t, ph)
	sub := uuid.NewString()
	_, html := ph.page(t, http.MethodPost, "/f/citizen_short", answered(sub, "_follow", "new"), testCSRF)
	code := shownCode.FindStringSubmatch(html)[1]
	here := regexp.MustCompile(`data-here="([^"]*)"`).FindStringSubmatch(html)
	if here == nil || !strings.Contains(here[1], "s="+sub) {
		t.Fatalf("the page's own address %v does not name the submission", here)
	}
	again := strings.ReplaceAll(here[1], "&amp;", "&")
	if _, html := ph.page(t, http.MethodGet, again, nil, ""); !strings.Contains(html, ">"+code+"<") {
		t.Errorf("reloaded, the page does not show %s:\n%s", code, html)
	}
	other := uuid.NewString()
	ph.page(t, http.MethodPost, "/f/citizen_short", answered(other), testCSRF)
	if _, html := ph.page(t, http.MethodGet, "/f/citizen_short/thanks?lang=en&p=vest&s="+other, nil, ""); shownCode.MatchString(html) {
		t.Error("a submission without a code shows one")
	}
	ph.skew.Add(int64(2 * time.Hour))
	if _, html := ph.page(t, http.MethodGet, again, nil, ""); shownCode.MatchString(html) {
		t.Error("two hours later the code is still shown")
	}
}
