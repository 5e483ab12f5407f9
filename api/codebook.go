package api

import (
	"encoding/csv"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
	"samspil/internal/sheet"
)

// codebookLanguages are the languages a codebook gives labels in.
var codebookLanguages = []string{"da", "en"}

// codebook describes every variable a form's responses and exports hold:
// items (with options and show_if), partner sub-items, and scores with
// their scoring rules, so an evaluator can read the data without Samspil.
type codebook struct {
	Form    string        `json:"form"`
	Version int           `json:"version"`
	Kind    forms.Kind    `json:"kind"`
	Title   forms.Text    `json:"title"`
	Source  *forms.Source `json:"source,omitempty"`
	Missing missingCodes  `json:"missing"`
	// QuasiIdentifiers are the items figures may be grouped by, and that
	// k-anonymous exports generalise to "*" where a group is too small.
	QuasiIdentifiers []string        `json:"quasi_identifiers,omitempty"`
	Variables        []variable      `json:"variables"`
	Scores           []scoreVariable `json:"scores"`
	// Formulas says how the indicators built on this form are computed.
	Formulas map[string]string `json:"formulas"`
	// FollowUp says what the optional follow-up code of citizen forms is.
	FollowUp string `json:"follow_up,omitempty"`
}

// followUpNote is the codebook's word on follow-up codes.
const followUpNote = "Optional: a citizen answering from a partnership's link may ask for a follow-up code (8 characters, such as 4MCX-HEH7) and give it next time, so that change can be measured per person (paired change). " +
	"No name is asked; the code is stored only as a keyed hash (HMAC-SHA256 with a secret kept outside the database), and exports hold neither codes nor links. " +
	"The citizen can delete the code, or the code and every answer it links, on /forget; deleted answers leave the totals and exports."

// estimateFormulas describe every indicator of a score.
var estimateFormulas = map[string]string{
	"mean":        "sum of the scores / n, from running totals of n, sum and sum of squares",
	"sd":          "sample standard deviation: sqrt((sum of squares - n * mean^2) / (n - 1))",
	"ci":          "95% confidence interval of the mean: mean ± t(0.975, n - 1) * sd / sqrt(n)",
	"change":      "difference of means (later - earlier) with a Welch 95% interval; Hedges' g = difference / pooled sd * (1 - 3 / (4 * (n1 + n2) - 9))",
	"band":        "partnership health on 1-5: strength at 4 and above, borderline 3 to under 4, concern below 3",
	"cutoffs":     "a cut-off is a threshold with a direction: at_most counts scores at or below it, at_least at or above; a score counts in every cut-off it meets, so shares of nested cut-offs include each other",
	"release":     "citizen figures come in whole months, released after the month ends; each is a sum over classes of at least the partnership's minimum group (default 5, at least 3) that share month, wave, activity and the quasi-identifiers they keep; an index or question fewer than the minimum of a class answered adds nothing; partner-survey figures are released when their wave closes",
	"suppression": "partnership health by sector: sectors of fewer than the minimum group are hidden, then the smallest others until the hidden are two or more and at least the minimum together",
	"paired":      "paired change over people followed by follow-up codes: each person's first score in the earlier sample and last in the later; n pairs, mean difference (later - earlier), paired 95% interval mean ± t(0.975, n - 1) * sd / sqrt(n) of the differences, d_z = mean / sd; released months only, pairs joining in groups of at least the minimum",
}

// networkFormulas describe the network indicators of a partners roster.
var networkFormulas = map[string]string{
	"ties":                  "distinct directed collaborations reported (rater -> partner), self-ties and unknown partners ignored",
	"density":               "ties / (n * (n - 1)) over the partnership's partners",
	"reciprocity":           "share of ties whose reverse tie is also reported",
	"degree_centralization": "Freeman: sum over partners of (largest degree - degree) / ((n - 1) * (n - 2)), on the undirected network",
	"betweenness":           "share of shortest paths between other pairs that pass through a partner, on the undirected network, normalized by (n - 1) * (n - 2) / 2 as NetworkX does",
	"ei_index":              "Krackhardt-Stern E-I index: (ties between sectors - ties within sectors) / all undirected ties",
	"components":            "connected groups of partners on the undirected network; isolates have no tie",
	"missing_sectors":       "sectors with no active partner, or only one",
	"received":              "mean trust and contribution a partner was given, shown only when at least the minimum group size of partners rated it",
}

