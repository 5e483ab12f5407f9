package indicators

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"samspil/analytics"
	"samspil/forms"
	"samspil/partnership"
)

// A partner's answers can change until its wave closes, and the backbone
// sees which partners answered: figures that moved with each answer would
// show each partner's answers by difference. So partner-survey figures of
// a wave are released when it closes, and never change after.

// ErrNoPartnerWave says the partnership has no partner wave that opened,
// or not the one asked for.
var ErrNoPartnerWave = errors.New("no such partner wave")

// Cell is one published figure of partner answers, or, with Suppressed,
// the fact that it is withheld: then it carries no mean, spread or n.
type Cell struct {
	Suppressed bool `json:"suppressed,omitempty"`
	Figures
	Band string `json:"band,omitempty"`
}

func estimateCell(values []float64, hidden bool) Cell {
	e, ok := analytics.Estimate95(values)
	if hidden || !ok {
		return Cell{Suppressed: true}
	}
	fig := figuresOf(e)
	return Cell{Figures: fig, Band: analytics.Band(*fig.Mean)}
}

// PartnerWave is a partner wave with what its figures are read from.
type PartnerWave struct {
	Wave     partnership.Wave
	Waves    []partnership.Wave // the partnership's opened partner waves, oldest first
	Form     *forms.Form
	Partners []partnership.Partner
	// Released says the wave has closed and its figures are published.
	Released bool
}

// partnerWave finds the wave asked for (id), or the partnership's latest
// partner wave that has opened, with its form and partners.
func (s *Service) partnerWave(ctx context.Context, pid, id string) (PartnerWave, error) {
	var pw PartnerWave
	waves, err := s.partners.Waves(ctx, pid)
	if err != nil {
		return pw, fmt.Errorf("%w: waves of %s: %w", ErrUnavailable, pid, err)
	}
	now := s.now()
	waves = slices.DeleteFunc(waves, func(w partnership.Wave) bool {
		return w.Respondents != "partners" || w.Status(now) == partnership.Scheduled
	})
	slices.SortFunc(waves, func(a, b partnership.Wave) int { return a.OpensAt.Compare(b.OpensAt) })
	i := len(waves) - 1
	if id != "" {
		i = slices.IndexFunc(waves, func(w partnership.Wave) bool { return w.ID == id })
	}
	if i < 0 {
		return pw, ErrNoPartnerWave
	}
	pw.Wave, pw.Waves = waves[i], waves
	pw.Released = pw.Wave.Status(now) == partnership.Closed
	if pw.Form, err = s.forms.Form(ctx, pw.Wave.Form, pw.Wave.Version); err != nil {
		return pw, fmt.Errorf("%w: form of wave %s: %w", ErrUnavailable, pw.Wave.ID, err)
	}
	if pw.Partners, err = s.partners.Partners(ctx, pid); err != nil {
		return pw, fmt.Errorf("%w: partners of %s: %w", ErrUnavailable, pid, err)
	}
	return pw, nil
}

// Factor is one element of partnership health in one wave.
type Factor struct {
	Factor   string                      `json:"factor"`
	Label    forms.Text                  `json:"label"`
	Total    Cell                        `json:"total"`
	BySector map[partnership.Sector]Cell `json:"by_sector"`
	Change   *analytics.Change           `json:"change,omitempty"`
}

// Health is a partner wave's partnership health.
type Health struct {
	Wave         string    `json:"wave"`
	Form         string    `json:"form"`
	Version      int       `json:"version"`
	Released     bool      `json:"released"`
	ReleasesAt   time.Time `json:"releases_at"`
	PreviousWave string    `json:"previous_wave"`
	MinGroup     int       `json:"min_group"`
	Factors      []Factor  `json:"factors"`
	ResponseRate Rates     `json:"response_rate"`
}

// Health gives each partnership-health factor's mean 1-5 score with n, a
// 95% CI and band, by sector, and the change since the previous wave, next
// to the response rates: a score from a third of the partners says
// something else than one from all. Until the wave closes, only the rates.
func (s *Service) Health(ctx context.Context, p partnership.Partnership, waveID string) (Health, error) {
	pw, err := s.partnerWave(ctx, p.ID, waveID)
	if err != nil {
		return Health{}, err
	}
	w, f := pw.Wave, pw.Form
	sectorOf := map[string]partnership.Sector{}
	for _, pt := range pw.Partners {
		sectorOf[pt.ID] = pt.Sector
	}
	ids := PartnerIDs(pw.Partners)
	current, err := s.partners.PartnerResponses(ctx, w.ID, ids)
	if err != nil {
		return Health{}, fmt.Errorf("%w: answers to %s: %w", ErrUnavailable, w.ID, err)
	}
	h := Health{Wave: w.ID, Form: w.Form, Version: w.Version, Released: pw.Released, ReleasesAt: w.ClosesAt,
		MinGroup: p.MinGroup, Factors: make([]Factor, 0, len(f.Scales))}
	var previous []forms.Response
	if i := slices.IndexFunc(pw.Waves, func(x partnership.Wave) bool { return x.ID == w.ID }); i > 0 {
		prev := slices.DeleteFunc(slices.Clone(pw.Waves[:i]), func(x partnership.Wave) bool { return x.Form != w.Form })
		if len(prev) > 0 {
			h.PreviousWave = prev[len(prev)-1].ID
			if previous, err = s.partners.PartnerResponses(ctx, h.PreviousWave, ids); err != nil {
				return Health{}, fmt.Errorf("%w: answers to %s: %w", ErrUnavailable, h.PreviousWave, err)
			}
		}
	}
	invitees, err := s.inviteesOf(ctx, w, pw.Partners, current)
	if err != nil {
		return Health{}, err
	}
	h.ResponseRate = ratesOf(invitees, w, s.now())
	for _, sc := range f.Scales {
		total := scoresOf(current, sc.ID, nil)
		fa := Factor{Factor: sc.ID, Label: sc.Label, BySector: map[partnership.Sector]Cell{},
			Total: estimateCell(total, !pw.Released || len(total) < p.MinGroup)}
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
		h.Factors = append(h.Factors, fa)
	}
	return h, nil
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
