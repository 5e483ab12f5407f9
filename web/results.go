package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/charts"
	"samspil/forms"
	"samspil/indicators"
	"samspil/partnership"
)

// resultsView is the partnership's dashboard: each citizen index in all
// and by a grouping, as dots with their 95% intervals and as a table.
// Every number comes from the indicators service, protected; this page
// only draws them.
type resultsView struct {
	Released string
	// Covers says what the figures cover, under every chart.
	Covers string
	// Empty says no answers are released yet; N is how many are.
	Empty     bool
	N         int
	MinGroup  int
	By        string
	Groupings []string
	Wave      string
	Waves     []waveRow
	// From and To are the months chosen, as typed (2026-01).
	From, To   string
	Activity   string
	Activities []partnership.Activity
	Indices    []indexChart
	// Health is a partner round's partnership health (round=, or the
	// latest).
	Health healthView
	// Changes are how each index moved between the last two rounds;
	// OverTime draws each index round by round.
	Changes  []indexChange
	OverTime []indexChart
	// Shares are the answers to the choice questions, in all.
	Shares []indexChart
}

// indexChange is one index's move between two rounds, in numbers and in
// words, or Hidden when either round has too few answers.
type indexChange struct {
	Title, From, To, Difference, Interval, Words string
	Hidden                                       bool
}

// indexChart is one index: its chart and the rows of its table.
type indexChart struct {
	Title string
	SVG   template.HTML
	Rows  []charts.Row
	// Items are the answers to the index's questions, as stacked bars
	// and a table.
	Items      template.HTML
	ItemTable  []charts.Bar
	ItemValues []string
}

// results shows the citizen indices a partnership has released and its
// partnership health.
func (s *server) results(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "results_title")
	pa, err := s.partnershipOf(c, p, "results")
	if err != nil {
		return err
	}
	v, err := s.resultsOf(c, r, p, pa)
	p.Data = v
	if errors.Is(err, errQuery) {
		return s.render(c, http.StatusUnprocessableEntity, "results.html", p)
	} else if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "results.html", p)
}

// errQuery says a results page's filters do not fit the partnership; the
// page holds the problems.
var errQuery = errors.New("results: filters do not fit")

// resultsOf reads what the dashboard and the report show, for the
// filters in the query: wave, activity, by and round.
func (s *server) resultsOf(c *fiber.Ctx, r *request, p *page, pa partnership.Partnership) (resultsView, error) {
	ctx := c.UserContext()
	f, ok := s.Forms.Form(citizenForm, 0)
	if !ok {
		return resultsView{}, errNotFound
	}
	v := resultsView{By: c.Query("by", "activity"), Wave: c.Query("wave"), Activity: c.Query("activity"), From: c.Query("from"), To: c.Query("to"),
		Groupings: indicators.Groupings(f), MinGroup: pa.MinGroup, Empty: true}
	var err error
	if v.Activities, err = s.Store.Activities(ctx, pa.ID); err != nil {
		return v, err
	}
	ws, err := s.Store.Waves(ctx, pa.ID)
	if err != nil {
		return v, err
	}
	for _, w := range ws {
		if w.Form == f.ID {
			v.Waves = append(v.Waves, waveRow{Wave: w, Form: s.formTitle(w.Form, r.Lang), Last: lastDay(w)})
		}
	}
	if v.Health, err = s.healthOf(ctx, p, pa, c.Query("round")); err != nil {
		return v, err
	}
	inc, err := s.Indicators.Inclusion(ctx, pa, f, indicators.Query{Wave: v.Wave, Activity: v.Activity, By: v.By, From: v.From, To: v.To})
	var invalid *indicators.Invalid
	switch {
	case errors.As(err, &invalid):
		p.domainProblems(invalid.Problems)
		return v, errQuery
	case errors.Is(err, indicators.ErrWaveNotFound):
		p.problem("wave", "field_wave", "wave_not_found")
		return v, errQuery
	case err != nil:
		return v, err
	}
	v.Released, v.MinGroup = inc.ReleasedThrough, inc.MinGroup
	v.Empty = inc.Total.N == 0 || inc.Total.Suppressed
	if !v.Empty {
		v.N = inc.Total.N
	}
	names, order := groupNames(p, f, v)
	groups := slices.Clone(inc.Groups)
	rank := func(key string) int {
		if i := slices.Index(order, key); i >= 0 {
			return i
		}
		return len(order) // others last
	}
	slices.SortStableFunc(groups, func(a, b indicators.Group) int { return rank(a.Key[v.By]) - rank(b.Key[v.By]) })
	number := p.Number
	for i, sc := range f.Scales {
		title := sc.Label.In(r.Lang, f.DefaultLanguage)
		rows := []charts.Row{indexRow(p.T("results_all"), inc.Total, sc.ID)}
		for _, g := range groups {
			rows = append(rows, indexRow(p.groupName(g.Key[v.By], v.By, names), g, sc.ID))
		}
		text := charts.Text{ID: fmt.Sprintf("index%d", i), Title: title, Desc: p.T("results_chart_desc", "Index", title),
			Hidden: p.T("results_hidden", "Min", inc.MinGroup), Number: number,
			Count: func(n int) string { return p.T("results_n", "N", n) }}
		ic := indexChart{Title: title, Rows: rows,
			SVG: template.HTML(charts.Dots(rows, indexScale(sc), text))} // drawn by package charts, which escapes every text
		itemBars(p, f, sc, inc.Total, inc.MinGroup, &ic)
		v.Indices = append(v.Indices, ic)
	}
	if err := s.changes(c, r, p, pa, ws, &v, number); err != nil {
		return v, err
	}
	v.Shares = shareCharts(p, f, inc.Total, inc.MinGroup, r.Lang, number)
	v.Covers = strings.Join(filters(p, v), " · ")
	return v, nil
}

