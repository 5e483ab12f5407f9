// Package forms defines questionnaires, validates and scores the answers
// given to them and works out what each response adds to a form's running
// totals.
//
// It knows nothing about HTTP or databases, so the JSON API, the HTML form,
// the lint command and analytics all share one meaning of a form.
package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kind tells who answers a form.
type Kind string

// The kinds of respondent a form can be written for.
const (
	KindCitizen  Kind = "citizen"  // citizens, anonymously, through a link or QR code
	KindPartner  Kind = "partner"  // partner organisations, through a personal invitation
	KindActivity Kind = "activity" // citizens, in 30 seconds at an activity
)

// ItemType is the kind of answer an item asks for.
type ItemType string

// The item types a form can use.
const (
	TypeScale    ItemType = "scale"    // an integer from Min to Max, with labels for the ends
	TypeRating   ItemType = "rating"   // an integer from 0 to 10, with labels for the ends
	TypeChoice   ItemType = "choice"   // one value from Options
	TypeMulti    ItemType = "multi"    // several values from Options, at most Max if set
	TypeYesNo    ItemType = "yesno"    // true or false
	TypeNumber   ItemType = "number"   // a number from Min to Max with at most Decimals decimals
	TypeText     ItemType = "text"     // free text of at most MaxLength characters
	TypePartners ItemType = "partners" // partners picked from a roster, each rated on Items
)

// PreferNot is the answer "I prefer not to answer", accepted by items that
// offer it. It is an answer, unlike a skipped item, but it never scores.
const PreferNot = "prefer_not"

// Text holds one translation per language tag, such as "da" or "en".
type Text map[string]string

// In returns the text in lang, or in fallback when lang has none.
func (t Text) In(lang, fallback string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	return t[fallback]
}

// Form is one version of a questionnaire. A published version never
// changes: a changed form is a new version.
type Form struct {
	ID              string   `json:"id"`
	Version         int      `json:"version"`
	Kind            Kind     `json:"kind"`
	DefaultLanguage string   `json:"default_language"`
	Languages       []string `json:"languages"`
	// Unreviewed lists languages whose translation no native speaker has
	// checked yet; clients may say so.
	Unreviewed []string  `json:"unreviewed,omitempty"`
	Title      Text      `json:"title"`
	Intro      Text      `json:"intro"`
	Consent    Text      `json:"consent,omitempty"`
	Sections   []Section `json:"sections,omitempty"`
	Items      []Item    `json:"items"`
	Scales     []Scale   `json:"scales,omitempty"`
	// QuasiIdentifiers lists the choice or yes/no items whose answers
	// others may know of a person (age band, role), most useful first.
	// Indicators group by them only, and disclosure control treats them
	// like activity and month, giving up the last one first.
	QuasiIdentifiers []string `json:"quasi_identifiers,omitempty"`
	// Source credits the instrument a form is built on, with its licence.
	Source *Source `json:"source,omitempty"`
}

// Section groups items under a heading.
type Section struct {
	ID    string `json:"id"`
	Title Text   `json:"title"`
}

// Source names where a validated instrument comes from and how it may be used.
type Source struct {
	Citation string `json:"citation"`
	Licence  string `json:"licence"`
	URL      string `json:"url,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Item is one question of a form.
type Item struct {
	ID        string       `json:"id"`
	Type      ItemType     `json:"type"`
	Section   string       `json:"section,omitempty"`
	Text      Text         `json:"text"`
	Help      Text         `json:"help,omitempty"`
	Required  bool         `json:"required,omitempty"`
	PreferNot bool         `json:"prefer_not,omitempty"`
	Min       *float64     `json:"min,omitempty"`
	Max       *float64     `json:"max,omitempty"`
	Decimals  int          `json:"decimals,omitempty"`
	Faces     bool         `json:"faces,omitempty"`
	Labels    *ScaleLabels `json:"labels,omitempty"`
	// PointLabels names every point of a scale, lowest first, where the
	// instrument's source labels them all.
	PointLabels []Text   `json:"point_labels,omitempty"`
	Options     []Option `json:"options,omitempty"`
	MaxPicks    int      `json:"max_picks,omitempty"`
	MaxLength   int      `json:"max_length,omitempty"`
	// Items are what a partners item asks about each picked partner.
	Items  []Item     `json:"items,omitempty"`
	ShowIf *Condition `json:"show_if,omitempty"`
}

// ScaleLabels names the two ends of a scale, so that a respondent knows
// which end means what.
type ScaleLabels struct {
	Min Text `json:"min"`
	Max Text `json:"max"`
}

// Option is one answer a choice or multi item offers.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
	// Exclusive marks the option of a multiple-choice question that
	// excludes the others, such as "No, nothing": picked with another,
	// the answer contradicts itself and is refused.
	Exclusive bool `json:"exclusive,omitempty"`
}

// Range returns the smallest and largest answer a numeric item takes.
func (it Item) Range() (lo, hi float64) {
	if it.Type == TypeRating {
		return 0, 10
	}
	if it.Type == TypeYesNo {
		return 0, 1
	}
	if it.Min == nil || it.Max == nil {
		return 0, 0
	}
	return *it.Min, *it.Max
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

// Reviewed reports whether a native speaker has checked the form in lang.
func (f *Form) Reviewed(lang string) bool {
	return f.HasLanguage(lang) && !slices.Contains(f.Unreviewed, lang)
}

// identifier is the shape of form, item and option ids. They become keys in
// stored documents, where a "." or a leading "$" would not survive.
var identifier = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// Parse reads a form definition and checks it. A definition with problems
// comes back with all of them, as a *DefinitionError.
func Parse(data []byte) (*Form, error) {
	f, err := Decode(data)
	if err != nil {
		return nil, err
	}
	if problems := f.Check(); len(problems) > 0 {
		return nil, &DefinitionError{Form: f.ID, Problems: problems}
	}
	return f, nil
}

// Decode reads a form definition without checking it, refusing unknown
// fields so that a misspelt one is reported instead of ignored.
func Decode(data []byte) (*Form, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Form
	err := dec.Decode(&f)
	if err == nil && dec.More() {
		err = errors.New("data after the definition")
	}
	if err == nil {
		return &f, nil
	}
	p := DefinitionProblem{Code: DefMalformed, Params: map[string]any{"Detail": err.Error()}}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		p = DefinitionProblem{Path: typeErr.Field, Code: DefInvalidValue, Params: map[string]any{"Value": "a " + typeErr.Value}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		p = DefinitionProblem{Code: DefUnknownField, Params: map[string]any{"Value": strings.TrimPrefix(err.Error(), "json: unknown field ")}}
	}
	return nil, &DefinitionError{Problems: []DefinitionProblem{p}}
}

// DefinitionError lists everything wrong with a form definition.
type DefinitionError struct {
	Form     string
	Problems []DefinitionProblem
}

func (e *DefinitionError) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "form %q has %d problem(s):", e.Form, len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s", p)
	}
	return b.String()
}

// TextItems lists the free-text items of the form that answers holds,
// those the retention job deletes after a while.
func (f *Form) TextItems(answers Answers) []string {
	var out []string
	for _, it := range f.Items {
		if _, ok := answers[it.ID]; ok && it.Type == TypeText {
			out = append(out, it.ID)
		}
	}
	return out
}
