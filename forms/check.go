package forms

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// DefinitionProblem is one thing wrong with a form definition, at the path
// of the field at fault, such as "items[2].options[0].label".
type DefinitionProblem struct {
	Path   string
	Code   string
	Params map[string]any
}

// Definition problem codes.
const (
	DefMalformed          = "malformed"
	DefUnknownField       = "unknown_field"
	DefInvalidID          = "invalid_id"
	DefDuplicateID        = "duplicate_id"
	DefInvalidValue       = "invalid_value"
	DefMissingTranslation = "missing_translation"
	DefMissingField       = "missing_field"
	DefUnknownType        = "unknown_type"
	DefInvalidRange       = "invalid_range"
	DefNotForType         = "not_for_type"
	DefUnknownReference   = "unknown_reference"
	DefForwardReference   = "forward_reference"
	DefInvalidCondition   = "invalid_condition"
	DefNotScorable        = "not_scorable"
	DefMixedRanges        = "mixed_ranges"
	DefReadability        = "readability"
	DefTooManyWords       = "too_many_words"
)

var definitionMessages = map[string]string{
	DefMalformed:          "the definition is not valid JSON: {{.Detail}}",
	DefUnknownField:       "unknown field {{.Value}}",
	DefInvalidID:          "{{.Value}} must be 1-64 characters of a-z, 0-9 and _",
	DefDuplicateID:        "{{.Value}} is used twice",
	DefInvalidValue:       "{{.Value}} is not allowed here",
	DefMissingTranslation: "missing the {{.Lang}} translation",
	DefMissingField:       "this field is required",
	DefUnknownType:        "unknown item type {{.Value}}",
	DefInvalidRange:       "min must be below max",
	DefNotForType:         "{{.Field}} does not apply to a {{.Type}} item",
	DefUnknownReference:   "{{.Value}} does not exist",
	DefForwardReference:   "{{.Value}} must come before the item that refers to it",
	DefInvalidCondition:   "a condition needs exactly one test, on an item or over all/any",
	DefNotScorable:        "{{.Value}} cannot be scored: use scale, rating or yesno items",
	DefMixedRanges:        "all items of a mean scale need the same range",
	DefReadability:        "LIX {{.LIX}} is above {{.Max}}: use shorter sentences and words",
	DefTooManyWords:       "{{.Words}} words; keep a question to 20 at most",
}

// String says what is wrong in plain English, for the lint command and logs.
func (p DefinitionProblem) String() string {
	msg := definitionMessages[p.Code]
	for k, v := range p.Params {
		msg = strings.ReplaceAll(msg, "{{."+k+"}}", fmt.Sprint(v))
	}
	if p.Path == "" {
		return msg
	}
	return p.Path + ": " + msg
}

// languageTag is the shape of a language tag in a definition.
var languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// checker collects problems while walking a definition.
type checker struct {
	f        *Form
	problems []DefinitionProblem
}

func (c *checker) fail(path, code string, params map[string]any) {
	c.problems = append(c.problems, DefinitionProblem{Path: path, Code: code, Params: params})
}

func (c *checker) id(path, id string) {
	if !identifier.MatchString(id) {
		c.fail(path, DefInvalidID, map[string]any{"Value": fmt.Sprintf("%q", id)})
	}
}

// uniqueID checks an id's shape and that seen does not hold it yet, then
// adds it to seen.
func (c *checker) uniqueID(path, id string, seen *[]string) {
	c.id(path, id)
	if slices.Contains(*seen, id) {
		c.fail(path, DefDuplicateID, map[string]any{"Value": fmt.Sprintf("%q", id)})
	}
	*seen = append(*seen, id)
}

func (c *checker) text(path string, t Text, required bool) {
	if t == nil && !required {
		return
	}
	for _, lang := range c.f.Languages {
		if strings.TrimSpace(t[lang]) == "" {
			c.fail(path, DefMissingTranslation, map[string]any{"Lang": lang})
		}
	}
	for lang := range t {
		if !c.f.HasLanguage(lang) {
			c.fail(path+"."+lang, DefInvalidValue, map[string]any{"Value": fmt.Sprintf("language %q", lang)})
		}
	}
}

