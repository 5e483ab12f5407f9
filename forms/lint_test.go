package forms

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each broken definition in testdata/broken comes with the problems lint
// must report for it, one per line, in its .want file.
func TestLintReportsEachBrokenDefinition(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken definitions: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			var problems []DefinitionProblem
			f, err := Decode(data)
			var de *DefinitionError
			switch {
			case errors.As(err, &de):
				problems = de.Problems
			case err != nil:
				t.Fatal(err)
			default:
				problems = f.Lint()
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if g, w := strings.Join(got, "\n"), strings.TrimSpace(string(want)); g != w {
				t.Errorf("lint reports\n%s\nwant\n%s", g, w)
			}
		})
	}
}

func TestBuiltinFormsPassLint(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.All() {
		for _, p := range f.Lint() {
			t.Errorf("%s v%d: %s", f.ID, f.Version, p)
		}
	}
}

// LIX = words per sentence + 100 × long words (over six letters) / words.
func TestLIX(t *testing.T) {
	tests := []struct {
		text string
		want float64
	}{
		{"Jeg føler, at jeg hører til her.", 7},              // 7 words, 1 sentence, no long word
		{"Hvor ofte føler du dig isoleret fra andre?", 20.5}, // 8/1 + 100×1/8
		{"Kom. Gå.", 1},                    // 2 words, 2 sentences
		{"Sagsbehandlingsprocedurer", 101}, // 1/1 + 100×1/1
		{"Min dagligdag har været fyldt med ting, der interesserer mig.", 30}, // 10/1 + 100×2/10
		{"", 0},
	}
	for _, tt := range tests {
		if got := LIX(tt.text); got != tt.want {
			t.Errorf("LIX(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// The citizen forms must stay short and plain: at most 12 questions, none
// required, and the short form offered in all six languages.
func TestBuiltinCitizenFormsAreShortAndPlain(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.All() {
		if f.Kind == KindPartner {
			continue
		}
		if len(f.Items) > 12 {
			t.Errorf("%s v%d has %d items; citizens get at most 12", f.ID, f.Version, len(f.Items))
		}
		for _, it := range f.Items {
			if it.Required {
				t.Errorf("%s: item %s is required; citizens may skip any question", f.ID, it.ID)
			}
		}
	}
	for _, id := range []string{"citizen_short", "activity_checkin"} {
		f, _ := c.Form(id, 0)
		for _, lang := range []string{"da", "en", "ar", "uk", "pl", "tr"} {
			if !f.HasLanguage(lang) {
				t.Errorf("%s lacks %s", id, lang)
			}
		}
		if f.Reviewed("ar") {
			t.Errorf("%s claims a reviewed Arabic translation; no native speaker has checked it", id)
		}
	}
	short, _ := c.Form("citizen_short", 0)
	for _, scale := range []string{"belonging", "trust", "influence"} {
		if s, ok := short.Scale(scale); !ok || !s.Rescale {
			t.Errorf("citizen_short lacks a 0-100 %s index", scale)
		}
	}
	partner, _ := c.Form("partner_survey", 0)
	if len(partner.Scales) != 8 {
		t.Errorf("partner_survey has %d factor scores, want 8", len(partner.Scales))
	}
	for _, s := range partner.Scales {
		if len(s.Items) < 2 {
			t.Errorf("factor %s has %d items, want at least 2", s.ID, len(s.Items))
		}
	}
}
