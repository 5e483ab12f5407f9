package indicators

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// The attacker's tests. An attacker may send every query a role can send,
// at every moment, and combine the answers. Every published sum of an
// index is a linear function of the people's scores: the auditor recovers
// each one's coefficients by changing one person's answers at a time and
// asking everything again, then checks with linear algebra that no
// combination of published figures describes fewer than the minimum group.

// memStore keeps responses and releases in memory.
type memStore struct {
	responses []forms.Response
	releases  map[string][]byte
}

func (m *memStore) EachResponseIn(_ context.Context, form, pid string, days forms.Days, fn func(forms.Response) error) error {
	for _, r := range m.responses {
		day := r.SubmittedAt.UTC().Format(time.DateOnly)
		if r.FormID != form || r.Partnership != pid || (days.From != "" && day < days.From) || (days.To != "" && day > days.To) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) EachResponse(_ context.Context, form, pid, wave string, fn func(forms.Response) error) error {
	for _, r := range m.responses {
		if r.FormID == form && (pid == "" || r.Partnership == pid) && (wave == "" || r.Wave == wave) {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memStore) LoadRelease(_ context.Context, id string) ([]byte, bool, error) {
	d, ok := m.releases[id]
	return d, ok, nil
}

func (m *memStore) SaveRelease(_ context.Context, id string, data []byte) error {
	m.releases[id] = data
	return nil
}

func citizenForm(t testing.TB) (*forms.Catalog, *forms.Form) {
	t.Helper()
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := catalog.Form("citizen_short", 0)
	return catalog, f
}

// person is one citizen's answer, placed in time, wave and activity.
type person struct {
	at                  time.Time
	wave, activity      string
	age, role, duration string
	belonging           [2]int
	influence           []int // empty: skipped
}

func (p person) response(f *forms.Form, i int) forms.Response {
	a := forms.Answers{"belonging_place": p.belonging[0], "belonging_someone": p.belonging[1], "trust_participants": 3}
	for k, v := range map[string]string{"age_band": p.age, "role": p.role, "duration": p.duration} {
		if v != "" {
			a[k] = v
		}
	}
	if len(p.influence) == 2 {
		a["influence_decide"], a["influence_heard"] = p.influence[0], p.influence[1]
	}
	r := forms.NewResponse(f, fmt.Sprintf("s%03d", i), "da", a, p.at)
	r.Partnership, r.Wave, r.Activity = "p1", p.wave, p.activity
	return r
}

// figure is one published number: what was asked, and the value.
type figure struct {
	name string
	n    int
	sum  float64
}

// publisher answers every query an attacker may send at one moment.
type publisher func(t testing.TB, people []person, now time.Time) []figure

// auditMeasure is one index the auditor follows through every figure.
type auditMeasure struct {
	index string
	// bump changes a person's answers so that the index moves, or reports
	// that the person has no score on it.
	bump func(p *person) bool
}

var measures = []auditMeasure{
	{"belonging", func(p *person) bool {
		p.belonging[0] = 1 + p.belonging[0]%5
		return true
	}},
	{"influence", func(p *person) bool {
		if len(p.influence) == 0 {
			return false
		}
		p.influence = []int{1 + p.influence[0]%5, p.influence[1]}
		return true
	}},
}

// coefficients recovers, for every figure of an index at every moment,
// how much each person counts in it.
func coefficients(t testing.TB, pub publisher, people []person, moments []time.Time, m auditMeasure) (names []string, rows [][]float64) {
	t.Helper()
	base := map[string]figure{}
	for _, now := range moments {
		for _, fg := range pub(t, people, now) {
			if fg.name[:len(m.index)] == m.index {
				base[now.Format(time.DateOnly)+" "+fg.name] = fg
			}
		}
	}
	names = slices.Sorted(func(yield func(string) bool) {
		for k := range base {
			if !yield(k) {
				return
			}
		}
	})
	rows = make([][]float64, len(names))
	for i := range rows {
		rows[i] = make([]float64, len(people))
	}
	for j := range people {
		changed := slices.Clone(people)
		if !m.bump(&changed[j]) {
			continue
		}
		_, f := citizenForm(t)
		delta := f.Score(changed[j].response(f, j).Answers)[m.index] - f.Score(people[j].response(f, j).Answers)[m.index]
		after := map[string]figure{}
		for _, now := range moments {
			for _, fg := range pub(t, changed, now) {
				after[now.Format(time.DateOnly)+" "+fg.name] = fg
			}
		}
		for i, name := range names {
			rows[i][j] = math.Round((after[name].sum-base[name].sum)/delta) + 0 // no -0
		}
	}
	return names, rows
}

// solvable reports whether target is a linear combination of rows: then
// the attacker can compute the index's sum over target's people (and its
// n, with an index everyone answered).
func solvable(rows [][]float64, target []float64) bool {
	basis := echelon(rows)
	v := slices.Clone(target)
	for _, b := range basis {
		p := slices.IndexFunc(b, func(x float64) bool { return math.Abs(x) > 1e-9 })
		if math.Abs(v[p]) > 1e-9 {
			k := v[p] / b[p]
			for i := range v {
				v[i] -= k * b[i]
			}
		}
	}
	return !slices.ContainsFunc(v, func(x float64) bool { return math.Abs(x) > 1e-6 })
}

// echelon reduces rows to a basis in row echelon form.
func echelon(rows [][]float64) [][]float64 {
	var basis [][]float64
	for _, r := range rows {
		v := slices.Clone(r)
		for _, b := range basis {
			p := slices.IndexFunc(b, func(x float64) bool { return math.Abs(x) > 1e-9 })
			if math.Abs(v[p]) > 1e-9 {
				k := v[p] / b[p]
				for i := range v {
					v[i] -= k * b[i]
				}
			}
		}
		if slices.ContainsFunc(v, func(x float64) bool { return math.Abs(x) > 1e-6 }) {
			basis = append(basis, v)
			slices.SortFunc(basis, func(a, b []float64) int {
				pa := slices.IndexFunc(a, func(x float64) bool { return math.Abs(x) > 1e-9 })
				pb := slices.IndexFunc(b, func(x float64) bool { return math.Abs(x) > 1e-9 })
				return pa - pb
			})
		}
	}
	return basis
}

// smallGroups lists every group an attacker could name (by month, wave,
// activity, age band, role, duration, or any two of these) that has fewer
// than min people with a score on the index, but some.
func smallGroups(people []person, m auditMeasure, min int) map[string][]float64 {
	attrs := []func(p person) string{
		func(p person) string { return "month=" + p.at.Format("2006-01") },
		func(p person) string { return "wave=" + p.wave },
		func(p person) string { return "activity=" + p.activity },
		func(p person) string { return "age=" + p.age },
		func(p person) string { return "role=" + p.role },
		func(p person) string { return "duration=" + p.duration },
	}
	groups := map[string][]float64{}
	for i := range attrs {
		for j := i; j < len(attrs); j++ {
			for _, p := range people {
				name := attrs[i](p) + " " + attrs[j](p)
				if groups[name] != nil {
					continue
				}
				v := make([]float64, len(people))
				count := 0
				for k, q := range people {
					if attrs[i](q) == attrs[i](p) && attrs[j](q) == attrs[j](p) && m.bump(&slices.Clone(people)[k]) {
						v[k], count = 1, count+1
					}
				}
				if count > 0 && count < min {
					groups[name] = v
				}
			}
		}
	}
	return groups
}

// audit fails when any small group's sum of an index can be solved for,
// or when people the figures cannot tell apart are fewer than min.
func audit(t testing.TB, pub publisher, people []person, moments []time.Time, min int) (leaks []string) {
	t.Helper()
	for _, m := range measures {
		_, rows := coefficients(t, pub, people, moments, m)
		groups := smallGroups(people, m, min)
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range groups {
				if !yield(k) {
					return
				}
			}
		}) {
			if solvable(rows, groups[name]) {
				leaks = append(leaks, fmt.Sprintf("%s of %s (%v people)", m.index, name, sumOf(groups[name])))
			}
		}
		// People whose columns agree in every figure cannot be told apart;
		// any figure the attacker can compute is a sum over such sets.
		sets := map[string]int{}
		for j := range people {
			col := make([]float64, len(rows))
			for i := range rows {
				col[i] = rows[i][j]
			}
			if slices.ContainsFunc(col, func(x float64) bool { return x != 0 }) {
				sets[fmt.Sprint(col)]++
			}
		}
		for col, n := range sets {
			if n < min {
				leaks = append(leaks, fmt.Sprintf("%s: %d people stand apart from all others in the figures (%.40s...)", m.index, n, col))
			}
		}
	}
	return leaks
}

func sumOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// protectedPublisher asks the indicators service every query a backbone,
// evaluator or admin may send, and reads each group's index as n and sum.
func protectedPublisher(t testing.TB, people []person, now time.Time) []figure {
	t.Helper()
	catalog, f := citizenForm(t)
	store := &memStore{releases: map[string][]byte{}}
	for i, p := range people {
		if p.at.Before(now) {
			store.responses = append(store.responses, p.response(f, i))
		}
	}
	s := New(store, nil, catalog, func() time.Time { return now })
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	ctx := context.Background()
	var out []figure
	add := func(name string, g Group) {
		for _, sc := range []string{"belonging", "influence"} {
			ix := g.Indices[sc]
			if g.Suppressed || ix.Suppressed || ix.Mean == nil {
				continue
			}
			out = append(out, figure{name: sc + " " + name, n: ix.N, sum: float64(ix.N) * *ix.Mean})
		}
	}
	months := []string{"", "2026-01", "2026-02", "2026-03"}
	for _, wave := range []string{"", "w1", "w2"} {
		for _, activity := range []string{"", "a1", "a2", "a3"} {
			for _, from := range months {
				for _, to := range months {
					if from != "" && to != "" && from > to {
						continue
					}
					for _, by := range append([]string{""}, Groupings(f)...) {
						q := Query{Wave: wave, Activity: activity, From: from, To: to, By: by}
						inc, err := s.Inclusion(ctx, p, f, q)
						if err != nil {
							t.Fatal(err)
						}
						add(fmt.Sprintf("%+v total", q), inc.Total)
						for _, g := range inc.Groups {
							add(fmt.Sprintf("%+v %v", q, g.Key), g)
						}
					}
				}
			}
		}
	}
	waves := []partnership.Wave{{ID: "w1", Form: f.ID, Respondents: "citizens", OpensAt: month(1), ClosesAt: month(3)},
		{ID: "w2", Form: f.ID, Respondents: "citizens", OpensAt: month(3), ClosesAt: month(4)}}
	for _, activity := range []string{"", "a1", "a2", "a3"} {
		queries := []ChangeQuery{{FromWave: "w1", ToWave: "w2"}, {FromWave: "w2", ToWave: "w1"}}
		for _, a := range months[1:] {
			for _, b := range months[1:] {
				queries = append(queries, ChangeQuery{FromPeriod: a + "/" + a, ToPeriod: b + "/" + b},
					ChangeQuery{FromPeriod: months[1] + "/" + a, ToPeriod: b + "/" + months[3]})
			}
		}
		for _, q := range queries {
			q.Activity = activity
			ch, err := s.Change(ctx, p, f, waves, q)
			if err != nil {
				continue // overlapping periods are refused
			}
			for sc, ix := range ch.Indices {
				if ix.Suppressed {
					continue
				}
				out = append(out, figure{name: fmt.Sprintf("%s change %+v from", sc, q), n: ix.From.N, sum: float64(ix.From.N) * ix.From.Mean},
					figure{name: fmt.Sprintf("%s change %+v to", sc, q), n: ix.To.N, sum: float64(ix.To.N) * ix.To.Mean})
			}
		}
	}
	sum, err := s.Summary(ctx, []partnership.Partnership{p}, f)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, figure{name: fmt.Sprintf("belonging summary %d", sum.N)})
	return out
}