// Check reports every problem with a form definition at once, each with the
// path of the field at fault, so that an author can fix them in one pass.
func (f *Form) Check() []DefinitionProblem {
	c := &checker{f: f}
	c.id("id", f.ID)
	if f.Version < 1 {
		c.fail("version", DefInvalidValue, map[string]any{"Value": f.Version})
	}
	if !slices.Contains([]Kind{KindCitizen, KindPartner, KindActivity}, f.Kind) {
		c.fail("kind", DefInvalidValue, map[string]any{"Value": fmt.Sprintf("%q", f.Kind)})
	}
	if len(f.Languages) == 0 {
		c.fail("languages", DefMissingField, nil)
	}
	for i, lang := range f.Languages {
		if !languageTag.MatchString(lang) || slices.Index(f.Languages, lang) != i {
			c.fail(fmt.Sprintf("languages[%d]", i), DefInvalidValue, map[string]any{"Value": fmt.Sprintf("%q", lang)})
		}
	}
	if !f.HasLanguage(f.DefaultLanguage) {
		c.fail("default_language", DefInvalidValue, map[string]any{"Value": fmt.Sprintf("%q", f.DefaultLanguage)})
	}
	for i, lang := range f.Unreviewed {
		if !f.HasLanguage(lang) {
			c.fail(fmt.Sprintf("unreviewed[%d]", i), DefInvalidValue, map[string]any{"Value": fmt.Sprintf("%q", lang)})
		}
	}
	c.text("title", f.Title, true)
	c.text("intro", f.Intro, true)
	c.text("consent", f.Consent, false)
	sections := make([]string, 0, len(f.Sections))
	for i, s := range f.Sections {
		path := fmt.Sprintf("sections[%d]", i)
		c.uniqueID(path+".id", s.ID, &sections)
		c.text(path+".title", s.Title, true)
	}
	if len(f.Items) == 0 {
		c.fail("items", DefMissingField, nil)
	}
	c.items("items", f.Items, sections, true)
	c.scales()
	c.quasiIdentifiers()
	return c.problems
}

// quasiIdentifiers checks that each names, once, a choice or yes/no item
// outside every scale: figures are grouped by it.
func (c *checker) quasiIdentifiers() {
	for i, id := range c.f.QuasiIdentifiers {
		path := fmt.Sprintf("quasi_identifiers[%d]", i)
		it, ok := c.f.Item(id)
		inScale := slices.ContainsFunc(c.f.Scales, func(s Scale) bool { return slices.Contains(s.Items, id) })
		switch {
		case id == "month" || id == "wave" || id == "activity":
			// Figures are grouped by these already; one named so would be
			// taken for them.
			c.fail(path, DefInvalidValue, map[string]any{"Value": fmt.Sprintf("%q", id)})
		case !ok:
			c.fail(path, DefUnknownReference, map[string]any{"Value": fmt.Sprintf("%q", id)})
		case slices.Index(c.f.QuasiIdentifiers, id) != i:
			c.fail(path, DefDuplicateID, map[string]any{"Value": fmt.Sprintf("%q", id)})
		case it.Type != TypeChoice && it.Type != TypeYesNo || inScale:
			c.fail(path, DefNotForType, map[string]any{"Field": "quasi_identifiers", "Type": string(it.Type)})
		}
	}
}

func (c *checker) items(prefix string, items []Item, sections []string, top bool) {
	var seen []string
	if !top {
		// A roster entry names its partner under "partner".
		seen = []string{"partner"}
	}
	for i, it := range items {
		path := fmt.Sprintf("%s[%d]", prefix, i)
		if it.ShowIf != nil {
			// Only the items before this one count, so it cannot depend on itself.
			c.condition(path+".show_if", it.ShowIf, seen, items)
		}
		c.uniqueID(path+".id", it.ID, &seen)
		c.text(path+".text", it.Text, true)
		c.text(path+".help", it.Help, false)
		if it.Section != "" && !slices.Contains(sections, it.Section) {
			c.fail(path+".section", DefUnknownReference, map[string]any{"Value": fmt.Sprintf("%q", it.Section)})
		}
		c.itemType(path, it, top)
	}
}

