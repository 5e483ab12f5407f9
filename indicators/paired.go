package indicators

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"samspil/analytics"
	"samspil/forms"
)

// pair is one person's earlier and later response, and the month the
// later one was given.
type pair struct {
	before, after forms.Response
	month         string
}

// holds says whether a response belongs to one side of a change.
func (q Query) holds(f *forms.Form, r forms.Response, through string) bool {
	month := monthOf(r.SubmittedAt)
	return r.FormID == f.ID && month <= through &&
		(q.Wave == "" || r.Wave == q.Wave) && (q.Activity == "" || r.Activity == q.Activity) &&
		(q.From == "" || month >= q.From) && (q.To == "" || month <= q.To)
}

// pairsOf finds, for each person followed, their first response in the
// earlier sample and their last in the later one, both in released
// months.
func pairsOf(people [][]forms.Response, f *forms.Form, before, after Query, through string) []pair {
	var out []pair
	for _, rs := range people {
		slices.SortFunc(rs, func(a, b forms.Response) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
		first := slices.IndexFunc(rs, func(r forms.Response) bool { return before.holds(f, r, through) })
		last := -1
		for i, r := range rs {
			if after.holds(f, r, through) {
				last = i
			}
		}
		if first < 0 || last <= first {
			continue
		}
		out = append(out, pair{before: rs[first], after: rs[last], month: monthOf(rs[last].SubmittedAt)})
	}
	return out
}

// releasedPairs keeps the pairs whose figures may be shown: month by
// month of their later answer, a month joins only together with at least
// min pairs not shown before, so that no change in the figures ever rests
// on fewer than min people. The last months wait until enough join.
func releasedPairs(pairs []pair, min int) []pair {
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(a.month, b.month) })
	shown := 0
	for i := 0; i < len(pairs); {
		j := i
		for j < len(pairs) && pairs[j].month == pairs[i].month {
			j++
		}
		if j-shown >= min {
			shown = j
		}
		i = j
	}
	return pairs[:shown]
}

// pairedChange is each index's change over the same people, from the
// responses follow-up codes link, beside the unpaired one. An index with
// fewer than min pairs is suppressed.
func (s *Service) pairedChange(ctx context.Context, pid string, f *forms.Form, before, after Query, through string, min int) (map[string]*analytics.Paired, error) {
	if through == "" {
		return map[string]*analytics.Paired{}, nil
	}
	people, err := s.store.FollowedResponses(ctx, pid)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	pairs := releasedPairs(pairsOf(people, f, before, after, through), min)
	out := map[string]*analytics.Paired{}
	for _, sc := range f.Scales {
		var from, to []float64
		for _, p := range pairs {
			x, okA := p.before.Scores[sc.ID]
			y, okB := p.after.Scores[sc.ID]
			if okA && okB {
				from, to = append(from, x), append(to, y)
			}
		}
		if len(from) < min {
			out[sc.ID] = nil
			continue
		}
		if ch, ok := analytics.ComparePaired(from, to); ok {
			out[sc.ID] = &ch
		}
	}
	return out, nil
}

// monthOf is a time's month as figures name it.
func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }
