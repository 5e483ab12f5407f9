package forms

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestVersionsStayPublishedAndUnchanged(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v1, ok1 := c.Form("citizen_short", 1)
	v2, ok2 := c.Form("citizen_short", 2)
	v3, ok3 := c.Form("citizen_short", 3)
	latest, _ := c.Form("citizen_short", 0)
	if !ok1 || !ok2 || !ok3 || latest != v3 {
		t.Fatalf("versions %v; want 1, 2 and 3 with 3 the latest", c.Versions("citizen_short"))
	}
	// Version 3 made "No, nothing" exclusive; version 2 is as published.
	contradiction := map[string]any{"barriers": []any{"nothing", "transport"}}
	if _, problems := v2.Validate(contradiction, nil); len(problems) > 0 {
		t.Errorf("version 2 changed after it was published: %+v", problems)
	}
	if _, problems := v3.Validate(contradiction, nil); len(problems) != 1 || problems[0].Code != CodeExclusive {
		t.Errorf("version 3 accepts 'No, nothing' with 'Transport': %+v", problems)
	}

	// A response to version 1 stays valid and scorable after version 2.
	answers, problems := v1.Validate(map[string]any{"belonging_place": 4, "comment": "Fint"}, nil)
	if len(problems) > 0 {
		t.Fatalf("a version 1 answer is refused: %+v", problems)
	}
	r := NewResponse(v1, "s1", "da", answers, time.Now())
	if r.FormVersion != 1 {
		t.Errorf("response records version %d, want 1", r.FormVersion)
	}
	if _, problems := v2.Validate(map[string]any{"comment": "Fint"}, nil); len(problems) == 0 {
		t.Error("version 2 accepts an item only version 1 has")
	}

	changed := *v1
	changed.Title = Text{"da": "Ændret", "en": "Changed"}
	if _, err := c.Add(&changed); !errors.Is(err, ErrVersionExists) {
		t.Errorf("changing a published version: %v, want ErrVersionExists", err)
	}
	if err := c.CanPublish(&changed); !errors.Is(err, ErrVersionExists) {
		t.Errorf("CanPublish(changed v1) = %v, want ErrVersionExists", err)
	}
	same := *v1
	if added, err := c.Add(&same); err != nil || added {
		t.Errorf("re-adding an identical version: added %v, %v; want a no-op", added, err)
	}

	v4 := *v3
	v4.Version = 4
	if err := c.CanPublish(&v4); err != nil {
		t.Errorf("CanPublish(v4) = %v", err)
	}
	if _, err := c.Add(&v4); err != nil {
		t.Fatal(err)
	}
	if latest, _ := c.Form("citizen_short", 0); latest.Version != 4 {
		t.Errorf("latest = v%d after publishing v4", latest.Version)
	}
	if !slices.Equal(c.Versions("citizen_short"), []int{1, 2, 3, 4}) {
		t.Errorf("versions = %v", c.Versions("citizen_short"))
	}
}

func TestCanPublishRefusesAnOlderVersion(t *testing.T) {
	c := NewCatalog()
	f := loadForm(t, "testdata/tiny.json") // version 2
	if _, err := c.Add(f); err != nil {
		t.Fatal(err)
	}
	older := *f
	older.Version = 1
	if err := c.CanPublish(&older); !errors.Is(err, ErrVersionTooLow) {
		t.Errorf("CanPublish(v1 after v2) = %v, want ErrVersionTooLow", err)
	}
}

func TestResponsesWithEqualAnswersAreTheSame(t *testing.T) {
	f := loadForm(t, "testdata/tiny.json")
	now := time.Now()
	a := NewResponse(f, "s1", "da", Answers{"mood": 3, "colour": "red"}, now)
	b := NewResponse(f, "s1", "en", Answers{"colour": "red", "mood": 3}, now.Add(time.Hour))
	c := NewResponse(f, "s1", "da", Answers{"mood": 4, "colour": "red"}, now)
	if !a.SameAs(b) {
		t.Error("a retry in another language with the same answers is not the same response")
	}
	if a.SameAs(c) {
		t.Error("different answers count as the same response")
	}
	if a.ID != "tiny:s1" {
		t.Errorf("ID = %q, want tiny:s1", a.ID)
	}
	if !reflect.DeepEqual(a.Scores, Scores{}) {
		t.Errorf("scores = %v; one of two wellbeing items is too few", a.Scores)
	}
}

func TestCountsAndTally(t *testing.T) {
	f := loadForm(t, "testdata/tiny.json")
	counts := f.Counts(Answers{"mood": PreferNot, "colour": "blue", "pets": []string{"cat", "dog"}, "walks": false,
		"hours": 1.5, "note": "hi", "peers": []map[string]any{{"partner": "p1", "trust": 3}}})
	var paths []string
	for _, c := range counts {
		paths = append(paths, c.Path)
		if c.By != 1 {
			t.Errorf("%s increments by %v, want 1", c.Path, c.By)
		}
	}
	want := []string{"n",
		"items.mood.answered", "items.mood.values.prefer_not",
		"items.colour.answered", "items.colour.values.blue", "groups.colour.blue.n",
		"items.pets.answered", "items.pets.values.cat", "items.pets.values.dog",
		"items.walks.answered", "items.walks.values.no", "groups.walks.no.n",
		"items.hours.answered",
		"items.note.answered",
		"items.peers.answered"}
	if !slices.Equal(paths, want) {
		t.Errorf("Counts = %v\nwant     %v\n(free text, numbers and partner ratings are never counted by value)", paths, want)
	}

	// Scores add their sums, overall and within each choice's group:
	// wellbeing = mean(4, 6) = 5 on 0-10, rescaled to 50.
	counts = f.Counts(Answers{"mood": 4, "score": 6, "colour": "red"})
	got := map[string]float64{}
	for _, c := range counts {
		got[c.Path] = c.By
	}
	for path, by := range map[string]float64{"scores.wellbeing.n": 1, "scores.wellbeing.sum": 50, "scores.wellbeing.sumsq": 2500,
		"groups.colour.red.n": 1, "groups.colour.red.scores.wellbeing.sum": 50} {
		if got[path] != by {
			t.Errorf("%s = %v, want %v", path, got[path], by)
		}
	}

	var total Tally
	total.Add(Tally{N: 2, Items: map[string]ItemTally{"mood": {Answered: 2, Values: map[string]int{"0": 1, "5": 1}}}})
	total.Add(Tally{N: 1, Items: map[string]ItemTally{"mood": {Answered: 1, Values: map[string]int{"5": 1}}, "note": {Answered: 1}}})
	wantTally := Tally{N: 3, Items: map[string]ItemTally{
		"mood": {Answered: 3, Values: map[string]int{"0": 1, "5": 2}},
		"note": {Answered: 1},
	}}
	if !reflect.DeepEqual(total, wantTally) {
		t.Errorf("tally = %+v, want %+v", total, wantTally)
	}
}

func TestConditionJSONRoundTrip(t *testing.T) {
	f := loadForm(t, "testdata/tiny.json")
	hours, _ := f.Item("hours")
	a := Answers{"walks": true, "mood": 5}
	if !hours.ShowIf.Holds(a) {
		t.Error("hours hidden although walks is true and mood is 5")
	}
	a["mood"] = 4
	if hours.ShowIf.Holds(a) {
		t.Error("hours shown although mood is below 5")
	}
}
