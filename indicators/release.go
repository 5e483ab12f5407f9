package indicators

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"samspil/forms"
)

// Release is what one partnership's answers to one citizen form have
// released: the classes of every whole month up to Through, and the carry
// of responses that no month could release yet. Months are released once,
// after they end, and never change: whoever reloads the figures sees them
// move only when a whole month joins, never when one person answers.
type Release struct {
	Partnership string   `json:"partnership"`
	Form        string   `json:"form"`
	Dims        []string `json:"dims"`
	// Min is the minimum group the classes were formed with.
	Min int `json:"min"`
	// Through is the last month released, YYYY-MM; empty when none is.
	Through string  `json:"through"`
	Classes []Class `json:"classes"`
	Carry   []Atom  `json:"carry,omitempty"`
}

// grace is how long after a month ends its release waits, so that a
// response counted late (after a crash, say) is in it.
const grace = time.Hour

// lastClosedMonth is the newest month that ended at least grace ago.
func lastClosedMonth(now time.Time) string {
	t := now.UTC().Add(-grace)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
}

// monthEnd is the last day of a month, YYYY-MM-DD.
func monthEnd(month string) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, 1, -1).Format(time.DateOnly)
}

// nextMonth is the month after one, YYYY-MM.
func nextMonth(month string) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// FormFinder finds a form version, for counting answers to earlier
// versions with their own rules.
type FormFinder interface {
	Form(id string, version int) (*forms.Form, bool)
}

// atomKey places a response among the atoms: its month, wave, activity and
// the answers it gave to the form's quasi-identifiers.
func atomKey(f *forms.Form, r forms.Response) []string {
	key := []string{r.SubmittedAt.UTC().Format("2006-01"), r.Wave, r.Activity}
	for _, id := range f.QuasiIdentifiers {
		key = append(key, answerValue(r.Answers[id]))
	}
	return key
}

func answerValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return map[bool]string{true: "yes", false: "no"}[x]
	case int:
		return strconv.Itoa(x)
	default:
		return fmt.Sprint(x)
	}
}

// monthAtoms collects responses into atoms, month by month. An atom adds
// up its responses' counts by path first and becomes a tally once: most
// responses share an atom with many others.
type monthAtoms struct {
	f      *forms.Form
	finder FormFinder
	months map[string]map[string]*atomCounts
}

type atomCounts struct {
	key    []string
	counts map[string]float64
}

func newMonthAtoms(f *forms.Form, finder FormFinder) *monthAtoms {
	return &monthAtoms{f: f, finder: finder, months: map[string]map[string]*atomCounts{}}
}

func (m *monthAtoms) add(r forms.Response) {
	key := atomKey(m.f, r)
	byKey := m.months[key[0]]
	if byKey == nil {
		byKey = map[string]*atomCounts{}
		m.months[key[0]] = byKey
	}
	id := atomID(key)
	a := byKey[id]
	if a == nil {
		a = &atomCounts{key: key, counts: map[string]float64{}}
		byKey[id] = a
	}
	fv, ok := m.finder.Form(r.FormID, r.FormVersion)
	if !ok {
		fv = m.f
	}
	for _, c := range fv.Counts(r.Answers) {
		a.counts[c.Path] += c.By
	}
}

// atoms turns a month's counts into atoms, in key order.
func (m *monthAtoms) atoms(month string) []Atom {
	atoms := make([]Atom, 0, len(m.months[month]))
	for _, a := range m.months[month] {
		counts := make([]forms.Count, 0, len(a.counts))
		for path, by := range a.counts {
			counts = append(counts, forms.Count{Path: path, By: by})
		}
		atom := Atom{Key: a.key}
		atom.Tally.Apply(counts)
		atoms = append(atoms, atom)
	}
	slices.SortFunc(atoms, func(a, b Atom) int { return cmp.Compare(atomID(a.Key), atomID(b.Key)) })
	return atoms
}

// extend releases the months after rel.Through up to through, in order,
// from the atoms collected.
func extend(rel Release, f *forms.Form, m *monthAtoms, through string) Release {
	months := make([]string, 0, len(m.months))
	for month := range m.months {
		if month > rel.Through && month <= through {
			months = append(months, month)
		}
	}
	slices.Sort(months)
	for _, month := range months {
		var classes []Class
		classes, rel.Carry = release(m.atoms(month), rel.Carry, rel.Min)
		for i := range classes {
			protect(&classes[i], f, rel.Min)
		}
		rel.Classes = append(rel.Classes, classes...)
	}
	rel.Through = through
	return rel
}
