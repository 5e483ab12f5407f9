package api

import (
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"samspil/forms"
)

// A formula typed into a free-text answer reaches the evaluator's
// spreadsheet as text, not as something Excel runs.
func TestExportsNeutraliseSpreadsheetFormulas(t *testing.T) {
	catalog, _ := testCatalogs(t)
	f, err := forms.Parse([]byte(`{"id": "notes", "version": 1, "kind": "citizen", "default_language": "da", "languages": ["da", "en"],
		"title": {"da": "Noter", "en": "Notes"}, "intro": {"da": "Et spørgsmål.", "en": "One question."},
		"items": [{"id": "comment", "type": "text", "max_length": 200, "text": {"da": "Andet?", "en": "Anything else?"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Add(f); err != nil {
		t.Fatal(err)
	}
	ta := newTestAPIWith(t, testStore(t), catalog)
	typed := []string{`=HYPERLINK("http://evil.example","click")`, "+45 12 34 56 78", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"}
	for _, text := range typed {
		body := fmt.Sprintf(`{"submission_id":%q,"answers":{"comment":%q}}`, uuid.NewString(), text)
		if res, out := ta.call(t, "POST", "/api/v1/forms/notes/responses", body); res.StatusCode != 201 {
			t.Fatalf("submit %q: %d %v", text, res.StatusCode, out)
		}
	}
	req := httptest.NewRequest("GET", "/api/v1/export/notes.csv?raw=true&include_text=true", nil)
	req.Header.Set("Authorization", "Bearer "+ta.admin)
	res, err := ta.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil || len(rows) != len(typed)+1 {
		t.Fatalf("export: %d rows, %v", len(rows), err)
	}
	col := -1
	for i, name := range rows[0] {
		if name == "comment" {
			col = i
		}
	}
	got := map[string]bool{}
	for _, r := range rows[1:] {
		got[r[col]] = true
		if !strings.HasPrefix(r[col], "'") {
			t.Errorf("comment %q would run as a formula", r[col])
		}
		for i, cell := range r {
			if i != col && strings.HasPrefix(cell, "=") {
				t.Errorf("column %s holds %q", rows[0][i], cell)
			}
		}
	}
	for _, text := range typed {
		if !got["'"+text] {
			t.Errorf("%q not exported as text %q", text, "'"+text)
		}
	}
	_, pkg := ta.call(t, "GET", "/api/v1/export/notes/datapackage.json", "", "Authorization", "Bearer "+ta.admin)
	if d, _ := pkg["description"].(string); !strings.Contains(d, "apostrophe") {
		t.Errorf("the data package does not say how formulas are written: %q", d)
	}
}