func month(m int) time.Time { return time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }

// moments are when the attacker looks: within and after each month, and
// just before and after the citizen who answers on the tablet on day 70.
func moments() []time.Time {
	var out []time.Time
	for _, d := range []int{14, 32, 45, 60, 69, 71, 95} {
		out = append(out, month(1).AddDate(0, 0, d).Add(2*time.Hour))
	}
	return out
}

// randomPeople is a partnership of a few dozen citizens, with small groups
// of every kind: a rare age band, an activity few attend, people who skip
// influence, a month with few answers.
func randomPeople(seed uint64, n int) []person {
	rng := rand.New(rand.NewPCG(seed, 1))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	var out []person
	for range n {
		day := rng.IntN(90)
		p := person{at: month(1).AddDate(0, 0, day).Add(time.Duration(rng.IntN(20)) * time.Hour),
			activity: pick("a1", "a1", "a2", "a2", "a3", ""), age: pick("30_49", "30_49", "18_29", "67_plus", ""),
			role: pick("participant", "participant", "helper"), duration: pick("", "first_time", "over_a_year"),
			belonging: [2]int{1 + rng.IntN(5), 1 + rng.IntN(5)}}
		p.wave = "w1"
		if day >= 59 {
			p.wave = "w2"
		}
		if rng.IntN(3) > 0 {
			p.influence = []int{1 + rng.IntN(5), 1 + rng.IntN(5)}
		}
		out = append(out, p)
	}
	return out
}

