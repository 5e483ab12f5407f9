package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/partnership"
	"samspil/theory"
)

// The program theory is edited with one ordinary form: every element and
// arrow with its fields, a row for a new element and one for a new arrow,
// and a note on what changed. Saving makes a new version; the form names
// the version it was made from, so a save over a newer one is shown back
// with the changes kept instead of overwriting it.

// theoryEditView is the editor.
type theoryEditView struct {
	Theory   theory.Theory
	Measures []optionGroup
	Columns  []option
	// Activities are the partnership's registered activities, which an
	// element may stand for.
	Activities []option
	// Version is the version the form was made from; Newer is set when
	// someone saved after it.
	Version, Newer int
	// Raw keeps target values as typed, by element prefix, when they are
	// not numbers, so the form shows them back.
	Raw map[string]string
}

// theoryEditor shows the editor over the latest version, or the template
// when there is none yet.
func (s *server) theoryEditor(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "theory_edit_title")
	pa, t, ok, err := s.theoryOf(c, p)
	if err != nil {
		return err
	}
	if !ok {
		return back(c, "/console/partnerships/"+pa.ID+"/theory", "")
	}
	acts, err := s.activityOptions(c, pa.ID)
	if err != nil {
		return err
	}
	// The note is about the version to be saved: it starts empty.
	t.Note = ""
	p.Data = theoryEditView{Theory: t, Measures: s.measureGroups(p), Columns: s.columnOptions(p), Activities: acts, Version: t.Version}
	return s.render(c, http.StatusOK, "theory_edit.html", p)
}

// saveTheory saves the posted form as a new version.
func (s *server) saveTheory(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "theory_edit_title")
	pa, current, _, err := s.theoryOf(c, p)
	if err != nil {
		return err
	}
	from, _ := strconv.Atoi(c.FormValue("version"))
	t, bad := theoryFromForm(c)
	t = t.Clean()
	t.Partnership, t.Version, t.Author, t.SavedAt = pa.ID, current.Version+1, r.Principal.ID, s.Now().UTC()
	acts, err := s.activityOptions(c, pa.ID)
	if err != nil {
		return err
	}
	v := theoryEditView{Theory: t, Measures: s.measureGroups(p), Columns: s.columnOptions(p), Activities: acts, Version: from, Raw: bad}
	if from != current.Version {
		return s.mergeOver(c, p, v, from, current)
	}
	ps := t.Validate(optionValues(acts)...)
	p.theoryProblems(t, ps)
	p.targetProblems(t, bad)
	if len(p.Errors) > 0 {
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "theory_edit.html", p)
	}
	saved, err := s.Store.SaveTheory(c.UserContext(), t)
	if err != nil {
		return err
	}
	if !saved {
		newer, _, err := s.Store.Theory(c.UserContext(), pa.ID)
		if err != nil {
			return err
		}
		return s.mergeOver(c, p, v, from, newer)
	}
	if err := s.audit(c, r, "theory.save", pa.ID, strconv.Itoa(t.Version)); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+pa.ID+"/theory", "theory_saved")
}

// theoryFromForm reads the editor: el.N.* for each element, ar.N.* for
// each arrow, new.* and newar.* for the ones to add.
func theoryFromForm(c *fiber.Ctx) (theory.Theory, map[string]string) {
	var t theory.Theory
	bad := map[string]string{} // element prefix → a target value that is no number
	t.Note = c.FormValue("note")
	element := func(prefix string) (theory.Element, bool) {
		e := theory.Element{ID: c.FormValue(prefix + "id"), Column: theory.Column(c.FormValue(prefix + "column")),
			Text: c.FormValue(prefix + "text"), Level: theory.Level(c.FormValue(prefix + "level")),
			Activity: c.FormValue(prefix + "activity")}
		for _, q := range strings.Split(c.FormValue(prefix+"questions"), "\n") {
			if q = strings.TrimSpace(q); q != "" {
				e.Questions = append(e.Questions, q)
			}
		}
		if kind, rest, ok := strings.Cut(c.FormValue(prefix+"measure"), "|"); ok {
			form, key, _ := strings.Cut(rest, "|")
			e.Measure = &theory.Measure{Kind: theory.Kind(kind), Form: form, Key: key}
			if op := c.FormValue(prefix + "target_op"); op == "at_least" || op == "at_most" {
				raw := strings.TrimSpace(c.FormValue(prefix + "target_value"))
				value, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
				if err != nil {
					bad[prefix] = raw
				}
				e.Measure.Target = &theory.Target{AtLeast: op == "at_least", Value: value, By: strings.TrimSpace(c.FormValue(prefix + "target_by"))}
			}
		} else if c.FormValue(prefix+"target_op") != "" {
			bad[prefix+"measure"] = ""
		}
		return e, c.FormValue(prefix+"remove") == ""
	}
	removed := map[string]bool{}
	for i := 0; i < theory.MaxElements+1; i++ {
		prefix := fmt.Sprintf("el.%d.", i)
		if c.FormValue(prefix+"id") == "" {
			break
		}
		e, keep := element(prefix)
		if !keep {
			removed[e.ID] = true
			continue
		}
		t.Elements = append(t.Elements, e)
	}
	newID := ""
	if strings.TrimSpace(c.FormValue("new.text")) != "" {
		e, _ := element("new.")
		e.ID = freeID(t, e.Text)
		t.Elements = append(t.Elements, e)
		newID = e.ID
	}
	// The new arrow may start or end at the new element.
	end := func(v string) string {
		if v == newElement {
			return newID
		}
		return v
	}
	for i := 0; i < theory.MaxArrows+1; i++ {
		prefix := fmt.Sprintf("ar.%d.", i)
		from := c.FormValue(prefix + "from")
		if from == "" {
			break
		}
		a := theory.Arrow{From: from, To: c.FormValue(prefix + "to"), Assumption: c.FormValue(prefix + "assumption")}
		if c.FormValue(prefix+"remove") != "" || removed[a.From] || removed[a.To] {
			continue
		}
		t.Arrows = append(t.Arrows, a)
	}
	if from, to := end(c.FormValue("newar.from")), end(c.FormValue("newar.to")); from != "" || to != "" {
		t.Arrows = append(t.Arrows, theory.Arrow{From: from, To: to, Assumption: c.FormValue("newar.assumption")})
	}
	if t.Elements == nil {
		t.Elements = []theory.Element{}
	}
	if t.Arrows == nil {
		t.Arrows = []theory.Arrow{}
	}
	return t, bad
}

