package forms

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Answers maps item ids to validated answers: an int for a scale or rating,
// a float64 for a number, a bool for yes/no, the option's value for a
// choice, the values for a multi ([]string), the text for a text item, the
// rated partners for a partners item ([]map[string]any, each with
// "partner"), or PreferNot. An item that was not answered is absent.
type Answers map[string]any

// Problem codes name what is wrong with one answer. Clients branch on them;
// people read the localized message built from them.
const (
	CodeUnknownItem    = "unknown_item"
	CodeHiddenItem     = "hidden_item"
	CodeRequired       = "required"
	CodeWrongType      = "wrong_type"
	CodeOutOfRange     = "out_of_range"
	CodeTooPrecise     = "too_precise"
	CodeUnknownOption  = "unknown_option"
	CodeDuplicate      = "duplicate"
	CodeTooMany        = "too_many"
	CodeExclusive      = "exclusive"
	CodeTooLong        = "too_long"
	CodeInvalidUTF8    = "invalid_utf8"
	CodeUnknownPartner = "unknown_partner"
)

// Problem is one thing wrong with one answer. Item is a path for answers
// inside a partners item: "<item>[<i>].<sub-item>".
type Problem struct {
	Item string
	Code string
	// Params holds what a message needs, such as the range of a scale.
	Params map[string]any
}

// Roster is the set of partner ids a partners item may name. A nil roster
// accepts any well-formed id, for forms answered outside a partnership.
type Roster []string

// Validate checks raw answers, as decoded from JSON or a web form, against
// the form and returns them normalized. It reports every problem, not only
// the first, so a respondent can fix them all at once.
//
// A raw value may be nil (not answered), a bool, a string, a json.Number, a
// float64, an int, a []any or a map[string]any. Items are checked in form
// order, so an item's show_if sees the validated answers before it; an
// answer to an item that is hidden is refused, as the person never saw it.
// Problems come in item order, then unknown items sorted by id.
func (f *Form) Validate(raw map[string]any, roster Roster) (Answers, []Problem) {
	return f.validate(raw, roster, false)
}

// ValidateShown is Validate for a page that showed every item at once, as a
// web form without JavaScript does: answers to items that the other answers
// hide are dropped instead of refused, since the person could not know.
func (f *Form) ValidateShown(raw map[string]any, roster Roster) (Answers, []Problem) {
	return f.validate(raw, roster, true)
}