// missingCodes explains the two ways an item can lack a value.
type missingCodes struct {
	NotAnswered string `json:"not_answered"`
	PreferNot   string `json:"prefer_not"`
}

type variable struct {
	Name        string           `json:"name"`
	Type        forms.ItemType   `json:"type"`
	Label       forms.Text       `json:"label"`
	Section     string           `json:"section,omitempty"`
	Required    bool             `json:"required"`
	PreferNot   bool             `json:"prefer_not"`
	Min         *float64         `json:"min,omitempty"`
	Max         *float64         `json:"max,omitempty"`
	Decimals    int              `json:"decimals,omitempty"`
	MaxLength   int              `json:"max_length,omitempty"`
	MaxPicks    int              `json:"max_picks,omitempty"`
	Values      []valueLabel     `json:"values,omitempty"`
	ShowIf      *forms.Condition `json:"show_if,omitempty"`
	Description string           `json:"description,omitempty"`
}

type valueLabel struct {
	Value string     `json:"value"`
	Label forms.Text `json:"label"`
}

type scoreVariable struct {
	Name        string         `json:"name"`
	Label       forms.Text     `json:"label"`
	Items       []string       `json:"items"`
	Reverse     []string       `json:"reverse,omitempty"`
	Method      string         `json:"method"`
	MinAnswered int            `json:"min_answered,omitempty"`
	Range       [2]float64     `json:"range"`
	Rule        string         `json:"rule"`
	Cutoffs     []forms.Cutoff `json:"cutoffs,omitempty"`
}

// only keeps the codebook's languages of a text.
func only(t forms.Text) forms.Text {
	out := make(forms.Text, len(codebookLanguages))
	for _, lang := range codebookLanguages {
		if s, ok := t[lang]; ok {
			out[lang] = s
		}
	}
	return out
}

func buildCodebook(f *forms.Form) codebook {
	cb := codebook{Form: f.ID, Version: f.Version, Kind: f.Kind, Title: only(f.Title), Source: f.Source, QuasiIdentifiers: f.QuasiIdentifiers,
		Missing: missingCodes{
			NotAnswered: "empty: the item was skipped or not shown",
			PreferNot:   forms.PreferNot + ": the respondent chose not to answer; never scored",
		},
		Variables: variables("", f.Items), Scores: []scoreVariable{}, Formulas: map[string]string{}}
	if len(f.Scales) > 0 {
		maps.Copy(cb.Formulas, estimateFormulas)
	}
	if f.Kind != forms.KindPartner {
		cb.FollowUp = followUpNote
	}
	if slices.ContainsFunc(f.Items, func(it forms.Item) bool { return it.Type == forms.TypePartners }) {
		maps.Copy(cb.Formulas, networkFormulas)
	}
	for _, s := range f.Scales {
		lo, hi := f.ScoreRange(s)
		cb.Scores = append(cb.Scores, scoreVariable{Name: "score_" + s.ID, Label: only(s.Label), Items: s.Items,
			Reverse: s.Reverse, Method: s.Method, MinAnswered: s.MinAnswered, Range: [2]float64{lo, hi},
			Rule: scoringRule(f, s), Cutoffs: s.Cutoffs})
	}
	return cb
}

func variables(prefix string, items []forms.Item) []variable {
	var vars []variable
	for _, it := range items {
		v := variable{Name: prefix + it.ID, Type: it.Type, Label: only(it.Text), Section: it.Section,
			Required: it.Required, PreferNot: it.PreferNot, Decimals: it.Decimals, MaxLength: it.MaxLength,
			MaxPicks: it.MaxPicks, ShowIf: it.ShowIf}
		switch it.Type {
		case forms.TypeScale, forms.TypeRating, forms.TypeNumber:
			lo, hi := it.Range()
			v.Min, v.Max = &lo, &hi
		case forms.TypeYesNo:
			v.Values = []valueLabel{{"true", forms.Text{"da": "Ja", "en": "Yes"}}, {"false", forms.Text{"da": "Nej", "en": "No"}}}
		case forms.TypeMulti:
			v.Description = "the picked values, separated by ;"
		case forms.TypePartners:
			v.Description = "one entry per partner picked, with the sub-items below"
		}
		for i, l := range it.PointLabels {
			lo, _ := it.Range()
			v.Values = append(v.Values, valueLabel{strconv.Itoa(int(lo) + i), only(l)})
		}
		if it.Labels != nil && it.PointLabels == nil {
			lo, hi := it.Range()
			v.Values = []valueLabel{{forms.FormatNumber(lo), only(it.Labels.Min)}, {forms.FormatNumber(hi), only(it.Labels.Max)}}
		}
		for _, o := range it.Options {
			v.Values = append(v.Values, valueLabel{o.Value, only(o.Label)})
		}
		vars = append(vars, v)
		if it.Items != nil {
			vars = append(vars, variables(prefix+it.ID+"[].", it.Items)...)
		}
	}
	return vars
}