// freeID makes an id for a new element from its text, unused in t.
func freeID(t theory.Theory, text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ø':
			b.WriteString("oe")
		case r == 'å':
			b.WriteString("aa")
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() >= 24 {
			break
		}
	}
	base := strings.Trim(b.String(), "-")
	if base == "" {
		base = "element"
	}
	id := base
	for n := 2; ; n++ {
		if _, taken := t.Element(id); !taken {
			return id
		}
		id = base + "-" + strconv.Itoa(n)
	}
}

// theoryProblems puts a theory's problems at their fields, each named by
// the element or arrow it concerns.
func (p *page) theoryProblems(t theory.Theory, ps []partnership.Problem) {
	for _, pr := range ps {
		parts := strings.SplitN(pr.Field, ".", 3)
		field, label := "note", p.T("theory_field_note")
		switch {
		case len(parts) == 3 && parts[0] == "elements":
			i, _ := strconv.Atoi(parts[1])
			name := p.T("theory_element_n", "Number", i+1)
			if i < len(t.Elements) && t.Elements[i].Text != "" {
				name += " »" + t.Elements[i].Text + "«"
			}
			leaf, _, _ := strings.Cut(parts[2], ".")
			if leaf == "id" {
				leaf = "text"
			}
			field = "el." + parts[1] + "." + leaf
			label = p.T("theory_element_field", "Element", name, "Field", p.T("theory_field_"+leaf))
		case len(parts) == 3 && parts[0] == "arrows":
			field = "ar." + parts[1] + "." + parts[2]
			i, _ := strconv.Atoi(parts[1])
			label = p.T("theory_arrow_field", "Number", i+1)
			if i < len(t.Arrows) {
				label += " (" + elementText(t, t.Arrows[i].From) + " → " + elementText(t, t.Arrows[i].To) + ")"
			}
		case pr.Field == "elements" || pr.Field == "arrows":
			field, label = "new.text", p.T("theory_field_"+pr.Field)
		}
		p.Errors = append(p.Errors, fieldProblem{Field: field, Label: label, Message: p.domainMessage(pr)})
	}
}

// mergeOver shows the editor again when someone saved after the version
// the form was made from: the changes made in the form are put onto the
// newer version, so that saving keeps both, and the elements both changed
// are named.
func (s *server) mergeOver(c *fiber.Ctx, p *page, v theoryEditView, from int, newer theory.Theory) error {
	base, _, err := s.Store.TheoryVersion(c.UserContext(), newer.Partnership, from)
	if err != nil {
		return err
	}
	merged, clashes := theory.Merge(base, newer, v.Theory)
	v.Theory, v.Newer, v.Version = merged, newer.Version, newer.Version
	p.problem("version", "theory_version", "theory_newer", "Version", newer.Version)
	for _, text := range clashes {
		p.problem("version", "theory_version", "theory_clash", "Element", text)
	}
	p.Data = v
	return s.render(c, http.StatusConflict, "theory_edit.html", p)
}

// targetProblems names each target value that is no number, and each
// target without a figure to meet it.
func (p *page) targetProblems(t theory.Theory, bad map[string]string) {
	for prefix := range bad {
		field, msg := prefix+"target_value", "theory_target_not_number"
		if strings.HasSuffix(prefix, "measure") {
			field, msg = prefix, "theory_target_needs_measure"
		}
		i, _ := strconv.Atoi(strings.Split(prefix, ".")[1])
		name := p.T("theory_element_n", "Number", i+1)
		if i < len(t.Elements) && t.Elements[i].Text != "" {
			name += " »" + t.Elements[i].Text + "«"
		}
		p.Errors = append(p.Errors, fieldProblem{Field: field,
			Label: p.T("theory_element_field", "Element", name, "Field", p.T("theory_field_target")), Message: p.T(msg)})
	}
}
