package web

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/charts"
	"samspil/forms"
	"samspil/indicators"
	"samspil/partnership"
	"samspil/theory"
)

// TheoryStore keeps partnerships' program theories, version by version.
type TheoryStore interface {
	Theory(ctx context.Context, pid string) (theory.Theory, bool, error)
	TheoryVersion(ctx context.Context, pid string, v int) (theory.Theory, bool, error)
	TheoryVersions(ctx context.Context, pid string) ([]theory.Theory, error)
	SaveTheory(ctx context.Context, t theory.Theory) (bool, error)
}

// theoryView is the program theory page: the diagram with each box's
// figure, the same as a table, the assumptions and the questions.
type theoryView struct {
	Theory  theory.Theory
	Exists  bool
	Diagram template.HTML
	Groups  []theoryGroup
	Arrows  []arrowRow
}

// theoryGroup is a column's elements, as the table shows them.
type theoryGroup struct {
	Column string
	Rows   []theoryRow
}

// theoryRow is one element as the table shows it: what measures it, its
// figure (or why there is none), the change and the target.
type theoryRow struct {
	Element               theory.Element
	Measure               string
	Value, Change, Target string
	Tone                  int
	Questions             []string
}

// arrowRow is one numbered assumption.
type arrowRow struct {
	Number               int
	From, To, Assumption string
}

// theoryPage shows the latest version.
func (s *server) theoryPage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "theory_title")
	pa, t, ok, err := s.theoryOf(c, p)
	if err != nil {
		return err
	}
	v := theoryView{Theory: t, Exists: ok}
	if ok {
		if v, err = s.drawTheory(c.UserContext(), p, pa, t); err != nil {
			return err
		}
	}
	p.Data = v
	return s.render(c, http.StatusOK, "theory.html", p)
}

// theoryOf loads the partnership a theory page is about, in its
// navigation, and the latest version of its theory, if it has one.
func (s *server) theoryOf(c *fiber.Ctx, p *page) (partnership.Partnership, theory.Theory, bool, error) {
	pa, err := s.partnershipOf(c, p, "theory")
	if err != nil {
		return pa, theory.Theory{}, false, err
	}
	t, ok, err := s.Store.Theory(c.UserContext(), pa.ID)
	return pa, t, ok, err
}

// drawTheory reads every box's measure through the protected results and
// draws the theory.
func (s *server) drawTheory(ctx context.Context, p *page, pa partnership.Partnership, t theory.Theory) (theoryView, error) {
	v := theoryView{Theory: t, Exists: true}
	columns := make([]string, len(theory.Columns))
	colIndex := map[theory.Column]int{}
	for i, c := range theory.Columns {
		columns[i], colIndex[c] = p.T("theory_column_"+string(c)), i
	}
	counts := map[string]int{}
	received := func(form string) (int, error) {
		if n, ok := counts[form]; ok {
			return n, nil
		}
		n, err := indicators.ResponsesReceived(ctx, s.Store, pa.ID, []string{form}, forms.Days{})
		counts[form] = n
		return n, err
	}
	// Every box's reading at once: boxes share their forms' figures.
	var measures []theory.Measure
	var measured []string
	for _, e := range t.Elements {
		if e.Measure != nil {
			measures, measured = append(measures, *e.Measure), append(measured, e.ID)
		}
	}
	readings, err := s.Indicators.Readings(ctx, pa, measures)
	if err != nil {
		return v, err
	}
	reading := map[string]indicators.Reading{} // by element
	for i, id := range measured {
		reading[id] = readings[i]
	}
	names := map[string]string{}
	for _, o := range s.measureOptions(p) {
		names[o.Value] = o.Label
	}
	var boxes []charts.TheoryBox
	for _, c := range theory.Columns {
		group := theoryGroup{Column: p.T("theory_column_" + string(c))}
		for _, e := range t.Elements {
			if e.Column != c {
				continue
			}
			row := theoryRow{Element: e, Questions: e.Questions}
			box := charts.TheoryBox{ID: e.ID, Column: colIndex[c], Text: e.Text}
			if m := e.Measure; m != nil {
				rd := reading[e.ID]
				if rd.Withheld && m.Form != "" {
					// Withheld for too few answers, or none at all: the
					// count of answers received says which, as the home
					// page shows it.
					if n, err := received(m.Form); err != nil {
						return v, err
					} else if n == 0 {
						rd = indicators.Reading{}
					}
				}
				row.Measure = names[measureKey(*m)]
				if row.Measure == "" {
					row.Measure = string(m.Kind) + " " + m.Key
				}
				row.Value, row.Change, row.Target, row.Tone = p.reading(*m, rd)
				box.Figure, box.Change, box.Target, box.Tone = row.Value, row.Change, row.Target, row.Tone
				if rd.Shown {
					box.Figure = row.Measure + ": " + row.Value
				}
			}
			group.Rows = append(group.Rows, row)
			boxes = append(boxes, box)
		}
		if len(group.Rows) > 0 {
			v.Groups = append(v.Groups, group)
		}
	}
	text := map[string]string{}
	for _, e := range t.Elements {
		text[e.ID] = e.Text
	}
	var arrows []charts.TheoryArrow
	for i, a := range t.Arrows {
		v.Arrows = append(v.Arrows, arrowRow{Number: i + 1, From: text[a.From], To: text[a.To], Assumption: a.Assumption})
		arrows = append(arrows, charts.TheoryArrow{From: a.From, To: a.To, Number: i + 1})
	}
	v.Diagram = template.HTML(charts.Theory(columns, boxes, arrows, charts.Text{ID: "theory", // drawn by package charts, which escapes every text
		Title: p.T("theory_title"), Desc: p.T("theory_desc", "Elements", len(t.Elements), "Arrows", len(t.Arrows))}))
	return v, nil
}