// reproduction is the case: five in activity a1 aged 30-49 and
// two without an activity aged 67+, then a wave where a2's influence was
// answered by three.
func reproduction() []person {
	var out []person
	day := func(d int) time.Time { return month(1).AddDate(0, 0, d).Add(10 * time.Hour) }
	for i, b := range []int{5, 4, 4, 3, 5} {
		out = append(out, person{at: day(i), wave: "w1", activity: "a1", age: "30_49", role: "participant", belonging: [2]int{b, b}})
	}
	for i, b := range []int{1, 2} {
		out = append(out, person{at: day(10 + i), wave: "w1", age: "67_plus", role: "participant", belonging: [2]int{b, b}})
	}
	for i := range 12 {
		out = append(out, person{at: day(35 + i), wave: "w1", activity: "a1", age: "30_49", role: "participant",
			belonging: [2]int{4, 3}, influence: []int{4, 4}})
	}
	for i := range 13 {
		p := person{at: day(40 + i), wave: "w1", activity: "a2", age: "18_29", role: "helper", belonging: [2]int{3, 3}}
		if i < 3 {
			p.influence = []int{3, 3}
		}
		out = append(out, p)
	}
	// One more citizen answers on the activity's tablet while staff watch.
	out = append(out, person{at: day(70), wave: "w2", activity: "a1", age: "30_49", role: "participant", belonging: [2]int{1, 1}})
	return out
}

