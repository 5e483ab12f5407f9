package forms

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func tiny(t *testing.T) *Form {
	t.Helper()
	data, err := os.ReadFile("testdata/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestValidate(t *testing.T) {
	f := tiny(t)
	tests := []struct {
		name     string
		raw      map[string]any
		want     Answers
		problems []Problem
	}{
		{"all answered", map[string]any{"mood": json.Number("7"), "colour": "red", "note": "hej"},
			Answers{"mood": 7, "colour": "red", "note": "hej"}, nil},
		{"scale at both ends", map[string]any{"mood": json.Number("0")}, Answers{"mood": 0}, nil},
		{"scale top", map[string]any{"mood": float64(10)}, Answers{"mood": 10}, nil},
		{"whole float is an integer", map[string]any{"mood": json.Number("3.0")}, Answers{"mood": 3}, nil},
		{"null means not answered", map[string]any{"mood": 1, "colour": nil, "note": nil}, Answers{"mood": 1}, nil},
		{"required missing", map[string]any{"colour": "blue"}, Answers{"colour": "blue"},
			[]Problem{{Item: "mood", Code: CodeRequired}}},
		{"required null", map[string]any{"mood": nil}, Answers{},
			[]Problem{{Item: "mood", Code: CodeRequired}}},
		{"below range", map[string]any{"mood": json.Number("-1")}, Answers{},
			[]Problem{{Item: "mood", Code: CodeOutOfRange, Params: map[string]any{"Min": 0, "Max": 10}}}},
		{"above range", map[string]any{"mood": json.Number("11")}, Answers{},
			[]Problem{{Item: "mood", Code: CodeOutOfRange, Params: map[string]any{"Min": 0, "Max": 10}}}},
		{"fraction", map[string]any{"mood": json.Number("2.5")}, Answers{},
			[]Problem{{Item: "mood", Code: CodeWrongType, Params: map[string]any{"Expected": "integer"}}}},
		{"huge number", map[string]any{"mood": json.Number("1e300")}, Answers{},
			[]Problem{{Item: "mood", Code: CodeWrongType, Params: map[string]any{"Expected": "integer"}}}},
		{"number as text", map[string]any{"mood": "3"}, Answers{},
			[]Problem{{Item: "mood", Code: CodeWrongType, Params: map[string]any{"Expected": "integer"}}}},
		{"bool for scale", map[string]any{"mood": true}, Answers{},
			[]Problem{{Item: "mood", Code: CodeWrongType, Params: map[string]any{"Expected": "integer"}}}},
		{"unknown option", map[string]any{"mood": 1, "colour": "green"}, Answers{"mood": 1},
			[]Problem{{Item: "colour", Code: CodeUnknownOption}}},
		{"option as number", map[string]any{"mood": 1, "colour": json.Number("1")}, Answers{"mood": 1},
			[]Problem{{Item: "colour", Code: CodeWrongType, Params: map[string]any{"Expected": "option"}}}},
		{"option as list", map[string]any{"mood": 1, "colour": []any{"red"}}, Answers{"mood": 1},
			[]Problem{{Item: "colour", Code: CodeWrongType, Params: map[string]any{"Expected": "option"}}}},
		{"text at the limit counts characters, not bytes", map[string]any{"mood": 1, "note": "æøåÆØ"},
			Answers{"mood": 1, "note": "æøåÆØ"}, nil},
		{"text too long", map[string]any{"mood": 1, "note": "abcdef"}, Answers{"mood": 1},
			[]Problem{{Item: "note", Code: CodeTooLong, Params: map[string]any{"Max": 5}}}},
		{"text as number", map[string]any{"mood": 1, "note": json.Number("5")}, Answers{"mood": 1},
			[]Problem{{Item: "note", Code: CodeWrongType, Params: map[string]any{"Expected": "text"}}}},
		{"invalid UTF-8", map[string]any{"mood": 1, "note": "a\xffb"}, Answers{"mood": 1},
			[]Problem{{Item: "note", Code: CodeInvalidUTF8}}},
		{"unknown items, sorted, after the form's own", map[string]any{"zz": 1, "aa": 2},
			Answers{}, []Problem{{Item: "mood", Code: CodeRequired}, {Item: "aa", Code: CodeUnknownItem}, {Item: "zz", Code: CodeUnknownItem}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := f.Validate(tt.raw)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answers = %#v, want %#v", got, tt.want)
			}
			if !reflect.DeepEqual(problems, tt.problems) {
				t.Errorf("problems = %+v, want %+v", problems, tt.problems)
			}
		})
	}
}