// scoringRule says in one English sentence how a score is computed.
func scoringRule(f *forms.Form, s forms.Scale) string {
	var b strings.Builder
	if s.Method == "sum" {
		fmt.Fprintf(&b, "sum of %s; all items must be answered", strings.Join(s.Items, ", "))
	} else {
		fmt.Fprintf(&b, "mean of the answered items among %s; at least %d answered", strings.Join(s.Items, ", "), max(s.MinAnswered, 1))
	}
	if len(s.Reverse) > 0 {
		fmt.Fprintf(&b, "; reverse-coded (min+max-answer): %s", strings.Join(s.Reverse, ", "))
	}
	switch {
	case s.Rescale:
		lo, hi := f.RawRange(s)
		fmt.Fprintf(&b, "; rescaled linearly from %s-%s to 0-100", forms.FormatNumber(lo), forms.FormatNumber(hi))
	case s.Multiplier != 0:
		fmt.Fprintf(&b, "; multiplied by %s", forms.FormatNumber(s.Multiplier))
	}
	b.WriteString("; prefer_not counts as not answered")
	for _, c := range s.Cutoffs {
		switch {
		case c.AtMost != nil && c.AtLeast != nil:
			fmt.Fprintf(&b, "; %s: from %s to %s", c.ID, forms.FormatNumber(*c.AtLeast), forms.FormatNumber(*c.AtMost))
		case c.AtMost != nil:
			fmt.Fprintf(&b, "; %s: at or below %s", c.ID, forms.FormatNumber(*c.AtMost))
		case c.AtLeast != nil:
			fmt.Fprintf(&b, "; %s: at or above %s", c.ID, forms.FormatNumber(*c.AtLeast))
		}
	}
	if len(s.Cutoffs) > 1 {
		b.WriteString(" (a score counts in every cut-off it meets)")
	}
	return b.String()
}

func (s *server) codebook(store FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		version, err := versionParam(c.Query("version"))
		if err != nil {
			return err
		}
		f, err := s.form(c.UserContext(), store, c.Params("id"), version)
		if err != nil {
			return err
		}
		cb := buildCodebook(f)
		if c.Query("format") != "csv" {
			return c.JSON(cb)
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-v%d-codebook.csv"`, f.ID, f.Version))
		return writeCodebookCSV(c, cb)
	}
}

// writeCodebookCSV flattens a codebook: one row per variable, one per
// labelled value, one per score.
func writeCodebookCSV(c *fiber.Ctx, cb codebook) error {
	w := csv.NewWriter(c)
	rows := [][]string{{"variable", "row", "type", "label_da", "label_en", "value", "value_label_da", "value_label_en", "min", "max", "rule"}}
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return forms.FormatNumber(*p)
	}
	for _, v := range cb.Variables {
		rule := v.Description
		if v.ShowIf != nil {
			rule = strings.TrimPrefix(rule+"; shown only if a condition holds (see JSON codebook)", "; ")
		}
		rows = append(rows, []string{v.Name, "variable", string(v.Type), v.Label["da"], v.Label["en"], "", "", "", num(v.Min), num(v.Max), rule})
		for _, val := range v.Values {
			rows = append(rows, []string{v.Name, "value", "", "", "", val.Value, val.Label["da"], val.Label["en"], "", "", ""})
		}
		if v.PreferNot {
			rows = append(rows, []string{v.Name, "value", "", "", "", forms.PreferNot, "Vil ikke svare", "Prefer not to answer", "", "", ""})
		}
	}
	for _, s := range cb.Scores {
		rows = append(rows, []string{s.Name, "score", s.Method, s.Label["da"], s.Label["en"], "", "", "",
			forms.FormatNumber(s.Range[0]), forms.FormatNumber(s.Range[1]), s.Rule})
	}
	for _, r := range rows {
		sheet.Row(r)
	}
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("write codebook: %w", err)
	}
	return nil
}