// itemType checks the fields each type needs and refuses those it ignores,
// which are usually a sign of a mistaken type.
func (c *checker) itemType(path string, it Item, top bool) {
	uses := map[ItemType][]string{
		TypeScale:    {"min", "max", "labels", "faces", "point_labels"},
		TypeRating:   {"labels"},
		TypeNumber:   {"min", "max", "decimals"},
		TypeChoice:   {"options"},
		TypeMulti:    {"options", "max_picks"},
		TypeYesNo:    {},
		TypeText:     {"max_length"},
		TypePartners: {"items"},
	}
	allowed, known := uses[it.Type]
	if !known || (it.Type == TypePartners && !top) {
		c.fail(path+".type", DefUnknownType, map[string]any{"Value": fmt.Sprintf("%q", it.Type)})
		return
	}
	for field, set := range map[string]bool{
		"min": it.Min != nil, "max": it.Max != nil, "labels": it.Labels != nil, "faces": it.Faces,
		"decimals": it.Decimals != 0, "options": it.Options != nil, "max_picks": it.MaxPicks != 0,
		"max_length": it.MaxLength != 0, "items": it.Items != nil, "point_labels": it.PointLabels != nil,
	} {
		if set && !slices.Contains(allowed, field) {
			c.fail(path+"."+field, DefNotForType, map[string]any{"Field": field, "Type": it.Type})
		}
	}
	switch it.Type {
	case TypeScale, TypeNumber:
		if it.Min == nil || it.Max == nil {
			c.fail(path, DefMissingField, map[string]any{"Field": "min/max"})
			break
		}
		if *it.Min >= *it.Max {
			c.fail(path, DefInvalidRange, nil)
		}
		if it.Type == TypeScale && (*it.Min != float64(int(*it.Min)) || *it.Max != float64(int(*it.Max))) {
			c.fail(path, DefInvalidValue, map[string]any{"Value": "a scale of fractions"})
		}
		if it.PointLabels != nil && len(it.PointLabels) != int(*it.Max-*it.Min)+1 {
			c.fail(path+".point_labels", DefInvalidValue, map[string]any{"Value": fmt.Sprintf("%d labels for %d points", len(it.PointLabels), int(*it.Max-*it.Min)+1)})
		}
		for j, l := range it.PointLabels {
			c.text(fmt.Sprintf("%s.point_labels[%d]", path, j), l, true)
		}
		if it.Faces && *it.Max-*it.Min != 4 {
			c.fail(path+".faces", DefInvalidValue, map[string]any{"Value": "faces on a scale that is not 5 points"})
		}
		if it.Decimals < 0 || it.Decimals > 6 {
			c.fail(path+".decimals", DefInvalidValue, map[string]any{"Value": it.Decimals})
		}
	case TypeChoice, TypeMulti:
		if len(it.Options) < 2 {
			c.fail(path+".options", DefMissingField, nil)
		}
		values := []string{PreferNot}
		for j, o := range it.Options {
			opath := fmt.Sprintf("%s.options[%d]", path, j)
			// "prefer_not" is taken: it is the answer every item may offer.
			c.uniqueID(opath+".value", o.Value, &values)
			c.text(opath+".label", o.Label, true)
			if o.Exclusive && it.Type != TypeMulti {
				// A single choice excludes the others anyway.
				c.fail(opath+".exclusive", DefNotForType, nil)
			}
		}
		if it.MaxPicks < 0 || it.MaxPicks > len(it.Options) {
			c.fail(path+".max_picks", DefInvalidValue, map[string]any{"Value": it.MaxPicks})
		}
	case TypeText:
		if it.MaxLength < 1 || it.MaxLength > 5000 {
			c.fail(path+".max_length", DefInvalidValue, map[string]any{"Value": it.MaxLength})
		}
	case TypePartners:
		if len(it.Items) == 0 {
			c.fail(path+".items", DefMissingField, nil)
		}
		c.items(path+".items", it.Items, nil, false)
	}
	if it.Type == TypeScale || it.Type == TypeRating {
		if it.Labels == nil {
			c.fail(path+".labels", DefMissingField, nil)
		} else {
			c.text(path+".labels.min", it.Labels.Min, true)
			c.text(path+".labels.max", it.Labels.Max, true)
		}
	}
}

