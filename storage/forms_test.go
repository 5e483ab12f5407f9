package storage

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"samspil/forms"
)

func TestPublishedFormsAreKeptOncePerVersion(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	v9 := *f
	v9.Version = 9

	stored, created, err := s.SaveForm(ctx, &v9, time.Now())
	if err != nil || !created || stored != &v9 {
		t.Fatalf("first save: created %v, %v", created, err)
	}
	changed := v9
	changed.Title = forms.Text{"da": "Ny", "en": "New"}
	stored, created, err = s.SaveForm(ctx, &changed, time.Now())
	if err != nil || created || !forms.Same(stored, &v9) {
		t.Fatalf("second save: created %v, %v; want the first definition back", created, err)
	}
	all, err := s.Forms(ctx)
	if err != nil || len(all) != 1 || !forms.Same(all[0], &v9) {
		t.Fatalf("Forms = %d forms, %v; want the one saved", len(all), err)
	}
}

func TestStoredAnswersComeBackAsValidated(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.Form("citizen_short", 2)
	answers := forms.Answers{"belonging_place": 4, "barriers": []string{"cost", "language"}, "first_community": true, "age_band": forms.PreferNot}
	r := forms.NewResponse(f, "77777777-7777-4777-8777-777777777777", "ar", answers, time.Now())
	if _, _, err := s.SaveResponse(ctx, r, f.Counts(answers)); err != nil {
		t.Fatal(err)
	}
	got, err := s.response(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Answers, answers) || !reflect.DeepEqual(got.Scores, forms.Scores{"belonging": 75}) {
		t.Errorf("stored response = %#v %v, want %#v with belonging 75", got.Answers, got.Scores, answers)
	}
}

func TestRescoreRecomputesChangedScoresOnly(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	for i, a := range []forms.Answers{{"belonging_place": 5}, {"belonging_place": 1}, {"role": "helper"}} {
		r, counts := newResponse(t, f, "88888888-8888-4888-8888-88888888888"+string(rune('0'+i)), a)
		if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
			t.Fatal(err)
		}
	}
	// A corrected rule: belonging_place counts double.
	score := func(version int, a forms.Answers) (forms.Scores, bool) {
		if v, ok := a["belonging_place"].(int); ok {
			return forms.Scores{"doubled": float64(2 * v)}, true
		}
		return forms.Scores{}, true
	}
	changed, err := s.Rescore(ctx, f.ID, score)
	if err != nil || changed != 2 {
		t.Fatalf("Rescore = %d, %v; want the 2 responses whose scores change", changed, err)
	}
	if again, err := s.Rescore(ctx, f.ID, score); err != nil || again != 0 {
		t.Errorf("second Rescore = %d, %v; want nothing left to change", again, err)
	}
	r, _ := newResponse(t, f, "88888888-8888-4888-8888-888888888880", nil)
	got, err := s.response(ctx, r.ID)
	if err != nil || got.Scores["doubled"] != 10 {
		t.Errorf("rescored response = %v, %v; want doubled 10", got.Scores, err)
	}
}

func TestTotalsKeepScoreSumsOverallAndByGroup(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.Form("citizen_short", 2)
	for i, a := range []forms.Answers{
		{"belonging_place": 5, "role": "helper"},      // belonging 100
		{"belonging_place": 2, "role": "helper"},      // belonging 25
		{"belonging_place": 3, "role": "participant"}, // belonging 50
	} {
		r := forms.NewResponse(f, fmt.Sprintf("99999999-0000-4000-8000-%012d", i), "da", a, time.Now())
		if _, _, err := s.SaveResponse(ctx, r, f.Counts(a)); err != nil {
			t.Fatal(err)
		}
	}
	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := tally.Scores["belonging"]; !reflect.DeepEqual(got, forms.ScoreSums{N: 3, Sum: 175, SumSq: 10000 + 625 + 2500}) {
		t.Errorf("belonging sums = %+v", got)
	}
	if got := tally.Groups["role"]["helper"]; got.N != 2 || !reflect.DeepEqual(got.Scores["belonging"], forms.ScoreSums{N: 2, Sum: 125, SumSq: 10625}) {
		t.Errorf("helpers = %+v", got)
	}
}
