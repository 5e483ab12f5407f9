package forms

import (
	"maps"
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

// The cut-offs follow the published sources: 7-9 on the Three-Item
// Loneliness Scale is severe loneliness in the Danish National Health
// Profile; WHO-5 at or below 50 is poor well-being, at or below 28 likely
// depression (Topp et al. 2015).
func TestPublishedCutoffs(t *testing.T) {
	loneliness, _ := builtinForm(t, "loneliness3", 1).Scale("loneliness")
	wellbeing, _ := builtinForm(t, "who5", 1).Scale("wellbeing")
	tests := []struct {
		scale Scale
		score float64
		want  string
	}{
		{loneliness, 3, ""},
		{loneliness, 6, ""},
		{loneliness, 7, "lonely"},
		{loneliness, 9, "lonely"},
		{wellbeing, 100, ""},
		{wellbeing, 52, ""},
		{wellbeing, 50, "poor_wellbeing"},
		{wellbeing, 32, "poor_wellbeing"},
		{wellbeing, 28, "likely_depression"},
		{wellbeing, 0, "likely_depression"},
	}
	for _, tt := range tests {
		band, _ := tt.scale.Band(tt.score)
		if band.ID != tt.want {
			t.Errorf("%s %v: band %q, want %q", tt.scale.ID, tt.score, band.ID, tt.want)
		}
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
