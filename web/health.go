package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"

	"samspil/analytics"
	"samspil/charts"
	"samspil/indicators"
	"samspil/partnership"
)

// healthView is a partner round's partnership health: the elements as
// dots on 1-5 with the bands shaded, a table by sector with the change
// since the round before, and beside it who answered, by sector and by
// day. Every figure comes from indicators.Health, protected.
type healthView struct {
	Round  string
	Rounds []waveRow
	// None says there is no partner round; Pending, when the chosen one
	// will show its figures (on closing).
	None    bool
	Pending string
	Chart   *indexChart
	Sectors []string
	Table   []healthRow
	// Previous is the day the round compared with closed, if any.
	Previous string
	Rate     string
	BySector []string
	Days     template.HTML
}

// healthRow is one element: its figure in all and in each sector, and
// its change since the round before in words.
type healthRow struct {
	Label  string
	Cells  []healthCell
	Change string
}

// healthCell is a mean with its band in words, or Hidden.
type healthCell struct {
	Hidden     bool
	Mean, Band string
}

// healthOf reads a partner round's health (round, or the latest).
func (s *server) healthOf(ctx context.Context, p *page, pa partnership.Partnership, round string) (healthView, error) {
	v := healthView{Round: round}
	var err error
	if v.Rounds, err = s.partnerRounds(ctx, pa); err != nil {
		return v, err
	}
	h, err := s.Indicators.Health(ctx, pa, round)
	if errors.Is(err, indicators.ErrNoPartnerWave) {
		v.None = true
		return v, nil
	} else if err != nil {
		return v, err
	}
	v.Round = h.Wave
	rt := h.ResponseRate
	v.Rate = p.T("health_rate", "Responded", rt.Responded, "Invited", rt.Invited, "Percent", percent(rt.Responded, rt.Invited))
	for _, sec := range partnership.Sectors {
		if r := rt.BySector[sec]; r != nil && r.Invited > 0 {
			v.BySector = append(v.BySector, p.T("health_rate_sector", "Sector", p.T("sector_"+string(sec)),
				"Responded", r.Responded, "Invited", r.Invited, "Percent", percent(r.Responded, r.Invited)))
		}
	}
	if err := s.healthDays(ctx, p, pa, h.Wave, rt.Invited, &v); err != nil {
		return v, err
	}
	if !h.Released {
		v.Pending = p.LongDate(h.ReleasesAt)
		return v, nil
	}
	for _, w := range v.Rounds {
		if w.Wave.ID == h.PreviousWave {
			v.Previous = p.LongDate(w.Last)
		}
	}
	var sectors []partnership.Sector
	for _, sec := range partnership.Sectors {
		for _, f := range h.Factors {
			if _, ok := f.BySector[sec]; ok {
				sectors = append(sectors, sec)
				v.Sectors = append(v.Sectors, p.T("sector_"+string(sec)))
				break
			}
		}
	}
	var rows []charts.Row
	for _, f := range h.Factors {
		label := f.Label.In(p.Lang, "da")
		row := healthRow{Label: label, Cells: []healthCell{p.healthCell(f.Total)}}
		for _, sec := range sectors {
			row.Cells = append(row.Cells, p.healthCell(f.BySector[sec]))
		}
		if f.Change != nil {
			row.Change = p.changeWords(*f.Change)
		}
		v.Table = append(v.Table, row)
		if f.Total.Suppressed || f.Total.Mean == nil || f.Total.CI == nil {
			rows = append(rows, charts.Row{Label: label, Hidden: true})
			continue
		}
		rows = append(rows, charts.Row{Label: label, Value: *f.Total.Mean, Low: f.Total.CI[0], High: f.Total.CI[1], N: f.Total.N})
	}
	title := p.T("results_health")
	text := charts.Text{ID: "health", Title: title, Desc: p.T("results_health_desc"), Hidden: p.T("results_hidden", "Min", h.MinGroup),
		Number: p.Number, Count: func(n int) string { return p.T("results_partners_n", "N", n) }}
	v.Chart = &indexChart{Title: title, Rows: rows, SVG: template.HTML(charts.Dots(rows, healthScale(p), text))} // drawn by package charts, which escapes every text
	return v, nil
}

// healthDays draws the share of invited partners who had answered by
// each day of the round.
func (s *server) healthDays(ctx context.Context, p *page, pa partnership.Partnership, wid string, invited int, v *healthView) error {
	w, err := s.Store.Wave(ctx, pa.ID, wid)
	if err != nil {
		return err
	}
	partners, err := s.Store.Partners(ctx, pa.ID)
	if err != nil {
		return err
	}
	answers, err := s.Store.PartnerResponses(ctx, w.ID, indicators.PartnerIDs(partners))
	if err != nil {
		return err
	}
	days := indicators.ByDay(w, answers, invited, s.Now(), local)
	if len(days) < 2 {
		return nil
	}
	points := make([]charts.Point, 0, len(days))
	for _, d := range days {
		points = append(points, charts.Point{Label: d.Day.In(local).Format("2/1"), Value: 100 * d.Share})
	}
	v.Days = template.HTML(charts.Line(points, charts.Scale{Min: 0, Max: 100, Ticks: []float64{0, 25, 50, 75, 100}},
		charts.Text{ID: "days", Title: p.T("wave_over_time"), Desc: p.T("wave_over_time_desc"),
			Number: func(x float64) string { return fmt.Sprintf("%.0f %%", x) }})) // drawn by package charts, which escapes every text
	return nil
}

func (p *page) healthCell(c indicators.Cell) healthCell {
	if c.Suppressed || c.Mean == nil {
		return healthCell{Hidden: true}
	}
	// Two decimals, so that 2,96 is not read as 3,0 beside its band.
	return healthCell{Mean: p.decimals(*c.Mean, 2), Band: p.T("band_" + c.Band)}
}

// changeWords says a change in numbers and words: "+0,4 (0,1 til 0,7):
// a small rise".
func (p *page) changeWords(ch analytics.Change) string {
	return p.T("change_in_words", "Difference", p.Signed(ch.Difference), "Low", p.Number(ch.CI[0]), "High", p.Number(ch.CI[1]),
		"Words", p.changeSize(ch))
}

// changeSize says how large a change is, from Hedges' g, unless its 95%
// interval holds no change at all: then it is no clear change, whatever
// its size, so that words never claim more than the numbers.
func (p *page) changeSize(ch analytics.Change) string {
	if ch.CI[0] <= 0 && ch.CI[1] >= 0 {
		return p.T("change_unclear")
	}
	direction := "up"
	if ch.Difference < 0 {
		direction = "down"
	}
	return p.T("change_" + analytics.Magnitude(ch.HedgesG) + "_" + direction)
}

// percent is a share of whole as a whole percentage, 0 when whole is 0.
func percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return (200*part + whole) / (2 * whole)
}
