package api

import (
	"cmp"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"gonum.org/v1/gonum/stat"

	"samspil/analytics"
	"samspil/forms"
	"samspil/partnership"
)

// cell is one published figure, or the fact that it is withheld to
// protect a small group: then it carries no mean, spread or exact n.
type cell struct {
	Suppressed bool        `json:"suppressed,omitempty"`
	N          int         `json:"n,omitempty"`
	Mean       *float64    `json:"mean,omitempty"`
	SD         *float64    `json:"sd,omitempty"`
	CI         *[2]float64 `json:"ci,omitempty"`
	Band       string      `json:"band,omitempty"`
}

func estimateCell(values []float64, hidden bool) cell {
	e, ok := analytics.Estimate95(values)
	if hidden || !ok {
		return cell{Suppressed: true}
	}
	mean, sd := analytics.Round6(e.Mean), analytics.Round6(e.SD)
	return cell{N: e.N, Mean: &mean, SD: &sd, CI: &[2]float64{analytics.Round6(e.CI[0]), analytics.Round6(e.CI[1])},
		Band: analytics.Band(mean)}
}

// partnerWave finds the wave asked for (?wave=), or the partnership's
// latest partner wave that has opened.
func (s *server) partnerWave(c *fiber.Ctx, store PartnershipStore, pid string) (partnership.Wave, []partnership.Wave, error) {
	waves, err := store.Waves(c.UserContext(), pid)
	if err != nil {
		return partnership.Wave{}, nil, errUnavailable(err)
	}
	waves = slices.DeleteFunc(waves, func(w partnership.Wave) bool {
		return w.Respondents != "partners" || w.Status(s.Now()) == partnership.Scheduled
	})
	slices.SortFunc(waves, func(a, b partnership.Wave) int { return a.OpensAt.Compare(b.OpensAt) })
	if id := c.Query("wave"); id != "" {
		i := slices.IndexFunc(waves, func(w partnership.Wave) bool { return w.ID == id })
		if i < 0 {
			return partnership.Wave{}, nil, errNotFound("wave_not_found")
		}
		return waves[i], waves, nil
	}
	if len(waves) == 0 {
		return partnership.Wave{}, nil, errNotFound("wave_not_found")
	}
	return waves[len(waves)-1], waves, nil
}

// partnerSurveyData is what partner-survey indicators start from.
type partnerSurveyData struct {
	partnership partnership.Partnership
	wave        partnership.Wave
	waves       []partnership.Wave
	form        *forms.Form
	partners    []partnership.Partner
}

// partnerSurvey loads a partnership, the partner wave asked for, its form
// and the partners.
func (s *server) partnerSurvey(c *fiber.Ctx, store PartnershipStore, formStore FormStore) (partnerSurveyData, error) {
	var d partnerSurveyData
	var err error
	pid := c.Params("pid")
	if d.partnership, err = store.Partnership(c.UserContext(), pid); err != nil {
		return d, storeError(err, "partnership_not_found")
	}
	if d.wave, d.waves, err = s.partnerWave(c, store, pid); err != nil {
		return d, err
	}
	if d.form, err = s.form(c.UserContext(), formStore, d.wave.Form, d.wave.Version); err != nil {
		return d, err
	}
	if d.partners, err = store.Partners(c.UserContext(), pid); err != nil {
		return d, errUnavailable(err)
	}
	return d, nil
}

// factor is one element of partnership health in one wave.
type factor struct {
	Factor   string                      `json:"factor"`
	Label    forms.Text                  `json:"label"`
	Total    cell                        `json:"total"`
	BySector map[partnership.Sector]cell `json:"by_sector"`
	Change   *analytics.Change           `json:"change,omitempty"`
}

