package indicators

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"samspil/analytics"
	"samspil/forms"
	"samspil/partnership"
)

// Inclusion is the citizen figures of a partnership: in all, and by a
// grouping.
type Inclusion struct {
	// Query is the query answered, its months as read.
	Query    Query `json:"-"`
	MinGroup int   `json:"min_group"`
	// ReleasedThrough is the last whole month the figures include.
	ReleasedThrough string  `json:"released_through"`
	Total           Group   `json:"total"`
	Groups          []Group `json:"groups"`
}

// Group is the figures of one group of citizens, or, with Suppressed, the
// fact that none may be shown.
type Group struct {
	// Key names the group; "*" stands for the citizens whose value may not
	// be shown separately.
	Key        map[string]string             `json:"key"`
	MinGroup   int                           `json:"min_group,omitempty"`
	Suppressed bool                          `json:"suppressed,omitempty"`
	N          int                           `json:"n,omitempty"`
	Indices    map[string]Index              `json:"indices,omitempty"`
	Shares     map[string]map[string]float64 `json:"shares,omitempty"`
	// Answered is how many answered each question whose shares are shown.
	Answered map[string]int `json:"answered,omitempty"`
}

// Figures is a sample's n, mean, sample standard deviation and 95% CI,
// rounded to six decimals once, from exact sums, when published. A zero is
// a value and is shown; a withheld figure has none of them.
type Figures struct {
	N    int         `json:"n,omitempty"`
	Mean *float64    `json:"mean,omitempty"`
	SD   *float64    `json:"sd,omitempty"`
	CI   *[2]float64 `json:"ci,omitempty"`
}

func figuresOf(e analytics.Estimate) Figures {
	mean, sd := analytics.Round6(e.Mean), analytics.Round6(e.SD)
	return Figures{N: e.N, Mean: &mean, SD: &sd, CI: &[2]float64{analytics.Round6(e.CI[0]), analytics.Round6(e.CI[1])}}
}

// Index is one index (belonging, trust, ...) within a group.
type Index struct {
	Suppressed bool `json:"suppressed,omitempty"`
	Figures
	// Distribution counts each answer to the index's items.
	Distribution map[string]map[string]int `json:"distribution,omitempty"`
	// Bands is the share of scores that meet each cut-off, such as poor
	// well-being.
	Bands map[string]float64 `json:"bands,omitempty"`
}

// Groupings lists what a form's citizen figures can be grouped by.
func Groupings(f *forms.Form) []string {
	return append([]string{"activity", "wave", "month"}, f.QuasiIdentifiers...)
}

// Inclusion gives a partnership's citizen figures for a query; From and
// To may be months or dates, and come back as the months they were read
// as. Every problem with the query is reported at once.
func (s *Service) Inclusion(ctx context.Context, p partnership.Partnership, f *forms.Form, q Query) (Inclusion, error) {
	var ps []partnership.Problem
	q.From, q.To, ps = MonthRange(q.From, q.To)
	if q.By != "" && !slices.Contains(Groupings(f), q.By) {
		ps = append(ps, partnership.Problem{Field: "by", Code: "invalid_grouping"})
	}
	if err := invalid(ps); err != nil {
		return Inclusion{}, err
	}
	rel, err := s.released(ctx, p, f)
	if err != nil {
		return Inclusion{}, err
	}
	var total forms.Tally
	byValue := map[string]*forms.Tally{}
	for _, c := range rel.shown(f, p) {
		if !q.matches(c, rel.set(c).Dims) {
			continue
		}
		total.Add(c.Tally)
		if q.By == "" {
			continue
		}
		v, kept := value(c, rel.set(c).Dims, q.By)
		if !kept {
			v = "*"
		}
		if byValue[v] == nil {
			byValue[v] = &forms.Tally{}
		}
		byValue[v].Add(c.Tally)
	}
	out := Inclusion{Query: q, MinGroup: p.MinGroup, ReleasedThrough: rel.Through,
		Total: groupOf(f, map[string]string{}, total), Groups: []Group{}}
	for _, v := range slices.Sorted(maps.Keys(byValue)) {
		out.Groups = append(out.Groups, groupOf(f, map[string]string{q.By: v}, *byValue[v]))
	}
	return out, nil
}

