package forms

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func loadForm(t *testing.T, path string) *Form {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// answersOf decodes answers the way the API does, numbers as json.Number.
func answersOf(t *testing.T, s string) map[string]any {
	t.Helper()
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("answers %s: %v", s, err)
	}
	return raw
}

func TestValidate(t *testing.T) {
	f := loadForm(t, "testdata/tiny.json")
	problem := func(item, code string, params map[string]any) Problem {
		return Problem{Item: item, Code: code, Params: params}
	}
	rng := func(lo, hi float64) map[string]any { return map[string]any{"Min": lo, "Max": hi} }
	want := func(t string) map[string]any { return map[string]any{"Expected": t} }
	tests := []struct {
		name     string
		raw      string
		want     Answers
		problems []Problem
	}{
		{"scale and rating", `{"mood":7,"score":0}`, Answers{"mood": 7, "score": 0}, nil},
		{"whole float is an integer", `{"mood":3.0}`, Answers{"mood": 3}, nil},
		{"null means not answered", `{"mood":1,"colour":null,"note":null}`, Answers{"mood": 1}, nil},
		{"prefer not to answer where offered", `{"mood":"prefer_not"}`, Answers{"mood": PreferNot}, nil},
		{"prefer not to answer where not offered", `{"mood":1,"colour":"prefer_not"}`, Answers{"mood": 1},
			[]Problem{problem("colour", CodeUnknownOption, nil)}},
		{"required missing", `{"colour":"blue"}`, Answers{"colour": "blue"}, []Problem{problem("mood", CodeRequired, nil)}},
		{"scale below range", `{"mood":-1}`, Answers{}, []Problem{problem("mood", CodeOutOfRange, rng(0, 10))}},
		{"scale above range", `{"mood":11}`, Answers{}, []Problem{problem("mood", CodeOutOfRange, rng(0, 10))}},
		{"rating above 10", `{"mood":1,"score":11}`, Answers{"mood": 1}, []Problem{problem("score", CodeOutOfRange, rng(0, 10))}},
		{"fraction", `{"mood":2.5}`, Answers{}, []Problem{problem("mood", CodeWrongType, want("integer"))}},
		{"huge number", `{"mood":1e300}`, Answers{}, []Problem{problem("mood", CodeWrongType, want("integer"))}},
		{"number as text", `{"mood":"3"}`, Answers{}, []Problem{problem("mood", CodeWrongType, want("integer"))}},
		{"bool for scale", `{"mood":true}`, Answers{}, []Problem{problem("mood", CodeWrongType, want("integer"))}},
		{"unknown option", `{"mood":1,"colour":"green"}`, Answers{"mood": 1}, []Problem{problem("colour", CodeUnknownOption, nil)}},
		{"option as number", `{"mood":1,"colour":1}`, Answers{"mood": 1}, []Problem{problem("colour", CodeWrongType, want("option"))}},
		{"multi sorted", `{"mood":1,"pets":["fish","cat"]}`, Answers{"mood": 1, "pets": []string{"cat", "fish"}}, nil},
		{"multi empty", `{"mood":1,"pets":[]}`, Answers{"mood": 1, "pets": []string{}}, nil},
		{"multi too many", `{"mood":1,"pets":["cat","fish","dog"]}`, Answers{"mood": 1},
			[]Problem{problem("pets", CodeTooMany, map[string]any{"Max": 2})}},
		{"exclusive alone", `{"mood":1,"pets":["none"]}`, Answers{"mood": 1, "pets": []string{"none"}}, nil},
		{"exclusive with another", `{"mood":1,"pets":["cat","none"]}`, Answers{"mood": 1},
			[]Problem{problem("pets", CodeExclusive, map[string]any{"Option": "none"})}},
		{"multi twice", `{"mood":1,"pets":["cat","cat"]}`, Answers{"mood": 1}, []Problem{problem("pets", CodeDuplicate, nil)}},
		{"multi unknown", `{"mood":1,"pets":["cow"]}`, Answers{"mood": 1}, []Problem{problem("pets", CodeUnknownOption, nil)}},
		{"multi not a list", `{"mood":1,"pets":"cat"}`, Answers{"mood": 1}, []Problem{problem("pets", CodeWrongType, want("options"))}},
		{"text counts characters, not bytes", `{"mood":1,"note":"æøåÆØ"}`, Answers{"mood": 1, "note": "æøåÆØ"}, nil},
		{"text too long", `{"mood":1,"note":"abcdef"}`, Answers{"mood": 1}, []Problem{problem("note", CodeTooLong, map[string]any{"Max": 5})}},
		{"text as number", `{"mood":1,"note":5}`, Answers{"mood": 1}, []Problem{problem("note", CodeWrongType, want("text"))}},
		{"unknown items, sorted, after the form's own", `{"zz":1,"aa":2}`, Answers{},
			[]Problem{problem("mood", CodeRequired, nil), problem("aa", CodeUnknownItem, nil), problem("zz", CodeUnknownItem, nil)}},

		// Skip logic.
		{"shown item answered", `{"mood":1,"colour":"red","why_red":"fin"}`, Answers{"mood": 1, "colour": "red", "why_red": "fin"}, nil},
		{"hidden item answered", `{"mood":1,"colour":"blue","why_red":"fin"}`, Answers{"mood": 1, "colour": "blue"},
			[]Problem{problem("why_red", CodeHiddenItem, nil)}},
		{"hidden when its condition is unanswered", `{"mood":1,"why_red":"fin"}`, Answers{"mood": 1},
			[]Problem{problem("why_red", CodeHiddenItem, nil)}},
		{"visible required item enforced", `{"mood":1,"pets":["dog"]}`, Answers{"mood": 1, "pets": []string{"dog"}},
			[]Problem{problem("walks", CodeRequired, nil)}},
		{"hidden required item not enforced", `{"mood":1,"pets":["cat"]}`, Answers{"mood": 1, "pets": []string{"cat"}}, nil},
		{"chain: all conditions hold", `{"mood":6,"pets":["dog"],"walks":true,"hours":1.5}`,
			Answers{"mood": 6, "pets": []string{"dog"}, "walks": true, "hours": 1.5}, nil},
		{"chain: one condition fails", `{"mood":4,"pets":["dog"],"walks":true,"hours":1.5}`,
			Answers{"mood": 4, "pets": []string{"dog"}, "walks": true}, []Problem{problem("hours", CodeHiddenItem, nil)}},
		{"chain: hidden link hides the rest", `{"mood":6,"pets":["cat"],"walks":true,"hours":1}`,
			Answers{"mood": 6, "pets": []string{"cat"}},
			[]Problem{problem("walks", CodeHiddenItem, nil), problem("hours", CodeHiddenItem, nil)}},
		{"prefer not never satisfies a comparison", `{"mood":"prefer_not","pets":["dog"],"walks":true,"hours":1}`,
			Answers{"mood": PreferNot, "pets": []string{"dog"}, "walks": true}, []Problem{problem("hours", CodeHiddenItem, nil)}},
		{"number precision", `{"mood":6,"pets":["dog"],"walks":true,"hours":1.25}`,
			Answers{"mood": 6, "pets": []string{"dog"}, "walks": true}, []Problem{problem("hours", CodeTooPrecise, map[string]any{"Decimals": 1})}},
		{"number range", `{"mood":6,"pets":["dog"],"walks":true,"hours":25}`,
			Answers{"mood": 6, "pets": []string{"dog"}, "walks": true}, []Problem{problem("hours", CodeOutOfRange, rng(0, 24))}},
		{"yes/no must be a bool", `{"mood":6,"pets":["dog"],"walks":"yes"}`,
			Answers{"mood": 6, "pets": []string{"dog"}}, []Problem{problem("walks", CodeWrongType, want("yesno"))}},

		// Partner rosters.
		{"partners rated", `{"mood":1,"peers":[{"partner":"p1","trust":4},{"partner":"p2","trust":2}]}`,
			Answers{"mood": 1, "peers": []map[string]any{{"partner": "p1", "trust": 4}, {"partner": "p2", "trust": 2}}}, nil},
		{"partner named twice", `{"mood":1,"peers":[{"partner":"p1","trust":4},{"partner":"p1","trust":2}]}`,
			Answers{"mood": 1}, []Problem{problem("peers[1].partner", CodeDuplicate, nil)}},
		{"partner sub-item problems", `{"mood":1,"peers":[{"partner":"p1"},{"partner":"p2","trust":9,"size":3}]}`,
			Answers{"mood": 1}, []Problem{problem("peers[0].trust", CodeRequired, nil),
				problem("peers[1].trust", CodeOutOfRange, rng(1, 5)), problem("peers[1].size", CodeUnknownItem, nil)}},
		{"partner not a map", `{"mood":1,"peers":["p1"]}`, Answers{"mood": 1},
			[]Problem{problem("peers[0]", CodeWrongType, want("partner"))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := f.Validate(answersOf(t, tt.raw), nil)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answers = %#v, want %#v", got, tt.want)
			}
			if !reflect.DeepEqual(problems, tt.problems) {
				t.Errorf("problems = %+v, want %+v", problems, tt.problems)
			}
		})
	}
}

