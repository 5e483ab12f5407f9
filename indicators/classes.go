package indicators

import (
	"maps"
	"slices"
	"strings"

	"samspil/forms"
)

// Every published citizen figure is a sum over released classes. A class
// is a set of at least the minimum group of responses that agree on every
// attribute that a filter or a grouping can tell apart and that the class
// keeps: month, wave, activity and the form's quasi-identifiers (age band,
// role, ...). A class that cannot keep an attribute without being too
// small gives it up, in a fixed order, and joins the others that gave it
// up. Because every filter and grouping either takes a class whole or
// leaves it out, any sum or difference of published figures is a sum over
// whole classes: it describes at least the minimum group, or nobody.

// place is the attributes every atom has, before the quasi-identifiers.
var place = []string{"month", "wave", "activity"}

// Atom is the responses of one month that agree on every attribute: the
// finest set a query could ever tell apart.
type Atom struct {
	// Key is the values of the dimensions (month, wave, activity, then
	// each quasi-identifier, "" when not answered).
	Key   []string    `json:"key"`
	Tally forms.Tally `json:"tally"`
}

// Class is a released set of responses: those of its atoms.
type Class struct {
	// Key is the kept part of its atoms' keys: a prefix of the dimensions.
	// A class that pools what several months could not release keeps
	// nothing.
	Key []string `json:"key"`
	// Set indexes the release's dimension sets: the one of the month the
	// class was released in.
	Set int `json:"set,omitempty"`
	// Min is the minimum group the class was formed and protected with.
	Min int `json:"min"`
	// Atoms names its atoms (their keys joined by "/"), so that an export
	// gives each row its class's attributes.
	Atoms []string `json:"atoms"`
	// Tally is what the class may show: see protect.
	Tally forms.Tally `json:"tally"`
	// Withheld lists the scales and items this class shows nothing of.
	Withheld []string `json:"withheld,omitempty"`
}

// DimSet is what a month's classes were formed by: the dimensions of its
// atoms, in the order they are given up last to first (quasi-identifiers,
// then activity, wave, month), and for each question that a
// quasi-identifier shows or hides, those quasi-identifiers: a class that
// gives one up gives up the question with it.
type DimSet struct {
	Dims    []string            `json:"dims"`
	ShownBy map[string][]string `json:"shown_by,omitempty"`
}

// dimSet is the dimension set of a form as it is now.
func dimSet(f *forms.Form) DimSet {
	set := DimSet{Dims: append(slices.Clone(place), f.QuasiIdentifiers...)}
	for _, it := range f.Items {
		var by []string
		for _, ref := range f.ShownBy(it.ID) {
			if slices.Contains(f.QuasiIdentifiers, ref) {
				by = append(by, ref)
			}
		}
		if len(by) > 0 {
			if set.ShownBy == nil {
				set.ShownBy = map[string][]string{}
			}
			set.ShownBy[it.ID] = by
		}
	}
	return set
}

// qis lists the set's quasi-identifiers.
func (d DimSet) qis() []string { return d.Dims[len(place):] }

// hidden lists the quasi-identifiers a class gave up, and says whether a
// question goes with them: one of them, or shown or hidden by one.
func (d DimSet) hidden(c Class) func(id string) bool {
	gone := map[string]bool{}
	for _, q := range d.qis() {
		if _, kept := value(c, d.Dims, q); !kept {
			gone[q] = true
		}
	}
	return func(id string) bool {
		return gone[id] || slices.ContainsFunc(d.ShownBy[id], func(q string) bool { return gone[q] })
	}
}

// value gives a class's value of a dimension, and whether it keeps it.
func value(c Class, dims []string, name string) (string, bool) {
	if i := slices.Index(dims, name); i >= 0 && i < len(c.Key) {
		return c.Key[i], true
	}
	return "", false
}

func atomID(key []string) string { return strings.Join(key, "/") }

