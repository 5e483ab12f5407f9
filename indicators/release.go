package indicators

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"time"

	"samspil/forms"
)

// Release is what one partnership's answers to one citizen form have
// released: the classes of every whole month up to Through, and the carry
// of responses that no month could release yet. Months are released once,
// after they end, and never change: whoever reloads the figures sees them
// move only when a whole month joins, never when one person answers, and a
// later form version or minimum group never forms a released month anew.
type Release struct {
	Head
	// Classes are those of every released month, oldest first.
	Classes []Class
}

// Head is a release without its classes, which are stored month by month.
type Head struct {
	Partnership string `json:"partnership"`
	Form        string `json:"form"`
	// Sets are the dimension sets months were released with: a form
	// version with other quasi-identifiers adds one for its months.
	Sets []DimSet `json:"sets"`
	// Months says, for each released month that had responses, its
	// dimension set and the generation of the document with its classes.
	Months map[string]MonthRef `json:"months"`
	// Through is the last month released, YYYY-MM; empty when none is.
	Through string `json:"through"`
	Carry   []Atom `json:"carry,omitempty"`
}

// MonthRef places a released month's classes: the dimension set they were
// formed by, and the generation of the release that wrote them. A head
// names the month documents its own extension wrote, so that two services
// extending a release at once never mix their months.
type MonthRef struct {
	Set int    `json:"set"`
	Gen string `json:"gen"`
}

// monthClasses is what a month released, stored on its own so that no
// document grows with the years.
type monthClasses struct {
	Classes []Class `json:"classes"`
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
	Form(ctx context.Context, id string, version int) (*forms.Form, error)
}

// Catalog finds forms in a catalog.
func Catalog(c *forms.Catalog) FormFinder { return catalogForms{c} }

type catalogForms struct{ c *forms.Catalog }

func (c catalogForms) Form(_ context.Context, id string, version int) (*forms.Form, error) {
	if f, ok := c.c.Form(id, version); ok {
		return f, nil
	}
	return nil, fmt.Errorf("form %s version %d: %w", id, version, errNoForm)
}

var errNoForm = errors.New("no such form")

// atomKey places a response among the atoms of a dimension set: its month,
// wave, activity and the answers it gave to the quasi-identifiers.
func atomKey(dims []string, r forms.Response) []string {
	key := []string{r.SubmittedAt.UTC().Format("2006-01"), r.Wave, r.Activity}
	for _, id := range dims[len(place):] {
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
	finder FormFinder
	months map[string]map[string]*atomCounts
}

type atomCounts struct {
	key    []string
	counts map[string]float64
}

func newMonthAtoms(finder FormFinder) *monthAtoms {
	return &monthAtoms{finder: finder, months: map[string]map[string]*atomCounts{}}
}

// add counts a response in its atom of a dimension set, with the rules of
// the version it answered.
func (m *monthAtoms) add(ctx context.Context, dims []string, r forms.Response) error {
	f, err := m.finder.Form(ctx, r.FormID, r.FormVersion)
	if err != nil {
		return err
	}
	key := atomKey(dims, r)
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
	for _, c := range f.Counts(r.Answers) {
		a.counts[c.Path] += c.By
	}
	return nil
}

// atoms turns a month's counts into atoms, in key order.
func (m *monthAtoms) atoms(month string) []Atom {
	atoms := make([]Atom, 0, len(m.months[month]))
	for _, a := range m.months[month] {
		atoms = append(atoms, a.atom())
	}
	slices.SortFunc(atoms, func(a, b Atom) int { return cmp.Compare(atomID(a.Key), atomID(b.Key)) })
	return atoms
}

// atom turns counts into an atom. Group sums are left out: classes
// replace them.
func (a *atomCounts) atom() Atom {
	counts := make([]forms.Count, 0, len(a.counts))
	for path, by := range a.counts {
		counts = append(counts, forms.Count{Path: path, By: by})
	}
	atom := Atom{Key: a.key}
	atom.Tally.Apply(counts)
	atom.Tally.Groups = nil
	return atom
}

// extend releases the months after rel.Through up to through, in order,
// from the atoms collected with the dimension set given, as generation
// gen, and returns the classes of each month it released.
func extend(rel Release, f *forms.Form, d DimSet, m *monthAtoms, through, gen string, min int) (Release, map[string][]Class) {
	if n := len(rel.Sets); n == 0 || !reflect.DeepEqual(rel.Sets[n-1], d) {
		rel.Sets = append(rel.Sets, d)
	}
	set := len(rel.Sets) - 1
	months := map[string]MonthRef{}
	maps.Copy(months, rel.Months)
	rel.Months = months
	added := map[string][]Class{}
	for _, month := range slices.Sorted(maps.Keys(m.months)) {
		if month <= rel.Through || month > through {
			continue
		}
		classes, carry := release(m.atoms(month), rel.Carry, min)
		rel.Carry = carry
		for i := range classes {
			classes[i].Set = set
			protect(&classes[i], f, d, min)
		}
		rel.Months[month] = MonthRef{Set: set, Gen: gen}
		rel.Classes = append(rel.Classes, classes...)
		added[month] = classes
	}
	rel.Through = through
	return rel, added
}
