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

// Merge applies the changes mine made to base onto theirs, a version saved
// meanwhile: an element or arrow mine changed, added or removed is taken
// from mine; the rest from theirs, so neither's changes are lost. Clashes
// lists the texts of elements both changed (mine wins; the person sees
// them named before saving).
func Merge(base, theirs, mine Theory) (merged Theory, clashes []string) {
	merged = theirs
	merged.Elements = nil
	for _, e := range theirs.Elements {
		b, inBase := base.Element(e.ID)
		m, inMine := mine.Element(e.ID)
		switch {
		case inBase && !inMine:
			// mine removed it
			continue
		case inBase && inMine && !sameAll(b, m):
			if !sameAll(b, e) {
				clashes = append(clashes, m.Text)
			}
			merged.Elements = append(merged.Elements, m)
		default:
			merged.Elements = append(merged.Elements, e)
		}
	}
	for _, m := range mine.Elements {
		if _, inBase := base.Element(m.ID); !inBase {
			if _, taken := merged.Element(m.ID); !taken {
				merged.Elements = append(merged.Elements, m)
			}
		}
	}
	key := func(a Arrow) [2]string { return [2]string{a.From, a.To} }
	index := func(t Theory) map[[2]string]Arrow {
		m := map[[2]string]Arrow{}
		for _, a := range t.Arrows {
			m[key(a)] = a
		}
		return m
	}
	baseA, mineA := index(base), index(mine)
	merged.Arrows = nil
	for _, a := range theirs.Arrows {
		_, inBase := baseA[key(a)]
		m, inMine := mineA[key(a)]
		switch {
		case inBase && !inMine:
			continue
		case inMine && m.Assumption != baseA[key(a)].Assumption:
			merged.Arrows = append(merged.Arrows, m)
		default:
			merged.Arrows = append(merged.Arrows, a)
		}
	}
	theirsA := index(theirs)
	for _, m := range mine.Arrows {
		if _, inBase := baseA[key(m)]; !inBase {
			if _, there := theirsA[key(m)]; !there {
				merged.Arrows = append(merged.Arrows, m)
			}
		}
	}
	// Arrows whose ends went.
	kept := merged.Arrows[:0]
	for _, a := range merged.Arrows {
		_, okF := merged.Element(a.From)
		_, okT := merged.Element(a.To)
		if okF && okT {
			kept = append(kept, a)
		}
	}
	merged.Arrows = kept
	merged.Note = mine.Note
	return merged, clashes
}

func sameAll(a, b Element) bool { return a.Text == b.Text && sameElement(a, b) }