func (f *Form) validate(raw map[string]any, roster Roster, dropHidden bool) (Answers, []Problem) {
	answers := make(Answers)
	problems := validateItems(f.Items, raw, roster, answers, "", dropHidden)
	var unknown []string
	for id := range raw {
		if _, ok := f.Item(id); !ok {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	for _, id := range unknown {
		problems = append(problems, Problem{Item: id, Code: CodeUnknownItem})
	}
	return answers, problems
}

func validateItems(items []Item, raw map[string]any, roster Roster, answers Answers, prefix string, dropHidden bool) []Problem {
	var problems []Problem
	for _, it := range items {
		v, given := raw[it.ID]
		given = given && v != nil
		if !it.ShowIf.Holds(answers) {
			if given && !dropHidden {
				problems = append(problems, Problem{Item: prefix + it.ID, Code: CodeHiddenItem})
			}
			continue
		}
		if !given {
			if it.Required {
				problems = append(problems, Problem{Item: prefix + it.ID, Code: CodeRequired})
			}
			continue
		}
		if v == PreferNot && it.PreferNot {
			answers[it.ID] = PreferNot
			continue
		}
		a, ps := it.check(v, roster, prefix+it.ID)
		if len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		answers[it.ID] = a
	}
	return problems
}

func (it Item) check(v any, roster Roster, path string) (any, []Problem) {
	problem := func(code string, params map[string]any) []Problem {
		return []Problem{{Item: path, Code: code, Params: params}}
	}
	wrongType := func(expected string) []Problem {
		return problem(CodeWrongType, map[string]any{"Expected": expected})
	}
	switch it.Type {
	case TypeScale, TypeRating:
		n, ok := integer(v)
		if !ok {
			return nil, wrongType("integer")
		}
		lo, hi := it.Range()
		if float64(n) < lo || float64(n) > hi {
			return nil, problem(CodeOutOfRange, map[string]any{"Min": lo, "Max": hi})
		}
		return n, nil
	case TypeNumber:
		x, ok := finite(v)
		if !ok {
			return nil, wrongType("number")
		}
		lo, hi := it.Range()
		if x < lo || x > hi {
			return nil, problem(CodeOutOfRange, map[string]any{"Min": lo, "Max": hi})
		}
		scaled := x * math.Pow10(it.Decimals)
		if math.Abs(scaled-math.Round(scaled)) > 1e-6 {
			return nil, problem(CodeTooPrecise, map[string]any{"Decimals": it.Decimals})
		}
		return x, nil
	case TypeYesNo:
		b, ok := v.(bool)
		if !ok {
			return nil, wrongType("yesno")
		}
		return b, nil
	case TypeChoice:
		s, ok := v.(string)
		if !ok {
			return nil, wrongType("option")
		}
		if !it.hasOption(s) {
			return nil, problem(CodeUnknownOption, nil)
		}
		return s, nil
	case TypeMulti:
		return it.checkMulti(v, problem)
	case TypeText:
		s, ok := v.(string)
		if !ok {
			return nil, wrongType("text")
		}
		if !utf8.ValidString(s) {
			return nil, problem(CodeInvalidUTF8, nil)
		}
		if utf8.RuneCountInString(s) > it.MaxLength {
			return nil, problem(CodeTooLong, map[string]any{"Max": it.MaxLength})
		}
		return s, nil
	default: // TypePartners; Check admits no other type.
		return it.checkPartners(v, roster, path)
	}
}

func (it Item) hasOption(v string) bool {
	return slices.ContainsFunc(it.Options, func(o Option) bool { return o.Value == v })
}

func (it Item) checkMulti(v any, problem func(string, map[string]any) []Problem) (any, []Problem) {
	list, ok := v.([]any)
	if !ok {
		return nil, problem(CodeWrongType, map[string]any{"Expected": "options"})
	}
	// "Prefer not to answer" is one answer, not one option among others:
	// with another it contradicts itself, like an exclusive option.
	if it.PreferNot && len(list) > 1 && slices.Contains(list, any(PreferNot)) {
		return nil, problem(CodeExclusive, map[string]any{"Option": PreferNot})
	}
	picks := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		switch {
		case !ok:
			return nil, problem(CodeWrongType, map[string]any{"Expected": "options"})
		case !it.hasOption(s):
			return nil, problem(CodeUnknownOption, nil)
		case slices.Contains(picks, s):
			return nil, problem(CodeDuplicate, nil)
		}
		picks = append(picks, s)
	}
	if it.MaxPicks > 0 && len(picks) > it.MaxPicks {
		return nil, problem(CodeTooMany, map[string]any{"Max": it.MaxPicks})
	}
	for _, o := range it.Options {
		if o.Exclusive && len(picks) > 1 && slices.Contains(picks, o.Value) {
			return nil, problem(CodeExclusive, map[string]any{"Option": o.Value})
		}
	}
	// Order of picking carries no meaning; sorting makes equal answers equal.
	slices.Sort(picks)
	return picks, nil
}

// checkPartners validates a roster answer: each entry names a partner once
// and answers the sub-items about it.
func (it Item) checkPartners(v any, roster Roster, path string) (any, []Problem) {
	list, ok := v.([]any)
	if !ok {
		return nil, []Problem{{Item: path, Code: CodeWrongType, Params: map[string]any{"Expected": "partners"}}}
	}
	var problems []Problem
	rated := make([]map[string]any, 0, len(list))
	seen := make(map[string]bool)
	for i, x := range list {
		entryPath := path + "[" + strconv.Itoa(i) + "]"
		entry, ok := x.(map[string]any)
		if !ok {
			problems = append(problems, Problem{Item: entryPath, Code: CodeWrongType, Params: map[string]any{"Expected": "partner"}})
			continue
		}
		id, _ := entry["partner"].(string)
		switch {
		case !identifier.MatchString(id) || (roster != nil && !slices.Contains(roster, id)):
			problems = append(problems, Problem{Item: entryPath + ".partner", Code: CodeUnknownPartner})
			continue
		case seen[id]:
			problems = append(problems, Problem{Item: entryPath + ".partner", Code: CodeDuplicate})
			continue
		}
		seen[id] = true
		sub := make(map[string]any, len(entry))
		for k, val := range entry {
			if k != "partner" {
				sub[k] = val
			}
		}
		answers := make(Answers)
		problems = append(problems, validateItems(it.Items, sub, nil, answers, entryPath+".", false)...)
		for k := range sub {
			if !slices.ContainsFunc(it.Items, func(s Item) bool { return s.ID == k }) {
				problems = append(problems, Problem{Item: entryPath + "." + k, Code: CodeUnknownItem})
			}
		}
		answers["partner"] = id
		rated = append(rated, answers)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return rated, nil
}

// integer accepts whole numbers only: 3 and 3.0 are answers to a scale,
// 3.5 and "3" are not.
func integer(v any) (int, bool) {
	f, ok := finite(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, false
	}
	return int(f), true
}

// finite reads a JSON number that is neither infinite nor NaN.
func finite(v any) (float64, bool) {
	var f float64
	switch n := v.(type) {
	case int:
		return float64(n), true
	case json.Number:
		x, err := n.Float64()
		if err != nil {
			return 0, false
		}
		f = x
	case float64:
		f = n
	default:
		return 0, false
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
