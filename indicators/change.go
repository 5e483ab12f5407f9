package indicators

import (
	"context"
	"errors"
	"slices"
	"strings"

	"samspil/analytics"
	"samspil/forms"
	"samspil/partnership"
)

// ChangeQuery names the two samples a change compares: two citizen waves
// (by id, or the last two; Mode "summative" compares the first with the
// last), or two periods of whole months. An activity narrows both.
type ChangeQuery struct {
	FromWave, ToWave     string
	Mode                 string
	FromPeriod, ToPeriod string
	Activity             string
	// Paired adds each index's change over the same people, followed by
	// their follow-up codes.
	Paired bool
}

// Change is how each index moved between two samples.
type Change struct {
	Filters         map[string]string      `json:"filters"`
	MinGroup        int                    `json:"min_group"`
	ReleasedThrough string                 `json:"released_through"`
	Indices         map[string]IndexChange `json:"indices"`
}

// IndexChange is one index in both samples and the difference, or, with
// Suppressed, the fact that either sample has no released figure.
type IndexChange struct {
	Suppressed bool                `json:"suppressed,omitempty"`
	From       *analytics.Estimate `json:"from,omitempty"`
	To         *analytics.Estimate `json:"to,omitempty"`
	Change     *analytics.Change   `json:"change,omitempty"`
	// Paired is the change over the people who answered in both samples
	// under a follow-up code, when asked for; PairedSuppressed says there
	// were fewer pairs than the minimum group.
	Paired           *analytics.Paired `json:"paired,omitempty"`
	PairedSuppressed bool              `json:"paired_suppressed,omitempty"`
}

// ErrWaveNotFound says a wave named in a change is not one of the
// partnership's citizen waves of the form.
var ErrWaveNotFound = errors.New("wave not found")

// Change compares each index of a form between two samples of citizens.
// Both come from released classes, like every other figure.
func (s *Service) Change(ctx context.Context, p partnership.Partnership, f *forms.Form, waves []partnership.Wave, q ChangeQuery) (Change, error) {
	before, after, filters, err := s.samples(f, waves, q)
	if err != nil {
		return Change{}, err
	}
	rel, err := s.released(ctx, p, f)
	if err != nil {
		return Change{}, err
	}
	var a, b forms.Tally
	for _, c := range rel.shown(f, p) {
		if before.matches(c, rel.set(c).Dims) {
			a.Add(c.Tally)
		}
		if after.matches(c, rel.set(c).Dims) {
			b.Add(c.Tally)
		}
	}
	out := Change{Filters: filters, MinGroup: p.MinGroup, ReleasedThrough: rel.Through, Indices: map[string]IndexChange{}}
	for _, sc := range f.Scales {
		x, y := a.Scores[sc.ID], b.Scores[sc.ID]
		ea, okA := analytics.FromSums(x.N, x.Sum, x.SumSq)
		eb, okB := analytics.FromSums(y.N, y.Sum, y.SumSq)
		if !okA || !okB {
			out.Indices[sc.ID] = IndexChange{Suppressed: true}
			continue
		}
		ch := analytics.Compare(ea, eb)
		out.Indices[sc.ID] = IndexChange{From: &ea, To: &eb, Change: &ch}
	}
	if !q.Paired {
		return out, nil
	}
	out.Filters["paired"] = "true"
	paired, err := s.pairedChange(ctx, p.ID, f, before, after, rel.Through, max(p.MinGroup, 2))
	if err != nil {
		return Change{}, err
	}
	for id, ic := range out.Indices {
		ic.Paired = paired[id]
		ic.PairedSuppressed = ic.Paired == nil
		out.Indices[id] = ic
	}
	return out, nil
}

// samples turns a change query into the two queries it compares.
func (s *Service) samples(f *forms.Form, waves []partnership.Wave, q ChangeQuery) (Query, Query, map[string]string, error) {
	filters := map[string]string{"form": f.ID}
	if q.Activity != "" {
		filters["activity"] = q.Activity
	}
	if q.FromPeriod != "" || q.ToPeriod != "" {
		var ps []partnership.Problem
		if q.FromWave != "" || q.ToWave != "" {
			ps = append(ps, partnership.Problem{Field: "from_wave", Code: "waves_or_periods"})
		}
		var periods [2][2]string
		for i, v := range []string{q.FromPeriod, q.ToPeriod} {
			first, last, ok := parsePeriod(v)
			if !ok {
				ps = append(ps, partnership.Problem{Field: []string{"from_period", "to_period"}[i], Code: "invalid_period"})
			}
			periods[i] = [2]string{first, last}
		}
		if len(ps) == 0 && periods[0][1] >= periods[1][0] {
			ps = append(ps, partnership.Problem{Field: "to_period", Code: "periods_overlap"})
		}
		if err := invalid(ps); err != nil {
			return Query{}, Query{}, nil, err
		}
		filters["from_period"] = periods[0][0] + "/" + periods[0][1]
		filters["to_period"] = periods[1][0] + "/" + periods[1][1]
		return Query{Activity: q.Activity, From: periods[0][0], To: periods[0][1]},
			Query{Activity: q.Activity, From: periods[1][0], To: periods[1][1]}, filters, nil
	}
	now := s.now()
	waves = slices.DeleteFunc(slices.Clone(waves), func(w partnership.Wave) bool {
		return w.Form != f.ID || w.Respondents != "citizens" || w.Status(now) == partnership.Scheduled
	})
	slices.SortFunc(waves, func(a, b partnership.Wave) int { return a.OpensAt.Compare(b.OpensAt) })
	from, to, mode := q.FromWave, q.ToWave, q.Mode
	switch mode {
	case "":
		mode = "formative"
	case "formative", "summative":
	default:
		return Query{}, Query{}, nil, invalid([]partnership.Problem{{Field: "mode", Code: "invalid_value"}})
	}
	if from == "" && to == "" && len(waves) >= 2 {
		from, to = waves[len(waves)-2].ID, waves[len(waves)-1].ID
		if mode == "summative" {
			from = waves[0].ID
		}
	}
	known := func(id string) bool {
		return slices.ContainsFunc(waves, func(w partnership.Wave) bool { return w.ID == id })
	}
	if !known(from) || !known(to) {
		return Query{}, Query{}, nil, ErrWaveNotFound
	}
	filters["from_wave"], filters["to_wave"], filters["mode"] = from, to, mode
	return Query{Wave: from, Activity: q.Activity}, Query{Wave: to, Activity: q.Activity}, filters, nil
}

// parsePeriod reads "first/last", each a month YYYY-MM or a date, in
// order, into the whole months they touch.
func parsePeriod(v string) (first, last string, ok bool) {
	a, b, ok := strings.Cut(v, "/")
	if !ok {
		return "", "", false
	}
	first, okA := ParseMonth(a)
	last, okB := ParseMonth(b)
	if !okA || !okB || last < first || (len(a) == len(b) && b < a) {
		return "", "", false
	}
	return first, last, true
}
