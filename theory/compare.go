package theory

// Changes is what one version of a theory changed from another.
type Changes struct {
	Added    []Element `json:"added"`
	Removed  []Element `json:"removed"`
	Reworded []Change  `json:"reworded"`
	// Moved lists elements that changed column, measure or questions
	// without being reworded.
	Moved         []Change `json:"changed"`
	ArrowsAdded   []Arrow  `json:"arrows_added"`
	ArrowsRemoved []Arrow  `json:"arrows_removed"`
	// Assumptions lists arrows whose assumption was reworded.
	Assumptions []ArrowChange `json:"assumptions"`
}

// Change is an element before and after.
type Change struct {
	Before Element `json:"before"`
	After  Element `json:"after"`
}

// ArrowChange is an arrow before and after.
type ArrowChange struct {
	Before Arrow `json:"before"`
	After  Arrow `json:"after"`
}

// None reports whether nothing changed.
func (c Changes) None() bool {
	return len(c.Added)+len(c.Removed)+len(c.Reworded)+len(c.Moved)+len(c.ArrowsAdded)+len(c.ArrowsRemoved)+len(c.Assumptions) == 0
}

// Compare lists what changed from one version (a) to another (b), element
// by element (by id) and arrow by arrow, in b's order, removals in a's.
func Compare(a, b Theory) Changes {
	c := Changes{Added: []Element{}, Removed: []Element{}, Reworded: []Change{}, Moved: []Change{},
		ArrowsAdded: []Arrow{}, ArrowsRemoved: []Arrow{}, Assumptions: []ArrowChange{}}
	for _, e := range b.Elements {
		old, ok := a.Element(e.ID)
		switch {
		case !ok:
			c.Added = append(c.Added, e)
		case old.Text != e.Text:
			c.Reworded = append(c.Reworded, Change{old, e})
		case !sameElement(old, e):
			c.Moved = append(c.Moved, Change{old, e})
		}
	}
	for _, e := range a.Elements {
		if _, ok := b.Element(e.ID); !ok {
			c.Removed = append(c.Removed, e)
		}
	}
	arrows := func(t Theory) map[[2]string]Arrow {
		m := make(map[[2]string]Arrow, len(t.Arrows))
		for _, ar := range t.Arrows {
			m[[2]string{ar.From, ar.To}] = ar
		}
		return m
	}
	before, after := arrows(a), arrows(b)
	for _, ar := range b.Arrows {
		old, ok := before[[2]string{ar.From, ar.To}]
		switch {
		case !ok:
			c.ArrowsAdded = append(c.ArrowsAdded, ar)
		case old.Assumption != ar.Assumption:
			c.Assumptions = append(c.Assumptions, ArrowChange{old, ar})
		}
	}
	for _, ar := range a.Arrows {
		if _, ok := after[[2]string{ar.From, ar.To}]; !ok {
			c.ArrowsRemoved = append(c.ArrowsRemoved, ar)
		}
	}
	return c
}

func sameElement(a, b Element) bool {
	if a.Column != b.Column || a.Level != b.Level || a.Activity != b.Activity || len(a.Questions) != len(b.Questions) {
		return false
	}
	for i := range a.Questions {
		if a.Questions[i] != b.Questions[i] {
			return false
		}
	}
	switch {
	case a.Measure == nil || b.Measure == nil:
		return a.Measure == b.Measure
	case a.Measure.Target == nil || b.Measure.Target == nil:
		return a.Measure.Kind == b.Measure.Kind && a.Measure.Form == b.Measure.Form && a.Measure.Key == b.Measure.Key &&
			a.Measure.Target == b.Measure.Target
	}
	return a.Measure.Kind == b.Measure.Kind && a.Measure.Form == b.Measure.Form && a.Measure.Key == b.Measure.Key &&
		*a.Measure.Target == *b.Measure.Target
}
