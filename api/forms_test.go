package api

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// newForm is a small valid citizen form definition at a version.
func newForm(version string) string {
	return `{"id":"garden","version":` + version + `,"kind":"citizen","default_language":"da","languages":["da","en"],
	"title":{"da":"Haven","en":"The garden"},"intro":{"da":"To spørgsmål.","en":"Two questions."},
	"items":[
	 {"id":"joy","type":"scale","min":1,"max":5,"text":{"da":"Er du glad for haven?","en":"Do you like the garden?"},
	  "labels":{"min":{"da":"Nej","en":"No"},"max":{"da":"Ja","en":"Yes"}}},
	 {"id":"again","type":"yesno","text":{"da":"Kommer du igen?","en":"Will you come again?"}}],
	"scales":[{"id":"joy","label":{"da":"Glæde","en":"Joy"},"items":["joy"],"method":"mean","rescale":true}]}`
}

func TestPublishForm(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	admin := []string{"Authorization", "Bearer " + ta.admin, "Accept-Language", "en"}

	res, out := ta.call(t, "POST", "/api/v1/forms", newForm("1"), admin...)
	if res.StatusCode != 201 || out["id"] != "garden" || out["version"] != float64(1) {
		t.Fatalf("publish: %d %v", res.StatusCode, out)
	}
	if res, _ := ta.call(t, "POST", "/api/v1/forms", newForm("1"), admin...); res.StatusCode != 200 {
		t.Errorf("publishing the same version again: %d, want 200", res.StatusCode)
	}
	changed := strings.Replace(newForm("1"), "The garden", "The big garden", 1)
	if res, out := ta.call(t, "POST", "/api/v1/forms", changed, admin...); res.StatusCode != 409 || out["error"].(map[string]any)["code"] != "version_exists" {
		t.Errorf("changing a published version: %d %v, want 409 version_exists", res.StatusCode, out)
	}
	if res, _ := ta.call(t, "POST", "/api/v1/forms", strings.Replace(newForm("2"), "The garden", "The big garden", 1), admin...); res.StatusCode != 201 {
		t.Errorf("publishing version 2: %d, want 201", res.StatusCode)
	}
	if res, out := ta.call(t, "POST", "/api/v1/forms", strings.Replace(newForm("1"), `"id":"garden"`, `"id":"garden","version":0,"x":1`, 1), admin...); res.StatusCode != 422 {
		t.Errorf("unknown field: %d %v, want 422", res.StatusCode, out)
	}

	// The new form is served and answered like a built-in one.
	_, form := ta.call(t, "GET", "/api/v1/forms/garden?lang=en", "")
	if form["title"] != "The big garden" || form["version"] != float64(2) {
		t.Errorf("latest garden = %v %v", form["title"], form["version"])
	}
	_, v1 := ta.call(t, "GET", "/api/v1/forms/garden?lang=en&version=1", "")
	if v1["title"] != "The garden" {
		t.Errorf("garden v1 title = %v", v1["title"])
	}
	res, receipt := ta.call(t, "POST", "/api/v1/forms/garden/responses",
		`{"submission_id":"`+uuid.NewString()+`","version":1,"answers":{"joy":4,"again":true}}`)
	if res.StatusCode != 201 || receipt["version"] != float64(1) || receipt["scores"].(map[string]any)["joy"] != float64(75) {
		t.Errorf("answer to v1: %d %v, want 201 with version 1 and joy 75", res.StatusCode, receipt)
	}

	if res, _ := ta.call(t, "POST", "/api/v1/forms", newForm("3"), "Authorization", "Bearer "+ta.evaluator); res.StatusCode != 403 {
		t.Errorf("evaluator publishing: %d, want 403", res.StatusCode)
	}
	if res, out := ta.call(t, "POST", "/api/v1/forms", newForm("1")[:40], admin...); res.StatusCode != 400 {
		t.Errorf("truncated definition: %d %v, want 400", res.StatusCode, out)
	}
}

func TestPublishListsEveryDefinitionProblemAtItsPath(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	broken := strings.NewReplacer(
		`"type":"yesno"`, `"type":"slider"`,
		`"items":["joy"]`, `"items":["joy","ghost"]`,
		`"en":"Do you like the garden?"`, `"en":""`,
	).Replace(newForm("1"))
	for _, lang := range []string{"da", "en"} {
		res, out := ta.call(t, "POST", "/api/v1/forms", broken, "Authorization", "Bearer "+ta.admin, "Accept-Language", lang)
		if res.StatusCode != 422 {
			t.Fatalf("%s: %d %v, want 422", lang, res.StatusCode, out)
		}
		got := map[string]string{}
		for _, e := range out["errors"].([]any) {
			e := e.(map[string]any)
			got[e["field"].(string)] = e["code"].(string) + ": " + e["message"].(string)
		}
		want := map[string]map[string]string{
			"en": {
				"items[0].text":      "missing_translation: Missing the en translation.",
				"items[1].type":      `unknown_type: Unknown item type "slider".`,
				"scales[0].items[1]": `unknown_reference: "ghost" does not exist.`,
			},
			"da": {
				"items[0].text":      "missing_translation: Mangler oversættelse til en.",
				"items[1].type":      `unknown_type: Ukendt spørgsmålstype "slider".`,
				"scales[0].items[1]": `unknown_reference: "ghost" findes ikke.`,
			},
		}[lang]
		if len(got) != len(want) {
			t.Errorf("%s: errors %v, want %v", lang, got, want)
		}
		for field, w := range want {
			if got[field] != w {
				t.Errorf("%s: %s = %q, want %q", lang, field, got[field], w)
			}
		}
	}
}

