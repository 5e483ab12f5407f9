package indicators

import (
	"context"
	"testing"

	"samspil/forms"
	"samspil/theory"
)

// A box's figure is what the protected results publish: with fewer
// answers than the minimum group it is withheld, never the number; with
// enough it is the index (here 75 of 100: every answer 4 on a 1–5 scale), with its
// target judged.
func TestReadingsGoThroughTheProtectedResults(t *testing.T) {
	answers := func(n int) []forms.Answers {
		var out []forms.Answers
		for range n {
			out = append(out, forms.Answers{"belonging_place": 4, "belonging_someone": 4, "role": "helper"})
		}
		return out
	}
	belonging := theory.Measure{Kind: theory.Index, Form: "citizen_short", Key: "belonging",
		Target: &theory.Target{AtLeast: true, Value: 70}}
	helpers := theory.Measure{Kind: theory.Share, Form: "citizen_short", Key: "role=helper",
		Target: &theory.Target{AtLeast: true, Value: 50}} // per cent
	count := theory.Measure{Kind: theory.Responses, Form: "citizen_short"}

	s, p, _ := released(t, "citizen_short", answers(3))
	for _, m := range []theory.Measure{belonging, helpers, count} {
		r, err := s.Reading(context.Background(), p, m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Shown || !r.Withheld || r.Value != 0 || r.Met != nil {
			t.Errorf("%s %s from 3 answers, minimum 5: %+v, want withheld without a value", m.Kind, m.Key, r)
		}
	}

	s, p, _ = released(t, "citizen_short", answers(6))
	r, err := s.Reading(context.Background(), p, belonging)
	if err != nil || !r.Shown || r.Value != 75 || r.Met == nil || !*r.Met || r.Through == "" {
		t.Errorf("belonging from 6 answers: %+v, %v; want 75, target met", r, err)
	}
	if r, _ := s.Reading(context.Background(), p, helpers); !r.Shown || r.Value != 1 || r.Met == nil || !*r.Met {
		t.Errorf("share of helpers: %+v, want 1, and a target of 50 %% met", r)
	}
	if r, _ := s.Reading(context.Background(), p, count); !r.Shown || r.Value != 6 {
		t.Errorf("responses: %+v, want 6", r)
	}
}