func TestCheckReportsEveryProblemWithItsPath(t *testing.T) {
	f := tiny(t)
	f.ID = "Tiny"
	f.Items[0].Max = -1
	f.Items[1].Options = append(f.Items[1].Options, Option{Value: "red", Label: Text{"da": "Rød"}})
	f.Items[2].ID = "mood"
	f.Items[2].Type = "slider"
	delete(f.Title, "en")

	err := f.Check()
	if err == nil {
		t.Fatal("Check accepted a broken form")
	}
	for _, want := range []string{
		`id: "Tiny" must be`,
		`title: missing "en" translation`,
		`items[0]: min 0 must be below max -1`,
		`items[1].options[2].value: "red" is used twice`,
		`items[1].options[2].label: missing "en" translation`,
		`items[2].id: "mood" is used twice`,
		`items[2].type: unknown item type "slider"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check() = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestParseRefusesUnknownFields(t *testing.T) {
	if _, err := Parse([]byte(`{"id":"x","versoin":1}`)); err == nil || !strings.Contains(err.Error(), "versoin") {
		t.Errorf("Parse = %v, want an error naming the misspelt field", err)
	}
}

func TestBuiltinFormsAreValidAndPlain(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.Form("citizen_short")
	if !ok {
		t.Fatal("the citizen short form is not built in")
	}
	if f.Kind != KindCitizen || !f.HasLanguage("da") || !f.HasLanguage("en") {
		t.Errorf("citizen_short: kind %q, languages %v; want a citizen form in da and en", f.Kind, f.Languages)
	}
	for _, it := range f.Items {
		if it.Required {
			t.Errorf("item %s is required; citizens may skip any question", it.ID)
		}
		if words := len(strings.Fields(it.Text["da"])); words > 20 {
			t.Errorf("item %s has %d Danish words; keep questions short", it.ID, words)
		}
	}
	for _, want := range []string{"belonging_place", "trust_participants", "influence_decide"} {
		if _, ok := f.Item(want); !ok {
			t.Errorf("citizen_short lacks %s", want)
		}
	}
}

func TestResponsesWithEqualAnswersAreTheSame(t *testing.T) {
	f := tiny(t)
	now := time.Now()
	a := NewResponse(f, "s1", "da", Answers{"mood": 3, "colour": "red"}, now)
	b := NewResponse(f, "s1", "en", Answers{"colour": "red", "mood": 3}, now.Add(time.Hour))
	c := NewResponse(f, "s1", "da", Answers{"mood": 4, "colour": "red"}, now)
	if !a.SameAs(b) {
		t.Error("a retry in another language with the same answers is not the same response")
	}
	if a.SameAs(c) {
		t.Error("different answers count as the same response")
	}
	if a.ID != "tiny:s1" {
		t.Errorf("ID = %q, want tiny:s1", a.ID)
	}
}

func TestCountsAndTally(t *testing.T) {
	f := tiny(t)
	counts := f.Counts(Answers{"mood": 0, "colour": "blue", "note": "hi"})
	want := []Count{"n", "items.mood.answered", "items.mood.values.0", "items.colour.answered",
		"items.colour.values.blue", "items.note.answered"}
	if !slices.Equal(counts, want) {
		t.Errorf("Counts = %v, want %v (free text is never counted by value)", counts, want)
	}

	var total Tally
	total.Add(Tally{N: 2, Items: map[string]ItemTally{"mood": {Answered: 2, Values: map[string]int{"0": 1, "5": 1}}}})
	total.Add(Tally{N: 1, Items: map[string]ItemTally{"mood": {Answered: 1, Values: map[string]int{"5": 1}}, "note": {Answered: 1}}})
	wantTally := Tally{N: 3, Items: map[string]ItemTally{
		"mood": {Answered: 3, Values: map[string]int{"0": 1, "5": 2}},
		"note": {Answered: 1},
	}}
	if !reflect.DeepEqual(total, wantTally) {
		t.Errorf("tally = %+v, want %+v", total, wantTally)
	}
}
