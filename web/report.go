package web

import (
	"cmp"
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// reportView is the printable report: the dashboard's figures and the
// network map, led by the headlines in plain words, with the filters,
// the day and the method underneath.
type reportView struct {
	resultsView
	Network networkView
	// Theory is the program theory with its figures, when there is one.
	Theory    *theoryView
	Headlines []string
	Filters   []string
	Printed   string
}

// report shows one partnership's results as a document to print (A4) or
// save as PDF from the browser: the same figures as the dashboard.
func (s *server) report(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "report_title")
	pa, err := s.partnershipOf(c, p, "results")
	if err != nil {
		return err
	}
	res, err := s.resultsOf(c, r, p, pa)
	v := reportView{resultsView: res, Printed: p.LongDate(s.Now())}
	if errors.Is(err, errQuery) {
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "report.html", p)
	} else if err != nil {
		return err
	}
	if v.Network, err = s.networkOf(c.UserContext(), p, pa, v.Health.Round, c.Query("ties", "any"), ""); err != nil {
		return err
	}
	if t, ok, err := s.Store.Theory(c.UserContext(), pa.ID); err != nil {
		return err
	} else if ok {
		tv, err := s.drawTheory(c.UserContext(), p, pa, t)
		if err != nil {
			return err
		}
		v.Theory = &tv
	}
	v.Headlines = headlines(p, v)
	v.Filters = filters(p, v.resultsView)
	p.Data = v
	return s.render(c, http.StatusOK, "report.html", p)
}

// headlines says the report's main figures in a sentence each.
func headlines(p *page, v reportView) []string {
	var out []string
	for _, ic := range v.Indices {
		if len(ic.Rows) > 0 && !ic.Rows[0].Hidden {
			out = append(out, p.T("report_index", "Index", ic.Title, "Value", p.Number(ic.Rows[0].Value), "N", ic.Rows[0].N))
		}
	}
	for _, ch := range v.Changes {
		if !ch.Hidden {
			out = append(out, p.T("report_change", "Index", ch.Title, "Words", ch.Words))
		}
	}
	if v.Health.Chart != nil {
		count := map[string]int{}
		for _, row := range v.Health.Table {
			if len(row.Cells) > 0 && !row.Cells[0].Hidden {
				count[row.Cells[0].Band]++
			}
		}
		out = append(out, p.T("report_health", "Strength", count[p.T("band_strength")], "Borderline", count[p.T("band_borderline")],
			"Concern", count[p.T("band_concern")], "Elements", len(v.Health.Table)))
	}
	if !v.Health.None {
		out = append(out, v.Health.Rate)
	}
	if !v.Network.None {
		out = append(out, v.Network.Sentences...)
	}
	return out
}

// filters names what the figures cover: rounds, activity, the partner
// round and the smallest group shown.
func filters(p *page, v resultsView) []string {
	wave := p.T("results_all_waves")
	for _, w := range v.Waves {
		if w.Wave.ID == v.Wave {
			wave = p.LongDate(w.Wave.OpensAt) + " – " + p.LongDate(w.Last)
		}
	}
	activity := p.T("results_all_activities")
	for _, a := range v.Activities {
		if a.ID == v.Activity {
			activity = a.Name
		}
	}
	out := []string{p.T("report_filter_wave", "Wave", wave), p.T("report_filter_activity", "Activity", activity),
		p.T("report_filter_by", "By", p.T("by_"+v.By))}
	if v.From != "" || v.To != "" {
		out = append(out, p.T("report_filter_months", "From", cmp.Or(v.From, "…"), "To", cmp.Or(v.To, "…")))
	}
	for _, w := range v.Health.Rounds {
		if w.Wave.ID == v.Health.Round {
			out = append(out, p.T("report_filter_round", "Round", p.LongDate(w.Wave.OpensAt)+" – "+p.LongDate(w.Last)))
		}
	}
	return append(out, p.T("report_filter_min", "Min", v.MinGroup))
}
