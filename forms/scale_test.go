package forms

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func builtinForm(t *testing.T, id string, version int) *Form {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.Form(id, version)
	if !ok {
		t.Fatalf("%s v%d is not built in", id, version)
	}
	return f
}

// Expected scores are worked out by hand in each case's comment.
func TestScore(t *testing.T) {
	scored := loadForm(t, "testdata/scored.json")
	tests := []struct {
		name    string
		form    *Form
		answers Answers
		want    Scores
	}{
		{"reverse-coded mean rescaled", scored, Answers{"a": 5, "b": 3, "c": 2},
			// c reversed: 1+5-2 = 4; mean (5+3+4)/3 = 4; (4-1)/(5-1)*100 = 75. Plain: (5+3)/2 = 4.
			Scores{"mean_rev": 75, "plain": 4}},
		{"mean of the answered items", scored, Answers{"a": 5, "c": 5},
			// c reversed: 1; mean (5+1)/2 = 3; (3-1)/4*100 = 50. Plain: only a: 5.
			Scores{"mean_rev": 50, "plain": 5}},
		{"too few answered for a mean", scored, Answers{"a": 4},
			// One of the two needed: no mean_rev. Plain needs one: 4.
			Scores{"plain": 4}},
		{"prefer not counts as not answered", scored, Answers{"a": 4, "c": PreferNot},
			Scores{"plain": 4}},
		{"sum with multiplier", scored, Answers{"e": 1, "f": 2, "g": 3},
			// (1+2+3)*2 = 12.
			Scores{"doubled_sum": 12}},
		{"sum needs every item", scored, Answers{"e": 1, "f": 2, "g": PreferNot}, Scores{}},
		{"nothing answered", scored, Answers{}, Scores{}},

		{"citizen belonging", builtinForm(t, "citizen_short", 2),
			Answers{"belonging_place": 5, "belonging_someone": 4, "trust_participants": 1, "influence_heard": 3},
			// belonging (5+4)/2 = 4.5 → 87.5; trust 1 → 0; influence 3 → 50.
			Scores{"belonging": 87.5, "trust": 0, "influence": 50}},

		// Three-Item Loneliness Scale: items 1-3, sum 3-9 (Hughes et al. 2004).
		{"loneliness lowest", builtinForm(t, "loneliness3", 1),
			Answers{"lack_companionship": 1, "left_out": 1, "isolated": 1}, Scores{"loneliness": 3}},
		{"loneliness highest", builtinForm(t, "loneliness3", 1),
			Answers{"lack_companionship": 3, "left_out": 3, "isolated": 3}, Scores{"loneliness": 9}},
		{"loneliness incomplete", builtinForm(t, "loneliness3", 1),
			Answers{"lack_companionship": 3, "left_out": 3}, Scores{}},

		// WHO-5: items 0-5, raw sum 0-25 times 4 (Topp et al. 2015).
		{"WHO-5 all of the time", builtinForm(t, "who5", 1),
			Answers{"cheerful": 5, "calm": 5, "active": 5, "rested": 5, "interest": 5}, Scores{"wellbeing": 100}},
		{"WHO-5 mixed", builtinForm(t, "who5", 1),
			// (3+3+2+4+1)*4 = 52.
			Answers{"cheerful": 3, "calm": 3, "active": 2, "rested": 4, "interest": 1}, Scores{"wellbeing": 52}},
		{"WHO-5 incomplete", builtinForm(t, "who5", 1),
			Answers{"cheerful": 3, "calm": 3, "active": 2, "rested": 4}, Scores{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.form.Score(tt.answers); !maps.Equal(got, tt.want) {
				t.Errorf("Score = %v, want %v", got, tt.want)
			}
		})
	}
}

