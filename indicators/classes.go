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

// Atom is the responses of one month that agree on every attribute: the
// finest set a query could ever tell apart.
type Atom struct {
	// Key is month, wave, activity, then each quasi-identifier's value
	// ("" when not answered), in the order of Dims.
	Key   []string    `json:"key"`
	Tally forms.Tally `json:"tally"`
}

// Class is a released set of responses: those of its atoms.
type Class struct {
	// Key is the kept part of its atoms' keys: a prefix of Dims. A class
	// that pools what several months could not release keeps nothing.
	Key []string `json:"key"`
	// Atoms names its atoms (their keys joined by "/"), so that an export
	// gives each row its class's attributes.
	Atoms []string `json:"atoms"`
	// Tally is what the class may show: see protect.
	Tally forms.Tally `json:"tally"`
	// Withheld lists the scales and items this class shows nothing of,
	// because too few of its people answered them.
	Withheld []string `json:"withheld,omitempty"`
}

// dims lists the attributes of a form's atoms, in the order they are
// given up last to first: quasi-identifiers, then activity, wave, month.
func dims(f *forms.Form) []string {
	return append([]string{"month", "wave", "activity"}, f.QuasiIdentifiers...)
}

// value gives the class's value of dimension i, and whether it keeps it.
func (c Class) value(i int) (string, bool) {
	if i < len(c.Key) {
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
				classes = append(classes, classOf(g[0].Key[:kept], g))
				continue
			}
			pending = append(pending, g...)
		}
	}
	pool := append(slices.Clone(carry), pending...)
	if size(pool) >= min {
		return append(classes, classOf(nil, pool)), nil
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

func classOf(key []string, atoms []Atom) Class {
	c := Class{Key: slices.Clone(key)}
	for _, a := range atoms {
		c.Atoms = append(c.Atoms, atomID(a.Key))
		c.Tally.Add(a.Tally)
	}
	return c
}

// protect strips from a class's tally what it may not show: answers to a
// quasi-identifier it gave up (they would form a smaller group), every
// scale fewer than min of its people have a score on with that scale's
// items, and every other item fewer than min answered. What is stripped is
// stripped from every figure the class adds to, so no combination of
// figures brings it back.
func protect(c *Class, f *forms.Form, min int) {
	t := &c.Tally
	t.Groups = nil
	keep := map[string]bool{}
	inScale := map[string]bool{}
	for _, sc := range f.Scales {
		shown := t.Scores[sc.ID].N >= min
		answered := t.Scores[sc.ID].N > 0
		for _, it := range sc.Items {
			inScale[it] = true
			keep[it] = shown
			answered = answered || t.Items[it].Answered > 0
		}
		if !shown {
			delete(t.Scores, sc.ID)
			if answered {
				c.Withheld = append(c.Withheld, sc.ID)
			}
		}
	}
	for id := range t.Scores {
		if _, ok := f.Scale(id); !ok {
			delete(t.Scores, id)
		}
	}
	qi := f.QuasiIdentifiers
	for _, it := range f.Items {
		switch {
		case inScale[it.ID]:
		case slices.Contains(qi, it.ID):
			_, kept := c.value(3 + slices.Index(qi, it.ID))
			keep[it.ID] = kept
		default:
			keep[it.ID] = t.Items[it.ID].Answered >= min
			if !keep[it.ID] && t.Items[it.ID].Answered > 0 {
				c.Withheld = append(c.Withheld, it.ID)
			}
		}
	}
	for id := range t.Items {
		if !keep[id] {
			delete(t.Items, id)
		}
	}
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