// healthScale is partnership health's 1-5 scale with its bands: concern
// below 3, borderline from 3, strength from 4 (analytics.Band).
func healthScale(p *page) charts.Scale {
	return charts.Scale{Min: 1, Max: 5, Ticks: []float64{1, 2, 3, 4, 5}, Bands: []charts.Band{
		{From: 1, To: 3, Label: p.T("band_concern"), Tone: 0},
		{From: 3, To: 4, Label: p.T("band_borderline"), Tone: 1},
		{From: 4, To: 5, Label: p.T("band_strength"), Tone: 2}}}
}

// indexRow is one group's figures for an index, or words when the group
// or the index is hidden.
func indexRow(label string, g indicators.Group, index string) charts.Row {
	ix, ok := g.Indices[index]
	if g.Suppressed || !ok || ix.Suppressed || ix.Mean == nil || ix.CI == nil {
		return charts.Row{Label: label, Hidden: true}
	}
	return charts.Row{Label: label, Value: *ix.Mean, Low: ix.CI[0], High: ix.CI[1], N: ix.N}
}

// groupName names a group of a grouping by (names from groupNames),
// those who gave no value, and the citizens no value may single out as
// "the others".
func (p *page) groupName(key, by string, names map[string]string) string {
	switch {
	case key == "*":
		return p.T("results_others")
	case key == "" && by == "activity":
		return p.T("results_none")
	case key == "":
		return p.T("results_not_given")
	case names[key] != "":
		return names[key]
	}
	if t, err := time.Parse("2006-01", key); err == nil {
		return p.Month(t)
	}
	return key
}

