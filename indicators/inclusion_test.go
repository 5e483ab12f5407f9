package indicators

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// released answers queries over responses to one form, a month after they
// were given.
func released(t *testing.T, form string, answers []forms.Answers) (*Service, partnership.Partnership, *forms.Form) {
	t.Helper()
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := catalog.Form(form, 0)
	store := &memStore{releases: map[string][]byte{}}
	for i, a := range answers {
		r := forms.NewResponse(f, fmt.Sprintf("s%d", i), "da", a, month(1).Add(time.Duration(i)*time.Hour))
		r.Partnership = "p1"
		store.responses = append(store.responses, r)
	}
	return New(store, nil, Catalog(catalog), func() time.Time { return month(2).Add(2 * time.Hour) }), partnership.Partnership{ID: "p1", MinGroup: 5}, f
}

func who5(score int) forms.Answers {
	// WHO-5 is the sum of five 0-5 items times 4: a raw 10 is 40.
	raw := score / 4
	a := forms.Answers{}
	for _, item := range []string{"cheerful", "calm", "active", "rested", "interest"} {
		a[item] = min(raw, 5)
		raw -= min(raw, 5)
	}
	return a
}

// Hand-computed: WHO-5 scores 0 ×5, 40 ×6, 80 ×5. Poor well-being is every
// score at or below 50: 11 of 16 = 0.6875; likely depression at or below
// 28: 5 of 16 = 0.3125 (Topp et al. 2015). Mean 640/16 = 40.
func TestCutOffSharesAreCumulative(t *testing.T) {
	var answers []forms.Answers
	for score, n := range map[int]int{0: 5, 40: 6, 80: 5} {
		for range n {
			answers = append(answers, who5(score))
		}
	}
	s, p, f := released(t, "who5", answers)
	inc, err := s.Inclusion(context.Background(), p, f, Query{})
	if err != nil {
		t.Fatal(err)
	}
	ix := inc.Total.Indices["wellbeing"]
	if ix.N != 16 || *ix.Mean != 40 || ix.Bands["poor_wellbeing"] != 0.6875 || ix.Bands["likely_depression"] != 0.3125 {
		t.Errorf("well-being = n %d, mean %v, bands %v; want 16, 40, poor 0.6875, likely depression 0.3125", ix.N, *ix.Mean, ix.Bands)
	}
}

// Six who all answered the lowest point: a mean and spread of 0 are
// figures and are shown; every group, whatever forms it, has the same
// shape, distribution included.
func TestZeroIsShownAndGroupsLookAlike(t *testing.T) {
	var answers []forms.Answers
	for range 6 {
		answers = append(answers, forms.Answers{"belonging_place": 1, "belonging_someone": 1, "age_band": "67_plus"})
	}
	s, p, f := released(t, "citizen_short", answers)
	for _, by := range []string{"", "age_band", "activity", "month"} {
		inc, err := s.Inclusion(context.Background(), p, f, Query{By: by})
		if err != nil {
			t.Fatal(err)
		}
		groups := append([]Group{inc.Total}, inc.Groups...)
		if by != "" && len(groups) != 2 {
			t.Fatalf("by %s: %d groups, want 1", by, len(groups)-1)
		}
		for _, g := range groups {
			got, _ := json.Marshal(g.Indices["belonging"])
			if !strings.HasPrefix(string(got), `{"n":6,"mean":0,"sd":0,"ci":[0,0],"distribution":{"belonging_place":{"1":6,"2":0,"3":0,"4":0,"5":0},"belonging_someone":{"1":6,"2":0,"3":0,"4":0,"5":0}}`) {
				t.Errorf("by %q, group %v: belonging = %s", by, g.Key, got)
			}
		}
	}
}