func TestFormVersionsAndKinds(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		status int
	}{
		{"older version", "GET", "/api/v1/forms/citizen_short?version=1", "", 200},
		{"unknown version", "GET", "/api/v1/forms/citizen_short?version=99", "", 404},
		{"bad version", "GET", "/api/v1/forms/citizen_short?version=first", "", 422},
		{"answer to an older version", "POST", responses, `{"submission_id":"` + uuid.NewString() + `","version":1,"answers":{"comment":"Fint"}}`, 201},
		{"answer to an unknown version", "POST", responses, `{"submission_id":"` + uuid.NewString() + `","version":99,"answers":{}}`, 422},
		{"partner survey needs an invitation", "POST", "/api/v1/forms/partner_survey/responses", `{"submission_id":"` + uuid.NewString() + `","answers":{}}`, 403},
		{"activity check-in is public", "POST", "/api/v1/forms/activity_checkin/responses", `{"submission_id":"` + uuid.NewString() + `","lang":"ar","answers":{"enjoyed":5,"come_again":"maybe"}}`, 201},
	}
	for _, tt := range tests {
		if res, out := ta.call(t, tt.method, tt.path, tt.body); res.StatusCode != tt.status {
			t.Errorf("%s: %d %v, want %d", tt.name, res.StatusCode, out, tt.status)
		}
	}
	_, ar := ta.call(t, "GET", "/api/v1/forms/citizen_short?lang=ar", "")
	if ar["dir"] != "rtl" || ar["lang"] != "ar" || ar["translation_reviewed"] != false {
		t.Errorf("Arabic form: lang %v dir %v reviewed %v; want ar, rtl, unreviewed", ar["lang"], ar["dir"], ar["translation_reviewed"])
	}
	_, da := ta.call(t, "GET", "/api/v1/forms/citizen_short", "")
	if da["translation_reviewed"] != true || da["consent"] == "" {
		t.Errorf("Danish form: reviewed %v, consent %q", da["translation_reviewed"], da["consent"])
	}
	items := da["items"].([]any)
	frequency := items[8].(map[string]any)
	if frequency["id"] != "frequency" || frequency["show_if"] == nil {
		t.Errorf("item 9 = %v, want frequency with its show_if for clients", frequency)
	}
}

func TestCodebook(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	if res, _ := ta.call(t, "GET", "/api/v1/forms/who5/codebook", ""); res.StatusCode != 401 {
		t.Errorf("codebook without a key: %d, want 401", res.StatusCode)
	}
	res, out := ta.call(t, "GET", "/api/v1/forms/who5/codebook", "", "Authorization", "Bearer "+ta.evaluator)
	if res.StatusCode != 200 {
		t.Fatalf("codebook: %d %v", res.StatusCode, out)
	}
	got, _ := json.MarshalIndent(out, "", "  ")
	golden := "testdata/who5-codebook.json"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got)+"\n" != string(want) {
		t.Errorf("codebook differs from %s (UPDATE_GOLDEN=1 rewrites it after review):\n%s", golden, got)
	}

	req := httptest.NewRequest("GET", "/api/v1/forms/citizen_short/codebook?format=csv&version=2", nil)
	req.Header.Set("Authorization", "Bearer "+ta.admin)
	r, err := ta.app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(r.Body)
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("CSV codebook: %v, %s", err, r.Header.Get("Content-Type"))
	}
	find := func(variable, row, value string) []string {
		for _, r := range rows {
			if r[0] == variable && r[1] == row && r[5] == value {
				return r
			}
		}
		return nil
	}
	if r := find("role", "value", "helper"); r == nil || r[6] != "Jeg hjælper til" || r[7] != "I help out" {
		t.Errorf("role=helper row = %v, want Danish and English labels", r)
	}
	if r := find("score_belonging", "score", ""); r == nil || r[8] != "0" || r[9] != "100" || !strings.Contains(r[10], "rescaled linearly from 1-5 to 0-100") {
		t.Errorf("belonging score row = %v", r)
	}
	if r := find("age_band", "value", "prefer_not"); r == nil {
		t.Error("no prefer_not row for age_band")
	}
}