// changes adds how each citizen index moved between the last two citizen
// rounds, with Hedges' g in words, when there are two.
func (s *server) changes(c *fiber.Ctx, r *request, p *page, pa partnership.Partnership, ws []partnership.Wave, v *resultsView, number func(float64) string) error {
	f, _ := s.Forms.Form(citizenForm, 0)
	rounds := 0
	for _, w := range ws {
		if w.Form == f.ID && w.Respondents == "citizens" {
			rounds++
		}
	}
	if rounds < 2 {
		return nil
	}
	if err := s.overTime(c, r, p, pa, f, ws, v); err != nil {
		return err
	}
	ch, err := s.Indicators.Change(c.UserContext(), pa, f, ws, indicators.ChangeQuery{Activity: v.Activity})
	var invalid *indicators.Invalid
	if errors.As(err, &invalid) || errors.Is(err, indicators.ErrWaveNotFound) {
		return nil // nothing to compare yet
	} else if err != nil {
		return err
	}
	for _, sc := range f.Scales {
		ic, ok := ch.Indices[sc.ID]
		row := indexChange{Title: sc.Label.In(r.Lang, f.DefaultLanguage)}
		if !ok || ic.Suppressed || ic.From == nil || ic.To == nil || ic.Change == nil {
			row.Hidden = true
			v.Changes = append(v.Changes, row)
			continue
		}
		row.From, row.To, row.Difference = number(ic.From.Mean), number(ic.To.Mean), p.Signed(ic.Change.Difference)
		row.Interval = number(ic.Change.CI[0]) + " – " + number(ic.Change.CI[1])
		row.Words = p.changeSize(*ic.Change)
		v.Changes = append(v.Changes, row)
	}
	return nil
}

// shareCharts draws the share of each answer to the choice questions,
// among those who answered each, in all; a question too few answered is
// words.
func shareCharts(p *page, f *forms.Form, total indicators.Group, minGroup int, lang string, number func(float64) string) []indexChart {
	var out []indexChart
	view := f.In(lang)
	for i, it := range f.Items {
		if it.Type != forms.TypeChoice && it.Type != forms.TypeMulti && it.Type != forms.TypeYesNo {
			continue
		}
		title := view.Items[i].Text
		shares, shown := total.Shares[it.ID]
		var rows []charts.Row
		options := view.Items[i].Options
		if it.Type == forms.TypeYesNo {
			options = []forms.OptionView{{Value: "yes", Label: p.T("yes")}, {Value: "no", Label: p.T("no")}}
		}
		if it.PreferNot {
			options = append(slices.Clone(options), forms.OptionView{Value: forms.PreferNot, Label: p.T("prefer_not")})
		}
		for _, o := range options {
			share, ok := shares[o.Value]
			if !shown || !ok {
				rows = append(rows, charts.Row{Label: o.Label, Hidden: true})
				continue
			}
			rows = append(rows, charts.Row{Label: o.Label, Value: 100 * share})
		}
		if !shown {
			rows = []charts.Row{{Label: p.T("results_all"), Hidden: true}}
		}
		text := charts.Text{ID: "share-" + it.ID, Title: title, Desc: p.T("results_shares_desc", "Question", title),
			Hidden: p.T("results_hidden", "Min", minGroup), Number: func(x float64) string { return number(x) + " %" }}
		out = append(out, indexChart{Title: title, Rows: rows,
			SVG: template.HTML(charts.Bars(rows, charts.Scale{Min: 0, Max: 100}, text))}) // drawn by package charts, which escapes every text
	}
	return out
}

// itemBars draws the answers to an index's questions as stacked bars, in
// all: the share giving each point of the scale among those who answered.
func itemBars(p *page, f *forms.Form, sc forms.Scale, total indicators.Group, minGroup int, ic *indexChart) {
	view := f.In(p.Lang)
	var bars []charts.Bar
	var values []string
	for _, id := range sc.Items {
		i := slices.IndexFunc(f.Items, func(it forms.Item) bool { return it.ID == id })
		if i < 0 || (f.Items[i].Type != forms.TypeScale && f.Items[i].Type != forms.TypeRating) {
			continue
		}
		it, iv := f.Items[i], view.Items[i]
		lo, hi := it.Range()
		bar := charts.Bar{Label: iv.Text, N: total.Answered[it.ID]}
		shares, ok := total.Shares[it.ID]
		if !ok {
			bar.Hidden = true
			bars = append(bars, bar)
			continue
		}
		values = values[:0]
		for x := int(lo); x <= int(hi); x++ {
			label := strconv.Itoa(x)
			switch {
			case iv.Labels != nil && x == int(lo):
				label += " " + iv.Labels.Min
			case iv.Labels != nil && x == int(hi):
				label += " " + iv.Labels.Max
			}
			values = append(values, label)
			bar.Parts = append(bar.Parts, charts.Part{Label: label, Share: shares[strconv.Itoa(x)]})
		}
		bars = append(bars, bar)
	}
	if len(bars) == 0 {
		return
	}
	text := charts.Text{ID: "items-" + sc.ID, Title: p.T("results_items", "Index", ic.Title), Desc: p.T("results_items_desc", "Index", ic.Title),
		Hidden: p.T("results_hidden", "Min", minGroup), Number: func(x float64) string { return fmt.Sprintf("%.0f", x) },
		Count: func(n int) string { return p.T("results_n", "N", n) }}
	ic.Items = template.HTML(charts.Stacked(bars, text)) // drawn by package charts, which escapes every text
	ic.ItemTable, ic.ItemValues = bars, slices.Clone(values)
}