// The cut-offs follow the published sources, and a score counts in every
// cut-off it meets: 7-9 on the Three-Item Loneliness Scale is severe
// loneliness in the Danish National Health Profile; WHO-5 at or below 50 is
// poor well-being, at or below 28 likely depression (Topp et al. 2015), so a
// score of 28 or less is both.
func TestPublishedCutoffs(t *testing.T) {
	loneliness, _ := builtinForm(t, "loneliness3", 1).Scale("loneliness")
	wellbeing, _ := builtinForm(t, "who5", 1).Scale("wellbeing")
	tests := []struct {
		scale Scale
		score float64
		want  []string
	}{
		{loneliness, 3, nil},
		{loneliness, 6, nil},
		{loneliness, 7, []string{"lonely"}},
		{loneliness, 9, []string{"lonely"}},
		{wellbeing, 100, nil},
		{wellbeing, 52, nil},
		{wellbeing, 50, []string{"poor_wellbeing"}},
		{wellbeing, 32, []string{"poor_wellbeing"}},
		{wellbeing, 28, []string{"likely_depression", "poor_wellbeing"}},
		{wellbeing, 0, []string{"likely_depression", "poor_wellbeing"}},
	}
	for _, tt := range tests {
		if got := cutoffIDs(tt.scale.Meets(tt.score)); !slices.Equal(got, tt.want) {
			t.Errorf("%s %v meets %q, want %q", tt.scale.ID, tt.score, got, tt.want)
		}
	}
}

func cutoffIDs(cs []Cutoff) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// Both ends of a cutoff count, and one with both ends is a closed range.
func TestCutoffMeets(t *testing.T) {
	n := func(x float64) *float64 { return &x }
	tests := []struct {
		name  string
		cut   Cutoff
		score float64
		want  bool
	}{
		{"at most, below", Cutoff{AtMost: n(28)}, 27.9, true},
		{"at most, on it", Cutoff{AtMost: n(28)}, 28, true},
		{"at most, above", Cutoff{AtMost: n(28)}, 28.1, false},
		{"at least, below", Cutoff{AtLeast: n(7)}, 6.9, false},
		{"at least, on it", Cutoff{AtLeast: n(7)}, 7, true},
		{"at least, above", Cutoff{AtLeast: n(7)}, 9, true},
		{"range, below", Cutoff{AtLeast: n(3), AtMost: n(5)}, 2.9, false},
		{"range, lower end", Cutoff{AtLeast: n(3), AtMost: n(5)}, 3, true},
		{"range, inside", Cutoff{AtLeast: n(3), AtMost: n(5)}, 4, true},
		{"range, upper end", Cutoff{AtLeast: n(3), AtMost: n(5)}, 5, true},
		{"range, above", Cutoff{AtLeast: n(3), AtMost: n(5)}, 5.1, false},
		{"no ends", Cutoff{}, 4, false},
	}
	for _, tt := range tests {
		if got := tt.cut.Meets(tt.score); got != tt.want {
			t.Errorf("%s: Meets(%v) = %v, want %v", tt.name, tt.score, got, tt.want)
		}
	}
}

// Real answers to the built-in WHO-5 and loneliness forms, counted by
// Counts as the running totals add them up. WHO-5 items 0-5, raw sum × 4:
// 5 × (0,0,0,0,0) = 0, 6 × (2,2,2,2,2) = 40, 5 × (4,4,4,4,4) = 80, so 5
// score at most 28 and 5+6 = 11 of 16 at most 50 (share 0.6875). Loneliness
// items 1-3, sum 3-9, severe at 7 or more.
func TestCountsBands(t *testing.T) {
	who := func(v int) Answers {
		return Answers{"cheerful": v, "calm": v, "active": v, "rested": v, "interest": v}
	}
	times := func(n int, a Answers) []Answers {
		out := make([]Answers, n)
		for i := range out {
			out[i] = a
		}
		return out
	}
	lonely := func(a, b, c int) Answers { return Answers{"lack_companionship": a, "left_out": b, "isolated": c} }
	tests := []struct {
		name    string
		form    *Form
		scale   string
		answers []Answers
		wantN   int
		want    map[string]int
	}{
		{"WHO-5 0, 40 and 80", builtinForm(t, "who5", 1), "wellbeing",
			slices.Concat(times(5, who(0)), times(6, who(2)), times(5, who(4))),
			16, map[string]int{"likely_depression": 5, "poor_wellbeing": 11}},
		{"WHO-5 on and around the cut-offs", builtinForm(t, "who5", 1), "wellbeing",
			[]Answers{
				{"cheerful": 2, "calm": 2, "active": 1, "rested": 1, "interest": 1}, // 7 × 4 = 28: both
				{"cheerful": 2, "calm": 2, "active": 2, "rested": 1, "interest": 1}, // 8 × 4 = 32: poor only
				{"cheerful": 3, "calm": 3, "active": 2, "rested": 2, "interest": 2}, // 12 × 4 = 48: poor only
				{"cheerful": 3, "calm": 3, "active": 3, "rested": 2, "interest": 2}, // 13 × 4 = 52: neither
				{"cheerful": 0, "calm": 0, "active": 0, "rested": 0},                // unscored
			},
			4, map[string]int{"likely_depression": 1, "poor_wellbeing": 3}},
		{"WHO-5 no one low", builtinForm(t, "who5", 1), "wellbeing",
			times(3, who(5)), 3, map[string]int{}},
		{"loneliness 3, 6, 7, 8, 9 and unscored", builtinForm(t, "loneliness3", 1), "loneliness",
			[]Answers{lonely(1, 1, 1), lonely(2, 2, 2), lonely(3, 2, 2), lonely(3, 3, 2), lonely(3, 3, 3),
				{"lack_companionship": 3, "left_out": 3}, {"lack_companionship": 3, "left_out": 3, "isolated": PreferNot}},
			5, map[string]int{"lonely": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := "scores." + tt.scale + "."
			n, got := 0, map[string]int{}
			for _, a := range tt.answers {
				for _, c := range tt.form.Counts(a) {
					switch {
					case c.Path == prefix+"n":
						n += int(c.By)
					case strings.HasPrefix(c.Path, prefix+"bands."):
						got[strings.TrimPrefix(c.Path, prefix+"bands.")] += int(c.By)
					}
				}
			}
			if n != tt.wantN || !maps.Equal(got, tt.want) {
				t.Errorf("scored %d with bands %v, want %d with %v", n, got, tt.wantN, tt.want)
			}
		})
	}
}

