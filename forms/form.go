// Package forms defines questionnaires, validates the answers given to them
// and works out what each response adds to a form's running totals.
//
// It knows nothing about HTTP or databases, so the JSON API, later HTML forms
// and analytics all share one meaning of a form.
package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// Kind tells who answers a form.
type Kind string

// The kinds of respondent a form can be written for.
const (
	KindCitizen Kind = "citizen"
	KindPartner Kind = "partner"
)

// ItemType is the kind of answer an item asks for.
type ItemType string

// The item types a form can use.
const (
	TypeScale  ItemType = "scale"  // an integer from Min to Max, with labels for the ends
	TypeChoice ItemType = "choice" // one value from Options
	TypeText   ItemType = "text"   // free text of at most MaxLength characters
)

// Text holds one translation per language tag, such as "da" or "en".
type Text map[string]string

// In returns the text in lang, or in fallback when lang has none.
func (t Text) In(lang, fallback string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	return t[fallback]
}

// Form is one version of a questionnaire.
type Form struct {
	ID              string   `json:"id"`
	Version         int      `json:"version"`
	Kind            Kind     `json:"kind"`
	DefaultLanguage string   `json:"default_language"`
	Languages       []string `json:"languages"`
	Title           Text     `json:"title"`
	Intro           Text     `json:"intro"`
	Items           []Item   `json:"items"`
}

// Item is one question of a form.
type Item struct {
	ID        string       `json:"id"`
	Type      ItemType     `json:"type"`
	Text      Text         `json:"text"`
	Required  bool         `json:"required,omitempty"`
	Min       int          `json:"min,omitempty"`
	Max       int          `json:"max,omitempty"`
	Labels    *ScaleLabels `json:"labels,omitempty"`
	Options   []Option     `json:"options,omitempty"`
	MaxLength int          `json:"max_length,omitempty"`
}

// ScaleLabels names the two ends of a scale, so that a respondent knows
// which end means what.
type ScaleLabels struct {
	Min Text `json:"min"`
	Max Text `json:"max"`
}

// Option is one answer a choice item offers.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Item returns the item with the given id.
func (f *Form) Item(id string) (Item, bool) {
	i := slices.IndexFunc(f.Items, func(it Item) bool { return it.ID == id })
	if i < 0 {
		return Item{}, false
	}
	return f.Items[i], true
}

// HasLanguage reports whether the form is translated into lang.
func (f *Form) HasLanguage(lang string) bool {
	return slices.Contains(f.Languages, lang)
}

// identifier is the shape of form, item and option ids. They become keys in
// stored documents, where a "." or a leading "$" would not survive.
var identifier = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// Parse reads a form definition and checks that it is complete and consistent.
func Parse(data []byte) (*Form, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Form
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode form definition: %w", err)
	}
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("form %q: %w", f.ID, err)
	}
	return &f, nil
}