// groupOf renders a sum of released classes. Everything in it is a sum
// over whole classes, so nothing further needs hiding: a part no class
// showed is simply absent.
func groupOf(f *forms.Form, key map[string]string, t forms.Tally) Group {
	if t.N == 0 {
		return Group{Key: key, Suppressed: true}
	}
	g := Group{Key: key, N: t.N, Indices: map[string]Index{}}
	for _, sc := range f.Scales {
		g.Indices[sc.ID] = indexOf(f, sc, t)
	}
	for _, it := range f.Items {
		ti, ok := t.Items[it.ID]
		if !ok || ti.Answered == 0 || !sharedType(it.Type) {
			continue
		}
		if g.Shares == nil {
			g.Shares, g.Answered = map[string]map[string]float64{}, map[string]int{}
		}
		g.Answered[it.ID] = ti.Answered
		shares := map[string]float64{}
		for _, v := range answerValues(it) {
			shares[v] = analytics.Round6(float64(ti.Values[v]) / float64(ti.Answered))
		}
		g.Shares[it.ID] = shares
	}
	return g
}

// sharedType says whether an item's answers are counted by value, and so
// published as the share giving each.
func sharedType(t forms.ItemType) bool {
	switch t {
	case forms.TypeChoice, forms.TypeMulti, forms.TypeYesNo, forms.TypeScale, forms.TypeRating:
		return true
	}
	return false
}

// answerValues lists every answer an item offers, so that one nobody gave
// shows as 0 rather than as missing.
func answerValues(it forms.Item) []string {
	var vs []string
	switch it.Type {
	case forms.TypeChoice, forms.TypeMulti:
		for _, o := range it.Options {
			vs = append(vs, o.Value)
		}
	case forms.TypeYesNo:
		vs = []string{"yes", "no"}
	case forms.TypeScale, forms.TypeRating:
		lo, hi := it.Range()
		for x := int(lo); x <= int(hi); x++ {
			vs = append(vs, strconv.Itoa(x))
		}
	}
	if it.PreferNot {
		vs = append(vs, forms.PreferNot)
	}
	return vs
}

func indexOf(f *forms.Form, sc forms.Scale, t forms.Tally) Index {
	sums := t.Scores[sc.ID]
	e, ok := analytics.FromSums(sums.N, sums.Sum, sums.SumSq)
	if !ok {
		return Index{Suppressed: true}
	}
	ix := Index{Figures: figuresOf(e)}
	for _, id := range sc.Items {
		ti, ok := t.Items[id]
		item, known := f.Item(id)
		if !ok || !known || ti.Answered == 0 {
			continue
		}
		if ix.Distribution == nil {
			ix.Distribution = map[string]map[string]int{}
		}
		dist := map[string]int{}
		for _, v := range answerValues(item) {
			dist[v] = ti.Values[v]
		}
		ix.Distribution[id] = dist
	}
	for _, cut := range sc.Cutoffs {
		if ix.Bands == nil {
			ix.Bands = map[string]float64{}
		}
		ix.Bands[cut.ID] = analytics.Round6(float64(sums.Bands[cut.ID]) / float64(sums.N))
	}
	return ix
}

// Compare sets partnerships' totals side by side, each protected by its
// own minimum group, for evaluators.
func (s *Service) Compare(ctx context.Context, ps []partnership.Partnership, f *forms.Form, q Query) ([]Group, error) {
	out := make([]Group, 0, len(ps))
	for _, p := range ps {
		inc, err := s.Inclusion(ctx, p, f, Query{From: q.From, To: q.To})
		if err != nil {
			return nil, err
		}
		g := inc.Total
		g.Key = map[string]string{"partnership": p.ID}
		g.MinGroup = p.MinGroup
		out = append(out, g)
	}
	return out, nil
}

// Summary is how many responses a form has released, and the answers to
// each item, over every partnership.
type Summary struct {
	N               int                        `json:"n"`
	ReleasedThrough string                     `json:"released_through"`
	Items           map[string]forms.ItemTally `json:"items"`
}

// Summary adds up what every partnership released of a form, and what
// responses that name no partnership released under the default minimum.
func (s *Service) Summary(ctx context.Context, ps []partnership.Partnership, f *forms.Form) (Summary, error) {
	all := append([]partnership.Partnership{{ID: "", MinGroup: DefaultMinGroup}}, ps...)
	var t forms.Tally
	out := Summary{ReleasedThrough: lastClosedMonth(s.now())}
	for _, p := range all {
		rel, err := s.released(ctx, p, f)
		if err != nil {
			return Summary{}, err
		}
		for _, c := range rel.shown(f, p) {
			t.Add(c.Tally)
		}
	}
	out.N = t.N
	out.Items = make(map[string]forms.ItemTally, len(f.Items))
	for _, it := range f.Items {
		out.Items[it.ID] = t.Items[it.ID]
	}
	return out, nil
}