// overTime draws each citizen index round by round, oldest first, with
// its 95% interval, for the activity chosen: the protected figures of
// the grouping by round.
func (s *server) overTime(c *fiber.Ctx, r *request, p *page, pa partnership.Partnership, f *forms.Form, ws []partnership.Wave, v *resultsView) error {
	inc, err := s.Indicators.Inclusion(c.UserContext(), pa, f, indicators.Query{Activity: v.Activity, By: "wave"})
	if err != nil {
		return err
	}
	groups := map[string]indicators.Group{}
	for _, g := range inc.Groups {
		groups[g.Key["wave"]] = g
	}
	rounds := slices.Clone(ws)
	slices.SortFunc(rounds, func(a, b partnership.Wave) int { return a.OpensAt.Compare(b.OpensAt) })
	for i, sc := range f.Scales {
		title := sc.Label.In(r.Lang, f.DefaultLanguage)
		var rows []charts.Row
		for _, w := range rounds {
			if w.Form != f.ID || w.Respondents != "citizens" || w.OpensAt.After(s.Now()) {
				continue
			}
			label := p.LongDate(w.OpensAt) + " – " + p.LongDate(lastDay(w))
			g, ok := groups[w.ID]
			if !ok {
				g = indicators.Group{Suppressed: true}
			}
			rows = append(rows, indexRow(label, g, sc.ID))
		}
		text := charts.Text{ID: fmt.Sprintf("time%d", i), Title: p.T("results_over_time", "Index", title),
			Desc: p.T("results_over_time_desc", "Index", title), Hidden: p.T("results_hidden", "Min", inc.MinGroup),
			Number: p.Number, Count: func(n int) string { return p.T("results_n", "N", n) }}
		v.OverTime = append(v.OverTime, indexChart{Title: text.Title, Rows: rows,
			SVG: template.HTML(charts.Dots(rows, indexScale(sc), text))}) // drawn by package charts, which escapes every text
	}
	return nil
}

// indexScale is the axis of a citizen index: 0-100 when the index is
// rescaled, its items' 1-5 otherwise.
func indexScale(sc forms.Scale) charts.Scale {
	if !sc.Rescale {
		return charts.Scale{Min: 1, Max: 5, Ticks: []float64{1, 2, 3, 4, 5}}
	}
	return charts.Scale{Min: 0, Max: 100, Ticks: []float64{0, 25, 50, 75, 100}}
}

// groupNames names the groups of the grouping chosen as people say them,
// in the order they are listed: activities by name, rounds by their days,
// months by name, and a question's answers by their words in the form's
// order.
func groupNames(p *page, f *forms.Form, v resultsView) (map[string]string, []string) {
	names := map[string]string{}
	var order []string
	add := func(key, name string) {
		names[key] = name
		order = append(order, key)
	}
	switch v.By {
	case "activity":
		for _, a := range v.Activities {
			add(a.ID, a.Name)
		}
	case "wave":
		for _, w := range v.Waves {
			add(w.Wave.ID, p.LongDate(w.Wave.OpensAt)+" – "+p.LongDate(w.Last))
		}
	case "month":
		// Months are named where they are met; their keys sort as dates.
	default:
		view := f.In(p.Lang)
		for i, it := range f.Items {
			if it.ID == v.By {
				for _, o := range view.Items[i].Options {
					add(o.Value, o.Label)
				}
			}
		}
	}
	return names, order
}
