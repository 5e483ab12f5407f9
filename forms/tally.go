package forms

import (
	"strconv"
)

// Tally is the running total of a form's responses: how many there are;
// per item, how many answered it and how often each value was given; per
// scale, the sums that give a mean and spread; and the same scale sums
// within each group of respondents that a choice or yes/no item forms.
type Tally struct {
	N      int                              `json:"n"`
	Items  map[string]ItemTally             `json:"items"`
	Scores map[string]ScoreSums             `json:"scores,omitempty"`
	Groups map[string]map[string]GroupTally `json:"groups,omitempty"`
}

// ItemTally counts the answers to one item. Values is nil for text items:
// free text is never counted by value.
type ItemTally struct {
	Answered int            `json:"answered"`
	Values   map[string]int `json:"values,omitempty"`
}

// ScoreSums holds how many responses have a score and the sums of the
// scores and of their squares, from which mean and spread follow without
// the responses themselves.
type ScoreSums struct {
	N     int     `json:"n"`
	Sum   float64 `json:"sum"`
	SumSq float64 `json:"sumsq"`
	// Bands counts the scores in each of the scale's cut-off bands.
	Bands map[string]int `json:"bands,omitempty"`
}

// GroupTally is the scale sums of one group of respondents.
type GroupTally struct {
	N      int                  `json:"n"`
	Scores map[string]ScoreSums `json:"scores,omitempty"`
}

// Count is one running-total increment that a response makes, at its path
// in a Tally's JSON, such as "n", "items.<item>.values.<value>" or
// "scores.<scale>.sum". Ids are [a-z0-9_], so paths are unambiguous.
type Count struct {
	Path string
	By   float64
}

// Counts lists the increments a response to f makes to the running totals.
// Free text, numbers and partner ratings are counted as answered only.
func (f *Form) Counts(a Answers) []Count {
	counts := []Count{{"n", 1}}
	add := func(path string, by float64) { counts = append(counts, Count{path, by}) }
	scores := f.Score(a)
	addScores := func(prefix string) {
		for _, s := range f.Scales {
			if v, ok := scores[s.ID]; ok {
				add(prefix+"scores."+s.ID+".n", 1)
				add(prefix+"scores."+s.ID+".sum", v)
				add(prefix+"scores."+s.ID+".sumsq", v*v)
				for _, c := range s.Meets(v) {
					add(prefix+"scores."+s.ID+".bands."+c.ID, 1)
				}
			}
		}
	}
	for _, it := range f.Items {
		v, ok := a[it.ID]
		if !ok {
			continue
		}
		prefix := "items." + it.ID
		add(prefix+".answered", 1)
		var values []string
		switch x := v.(type) {
		case int:
			values = []string{strconv.Itoa(x)}
		case bool:
			values = []string{map[bool]string{true: "yes", false: "no"}[x]}
		case []string:
			values = x
		case string:
			if x == PreferNot || it.Type == TypeChoice {
				values = []string{x}
			}
		}
		for _, v := range values {
			add(prefix+".values."+v, 1)
		}
		if (it.Type == TypeChoice || it.Type == TypeYesNo) && len(values) == 1 && values[0] != PreferNot {
			group := "groups." + it.ID + "." + values[0] + "."
			add(group+"n", 1)
			addScores(group)
		}
	}
	addScores("")
	return counts
}

// Add adds the counts of o to t.
func (t *Tally) Add(o Tally) {
	t.N += o.N
	for id, oi := range o.Items {
		if t.Items == nil {
			t.Items = make(map[string]ItemTally)
		}
		ti := t.Items[id]
		ti.Answered += oi.Answered
		for v, n := range oi.Values {
			if ti.Values == nil {
				ti.Values = make(map[string]int)
			}
			ti.Values[v] += n
		}
		t.Items[id] = ti
	}
	t.Scores = addScores(t.Scores, o.Scores)
	for item, groups := range o.Groups {
		if t.Groups == nil {
			t.Groups = make(map[string]map[string]GroupTally)
		}
		if t.Groups[item] == nil {
			t.Groups[item] = make(map[string]GroupTally)
		}
		for value, g := range groups {
			tg := t.Groups[item][value]
			tg.N += g.N
			tg.Scores = addScores(tg.Scores, g.Scores)
			t.Groups[item][value] = tg
		}
	}
}

// Negated is the tally that, added, takes t off again: a month's totals
// less some of its days are month.Add(day.Negated()).
func (t Tally) Negated() Tally {
	n := Tally{N: -t.N}
	for id, it := range t.Items {
		if n.Items == nil {
			n.Items = make(map[string]ItemTally)
		}
		ni := ItemTally{Answered: -it.Answered}
		for v, c := range it.Values {
			if ni.Values == nil {
				ni.Values = make(map[string]int)
			}
			ni.Values[v] = -c
		}
		n.Items[id] = ni
	}
	n.Scores = negatedScores(t.Scores)
	for item, groups := range t.Groups {
		if n.Groups == nil {
			n.Groups = make(map[string]map[string]GroupTally)
		}
		n.Groups[item] = make(map[string]GroupTally)
		for value, g := range groups {
			n.Groups[item][value] = GroupTally{N: -g.N, Scores: negatedScores(g.Scores)}
		}
	}
	return n
}

func negatedScores(from map[string]ScoreSums) map[string]ScoreSums {
	if from == nil {
		return nil
	}
	out := make(map[string]ScoreSums, len(from))
	for id, s := range from {
		n := ScoreSums{N: -s.N, Sum: -s.Sum, SumSq: -s.SumSq}
		for b, c := range s.Bands {
			if n.Bands == nil {
				n.Bands = make(map[string]int)
			}
			n.Bands[b] = -c
		}
		out[id] = n
	}
	return out
}

func addScores(into, from map[string]ScoreSums) map[string]ScoreSums {
	for id, s := range from {
		if into == nil {
			into = make(map[string]ScoreSums)
		}
		t := into[id]
		t.N += s.N
		t.Sum += s.Sum
		t.SumSq += s.SumSq
		for b, n := range s.Bands {
			if t.Bands == nil {
				t.Bands = make(map[string]int)
			}
			t.Bands[b] += n
		}
		into[id] = t
	}
	return into
}

// Cell is the running totals of one form version's responses in one
// partnership, wave and activity, on one day (partner answers, which may
// be replaced later, have no day).
// Days is a range of days, YYYY-MM-DD, both ends included; an empty end
// is open. Cells split by day are asked for with a range.
type Days struct{ From, To string }

// Split reports whether the range asks for cells split by day.
func (d Days) Split() bool { return d.From != "" || d.To != "" }

// Cell is the running totals of one form version in one partnership,
// wave and activity; split by date, of one Day or one Month (YYYY-MM).
type Cell struct {
	Form        string
	Version     int
	Partnership string
	Wave        string
	Activity    string
	Day         string
	Month       string
	Tally       Tally
}
