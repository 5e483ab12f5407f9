package forms

import (
	"math"
	"slices"
)

// Scale is a named score computed from items: a mean or a sum of their
// answers, with some items reverse-coded.
type Scale struct {
	ID    string   `json:"id"`
	Label Text     `json:"label"`
	Items []string `json:"items"`
	// Reverse lists items scored the other way round: min+max-answer.
	Reverse []string `json:"reverse,omitempty"`
	// Method is "mean" (of the answered items) or "sum" (of all items).
	Method string `json:"method"`
	// MinAnswered is how many items must be answered for a mean to count;
	// a sum always needs every item.
	MinAnswered int `json:"min_answered,omitempty"`
	// Rescale maps the score linearly onto 0-100 from the lowest and
	// highest score the items allow.
	Rescale bool `json:"rescale,omitempty"`
	// Multiplier, when set, multiplies a sum instead, as published scoring
	// rules such as WHO-5's (raw score × 4) prescribe.
	Multiplier float64 `json:"multiplier,omitempty"`
	// Cutoffs are the thresholds the instrument's source defines. They are
	// not exclusive bands: a score counts in every cutoff it meets, so a
	// WHO-5 score of 20 is both likely depression (<= 28) and poor
	// well-being (<= 50), as the source reports them.
	Cutoffs []Cutoff `json:"cutoffs,omitempty"`
}

// Cutoff is a named threshold: a score meets it at or above AtLeast, at or
// below AtMost, or, with both, within that closed range.
type Cutoff struct {
	ID      string   `json:"id"`
	Label   Text     `json:"label"`
	AtLeast *float64 `json:"at_least,omitempty"`
	AtMost  *float64 `json:"at_most,omitempty"`
	Source  string   `json:"source,omitempty"`
}

// Scores maps scale ids to a response's scores. A scale whose items were
// not answered enough has no score.
type Scores map[string]float64

// Score computes every scale of the form from validated answers. "I prefer
// not to answer" counts as not answered.
func (f *Form) Score(a Answers) Scores {
	scores := make(Scores)
	for _, s := range f.Scales {
		if v, ok := f.score(s, a); ok {
			scores[s.ID] = v
		}
	}
	return scores
}

func (f *Form) score(s Scale, a Answers) (float64, bool) {
	var sum float64
	answered := 0
	for _, id := range s.Items {
		it, _ := f.Item(id)
		v, ok := numeric(a[id])
		if !ok {
			continue
		}
		if slices.Contains(s.Reverse, id) {
			min, max := it.Range()
			v = min + max - v
		}
		sum += v
		answered++
	}
	var score float64
	switch s.Method {
	case "sum":
		if answered < len(s.Items) {
			return 0, false
		}
		score = sum
	default: // "mean"; Check admits nothing else.
		if answered == 0 || answered < s.MinAnswered {
			return 0, false
		}
		score = sum / float64(answered)
	}
	lo, hi := f.RawRange(s)
	switch {
	case s.Rescale:
		score = (score - lo) / (hi - lo) * 100
	case s.Multiplier != 0:
		score *= s.Multiplier
	}
	// Round away binary noise so that 62.5 is stored as 62.5.
	return math.Round(score*1e9) / 1e9, true
}

// RawRange is the lowest and highest score a scale's items allow, before
// any rescaling.
func (f *Form) RawRange(s Scale) (lo, hi float64) {
	for _, id := range s.Items {
		it, _ := f.Item(id)
		min, max := it.Range()
		lo, hi = lo+min, hi+max
	}
	if s.Method != "sum" && len(s.Items) > 0 {
		n := float64(len(s.Items))
		lo, hi = lo/n, hi/n
	}
	return lo, hi
}

// ScoreRange is the lowest and highest score a scale gives.
func (f *Form) ScoreRange(s Scale) (lo, hi float64) {
	lo, hi = f.RawRange(s)
	switch {
	case s.Rescale:
		return 0, 100
	case s.Multiplier != 0:
		return lo * s.Multiplier, hi * s.Multiplier
	}
	return lo, hi
}

// numeric reads an answer that can be scored.
func numeric(v any) (float64, bool) {
	if b, ok := v.(bool); ok {
		if b {
			return 1, true
		}
		return 0, true
	}
	return number(v)
}

// Meets returns every cutoff a score meets, in the scale's order, so that
// nested thresholds each count all the scores on their side.
func (s Scale) Meets(score float64) []Cutoff {
	var met []Cutoff
	for _, c := range s.Cutoffs {
		if c.Meets(score) {
			met = append(met, c)
		}
	}
	return met
}

// Meets reports whether a score is on the counted side of the cutoff; both
// ends count. A cutoff with neither end, which Check refuses, meets none.
func (c Cutoff) Meets(score float64) bool {
	return (c.AtLeast != nil || c.AtMost != nil) &&
		(c.AtLeast == nil || score >= *c.AtLeast) && (c.AtMost == nil || score <= *c.AtMost)
}

// Scale returns the scale with the given id.
func (f *Form) Scale(id string) (Scale, bool) {
	i := slices.IndexFunc(f.Scales, func(s Scale) bool { return s.ID == id })
	if i < 0 {
		return Scale{}, false
	}
	return f.Scales[i], true
}