func TestNoSmallGroupCanBeSolvedFor(t *testing.T) {
	if testing.Short() {
		t.Skip("the attacker asks every query many times over")
	}
	cases := map[string][]person{"issue reproduction": reproduction(), "random 40": randomPeople(1, 40)}
	for name, people := range cases {
		t.Run(name, func(t *testing.T) {
			if leaks := audit(t, protectedPublisher, people, moments(), 5); len(leaks) > 0 {
				t.Errorf("%d figures about fewer than 5 people can be solved for, such as:\n%s", len(leaks), leaks[:min(len(leaks), 10)])
			}
			// The protection must leave figures to see: a partnership of
			// 40 sees its indices once the months have ended.
			figs := protectedPublisher(t, people, month(5))
			total := slices.IndexFunc(figs, func(fg figure) bool { return fg.name == "belonging {Wave: Activity: From: To: By:} total" })
			if total < 0 || figs[total].n < len(people)*3/4 {
				t.Errorf("the total shows too few of %d people: %+v", len(people), figs[max(total, 0)])
			}
		})
	}
}

// naivePublisher publishes as Samspil did before releases: live figures
// for any filter, small groups and small indices hidden one query at a
// time, and the next smallest group with a lone hidden one.
func naivePublisher(t testing.TB, people []person, now time.Time) []figure {
	_, f := citizenForm(t)
	var out []figure
	add := func(name string, ps []person) {
		for _, sc := range []string{"belonging", "influence"} {
			n, sum := 0, 0.0
			for i, p := range ps {
				if v, ok := f.Score(p.response(f, i).Answers)[sc]; ok {
					n, sum = n+1, sum+v
				}
			}
			if n >= 5 {
				out = append(out, figure{name: sc + " " + name, n: n, sum: sum})
			}
		}
	}
	for _, activity := range []string{"", "a1", "a2", "a3"} {
		var ps []person
		for _, p := range people {
			if p.at.Before(now) && (activity == "" || p.activity == activity) {
				ps = append(ps, p)
			}
		}
		if len(ps) >= 5 {
			add("activity="+activity, ps)
		}
	}
	return out
}

// The auditor is only worth its passing if it catches a leak: the issue's
// subtraction (everyone minus activity a1) and the citizen watched on the
// tablet both fall to it under the old way of publishing.
func TestAuditorCatchesTheOldWay(t *testing.T) {
	leaks := audit(t, naivePublisher, reproduction(), moments(), 5)
	for _, want := range []string{"belonging of activity= activity= (2 people)", "belonging of month=2026-03 month=2026-03 (1 people)"} {
		if !slices.Contains(leaks, want) {
			t.Errorf("the auditor missed %q; it found %q", want, leaks)
		}
	}
}
