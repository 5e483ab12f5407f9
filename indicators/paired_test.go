package indicators

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// followedPerson is one citizen's belonging score in round w1 (March) and
// w2 (the given day), under one follow-up code.
func followedPerson(f *forms.Form, i int, before, after float64, later time.Time) []forms.Response {
	r := func(wave string, at time.Time, score float64) forms.Response {
		return forms.Response{ID: fmt.Sprintf("%s:%d", wave, i), FormID: f.ID, FormVersion: f.Version, Partnership: "p1",
			Wave: wave, SubmittedAt: at, Scores: forms.Scores{"belonging": score}}
	}
	return []forms.Response{r("w2", later, after), r("w1", month(3).AddDate(0, 0, i), before)}
}

func pairedService(t *testing.T, people [][]forms.Response, now time.Time) (*Service, *forms.Form, []partnership.Wave) {
	t.Helper()
	catalog, f := citizenForm(t)
	store := &memStore{releases: map[string][]byte{}, followed: people}
	waves := []partnership.Wave{{ID: "w1", Form: f.ID, Respondents: "citizens", OpensAt: month(3), ClosesAt: month(4)},
		{ID: "w2", Form: f.ID, Respondents: "citizens", OpensAt: month(4), ClosesAt: month(6)}}
	return New(store, nil, Catalog(catalog), func() time.Time { return now }), f, waves
}

func TestPairedChangeMatchesHandComputedFigures(t *testing.T) {
	_, f := citizenForm(t)
	// Differences 1, 0.5, 2, -1, 1.5, 0: mean 2/3, SD 1.0801, paired
	// 95% interval 2/3 ± 2.5706·1.0801/√6 = [-0.46685, 1.80019], d_z
	// 0.61721 (by hand and with Python's statistics module).
	pairs := [][2]float64{{3, 4}, {2.5, 3}, {1, 3}, {4, 3}, {2, 3.5}, {3, 3}}
	var people [][]forms.Response
	for i, p := range pairs {
		people = append(people, followedPerson(f, i, p[0], p[1], month(4).AddDate(0, 0, i)))
	}
	// Somebody followed who answered only once is no pair.
	people = append(people, followedPerson(f, 9, 1, 5, month(4))[1:])
	s, f, waves := pairedService(t, people, month(5).Add(2*time.Hour))
	ch, err := s.Change(context.Background(), partnership.Partnership{ID: "p1", MinGroup: 5}, f, waves,
		ChangeQuery{FromWave: "w1", ToWave: "w2", Paired: true})
	if err != nil {
		t.Fatal(err)
	}
	got := ch.Indices["belonging"].Paired
	if got == nil {
		t.Fatalf("belonging = %+v, want a paired change", ch.Indices["belonging"])
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-4 }
	if got.N != 6 || !near(got.Difference, 0.66667) || !near(got.CI[0], -0.46685) || !near(got.CI[1], 1.80019) || !near(got.DZ, 0.61721) {
		t.Errorf("paired = %+v, want n 6, difference 0.66667, CI [-0.46685, 1.80019], d_z 0.61721", *got)
	}
	// Unpaired figures stand beside it (here suppressed: the store holds
	// no classes), and an index nobody was followed on is suppressed.
	if ch.Filters["paired"] != "true" || !ch.Indices["influence"].PairedSuppressed {
		t.Errorf("filters %v, influence %+v", ch.Filters, ch.Indices["influence"])
	}
	// Without asking, no paired figures.
	plain, _ := s.Change(context.Background(), partnership.Partnership{ID: "p1", MinGroup: 5}, f, waves, ChangeQuery{FromWave: "w1", ToWave: "w2"})
	if plain.Indices["belonging"].Paired != nil {
		t.Error("paired figures without asking for them")
	}
}

func TestPairedChangeNeedsTheMinimumGroup(t *testing.T) {
	_, f := citizenForm(t)
	var people [][]forms.Response
	for i := range 4 {
		people = append(people, followedPerson(f, i, 2, 4, month(4)))
	}
	s, f, waves := pairedService(t, people, month(5).Add(2*time.Hour))
	ch, err := s.Change(context.Background(), partnership.Partnership{ID: "p1", MinGroup: 5}, f, waves,
		ChangeQuery{FromWave: "w1", ToWave: "w2", Paired: true})
	if err != nil {
		t.Fatal(err)
	}
	if ix := ch.Indices["belonging"]; ix.Paired != nil || !ix.PairedSuppressed {
		t.Errorf("4 pairs with a minimum group of 5: %+v, want suppressed", ix)
	}
}

func TestPairsJoinOnlyInGroupsOfTheMinimum(t *testing.T) {
	_, f := citizenForm(t)
	var people [][]forms.Response
	// Five pairs complete in April, one in May: the figures reached
	// after May may not move by one person's change.
	for i := range 5 {
		people = append(people, followedPerson(f, i, 2, 3, month(4).AddDate(0, 0, i)))
	}
	people = append(people, followedPerson(f, 7, 1, 5, month(5).AddDate(0, 0, 3)))
	for _, tc := range []struct {
		now  time.Time
		want int
	}{
		{month(5).Add(-time.Hour), 0},    // April not released yet
		{month(5).Add(2 * time.Hour), 5}, // April released
		{month(6).Add(2 * time.Hour), 5}, // May released, but one pair alone waits
	} {
		s, f, waves := pairedService(t, people, tc.now)
		ch, err := s.Change(context.Background(), partnership.Partnership{ID: "p1", MinGroup: 5}, f, waves,
			ChangeQuery{FromWave: "w1", ToWave: "w2", Paired: true})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		if p := ch.Indices["belonging"].Paired; p != nil {
			n = p.N
		}
		if n != tc.want {
			t.Errorf("at %s: %d pairs shown, want %d", tc.now.Format(time.DateTime), n, tc.want)
		}
	}
}
