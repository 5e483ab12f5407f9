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
// a wave are released when it closes, from scores frozen then.

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

// waveScores is a closed partner wave's scores, per factor and sector,
// frozen when first read after the wave closed: a partner moved to another
// sector afterwards, or deactivated, changes nothing that was published.
type waveScores struct {
	Factors map[string]map[partnership.Sector]forms.ScoreSums `json:"factors"`
}

func (ws waveScores) total(factor string) forms.ScoreSums {
	var t forms.ScoreSums
	for _, sums := range ws.Factors[factor] {
		t.N, t.Sum, t.SumSq = t.N+sums.N, t.Sum+sums.Sum, t.SumSq+sums.SumSq
	}
	return t
}

// closedScores reads a closed wave's frozen scores, freezing them first.
// Of two requests freezing them at once, one writes and both serve what
// was written, so no two versions are ever published.
func (s *Service) closedScores(ctx context.Context, w partnership.Wave, partners []partnership.Partner) (waveScores, error) {
	id := "release:health:" + w.ID
	v, err, _ := s.extending.Do(id, func() (any, error) {
		var ws waveScores
		if found, err := s.read(ctx, id, &ws); err != nil || found {
			return ws, err
		}
		f, err := s.forms.Form(ctx, w.Form, w.Version)
		if err != nil {
			return ws, fmt.Errorf("%w: form of wave %s: %w", ErrUnavailable, w.ID, err)
		}
		sectorOf := map[string]partnership.Sector{}
		for _, pt := range partners {
			sectorOf[pt.ID] = pt.Sector
		}
		answers, err := s.partners.PartnerResponses(ctx, w.ID, PartnerIDs(partners))
		if err != nil {
			return ws, fmt.Errorf("%w: answers to %s: %w", ErrUnavailable, w.ID, err)
		}
		ws.Factors = map[string]map[partnership.Sector]forms.ScoreSums{}
		for _, sc := range f.Scales {
			bySector := map[partnership.Sector]forms.ScoreSums{}
			for _, r := range answers {
				if v, ok := r.Scores[sc.ID]; ok {
					sums := bySector[sectorOf[r.Partner]]
					sums.N, sums.Sum, sums.SumSq = sums.N+1, sums.Sum+v, sums.SumSq+v*v
					bySector[sectorOf[r.Partner]] = sums
				}
			}
			ws.Factors[sc.ID] = bySector
		}
		saved, err := s.save(ctx, id, "", w.ClosesAt.UTC().Format(time.RFC3339), ws)
		if err != nil || saved {
			return ws, err
		}
		// Another instance froze them first: serve its.
		var stored waveScores
		_, err = s.read(ctx, id, &stored)
		return stored, err
	})
	if err != nil {
		return waveScores{}, err
	}
	return v.(waveScores), nil
}

// Health gives each partnership-health factor's mean 1-5 score with n, a
// 95% CI and band, by sector, and the change since the previous closed
// wave, next to the response rates: a score from a third of the partners
// says something else than one from all. Until the wave closes, only the
// rates: partners may change their answers until then, and the backbone
// sees who answered.
func (s *Service) Health(ctx context.Context, p partnership.Partnership, waveID string) (Health, error) {
	pw, err := s.partnerWave(ctx, p.ID, waveID)
	if err != nil {
		return Health{}, err
	}
	w, f, min := pw.Wave, pw.Form, minGroup(p)
	current, err := s.partners.PartnerResponses(ctx, w.ID, PartnerIDs(pw.Partners))
	if err != nil {
		return Health{}, fmt.Errorf("%w: answers to %s: %w", ErrUnavailable, w.ID, err)
	}
	invitees, err := s.inviteesOf(ctx, w, pw.Partners, current)
	if err != nil {
		return Health{}, err
	}
	h := Health{Wave: w.ID, Form: w.Form, Version: w.Version, Released: pw.Released, ReleasesAt: w.ClosesAt,
		MinGroup: p.MinGroup, Factors: make([]Factor, 0, len(f.Scales)), ResponseRate: ratesOf(invitees, w, s.now())}
	var now, before waveScores
	if pw.Released {
		if now, err = s.closedScores(ctx, w, pw.Partners); err != nil {
			return Health{}, err
		}
		if prev, ok := previousClosed(pw, s.now()); ok {
			h.PreviousWave = prev.ID
			if before, err = s.closedScores(ctx, prev, pw.Partners); err != nil {
				return Health{}, err
			}
		}
	}
	for _, sc := range f.Scales {
		total := now.total(sc.ID)
		fa := Factor{Factor: sc.ID, Label: sc.Label, BySector: map[partnership.Sector]Cell{},
			Total: sumsCell(total, !pw.Released || total.N < min)}
		sizes := make([]int, len(partnership.Sectors))
		for i, sec := range partnership.Sectors {
			sizes[i] = now.Factors[sc.ID][sec].N
		}
		hidden := analytics.Suppress(sizes, min)
		for i, sec := range partnership.Sectors {
			if sizes[i] > 0 {
				fa.BySector[sec] = sumsCell(now.Factors[sc.ID][sec], hidden[i] || fa.Total.Suppressed)
			}
		}
		prev := before.total(sc.ID)
		from, okFrom := analytics.FromSums(prev.N, prev.Sum, prev.SumSq)
		to, okTo := analytics.FromSums(total.N, total.Sum, total.SumSq)
		if okFrom && okTo && prev.N >= min && !fa.Total.Suppressed {
			ch := analytics.Compare(from, to)
			fa.Change = &ch
		}
		h.Factors = append(h.Factors, fa)
	}
	return h, nil
}

// previousClosed is the partner wave of the same form before the one
// asked for that has closed.
func previousClosed(pw PartnerWave, now time.Time) (partnership.Wave, bool) {
	i := slices.IndexFunc(pw.Waves, func(x partnership.Wave) bool { return x.ID == pw.Wave.ID })
	for j := i - 1; j >= 0; j-- {
		if x := pw.Waves[j]; x.Form == pw.Wave.Form && x.Status(now) == partnership.Closed {
			return x, true
		}
	}
	return partnership.Wave{}, false
}

func sumsCell(sums forms.ScoreSums, hidden bool) Cell {
	e, ok := analytics.FromSums(sums.N, sums.Sum, sums.SumSq)
	if hidden || !ok {
		return Cell{Suppressed: true}
	}
	fig := figuresOf(e)
	return Cell{Figures: fig, Band: analytics.Band(*fig.Mean)}
}
