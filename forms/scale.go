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
	// Cutoffs name the bands a score falls in, as the instrument's source
	// defines them.
	Cutoffs []Cutoff `json:"cutoffs,omitempty"`
}

// Cutoff is a named band of scores: at or above AtLeast, or at or below
// AtMost.
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

// Band returns the cutoff a score falls in, if any.
func (s Scale) Band(score float64) (Cutoff, bool) {
	for _, c := range s.Cutoffs {
		if (c.AtLeast == nil || score >= *c.AtLeast) && (c.AtMost == nil || score <= *c.AtMost) {
			return c, true
		}
	}
	return Cutoff{}, false
}

// Scale returns the scale with the given id.
func (f *Form) Scale(id string) (Scale, bool) {
	i := slices.IndexFunc(f.Scales, func(s Scale) bool { return s.ID == id })
	if i < 0 {
		return Scale{}, false
	}
	return f.Scales[i], true
}
