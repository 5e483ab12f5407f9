// Package theory models a partnership's program theory (forandringsteori):
// what it puts in, what it does, and the changes it expects, as elements in
// columns from resources to long-term outcomes; arrows between them, each
// standing for an assumption; evaluation questions; and the measure that
// tests each element. It knows nothing about HTTP, storage or how figures
// are computed.
package theory

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"samspil/partnership"
)

// Column is where an element stands in the chain of effects.
type Column string

// The columns, left to right.
const (
	Resources  Column = "resources"
	Activities Column = "activities"
	Outputs    Column = "outputs"
	ShortTerm  Column = "short_term"
	LongTerm   Column = "long_term"
)

// Columns lists the columns left to right.
var Columns = []Column{Resources, Activities, Outputs, ShortTerm, LongTerm}

// Level is which of the report's three levels an element belongs to.
type Level string

// The three levels of the source report (chapter 6.1.1).
const (
	LevelPartnership Level = "partnership"
	LevelActivities  Level = "activities"
	LevelCitizens    Level = "citizens"
)

// Levels lists the levels.
var Levels = []Level{LevelPartnership, LevelActivities, LevelCitizens}

// Element is one box of the theory.
type Element struct {
	ID     string `json:"id"`
	Column Column `json:"column"`
	Text   string `json:"text"`
	Level  Level  `json:"level,omitempty"`
	// Activity names one of the partnership's registered activities.
	Activity  string   `json:"activity,omitempty"`
	Questions []string `json:"questions,omitempty"`
	Measure   *Measure `json:"measure,omitempty"`
}

// Arrow is an assumed effect of one element on another.
type Arrow struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Assumption string `json:"assumption,omitempty"`
}

// Theory is one saved version of a partnership's program theory.
type Theory struct {
	Partnership string    `json:"partnership"`
	Version     int       `json:"version"`
	Elements    []Element `json:"elements"`
	Arrows      []Arrow   `json:"arrows"`
	// Note says what was learned, or why the theory changed.
	Note    string    `json:"note,omitempty"`
	Author  string    `json:"author,omitempty"`
	SavedAt time.Time `json:"saved_at"`
}

// Limits keep a theory drawable and readable.
const (
	MaxElements   = 40
	MaxArrows     = 80
	MaxText       = 160
	MaxAssumption = 300
	MaxQuestions  = 5
	MaxQuestion   = 300
	MaxNote       = 1000
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Element returns the element with an id.
func (t Theory) Element(id string) (Element, bool) {
	i := slices.IndexFunc(t.Elements, func(e Element) bool { return e.ID == id })
	if i < 0 {
		return Element{}, false
	}
	return t.Elements[i], true
}

// Validate lists what is wrong with a theory, each problem at the field
// that has it ("elements.2.text", "arrows.0.to"). An element may stand for
// one of activities, the partnership's registered activities.
func (t Theory) Validate(activities ...string) []partnership.Problem {
	var ps []partnership.Problem
	add := func(field, code string, params map[string]any) {
		ps = append(ps, partnership.Problem{Field: field, Code: code, Params: params})
	}
	if len(t.Elements) > MaxElements {
		add("elements", "too_many_elements", map[string]any{"Max": MaxElements})
	}
	if len(t.Arrows) > MaxArrows {
		add("arrows", "too_many_arrows", map[string]any{"Max": MaxArrows})
	}
	if utf8.RuneCountInString(t.Note) > MaxNote {
		add("note", "too_long", map[string]any{"Max": MaxNote})
	}
	seen := map[string]bool{}
	for i, e := range t.Elements {
		at := func(f string) string { return "elements." + strconv.Itoa(i) + f }
		switch {
		case !idPattern.MatchString(e.ID):
			add(at(".id"), "invalid_id", nil)
		case seen[e.ID]:
			add(at(".id"), "duplicate_id", nil)
		}
		seen[e.ID] = true
		if !slices.Contains(Columns, e.Column) {
			add(at(".column"), "invalid_choice", nil)
		}
		if e.Level != "" && !slices.Contains(Levels, e.Level) {
			add(at(".level"), "invalid_choice", nil)
		}
		if e.Activity != "" && !slices.Contains(activities, e.Activity) {
			add(at(".activity"), "activity_not_found", nil)
		}
		switch text := strings.TrimSpace(e.Text); {
		case text == "":
			add(at(".text"), "required", nil)
		case utf8.RuneCountInString(text) > MaxText:
			add(at(".text"), "too_long", map[string]any{"Max": MaxText})
		}
		if len(e.Questions) > MaxQuestions {
			add(at(".questions"), "too_many_questions", map[string]any{"Max": MaxQuestions})
		}
		for k, q := range e.Questions {
			if strings.TrimSpace(q) == "" || utf8.RuneCountInString(q) > MaxQuestion {
				add(at(".questions."+strconv.Itoa(k)), "too_long", map[string]any{"Max": MaxQuestion})
			}
		}
		if e.Measure != nil {
			for _, p := range e.Measure.validate() {
				add(at(".measure."+p.Field), p.Code, p.Params)
			}
		}
	}
	pairs := map[[2]string]bool{}
	for i, a := range t.Arrows {
		at := func(f string) string { return "arrows." + strconv.Itoa(i) + f }
		for _, end := range []struct{ field, id string }{{".from", a.From}, {".to", a.To}} {
			switch {
			case end.id == "":
				add(at(end.field), "required", nil)
			case !seen[end.id]:
				add(at(end.field), "unknown_element", nil)
			}
		}
		if a.From == a.To && a.From != "" {
			add(at(".to"), "same_element", nil)
		}
		if pairs[[2]string{a.From, a.To}] {
			add(at(".to"), "duplicate_arrow", nil)
		}
		pairs[[2]string{a.From, a.To}] = true
		if utf8.RuneCountInString(a.Assumption) > MaxAssumption {
			add(at(".assumption"), "too_long", map[string]any{"Max": MaxAssumption})
		}
	}
	return ps
}

// Clean trims what people type and drops empty questions, before
// validation.
func (t Theory) Clean() Theory {
	t.Note = strings.TrimSpace(t.Note)
	els := make([]Element, len(t.Elements))
	for i, e := range t.Elements {
		e.ID, e.Text, e.Activity = strings.TrimSpace(e.ID), strings.TrimSpace(e.Text), strings.TrimSpace(e.Activity)
		var qs []string
		for _, q := range e.Questions {
			if q = strings.TrimSpace(q); q != "" {
				qs = append(qs, q)
			}
		}
		e.Questions = qs
		els[i] = e
	}
	t.Elements = els
	arrows := make([]Arrow, len(t.Arrows))
	for i, a := range t.Arrows {
		a.Assumption = strings.TrimSpace(a.Assumption)
		arrows[i] = a
	}
	t.Arrows = arrows
	return t
}