// condition checks a show_if: each test reads an item that comes earlier,
// so answers are always validated in an order where conditions are known.
func (c *checker) condition(path string, cond *Condition, earlierIDs []string, all []Item) {
	hasItem := cond.Item != ""
	combines := cond.All != nil || cond.Any != nil
	if cond.tests() != 1 || hasItem == combines {
		c.fail(path, DefInvalidCondition, nil)
	}
	if hasItem {
		switch {
		case slices.Contains(earlierIDs, cond.Item):
		case slices.ContainsFunc(all, func(it Item) bool { return it.ID == cond.Item }):
			c.fail(path+".item", DefForwardReference, map[string]any{"Value": fmt.Sprintf("%q", cond.Item)})
		default:
			c.fail(path+".item", DefUnknownReference, map[string]any{"Value": fmt.Sprintf("%q", cond.Item)})
		}
	}
	for i, sub := range cond.All {
		c.condition(fmt.Sprintf("%s.all[%d]", path, i), sub, earlierIDs, all)
	}
	for i, sub := range cond.Any {
		c.condition(fmt.Sprintf("%s.any[%d]", path, i), sub, earlierIDs, all)
	}
}

func (c *checker) scales() {
	seen := make([]string, 0, len(c.f.Scales))
	for i, s := range c.f.Scales {
		path := fmt.Sprintf("scales[%d]", i)
		c.uniqueID(path+".id", s.ID, &seen)
		c.text(path+".label", s.Label, true)
		if len(s.Items) == 0 {
			c.fail(path+".items", DefMissingField, nil)
		}
		var lo, hi float64
		for j, id := range s.Items {
			ipath := fmt.Sprintf("%s.items[%d]", path, j)
			it, ok := c.f.Item(id)
			switch {
			case !ok:
				c.fail(ipath, DefUnknownReference, map[string]any{"Value": fmt.Sprintf("%q", id)})
				continue
			case it.Type != TypeScale && it.Type != TypeRating && it.Type != TypeYesNo:
				c.fail(ipath, DefNotScorable, map[string]any{"Value": fmt.Sprintf("%q", id)})
				continue
			}
			min, max := it.Range()
			if j > 0 && (min != lo || max != hi) && s.Method != "sum" {
				c.fail(ipath, DefMixedRanges, nil)
			}
			lo, hi = min, max
		}
		for j, id := range s.Reverse {
			if !slices.Contains(s.Items, id) {
				c.fail(fmt.Sprintf("%s.reverse[%d]", path, j), DefUnknownReference, map[string]any{"Value": fmt.Sprintf("%q", id)})
			}
		}
		if s.Method != "mean" && s.Method != "sum" {
			c.fail(path+".method", DefInvalidValue, map[string]any{"Value": fmt.Sprintf("%q", s.Method)})
		}
		if s.MinAnswered < 0 || s.MinAnswered > len(s.Items) {
			c.fail(path+".min_answered", DefInvalidValue, map[string]any{"Value": s.MinAnswered})
		}
		if s.Rescale && s.Multiplier != 0 {
			c.fail(path+".multiplier", DefInvalidValue, map[string]any{"Value": "a multiplier with rescale"})
		}
		// A score counts once in every cutoff it meets, so an id used twice
		// would count it twice, and a range that ends below its start none.
		var cuts []string
		for j, cut := range s.Cutoffs {
			cpath := fmt.Sprintf("%s.cutoffs[%d]", path, j)
			c.uniqueID(cpath+".id", cut.ID, &cuts)
			c.text(cpath+".label", cut.Label, true)
			switch {
			case cut.AtLeast == nil && cut.AtMost == nil:
				c.fail(cpath, DefMissingField, map[string]any{"Field": "at_least/at_most"})
			case cut.AtLeast != nil && cut.AtMost != nil && *cut.AtLeast > *cut.AtMost:
				c.fail(cpath+".at_most", DefInvalidValue, map[string]any{"Value": "at_most below at_least"})
			}
		}
	}
}