// release groups one month's atoms into classes of at least min responses.
// Atoms start as their own classes; those too small give up their last
// attribute and pool with the others of the same shorter key, until only
// the month is left. What the month cannot release joins the carry of
// earlier months, which is released, keeping nothing, once it reaches min.
func release(atoms, carry []Atom, min int) (classes []Class, carryOut []Atom) {
	pending := slices.Clone(atoms)
	depth := 0
	for _, a := range atoms {
		depth = max(depth, len(a.Key))
	}
	for kept := depth; kept >= 1 && len(pending) > 0; kept-- {
		groups := map[string][]Atom{}
		for _, a := range pending {
			id := atomID(a.Key[:kept])
			groups[id] = append(groups[id], a)
		}
		pending = nil
		for _, id := range slices.Sorted(maps.Keys(groups)) {
			g := groups[id]
			if size(g) >= min {
				classes = append(classes, classOf(g[0].Key[:kept], g, min))
				continue
			}
			pending = append(pending, g...)
		}
	}
	pool := append(slices.Clone(carry), pending...)
	if size(pool) >= min {
		return append(classes, classOf(nil, pool, min)), nil
	}
	return classes, pool
}

func size(atoms []Atom) int {
	n := 0
	for _, a := range atoms {
		n += a.Tally.N
	}
	return n
}

func classOf(key []string, atoms []Atom, min int) Class {
	c := Class{Key: slices.Clone(key), Min: min}
	for _, a := range atoms {
		c.Atoms = append(c.Atoms, atomID(a.Key))
		c.Tally.Add(a.Tally)
	}
	return c
}

// protect strips from a class's tally what it may not show, from every
// figure it adds to, so that no combination of figures brings it back:
//   - answers to a quasi-identifier the class gave up (they would form a
//     smaller group), and to every question shown or hidden by one (whether
//     they were answered tells the hidden answer);
//   - an index fewer than min have a score on, or whose items fewer than
//     min answered (the score and the other items would give them away),
//     with its items;
//   - any other question fewer than min answered.
func protect(c *Class, f *forms.Form, set DimSet, min int) {
	t := &c.Tally
	t.Groups = nil
	dependsOnHidden := set.hidden(*c)
	answered := func(id string) int { return t.Items[id].Answered }
	// An index item counts by its numbers: "prefer not" beside one
	// number would show that number through the mean.
	numbers := func(id string) int { return answered(id) - t.Items[id].Values[forms.PreferNot] }
	keep := map[string]bool{}
	inScale := map[string]bool{}
	for _, sc := range f.Scales {
		shown := t.Scores[sc.ID].N >= min
		some := t.Scores[sc.ID].N > 0
		for _, it := range sc.Items {
			inScale[it] = true
			shown = shown && (numbers(it) == 0 || numbers(it) >= min) && !dependsOnHidden(it)
			some = some || answered(it) > 0
		}
		for _, it := range sc.Items {
			keep[it] = shown
		}
		if !shown {
			delete(t.Scores, sc.ID)
			if some {
				c.Withheld = append(c.Withheld, sc.ID)
			}
		}
	}
	for id := range t.Scores {
		if _, ok := f.Scale(id); !ok {
			delete(t.Scores, id)
		}
	}
	for _, it := range f.Items {
		switch {
		case inScale[it.ID]:
		case slices.Contains(set.qis(), it.ID):
			keep[it.ID] = !dependsOnHidden(it.ID)
		default:
			keep[it.ID] = answered(it.ID) >= min && !dependsOnHidden(it.ID)
			if !keep[it.ID] && answered(it.ID) > 0 {
				c.Withheld = append(c.Withheld, it.ID)
			}
		}
	}
	for id := range t.Items {
		if !keep[id] {
			delete(t.Items, id)
		}
	}
	c.Min = min
	slices.Sort(c.Withheld)
}

// clone copies a class deeply enough for protect to change it.
func (c Class) clone() Class {
	var t forms.Tally
	t.Add(c.Tally)
	c.Tally = t
	c.Withheld = slices.Clone(c.Withheld)
	return c
}
