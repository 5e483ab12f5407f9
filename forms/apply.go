package forms

import (
	"strings"
)

// Apply adds counts to t in memory, as the store's $inc adds them to a
// running-totals document, so that totals built from raw answers and
// totals kept by the store agree by construction.
func (t *Tally) Apply(counts []Count) {
	for _, c := range counts {
		t.apply(strings.Split(c.Path, "."), c.By)
	}
}

func (t *Tally) apply(p []string, by float64) {
	switch {
	case len(p) == 1 && p[0] == "n":
		t.N += int(by)
	case len(p) >= 3 && p[0] == "items":
		if t.Items == nil {
			t.Items = map[string]ItemTally{}
		}
		it := t.Items[p[1]]
		switch {
		case p[2] == "answered":
			it.Answered += int(by)
		case p[2] == "values" && len(p) == 4:
			if it.Values == nil {
				it.Values = map[string]int{}
			}
			it.Values[p[3]] += int(by)
		}
		t.Items[p[1]] = it
	case len(p) >= 3 && p[0] == "scores":
		t.Scores = applyScore(t.Scores, p[1:], by)
	case len(p) >= 4 && p[0] == "groups":
		if t.Groups == nil {
			t.Groups = map[string]map[string]GroupTally{}
		}
		if t.Groups[p[1]] == nil {
			t.Groups[p[1]] = map[string]GroupTally{}
		}
		g := t.Groups[p[1]][p[2]]
		switch {
		case len(p) == 4 && p[3] == "n":
			g.N += int(by)
		case len(p) >= 6 && p[3] == "scores":
			g.Scores = applyScore(g.Scores, p[4:], by)
		}
		t.Groups[p[1]][p[2]] = g
	}
}

// applyScore adds to one scale's sums at p: <scale>.n|sum|sumsq or
// <scale>.bands.<cutoff>.
func applyScore(scores map[string]ScoreSums, p []string, by float64) map[string]ScoreSums {
	if scores == nil {
		scores = map[string]ScoreSums{}
	}
	s := scores[p[0]]
	switch {
	case p[1] == "n":
		s.N += int(by)
	case p[1] == "sum":
		s.Sum += by
	case p[1] == "sumsq":
		s.SumSq += by
	case p[1] == "bands" && len(p) == 3:
		if s.Bands == nil {
			s.Bands = map[string]int{}
		}
		s.Bands[p[2]] += int(by)
	}
	scores[p[0]] = s
	return scores
}