// reading writes a measure's reading: the figure, the change since the
// one before, and the target; a withheld figure is words.
func (p *page) reading(m theory.Measure, r indicators.Reading) (figure, change, target string, tone int) {
	switch {
	case r.Withheld:
		return p.T("theory_too_few"), "", p.targetText(m, nil), 3
	case !r.Shown:
		return p.T("theory_no_figure"), "", p.targetText(m, nil), 3
	}
	figure = p.measureValue(m, r.Value)
	if r.Previous != nil {
		d := r.Value - *r.Previous
		since := "theory_since_month"
		if m.Kind == theory.Health || m.Kind == theory.Network {
			since = "theory_since_round"
		}
		change = p.T(since, "Change", p.signed(m, d))
	}
	if m.Target != nil {
		target, tone = p.targetText(m, r.Met), 2
		if r.Met != nil && *r.Met {
			tone = 1
		}
	}
	return figure, change, target, tone
}

// measureValue writes a figure as its kind reads: an index of 100, a
// partner-survey mean of 5, a share in per cent, a count.
func (p *page) measureValue(m theory.Measure, v float64) string {
	switch m.Kind {
	case theory.Index:
		return p.T("theory_of_100", "Value", strconv.Itoa(int(math.Round(v))))
	case theory.Health:
		return p.T("theory_of_5", "Value", p.Number(v))
	case theory.Share:
		return pct(v)
	case theory.Responses:
		return strconv.Itoa(int(v))
	case theory.Network:
		if m.Key == "isolates" || m.Key == "partners" {
			return strconv.Itoa(int(v))
		}
		return p.decimals(v, 2)
	}
	return p.Number(v)
}

// signed writes a change with its sign, in the measure's unit.
func (p *page) signed(m theory.Measure, d float64) string {
	var s string
	switch m.Kind {
	case theory.Index, theory.Responses:
		s = strconv.Itoa(int(math.Abs(math.Round(d))))
	case theory.Share:
		s = strconv.Itoa(int(math.Abs(math.Round(100*d)))) + " " + p.T("theory_points")
	case theory.Network:
		s = p.decimals(math.Abs(d), 2)
	default:
		s = p.Number(math.Abs(d))
	}
	switch {
	case strings.Trim(s, "0,. "+p.T("theory_points")) == "":
		return "±0"
	case d < 0:
		return "−" + s
	}
	return "+" + s
}

// targetText writes a target, and whether it is met when that is known.
func (p *page) targetText(m theory.Measure, met *bool) string {
	if m.Target == nil {
		return ""
	}
	t := m.Target
	id := "theory_target_at_most"
	if t.AtLeast {
		id = "theory_target_at_least"
	}
	value := p.Number(t.Value)
	if m.Kind == theory.Share {
		value = pct(t.Value / 100)
	} else if t.Value == math.Trunc(t.Value) {
		value = strconv.Itoa(int(t.Value))
	}
	s := p.T(id, "Value", value)
	if t.By != "" {
		s += " " + p.T("theory_target_by", "By", t.By)
	}
	switch {
	case met == nil:
	case *met:
		s += " ✓ " + p.T("theory_met")
	default:
		s += " ✗ " + p.T("theory_not_met")
	}
	return s
}

// startTheory saves the template as the first version, in the
// partnership's first language if that is English, else in Danish.
func (s *server) startTheory(c *fiber.Ctx, r *request) error {
	pa, err := s.Store.Partnership(c.UserContext(), c.Params("pid"))
	if err != nil {
		return err
	}
	if _, ok, err := s.Store.Theory(c.UserContext(), pa.ID); err != nil || ok {
		if err != nil {
			return err
		}
		return back(c, "/console/partnerships/"+pa.ID+"/theory", "")
	}
	lang := "da"
	if len(pa.Languages) > 0 && pa.Languages[0] == "en" {
		lang = "en"
	}
	t := theory.Template(lang)
	t.Partnership, t.Version, t.Author, t.SavedAt = pa.ID, 1, r.Principal.ID, s.Now().UTC()
	t.Note = s.Messages.Text(r.Lang, "theory_started_note", nil)
	if _, err := s.Store.SaveTheory(c.UserContext(), t); err != nil {
		return err
	}
	if err := s.audit(c, r, "theory.save", pa.ID, "1"); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+pa.ID+"/theory", "theory_started")
}

// author names who saved a version: a person by e-mail, a key by its id.
func author(id string) string { return strings.TrimPrefix(id, "user:") }
