package indicators

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// The attacker's tests. An attacker may send every query a role can send,
// at every moment, and combine the answers. Every published sum of an
// index is a linear function of the people's scores: the auditor recovers
// each one's coefficients by changing one person's answers at a time and
// asking everything again, then checks with linear algebra that no
// combination of published figures describes fewer than the minimum group.

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

// solvable reports whether target is a linear combination of the rows
// whose echelon basis is given: then the attacker can compute the index's
// sum over target's people (and its n, with an index everyone answered).
func solvable(basis [][]float64, target []float64) bool {
	return !nonzero(reduce(slices.Clone(target), basis))
}

// echelon reduces rows to a basis in row echelon form, pivots in order.
func echelon(rows [][]float64) [][]float64 {
	var basis [][]float64
	for _, r := range rows {
		v := reduce(slices.Clone(r), basis)
		if !nonzero(v) {
			continue
		}
		basis = append(basis, v)
		slices.SortFunc(basis, func(a, b []float64) int { return pivot(a) - pivot(b) })
	}
	return basis
}

// reduce subtracts from v what each basis row explains of it.
func reduce(v []float64, basis [][]float64) []float64 {
	for _, b := range basis {
		p := pivot(b)
		if k := v[p] / b[p]; math.Abs(v[p]) > 1e-9 {
			for i := range v {
				v[i] -= k * b[i]
			}
		}
	}
	return v
}

func pivot(v []float64) int {
	return slices.IndexFunc(v, func(x float64) bool { return math.Abs(x) > 1e-9 })
}

func nonzero(v []float64) bool {
	return slices.ContainsFunc(v, func(x float64) bool { return math.Abs(x) > 1e-6 })
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
		basis := echelon(rows)
		groups := smallGroups(people, m, min)
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range groups {
				if !yield(k) {
					return
				}
			}
		}) {
			if solvable(basis, groups[name]) {
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