func TestValidateInvalidUTF8(t *testing.T) {
	f := loadForm(t, "testdata/tiny.json")
	_, problems := f.Validate(map[string]any{"mood": 1, "note": "a\xffb"}, nil)
	if want := []Problem{{Item: "note", Code: CodeInvalidUTF8}}; !reflect.DeepEqual(problems, want) {
		t.Errorf("problems = %+v, want %+v", problems, want)
	}
}

func TestValidateChecksPartnersAgainstTheRoster(t *testing.T) {
	f := loadForm(t, "testdata/tiny.json")
	raw := answersOf(t, `{"mood":1,"peers":[{"partner":"p1","trust":3},{"partner":"stranger","trust":3}]}`)
	_, problems := f.Validate(raw, Roster{"p1", "p2"})
	if want := []Problem{{Item: "peers[1].partner", Code: CodeUnknownPartner}}; !reflect.DeepEqual(problems, want) {
		t.Errorf("problems = %+v, want %+v", problems, want)
	}
}

func TestValidateShownDropsAnswersToHiddenItems(t *testing.T) {
	f := loadForm(t, "testdata/tiny.json")
	got, problems := f.ValidateShown(answersOf(t, `{"mood":4,"colour":"blue","why_red":"fin","pets":["dog"],"walks":true,"hours":2}`), nil)
	want := Answers{"mood": 4, "colour": "blue", "pets": []string{"dog"}, "walks": true}
	if len(problems) > 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("ValidateShown = %#v, %+v; want %#v without problems", got, problems, want)
	}
}
