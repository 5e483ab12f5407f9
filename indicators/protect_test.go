package indicators

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// at is a service over people as it answers at a moment, on one store.
func at(t *testing.T, store *memStore, finder FormFinder, now time.Time) *Service {
	t.Helper()
	return New(store, nil, finder, func() time.Time { return now })
}

func storeOf(t *testing.T, people []person) (*memStore, *forms.Catalog, *forms.Form) {
	catalog, f := citizenForm(t)
	store := &memStore{releases: map[string][]byte{}}
	for i, p := range people {
		store.responses = append(store.responses, p.response(f, i))
	}
	return store, catalog, f
}

func inclusion(t *testing.T, s *Service, p partnership.Partnership, f *forms.Form, q Query) Inclusion {
	t.Helper()
	inc, err := s.Inclusion(context.Background(), p, f, q)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func january(n int, p person) []person {
	out := make([]person, n)
	for i := range out {
		out[i] = p
		out[i].at = month(1).Add(time.Duration(i) * time.Hour)
	}
	return out
}

// A minimum raised after a month was released hides that month's smaller
// figures for good, also once later months are released with it.
func TestRaisedMinimumHolds(t *testing.T) {
	people := january(3, person{wave: "w1", activity: "a1", age: "30_49", role: "helper", belonging: [2]int{3, 3}, influence: []int{4, 4}})
	people = append(people, january(3, person{wave: "w1", activity: "a1", age: "30_49", role: "helper", belonging: [2]int{2, 2}})...)
	feb := january(6, person{wave: "w1", activity: "a1", age: "30_49", role: "helper", belonging: [2]int{4, 4}, influence: []int{2, 2}})
	for i := range feb {
		feb[i].at = month(2).Add(time.Duration(i) * time.Hour)
	}
	store, catalog, f := storeOf(t, append(people, feb...))
	jan := Query{From: "2026-01", To: "2026-01"}
	p := partnership.Partnership{ID: "p1", MinGroup: 3}
	if ix := inclusion(t, at(t, store, Catalog(catalog), month(2).Add(2*time.Hour)), p, f, jan).Total.Indices["influence"]; ix.N != 3 {
		t.Fatalf("with a minimum of 3, January's influence = %+v, want n 3", ix)
	}
	p.MinGroup = 5
	for _, now := range []time.Time{month(2).Add(3 * time.Hour), month(3).Add(2 * time.Hour)} {
		inc := inclusion(t, at(t, store, Catalog(catalog), now), p, f, jan)
		if inc.Total.N != 6 || !inc.Total.Indices["influence"].Suppressed {
			t.Errorf("at %s with a minimum of 5, January = n %d, influence %+v; want 6 and influence withheld", now, inc.Total.N, inc.Total.Indices["influence"])
		}
	}
}

// A later form version without a quasi-identifier does not form released
// months anew: the two sets of figures would give away who differs.
func TestNewDimensionsLeaveReleasedMonths(t *testing.T) {
	people := january(5, person{wave: "w1", activity: "a1", age: "30_49", role: "participant", duration: "first_time", belonging: [2]int{3, 3}})
	people = append(people, january(1, person{wave: "w1", activity: "a1", age: "30_49", role: "participant", duration: "over_a_year", belonging: [2]int{1, 1}})...)
	store, catalog, f := storeOf(t, people)
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	before := inclusion(t, at(t, store, Catalog(catalog), month(2).Add(2*time.Hour)), p, f, Query{By: "duration"})
	shorter := *f
	shorter.QuasiIdentifiers = []string{"age_band", "role"}
	after := inclusion(t, at(t, store, Catalog(catalog), month(3).Add(2*time.Hour)), p, &shorter, Query{})
	if before.Total.N != 5 || after.Total.N != 5 {
		t.Errorf("January's total before %d, after the form dropped duration %d; want 5 both times", before.Total.N, after.Total.N)
	}
	// Grouping by a quasi-identifier only some months have is fine too.
	if inc := inclusion(t, at(t, store, Catalog(catalog), month(3).Add(2*time.Hour)), p, f, Query{By: "duration"}); inc.Total.N != 5 {
		t.Errorf("by duration across dimension sets: %+v", inc.Total)
	}
}

// "How often" is only asked of those who did not come for the first time:
// where a class gave up how long people have come, whether they answered
// how often would tell it, so neither shows, in figures or rows.
func TestQuestionsOfAHiddenAnswerAreHidden(t *testing.T) {
	var people []person
	for i, d := range []string{"first_time", "first_time", "", "", "", "", "under_3_months"} {
		p := person{at: month(1).Add(time.Duration(i) * time.Hour), wave: "w1", activity: "a1", age: "30_49", role: "helper",
			duration: d, belonging: [2]int{1 + i%5, 3}}
		people = append(people, p)
	}
	store, catalog, f := storeOf(t, people)
	for i := range store.responses {
		if store.responses[i].Answers["duration"] != "first_time" {
			store.responses[i].Answers["frequency"] = "weekly"
		}
	}
	s := at(t, store, Catalog(catalog), month(2).Add(2*time.Hour))
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	inc := inclusion(t, s, p, f, Query{})
	if inc.Total.N != 7 || inc.Total.Shares["frequency"] != nil || inc.Total.Shares["duration"] != nil {
		t.Errorf("total %d, shares %v: want 7 and neither how long nor how often", inc.Total.N, inc.Total.Shares)
	}
	rows := exportRows(t, s, store, f, p, "")
	for _, r := range rows[1:] {
		if r[slices.Index(rows[0], "frequency")] != "" || r[slices.Index(rows[0], "duration")] != Generalised {
			t.Errorf("row %v shows how often, or how long", r)
		}
	}
}

// exportRows writes a partnership's protected export as CSV records.
func exportRows(t *testing.T, s *Service, store *memStore, f *forms.Form, p partnership.Partnership, wave string) [][]string {
	t.Helper()
	e, err := s.Export(context.Background(), f, []partnership.Partnership{p}, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"wave", "activity", "month", "duration", "frequency", "belonging_place"}
	var b strings.Builder
	b.WriteString(strings.Join(cols, ",") + "\n")
	encode := func(r Row) (string, error) {
		get := map[string]string{"wave": r.Wave, "activity": r.Activity, "month": r.Month}
		for _, c := range cols[3:] {
			if v, ok := r.Answers[c]; ok {
				get[c] = answerValue(v)
			}
		}
		var line []string
		for _, c := range cols {
			line = append(line, get[c])
		}
		return strings.Join(line, ",") + "\n", nil
	}
	if err := e.Write(context.Background(), store, wave, encode, func(line string) error { b.WriteString(line); return nil }); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// A wave filter on an export takes the rows whose class keeps that wave:
// three of wave 1 pooled with two of wave 2 are no rows of wave 1. Rows
// come class by class in sorted order, not in the order they were stored.
func TestExportFiltersAndOrdersByClass(t *testing.T) {
	var people []person
	for i, w := range []string{"w1", "w2", "w1", "w2", "w1"} {
		people = append(people, person{at: month(1).Add(time.Duration(i) * time.Hour), wave: w, activity: "a1", age: "30_49",
			role: "helper", belonging: [2]int{5 - i, 3}})
	}
	store, catalog, f := storeOf(t, people)
	s := at(t, store, Catalog(catalog), month(2).Add(2*time.Hour))
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	if rows := exportRows(t, s, store, f, p, "w1"); len(rows) != 1 {
		t.Errorf("wave 1's rows: %v, want none: its three gave the wave up", rows[1:])
	}
	rows := exportRows(t, s, store, f, p, "")
	if len(rows) != 6 || !slices.IsSortedFunc(rows[1:], func(a, b []string) int { return strings.Compare(strings.Join(a, ","), strings.Join(b, ",")) }) {
		t.Errorf("rows %v, want all five in sorted order", rows)
	}
}

// An index whose item few answered is withheld whole: its score and the
// other item would give the answer away.
func TestIndexWithAThinItemIsWithheld(t *testing.T) {
	people := january(5, person{wave: "w1", activity: "a1", age: "30_49", role: "helper", belonging: [2]int{3, 3}})
	store, catalog, f := storeOf(t, people)
	for i := range store.responses[2:] {
		delete(store.responses[2+i].Answers, "belonging_someone")
	}
	inc := inclusion(t, at(t, store, Catalog(catalog), month(2).Add(2*time.Hour)), partnership.Partnership{ID: "p1", MinGroup: 5}, f, Query{})
	if ix := inc.Total.Indices["belonging"]; !ix.Suppressed {
		t.Errorf("belonging with one item answered by 2 of 5 = %+v, want withheld", ix)
	}
}

type finderFunc func(id string, version int) *forms.Form

func (f finderFunc) Form(_ context.Context, id string, version int) (*forms.Form, error) {
	return f(id, version), nil
}

// "Prefer not to answer" beside one number in a class would show that
// number through the index's mean and the other item: the index goes.
func TestPreferNotIsNoNumber(t *testing.T) {
	catalog, f := citizenForm(t)
	form := *f
	form.Items = slices.Clone(f.Items)
	for i := range form.Items {
		if form.Items[i].ID == "belonging_someone" {
			form.Items[i].PreferNot = true
		}
	}
	finder := finderFunc(func(string, int) *forms.Form { return &form })
	store := &memStore{releases: map[string][]byte{}}
	for i, p := range january(5, person{wave: "w1", activity: "a1", age: "30_49", role: "helper", belonging: [2]int{3, 5}}) {
		r := p.response(&form, i)
		if i > 0 {
			r.Answers["belonging_someone"] = forms.PreferNot
		}
		store.responses = append(store.responses, r)
	}
	_ = catalog
	inc := inclusion(t, at(t, store, finder, month(2).Add(2*time.Hour)), partnership.Partnership{ID: "p1", MinGroup: 5}, &form, Query{})
	if ix := inc.Total.Indices["belonging"]; !ix.Suppressed {
		t.Errorf("belonging with one number among four 'prefer not' = %+v, want withheld", ix)
	}
}

// Rows of a month keep the quasi-identifiers it was released with, also
// when a later form version drops one.
func TestRowsKeepTheirMonthsQuasiIdentifiers(t *testing.T) {
	people := january(3, person{wave: "w1", activity: "a1", age: "30_49", role: "helper", duration: "first_time", belonging: [2]int{3, 3}})
	people = append(people, january(3, person{wave: "w1", activity: "a1", age: "30_49", role: "helper", duration: "over_a_year", belonging: [2]int{2, 2}})...)
	store, catalog, f := storeOf(t, people)
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	s := at(t, store, Catalog(catalog), month(2).Add(2*time.Hour))
	inclusion(t, s, p, f, Query{})
	later := *f
	later.QuasiIdentifiers = []string{"age_band", "role"}
	s = at(t, store, Catalog(catalog), month(3).Add(2*time.Hour))
	rows := exportRows(t, s, store, &later, p, "")
	for _, r := range rows[1:] {
		if r[slices.Index(rows[0], "duration")] != Generalised {
			t.Errorf("row %v shows how long; January's group of six gave it up", r)
		}
	}
	if len(rows) != 7 {
		t.Errorf("%d rows, want 6", len(rows)-1)
	}
}

// racingStore lets another service release the same months while this
// one reads the responses.
type racingStore struct {
	*memStore
	meanwhile func()
}

func (r *racingStore) EachResponseIn(ctx context.Context, form, pid string, days forms.Days, fn func(forms.Response) error) error {
	if r.meanwhile != nil {
		m := r.meanwhile
		r.meanwhile = nil
		m()
	}
	return r.memStore.EachResponseIn(ctx, form, pid, days, fn)
}

// Two instances releasing the same month at once, one under an older
// minimum group, serve the one release that was stored first: two
// versions of a month would give away by difference who differs.
func TestTwoInstancesServeOneRelease(t *testing.T) {
	base, catalog, f := storeOf(t, randomPeople(6, 40))
	store := &racingStore{memStore: base}
	now := func() time.Time { return month(5) }
	first := New(store.memStore, nil, Catalog(catalog), now)
	var firstN int
	store.meanwhile = func() {
		firstN = inclusion(t, first, partnership.Partnership{ID: "p1", MinGroup: 8}, f, Query{}).Total.N
	}
	second := New(store, nil, Catalog(catalog), now)
	secondN := inclusion(t, second, partnership.Partnership{ID: "p1", MinGroup: 3}, f, Query{}).Total.N
	if firstN == 0 || secondN != firstN {
		t.Errorf("first instance shows %d, second %d: want the one stored release", firstN, secondN)
	}
}

// wavesOnly serves the waves of a partner export.
type wavesOnly struct{ waves []partnership.Wave }

func (w wavesOnly) Partners(context.Context, string) ([]partnership.Partner, error) { return nil, nil }
func (w wavesOnly) Waves(context.Context, string) ([]partnership.Wave, error)       { return w.waves, nil }
func (w wavesOnly) Wave(context.Context, string, string) (partnership.Wave, error) {
	return partnership.Wave{}, nil
}
func (w wavesOnly) Invitations(context.Context, string) ([]partnership.Invitation, error) {
	return nil, nil
}
func (w wavesOnly) PartnerResponses(context.Context, string, []string) ([]forms.Response, error) {
	return nil, nil
}

// Five partners answered a closed wave, one of them the relations items:
// health hides that factor, and so does the export.
func TestPartnerRowsBlankWhatHealthHides(t *testing.T) {
	catalog, _ := citizenForm(t)
	f, _ := catalog.Form("partner_survey", 0)
	store := &memStore{releases: map[string][]byte{}}
	for i := range 5 {
		a := forms.Answers{"communication_informed": 2 + i%3}
		if i == 0 {
			a["relations_trust_close_relations"], a["relations_trust_reliable"] = 1, 1
		}
		r := forms.NewResponse(f, fmt.Sprint(i), "da", a, month(1))
		r.Partnership, r.Wave, r.Partner = "p1", "pw", fmt.Sprint("pt", i)
		store.responses = append(store.responses, r)
	}
	w := partnership.Wave{ID: "pw", Partnership: "p1", Form: f.ID, Respondents: "partners", OpensAt: month(1), ClosesAt: month(2)}
	s := New(store, wavesOnly{[]partnership.Wave{w}}, Catalog(catalog), func() time.Time { return month(3) })
	e, err := s.PartnerExport(context.Background(), f, []partnership.Partnership{{ID: "p1", MinGroup: 5}}, "p1")
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	err = e.Write(context.Background(), store, "", func(r Row) (string, error) {
		rows = append(rows, r)
		return fmt.Sprint(len(rows)), nil
	}, func(string) error { return nil })
	if err != nil || len(rows) != 5 {
		t.Fatalf("%d rows, %v; want 5", len(rows), err)
	}
	for _, r := range rows {
		if _, ok := r.Answers["relations_trust_close_relations"]; ok || r.Scores["relations_trust"] != 0 || r.Answers["communication_informed"] == nil {
			t.Errorf("row %v %v: want relations blank, communication shown", r.Answers, r.Scores)
		}
	}
}
