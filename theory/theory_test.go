package theory

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"samspil/partnership"
)

// The template is a valid theory in both languages, with every column
// used and five measures linked.
func TestTemplateIsValid(t *testing.T) {
	for _, lang := range []string{"da", "en"} {
		tpl := Template(lang)
		if ps := tpl.Validate(); len(ps) > 0 {
			t.Errorf("%s template: %+v", lang, ps)
		}
		measured := 0
		for _, c := range Columns {
			if !slices.ContainsFunc(tpl.Elements, func(e Element) bool { return e.Column == c }) {
				t.Errorf("%s template has nothing in %s", lang, c)
			}
		}
		for _, e := range tpl.Elements {
			if e.Measure != nil {
				measured++
			}
		}
		if measured < 5 {
			t.Errorf("%s template links %d measures, want at least 5", lang, measured)
		}
	}
	if Template("da").Elements[0].Text == Template("en").Elements[0].Text {
		t.Error("the Danish and English templates have the same text")
	}
}

func TestValidateNamesTheField(t *testing.T) {
	valid := func() Theory {
		return Theory{Elements: []Element{
			{ID: "a", Column: Activities, Text: "Cafe"},
			{ID: "b", Column: ShortTerm, Text: "Belonging", Measure: &Measure{Kind: Index, Form: "citizen_short", Key: "belonging"}},
		}, Arrows: []Arrow{{From: "a", To: "b", Assumption: "because"}}}
	}
	tests := []struct {
		name   string
		change func(*Theory)
		field  string
		code   string
	}{
		{"empty text", func(t *Theory) { t.Elements[0].Text = " " }, "elements.0.text", "required"},
		{"long text", func(t *Theory) { t.Elements[0].Text = strings.Repeat("x", MaxText+1) }, "elements.0.text", "too_long"},
		{"bad id", func(t *Theory) { t.Elements[1].ID = "Not OK" }, "elements.1.id", "invalid_id"},
		{"same id", func(t *Theory) { t.Elements[1].ID = "a" }, "elements.1.id", "duplicate_id"},
		{"bad column", func(t *Theory) { t.Elements[0].Column = "middle" }, "elements.0.column", "invalid_choice"},
		{"arrow to nothing", func(t *Theory) { t.Arrows[0].To = "z" }, "arrows.0.to", "unknown_element"},
		{"arrow to itself", func(t *Theory) { t.Arrows[0].To = "a" }, "arrows.0.to", "same_element"},
		{"arrow twice", func(t *Theory) { t.Arrows = append(t.Arrows, t.Arrows[0]) }, "arrows.1.to", "duplicate_arrow"},
		{"long assumption", func(t *Theory) { t.Arrows[0].Assumption = strings.Repeat("x", MaxAssumption+1) }, "arrows.0.assumption", "too_long"},
		{"measure kind", func(t *Theory) { t.Elements[1].Measure.Kind = "mood" }, "elements.1.measure.kind", "invalid_choice"},
		{"index without form", func(t *Theory) { t.Elements[1].Measure.Form = "" }, "elements.1.measure.form", "required"},
		{"share without value", func(t *Theory) { t.Elements[1].Measure = &Measure{Kind: Share, Form: "f", Key: "barriers"} }, "elements.1.measure.key", "invalid_share"},
		{"network metric", func(t *Theory) { t.Elements[1].Measure = &Measure{Kind: Network, Key: "happiness"} }, "elements.1.measure.key", "invalid_choice"},
		{"too many", func(t *Theory) {
			for i := range MaxElements {
				t.Elements = append(t.Elements, Element{ID: fmt.Sprint("x", i), Column: Outputs, Text: "x"})
			}
		}, "elements", "too_many_elements"},
	}
	if ps := valid().Validate(); len(ps) > 0 {
		t.Fatalf("valid theory: %+v", ps)
	}
	for _, tt := range tests {
		th := valid()
		tt.change(&th)
		ps := th.Validate()
		if !containsProblem(ps, tt.field, tt.code) {
			t.Errorf("%s: problems %+v, want %s %s", tt.name, ps, tt.field, tt.code)
		}
	}
}

