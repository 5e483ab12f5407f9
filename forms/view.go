package forms

import "strconv"

// View is a form in one language, as a client renders it. Conditions
// come as defined, so that a client shows and hides items exactly as the
// server validates them.
type View struct {
	ID       string        `json:"id"`
	Version  int           `json:"version"`
	Kind     Kind          `json:"kind"`
	Lang     string        `json:"lang"`
	Reviewed bool          `json:"translation_reviewed"`
	Title    string        `json:"title"`
	Intro    string        `json:"intro"`
	Consent  string        `json:"consent,omitempty"`
	Sections []SectionView `json:"sections,omitempty"`
	Items    []ItemView    `json:"items"`
}

// SectionView is a section in one language.
type SectionView struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ItemView is an item in one language.
type ItemView struct {
	ID          string          `json:"id"`
	Type        ItemType        `json:"type"`
	Section     string          `json:"section,omitempty"`
	Text        string          `json:"text"`
	Help        string          `json:"help,omitempty"`
	Required    bool            `json:"required"`
	PreferNot   bool            `json:"prefer_not"`
	Min         *float64        `json:"min,omitempty"`
	Max         *float64        `json:"max,omitempty"`
	Decimals    int             `json:"decimals,omitempty"`
	Faces       bool            `json:"faces,omitempty"`
	Labels      *ScaleLabelView `json:"labels,omitempty"`
	PointLabels []string        `json:"point_labels,omitempty"`
	Options     []OptionView    `json:"options,omitempty"`
	MaxPicks    int             `json:"max_picks,omitempty"`
	MaxLength   int             `json:"max_length,omitempty"`
	Items       []ItemView      `json:"items,omitempty"`
	ShowIf      *Condition      `json:"show_if,omitempty"`
}

// ScaleLabelView names the ends of a scale in one language.
type ScaleLabelView struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

// OptionView is an option in one language.
type OptionView struct {
	Value     string `json:"value"`
	Label     string `json:"label"`
	Exclusive bool   `json:"exclusive,omitempty"`
}

// In is the form in a language, falling back to its default language
// for any text not translated.
func (f *Form) In(lang string) View {
	in := func(t Text) string { return t.In(lang, f.DefaultLanguage) }
	v := View{ID: f.ID, Version: f.Version, Kind: f.Kind, Lang: lang, Reviewed: f.Reviewed(lang),
		Title: in(f.Title), Intro: in(f.Intro), Consent: in(f.Consent), Items: viewItems(f.Items, in)}
	for _, s := range f.Sections {
		v.Sections = append(v.Sections, SectionView{ID: s.ID, Title: in(s.Title)})
	}
	return v
}

func viewItems(items []Item, in func(Text) string) []ItemView {
	views := make([]ItemView, 0, len(items))
	for _, it := range items {
		iv := ItemView{ID: it.ID, Type: it.Type, Section: it.Section, Text: in(it.Text), Help: in(it.Help),
			Required: it.Required, PreferNot: it.PreferNot, Decimals: it.Decimals, Faces: it.Faces,
			MaxPicks: it.MaxPicks, MaxLength: it.MaxLength, ShowIf: it.ShowIf}
		if it.Type == TypeScale || it.Type == TypeRating || it.Type == TypeNumber {
			lo, hi := it.Range()
			iv.Min, iv.Max = &lo, &hi
		}
		if it.Labels != nil {
			iv.Labels = &ScaleLabelView{Min: in(it.Labels.Min), Max: in(it.Labels.Max)}
		}
		for _, l := range it.PointLabels {
			iv.PointLabels = append(iv.PointLabels, in(l))
		}
		for _, o := range it.Options {
			iv.Options = append(iv.Options, OptionView{Value: o.Value, Label: in(o.Label), Exclusive: o.Exclusive})
		}
		if it.Items != nil {
			iv.Items = viewItems(it.Items, in)
		}
		views = append(views, iv)
	}
	return views
}

// FormatNumber writes a number as short as it can be read back exactly.
func FormatNumber(x float64) string {
	return strconv.FormatFloat(x, 'f', -1, 64)
}
