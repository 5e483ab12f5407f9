package indicators

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

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
	s := New(store, nil, Catalog(catalog), func() time.Time { return now })
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
		if d := g.Indices["belonging"].Distribution["belonging_place"]; d != nil {
			out = append(out, figure{name: "belonging answers " + name, sum: placeSum(d)})
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
	out = append(out, figure{name: "belonging summary answers", sum: placeSum(sum.Items["belonging_place"].Values)})
	return out
}

// placeSum reads answer counts as a sum the auditor can follow: each
// point of belonging_place moves the belonging index by 12.5 when the
// other item is answered, as it always is here.
func placeSum(counts map[string]int) float64 {
	sum := 0.0
	for v, n := range counts {
		x, _ := strconv.Atoi(v)
		sum += float64(x*n) * 12.5
	}
	return sum
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