// health gives each partnership-health factor's mean 1-5 score with n and a
// 95% CI and band, by sector, and the change since the previous wave, next
// to the response rates: a score from a third of the partners says
// something else than one from all.
func (s *server) health(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ps, err := s.partnerSurvey(c, store, formStore)
		if err != nil {
			return err
		}
		p, w, waves, f, partners := ps.partnership, ps.wave, ps.waves, ps.form, ps.partners
		sectorOf := map[string]partnership.Sector{}
		for _, pt := range partners {
			sectorOf[pt.ID] = pt.Sector
		}
		ids := partnerIDs(partners)
		current, err := store.PartnerResponses(c.UserContext(), w.ID, ids)
		if err != nil {
			return errUnavailable(err)
		}
		var previous []forms.Response
		var previousID string
		if i := slices.IndexFunc(waves, func(x partnership.Wave) bool { return x.ID == w.ID }); i > 0 {
			prev := waves[:i]
			prev = slices.DeleteFunc(slices.Clone(prev), func(x partnership.Wave) bool { return x.Form != w.Form })
			if len(prev) > 0 {
				previousID = prev[len(prev)-1].ID
				if previous, err = store.PartnerResponses(c.UserContext(), previousID, ids); err != nil {
					return errUnavailable(err)
				}
			}
		}
		invitees, err := s.inviteesOf(c, store, w, partners, current)
		if err != nil {
			return err
		}
		rr := ratesOf(invitees, w, s.Now())

		factors := make([]factor, 0, len(f.Scales))
		for _, sc := range f.Scales {
			total := scoresOf(current, sc.ID, nil)
			fa := factor{Factor: sc.ID, Label: only(sc.Label), Total: estimateCell(total, len(total) < p.MinGroup),
				BySector: map[partnership.Sector]cell{}}
			sizes := make([]int, len(partnership.Sectors))
			groups := make([][]float64, len(partnership.Sectors))
			for i, sec := range partnership.Sectors {
				groups[i] = scoresOf(current, sc.ID, func(r forms.Response) bool { return sectorOf[r.Partner] == sec })
				sizes[i] = len(groups[i])
			}
			hidden := analytics.Suppress(sizes, p.MinGroup)
			for i, sec := range partnership.Sectors {
				if sizes[i] > 0 {
					fa.BySector[sec] = estimateCell(groups[i], hidden[i] || fa.Total.Suppressed)
				}
			}
			before := scoresOf(previous, sc.ID, nil)
			if from, ok := analytics.Estimate95(before); ok && len(before) >= p.MinGroup && !fa.Total.Suppressed {
				if to, ok := analytics.Estimate95(total); ok {
					ch := analytics.Compare(from, to)
					fa.Change = &ch
				}
			}
			factors = append(factors, fa)
		}
		return c.JSON(fiber.Map{
			"filters": fiber.Map{"wave": w.ID}, "min_group": p.MinGroup, "computed_at": s.Now().UTC().Format(time.RFC3339),
			"form": w.Form, "version": w.Version, "previous_wave": previousID, "factors": factors, "response_rate": rr,
		})
	}
}

// scoresOf collects one scale's scores from the responses that keep holds for.
func scoresOf(rs []forms.Response, scale string, keep func(forms.Response) bool) []float64 {
	var out []float64
	for _, r := range rs {
		if v, ok := r.Scores[scale]; ok && (keep == nil || keep(r)) {
			out = append(out, v)
		}
	}
	return out
}

// received is what the partners that rated one partner said of it, on
// average; withheld when fewer than the minimum group rated it.
type received struct {
	Partner      string   `json:"partner"`
	Suppressed   bool     `json:"suppressed,omitempty"`
	Raters       int      `json:"raters,omitempty"`
	Trust        *float64 `json:"trust,omitempty"`
	Contribution *float64 `json:"contribution,omitempty"`
}

// missingSector is a sector with no partner, or only one, at the table.
type missingSector struct {
	Sector   partnership.Sector `json:"sector"`
	Partners int                `json:"partners"`
}

