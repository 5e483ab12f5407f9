package forms

import "slices"

// Condition decides whether an item is shown, from earlier answers. Exactly
// one of its tests is set: a comparison with Item, or All or Any of other
// conditions. Clients evaluate the same structure, so a form behaves alike
// on the server and on a phone.
type Condition struct {
	Item        string       `json:"item,omitempty"`
	Equals      any          `json:"equals,omitempty"`
	In          []any        `json:"in,omitempty"`
	NotAnswered bool         `json:"not_answered,omitempty"`
	Answered    bool         `json:"answered,omitempty"`
	GT          *float64     `json:"gt,omitempty"`
	GTE         *float64     `json:"gte,omitempty"`
	LT          *float64     `json:"lt,omitempty"`
	LTE         *float64     `json:"lte,omitempty"`
	All         []*Condition `json:"all,omitempty"`
	Any         []*Condition `json:"any,omitempty"`
}

// tests counts how many tests a condition sets; a sound one sets one.
func (c *Condition) tests() int {
	n := 0
	for _, set := range []bool{c.Equals != nil, c.In != nil, c.NotAnswered, c.Answered,
		c.GT != nil, c.GTE != nil, c.LT != nil, c.LTE != nil, c.All != nil, c.Any != nil} {
		if set {
			n++
		}
	}
	return n
}

// refs lists the items a condition reads.
func (c *Condition) refs() []string {
	if c == nil {
		return nil
	}
	var ids []string
	if c.Item != "" {
		ids = append(ids, c.Item)
	}
	for _, sub := range append(slices.Clone(c.All), c.Any...) {
		ids = append(ids, sub.refs()...)
	}
	return ids
}

// Holds reports whether the condition is true for the answers. A missing
// condition always holds. "I prefer not to answer" is an answer, but it
// equals nothing and compares with nothing.
func (c *Condition) Holds(a Answers) bool {
	if c == nil {
		return true
	}
	switch {
	case c.All != nil:
		for _, sub := range c.All {
			if !sub.Holds(a) {
				return false
			}
		}
		return true
	case c.Any != nil:
		return slices.ContainsFunc(c.Any, func(sub *Condition) bool { return sub.Holds(a) })
	}
	v, answered := a[c.Item]
	switch {
	case c.NotAnswered:
		return !answered
	case c.Answered:
		return answered
	case !answered || v == PreferNot:
		return false
	case c.Equals != nil:
		return matches(v, c.Equals)
	case c.In != nil:
		return slices.ContainsFunc(c.In, func(want any) bool { return matches(v, want) })
	}
	n, ok := number(v)
	if !ok {
		return false
	}
	return (c.GT == nil || n > *c.GT) && (c.GTE == nil || n >= *c.GTE) &&
		(c.LT == nil || n < *c.LT) && (c.LTE == nil || n <= *c.LTE)
}

// matches compares an answer with a value from a definition, where JSON
// made every number a float64. A multi answer matches when it contains want.
func matches(answer, want any) bool {
	if picks, ok := answer.([]string); ok {
		return slices.ContainsFunc(picks, func(p string) bool { return p == want })
	}
	if n, ok := number(answer); ok {
		w, ok := number(want)
		return ok && n == w
	}
	return answer == want
}

// number reads a normalized numeric answer.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// ShownBy lists the items whose answers decide whether an item is shown,
// directly or through their own conditions: whether the item was answered
// tells something of theirs.
func (f *Form) ShownBy(id string) []string {
	var out []string
	seen := map[string]bool{id: true}
	next := []string{id}
	for len(next) > 0 {
		it, ok := f.Item(next[0])
		next = next[1:]
		if !ok {
			continue
		}
		for _, ref := range it.ShowIf.refs() {
			if !seen[ref] {
				seen[ref] = true
				out = append(out, ref)
				next = append(next, ref)
			}
		}
	}
	return out
}

// FirstItem is the first question a condition depends on, to name it to
// someone whose answer made another question not apply.
func (c *Condition) FirstItem() string {
	switch {
	case c == nil:
		return ""
	case c.Item != "":
		return c.Item
	}
	for _, sub := range append(c.All, c.Any...) {
		if id := sub.FirstItem(); id != "" {
			return id
		}
	}
	return ""
}