func containsProblem(ps []partnership.Problem, field, code string) bool {
	return slices.ContainsFunc(ps, func(p partnership.Problem) bool { return p.Field == field && p.Code == code })
}

// Comparing two versions finds what was added, removed and reworded,
// arrows too, and nothing between a version and itself.
func TestCompareVersions(t *testing.T) {
	a := Template("da")
	b := Template("da")
	b.Elements = slices.DeleteFunc(b.Elements, func(e Element) bool { return e.ID == "communities" })
	b.Arrows = slices.DeleteFunc(b.Arrows, func(ar Arrow) bool { return ar.To == "communities" })
	b.Elements = append(b.Elements, Element{ID: "volunteers", Column: LongTerm, Text: "Flere bliver frivillige"})
	b.Arrows = append(b.Arrows, Arrow{From: "influence", To: "volunteers"})
	b.Elements[0].Text = "Partnere fra hele byen"
	b.Elements[1].Column = Activities
	b.Arrows[0].Assumption = "fordi de har et fælles problem"

	c := Compare(a, b)
	ids := func(es []Element) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	if got := ids(c.Added); !slices.Equal(got, []string{"volunteers"}) {
		t.Errorf("added %v", got)
	}
	if got := ids(c.Removed); !slices.Equal(got, []string{"communities"}) {
		t.Errorf("removed %v", got)
	}
	if len(c.Reworded) != 1 || c.Reworded[0].After.Text != "Partnere fra hele byen" || c.Reworded[0].Before.ID != "partners" {
		t.Errorf("reworded %+v", c.Reworded)
	}
	if len(c.Moved) != 1 || c.Moved[0].After.ID != "backbone" {
		t.Errorf("changed %+v", c.Moved)
	}
	if len(c.ArrowsAdded) != 1 || len(c.ArrowsRemoved) != 2 || len(c.Assumptions) != 1 {
		t.Errorf("arrows: added %v, removed %v, reworded %v", c.ArrowsAdded, c.ArrowsRemoved, c.Assumptions)
	}
	if !Compare(a, a).None() {
		t.Error("a version differs from itself")
	}
}

// Changes made to an older version go onto the newer one without undoing
// what the newer one changed; an element both changed is named.
func TestMergeKeepsBothChanges(t *testing.T) {
	base := Template("da")
	theirs := Template("da")
	theirs.Elements[5].Text = "Bånd på tværs (fane A)"
	theirs.Elements[0].Text = "Partnere (fane A)"
	mine := Template("da")
	mine.Elements[1].Text = "En tovholder på fuld tid"
	mine.Elements[0].Text = "Partnere (fane B)"
	mine.Elements = append(mine.Elements, Element{ID: "new", Column: LongTerm, Text: "Nyt"})
	mine.Arrows = append(mine.Arrows, Arrow{From: "influence", To: "new"})
	mine.Note = "B's note"
	got, clashes := Merge(base, theirs, mine)
	texts := map[string]string{}
	for _, e := range got.Elements {
		texts[e.ID] = e.Text
	}
	if texts["network"] != "Bånd på tværs (fane A)" || texts["backbone"] != "En tovholder på fuld tid" || texts["new"] != "Nyt" || texts["partners"] != "Partnere (fane B)" {
		t.Errorf("merged texts %v", texts)
	}
	if len(clashes) != 1 || clashes[0] != "Partnere (fane B)" {
		t.Errorf("clashes %v, want the element both changed", clashes)
	}
	if len(got.Arrows) != len(base.Arrows)+1 || got.Note != "B's note" {
		t.Errorf("arrows %d, note %q", len(got.Arrows), got.Note)
	}
}