// networkView serves the partnership's collaboration network from the
// partner survey's roster: nodes, directed ties, whole-network metrics and
// the brokers between others.
func (s *server) networkView(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ps, err := s.partnerSurvey(c, store, formStore)
		if err != nil {
			return err
		}
		p, w, f, partners := ps.partnership, ps.wave, ps.form, ps.partners
		responses, err := store.PartnerResponses(c.UserContext(), w.ID, partnerIDs(partners))
		if err != nil {
			return errUnavailable(err)
		}
		roster := slices.IndexFunc(f.Items, func(it forms.Item) bool { return it.Type == forms.TypePartners })
		answered := map[string]bool{}
		var ties []analytics.Tie
		for _, r := range responses {
			answered[r.Partner] = true
			if roster < 0 {
				continue
			}
			entries, _ := r.Answers[f.Items[roster].ID].([]map[string]any)
			for _, e := range entries {
				to, _ := e["partner"].(string)
				freq, _ := e["frequency"].(string)
				ties = append(ties, analytics.Tie{From: r.Partner, To: to, Frequency: freq,
					Trust: intAnswer(e["trust"]), Contribution: intAnswer(e["contribution"])})
			}
		}
		var nodes []analytics.Node
		count := map[partnership.Sector]int{}
		for _, pt := range partners {
			if pt.Active || answered[pt.ID] {
				nodes = append(nodes, analytics.Node{ID: pt.ID, Name: pt.Name, Sector: string(pt.Sector), Responded: answered[pt.ID]})
			}
			if pt.Active {
				count[pt.Sector]++
			}
		}
		metrics, brokers := analytics.Analyze(nodes, ties)
		missing := []missingSector{}
		for _, sec := range partnership.Sectors {
			if count[sec] <= 1 {
				missing = append(missing, missingSector{Sector: sec, Partners: count[sec]})
			}
		}
		if brokers == nil {
			brokers = []analytics.Broker{}
		}
		if ties == nil {
			ties = []analytics.Tie{}
		}
		return c.JSON(fiber.Map{
			"filters": fiber.Map{"wave": w.ID}, "min_group": p.MinGroup, "computed_at": s.Now().UTC().Format(time.RFC3339),
			"nodes": nodes, "edges": ties, "metrics": fiber.Map{
				"nodes": metrics.Nodes, "ties": metrics.Ties, "density": metrics.Density, "reciprocity": metrics.Reciprocity,
				"degree_centralization": metrics.DegreeCentralization, "ei_index": metrics.EIIndex,
				"isolates": metrics.Isolates, "components": metrics.Components, "missing_sectors": missing,
			},
			"brokers": brokers, "received": receivedRatings(nodes, ties, p.MinGroup),
		})
	}
}

// receivedRatings averages the trust and contribution each partner was
// given, only where at least min partners rated it: ratings of a named
// partner are sensitive.
func receivedRatings(nodes []analytics.Node, ties []analytics.Tie, min int) []received {
	out := make([]received, 0, len(nodes))
	for _, n := range nodes {
		var trust, contribution []float64
		raters := map[string]bool{}
		for _, t := range ties {
			if t.To != n.ID || t.From == n.ID {
				continue
			}
			raters[t.From] = true
			if t.Trust != nil {
				trust = append(trust, float64(*t.Trust))
			}
			if t.Contribution != nil {
				contribution = append(contribution, float64(*t.Contribution))
			}
		}
		if len(raters) < min {
			out = append(out, received{Partner: n.ID, Suppressed: true})
			continue
		}
		out = append(out, received{Partner: n.ID, Raters: len(raters), Trust: meanOf(trust), Contribution: meanOf(contribution)})
	}
	slices.SortFunc(out, func(a, b received) int { return cmp.Compare(a.Partner, b.Partner) })
	return out
}

func meanOf(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := stat.Mean(xs, nil)
	return &m
}

func intAnswer(v any) *int {
	if n, ok := v.(int); ok {
		return &n
	}
	return nil
}
