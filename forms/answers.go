package forms

import (
	"encoding/json"
	"math"
	"slices"
	"unicode/utf8"
)

// Answers maps item ids to validated answers: an int for a scale, the
// option's value for a choice, the text for a text item. An item that was
// not answered is absent.
type Answers map[string]any

// Problem codes name what is wrong with one answer. Clients branch on them;
// people read the localized message built from them.
const (
	CodeUnknownItem   = "unknown_item"
	CodeRequired      = "required"
	CodeWrongType     = "wrong_type"
	CodeOutOfRange    = "out_of_range"
	CodeUnknownOption = "unknown_option"
	CodeTooLong       = "too_long"
	CodeInvalidUTF8   = "invalid_utf8"
)

// Problem is one thing wrong with one answer.
type Problem struct {
	Item string
	Code string
	// Params holds the numbers a message needs, such as the range of a scale.
	Params map[string]any
}

// Validate checks raw answers, as decoded from JSON or a web form, against
// the form and returns them normalized. It reports every problem, not only
// the first, so a respondent can fix them all at once.
//
// A raw value may be nil (not answered), a string, a json.Number, a float64
// or an int. Map iteration order does not leak into the result: problems
// come in the form's item order, then unknown items sorted by id.
func (f *Form) Validate(raw map[string]any) (Answers, []Problem) {
	answers := make(Answers)
	var problems []Problem
	for _, it := range f.Items {
		v, given := raw[it.ID]
		if !given || v == nil {
			if it.Required {
				problems = append(problems, Problem{Item: it.ID, Code: CodeRequired})
			}
			continue
		}
		a, p := it.check(v)
		if p != nil {
			problems = append(problems, *p)
			continue
		}
		answers[it.ID] = a
	}

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

func (it Item) check(v any) (any, *Problem) {
	problem := func(code string, params map[string]any) *Problem {
		return &Problem{Item: it.ID, Code: code, Params: params}
	}
	switch it.Type {
	case TypeScale:
		n, ok := integer(v)
		if !ok {
			return nil, problem(CodeWrongType, map[string]any{"Expected": "integer"})
		}
		if n < it.Min || n > it.Max {
			return nil, problem(CodeOutOfRange, map[string]any{"Min": it.Min, "Max": it.Max})
		}
		return n, nil
	case TypeChoice:
		s, ok := v.(string)
		if !ok {
			return nil, problem(CodeWrongType, map[string]any{"Expected": "option"})
		}
		if !slices.ContainsFunc(it.Options, func(o Option) bool { return o.Value == s }) {
			return nil, problem(CodeUnknownOption, nil)
		}
		return s, nil
	default: // TypeText; Check admits no other type.
		s, ok := v.(string)
		if !ok {
			return nil, problem(CodeWrongType, map[string]any{"Expected": "text"})
		}
		if !utf8.ValidString(s) {
			return nil, problem(CodeInvalidUTF8, nil)
		}
		if utf8.RuneCountInString(s) > it.MaxLength {
			return nil, problem(CodeTooLong, map[string]any{"Max": it.MaxLength})
		}
		return s, nil
	}
}

// integer accepts whole numbers only: 3 and 3.0 are answers to a scale,
// 3.5 and "3" are not.
func integer(v any) (int, bool) {
	var f float64
	switch n := v.(type) {
	case int:
		return n, true
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
	if f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, false
	}
	return int(f), true
}
