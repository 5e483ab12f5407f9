package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/analytics"
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
	// Empty says no answers are released yet.
	Empty      bool
	MinGroup   int
	By         string
	Groupings  []string
	Wave       string
	Waves      []waveRow
	Activity   string
	Activities []partnership.Activity
	Indices    []indexChart
	// Health is the latest partner round's partnership health, once the
	// round has closed; HealthPending says when it will be.
	Health        *indexChart
	HealthPending string
	// Changes are how each index moved between the last two rounds.
	Changes []indexChange
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
}

// results shows the citizen indices a partnership has released.
func (s *server) results(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "results_title")
	pa, err := s.partnershipOf(c, p, "results")
	if err != nil {
		return err
	}
	f, ok := s.Forms.Form(citizenForm, 0)
	if !ok {
		return errNotFound
	}
	v := resultsView{By: c.Query("by", "activity"), Wave: c.Query("wave"), Activity: c.Query("activity"),
		Groupings: indicators.Groupings(f), MinGroup: pa.MinGroup}
	if v.Activities, err = s.Store.Activities(ctx, pa.ID); err != nil {
		return err
	}
	ws, err := s.Store.Waves(ctx, pa.ID)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.Form == f.ID {
			v.Waves = append(v.Waves, waveRow{Wave: w, Form: s.formTitle(w.Form, r.Lang), Last: lastDay(w)})
		}
	}
	inc, err := s.Indicators.Inclusion(ctx, pa, f, indicators.Query{Wave: v.Wave, Activity: v.Activity, By: v.By})
	var invalid *indicators.Invalid
	switch {
	case errors.As(err, &invalid):
		p.domainProblems(invalid.Problems)
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "results.html", p)
	case errors.Is(err, indicators.ErrWaveNotFound):
		p.problem("wave", "field_wave", "wave_not_found")
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "results.html", p)
	case err != nil:
		return err
	}
	v.Released, v.MinGroup = inc.ReleasedThrough, inc.MinGroup
	v.Empty = inc.Total.N == 0 || inc.Total.Suppressed
	names := map[string]string{}
	for _, a := range v.Activities {
		names[a.ID] = a.Name
	}
	number := func(x float64) string {
		out := fmt.Sprintf("%.1f", x)
		if r.Lang == "da" {
			out = strings.Replace(out, ".", ",", 1)
		}
		return out
	}
	for i, sc := range f.Scales {
		title := sc.Label.In(r.Lang, f.DefaultLanguage)
		rows := []charts.Row{indexRow(p.T("results_all"), inc.Total, sc.ID)}
		for _, g := range inc.Groups {
			rows = append(rows, indexRow(p.groupName(g.Key[v.By], names), g, sc.ID))
		}
		text := charts.Text{ID: fmt.Sprintf("index%d", i), Title: title, Desc: p.T("results_chart_desc", "Index", title),
			Hidden: p.T("results_hidden", "Min", inc.MinGroup), Number: number,
			Count: func(n int) string { return p.T("results_n", "N", n) }}
		scale := charts.Scale{Min: 0, Max: 100, Ticks: []float64{0, 25, 50, 75, 100}}
		if !sc.Rescale {
			scale = charts.Scale{Min: 1, Max: 5, Ticks: []float64{1, 2, 3, 4, 5}}
		}
		v.Indices = append(v.Indices, indexChart{Title: title, Rows: rows,
			SVG: template.HTML(charts.Dots(rows, scale, text))}) // drawn by package charts, which escapes every text
	}
	if err := s.healthChart(c, r, p, pa, &v, number); err != nil {
		return err
	}
	if err := s.changes(c, r, p, pa, ws, &v, number); err != nil {
		return err
	}
	v.Shares = shareCharts(p, f, inc.Total, inc.MinGroup, r.Lang, number)
	p.Data = v
	return s.render(c, http.StatusOK, "results.html", p)
}

// healthScale is partnership health's 1-5 scale with its bands: concern
// below 3, borderline from 3, strength from 4 (analytics.Band).
func healthScale(p *page) charts.Scale {
	return charts.Scale{Min: 1, Max: 5, Ticks: []float64{1, 2, 3, 4, 5}, Bands: []charts.Band{
		{From: 1, To: 3, Label: p.T("band_concern"), Tone: 0},
		{From: 3, To: 4, Label: p.T("band_borderline"), Tone: 1},
		{From: 4, To: 5, Label: p.T("band_strength"), Tone: 2}}}
}

// healthChart adds the latest partner round's health by element, in all
// partners, once the round has closed.
func (s *server) healthChart(c *fiber.Ctx, r *request, p *page, pa partnership.Partnership, v *resultsView, number func(float64) string) error {
	h, err := s.Indicators.Health(c.UserContext(), pa, "")
	switch {
	case errors.Is(err, indicators.ErrNoPartnerWave):
		return nil
	case err != nil:
		return err
	case !h.Released:
		v.HealthPending = p.LongDate(h.ReleasesAt)
		return nil
	}
	var rows []charts.Row
	for _, f := range h.Factors {
		label := f.Label.In(r.Lang, "da")
		if f.Total.Suppressed || f.Total.Mean == nil || f.Total.CI == nil {
			rows = append(rows, charts.Row{Label: label, Hidden: true})
			continue
		}
		rows = append(rows, charts.Row{Label: label, Value: *f.Total.Mean, Low: f.Total.CI[0], High: f.Total.CI[1], N: f.Total.N})
	}
	title := p.T("results_health")
	text := charts.Text{ID: "health", Title: title, Desc: p.T("results_health_desc"), Hidden: p.T("results_hidden", "Min", h.MinGroup),
		Number: number, Count: func(n int) string { return p.T("results_partners_n", "N", n) }}
	v.Health = &indexChart{Title: title, Rows: rows, SVG: template.HTML(charts.Dots(rows, healthScale(p), text))}
	return nil
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

// groupName names a group of a grouping: an activity by its name, and
// the citizens no value may single out as "the others".
func (p *page) groupName(key string, activities map[string]string) string {
	switch {
	case key == "*":
		return p.T("results_others")
	case key == "":
		return p.T("results_none")
	case activities[key] != "":
		return activities[key]
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
		d := ic.Change.Difference
		direction := "up"
		if d < 0 {
			direction = "down"
		}
		row.From, row.To, row.Difference = number(ic.From.Mean), number(ic.To.Mean), number(d)
		row.Interval = number(ic.Change.CI[0]) + " – " + number(ic.Change.CI[1])
		row.Words = p.T("change_" + analytics.Magnitude(ic.Change.HedgesG) + "_" + direction)
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