// A score counts once in each cutoff it meets, so cutoff ids must differ
// within a scale, and a range must not end below its start.
func TestCheckCutoffs(t *testing.T) {
	n := func(x float64) *float64 { return &x }
	label := Text{"da": "Høj"}
	tests := []struct {
		name    string
		cutoffs []Cutoff
		want    []DefinitionProblem
	}{
		{"nested thresholds", []Cutoff{{ID: "high", Label: label, AtLeast: n(12)}, {ID: "top", Label: label, AtLeast: n(16)}}, nil},
		{"closed range", []Cutoff{{ID: "mid", Label: label, AtLeast: n(6), AtMost: n(11)}}, nil},
		{"one-point range", []Cutoff{{ID: "mid", Label: label, AtLeast: n(6), AtMost: n(6)}}, nil},
		{"id used twice", []Cutoff{{ID: "high", Label: label, AtLeast: n(12)}, {ID: "high", Label: label, AtLeast: n(16)}},
			[]DefinitionProblem{{Path: "scales[2].cutoffs[1].id", Code: DefDuplicateID, Params: map[string]any{"Value": `"high"`}}}},
		{"range ends below its start", []Cutoff{{ID: "mid", Label: label, AtLeast: n(11), AtMost: n(6)}},
			[]DefinitionProblem{{Path: "scales[2].cutoffs[0].at_most", Code: DefInvalidValue, Params: map[string]any{"Value": "at_most below at_least"}}}},
		{"no ends", []Cutoff{{ID: "mid", Label: label}},
			[]DefinitionProblem{{Path: "scales[2].cutoffs[0]", Code: DefMissingField, Params: map[string]any{"Field": "at_least/at_most"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := loadForm(t, "testdata/scored.json")
			f.Scales[2].Cutoffs = tt.cutoffs
			if got := f.Check(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScoreRange(t *testing.T) {
	scored := loadForm(t, "testdata/scored.json")
	for id, want := range map[string][2]float64{"mean_rev": {0, 100}, "plain": {1, 5}, "doubled_sum": {0, 18}} {
		s, _ := scored.Scale(id)
		if lo, hi := scored.ScoreRange(s); lo != want[0] || hi != want[1] {
			t.Errorf("%s range = %v-%v, want %v-%v", id, lo, hi, want[0], want[1])
		}
	}
	who, _ := builtinForm(t, "who5", 1).Scale("wellbeing")
	if lo, hi := builtinForm(t, "who5", 1).ScoreRange(who); lo != 0 || hi != 100 {
		t.Errorf("WHO-5 range = %v-%v, want 0-100", lo, hi)
	}
}
