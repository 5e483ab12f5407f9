package api

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/analytics"
	"samspil/forms"
	"samspil/partnership"
)

// citizenSurvey loads the partnership and the citizen form (?form=,
// citizen_short by default) that citizen indicators describe.
func (s *server) citizenSurvey(c *fiber.Ctx, store PartnershipStore, formStore FormStore) (partnership.Partnership, *forms.Form, error) {
	p, err := store.Partnership(c.UserContext(), c.Params("pid"))
	if err != nil {
		return p, nil, storeError(err, "partnership_not_found")
	}
	f, err := s.form(c.UserContext(), formStore, c.Query("form", citizenForm), 0)
	return p, f, err
}

// inclusionCell is one published group of citizens, or a withheld one.
type inclusionCell struct {
	Key        map[string]string             `json:"key"`
	MinGroup   int                           `json:"min_group,omitempty"`
	Suppressed bool                          `json:"suppressed,omitempty"`
	N          int                           `json:"n,omitempty"`
	Indices    map[string]indexView          `json:"indices,omitempty"`
	Shares     map[string]map[string]float64 `json:"shares,omitempty"`
}

// indexView is one index (belonging, trust, ...) within a group.
type indexView struct {
	Suppressed   bool                      `json:"suppressed,omitempty"`
	N            int                       `json:"n,omitempty"`
	Mean         float64                   `json:"mean,omitempty"`
	SD           float64                   `json:"sd,omitempty"`
	CI           *[2]float64               `json:"ci,omitempty"`
	Distribution map[string]map[string]int `json:"distribution,omitempty"`
	// Bands is the share of scores in each cut-off band, such as severe
	// loneliness.
	Bands map[string]float64 `json:"bands,omitempty"`
}

// inclusion gives the citizen-level indicators of a partnership: for each
// index n, mean, sd, 95% CI and the distribution of its items' answers,
// with the shares of each answer to the choice questions, for the whole
// and by a grouping. It reads running totals only, never responses.
func (s *server) inclusion(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		p, f, err := s.citizenSurvey(c, store, formStore)
		if err != nil {
			return err
		}
		formID := f.ID
		filters := map[string]string{"form": formID}
		var problems []fieldError
		for _, k := range []string{"wave", "activity", "by"} {
			if v := c.Query(k); v != "" {
				filters[k] = v
			}
		}
		problems = append(problems, dateRange(c, filters)...)
		by := filters["by"]
		if by != "" && by != "activity" && by != "wave" && !groupable(f, by) {
			problems = append(problems, fieldError{field: "by", code: "invalid_value", msgID: "invalid_grouping"})
		}
		if len(problems) > 0 {
			return errInvalid(problems)
		}
		// Only a date range needs the totals split by day; the rest reads
		// the few cells without a day.
		cells, err := store.Cells(c.UserContext(), pid, formID, forms.Days{From: filters["from"], To: filters["to"]})
		if err != nil {
			return errUnavailable(err)
		}
		var total forms.Tally
		byCell := map[string]*forms.Tally{}
		for _, cl := range cells {
			if !keep(cl, filters) {
				continue
			}
			total.Add(cl.Tally)
			if by == "activity" || by == "wave" {
				key := map[string]string{"activity": cl.Activity, "wave": cl.Wave}[by]
				if byCell[key] == nil {
					byCell[key] = &forms.Tally{}
				}
				byCell[key].Add(cl.Tally)
			}
		}

		out := fiber.Map{"filters": filters, "min_group": p.MinGroup, "computed_at": s.Now().UTC().Format(time.RFC3339),
			"total": inclusionOf(f, map[string]string{}, total, p.MinGroup, false)}
		groups := []inclusionCell{}
		switch {
		case by == "activity" || by == "wave":
			keys := slices.Sorted(maps.Keys(byCell))
			sizes := make([]int, len(keys))
			for i, k := range keys {
				sizes[i] = byCell[k].N
			}
			hidden := analytics.Suppress(sizes, p.MinGroup)
			for i, k := range keys {
				groups = append(groups, inclusionOf(f, map[string]string{by: k}, *byCell[k], p.MinGroup, hidden[i]))
			}
		case by != "":
			values := slices.Sorted(maps.Keys(total.Groups[by]))
			sizes := make([]int, len(values))
			for i, v := range values {
				sizes[i] = total.Groups[by][v].N
			}
			hidden := analytics.Suppress(sizes, p.MinGroup)
			for i, v := range values {
				g := total.Groups[by][v]
				groups = append(groups, inclusionOf(f, map[string]string{by: v}, forms.Tally{N: g.N, Scores: g.Scores}, p.MinGroup, hidden[i]))
			}
		}
		out["groups"] = groups
		return c.JSON(out)
	}
}

// dateRange copies ?from= and ?to= into filters and checks they are dates.
func dateRange(c *fiber.Ctx, filters map[string]string) []fieldError {
	var problems []fieldError
	for _, k := range []string{"from", "to"} {
		v := c.Query(k)
		if v == "" {
			continue
		}
		filters[k] = v
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			problems = append(problems, fieldError{field: k, code: "invalid_date", msgID: "invalid_date"})
		}
	}
	return problems
}

// groupable reports whether an item splits respondents into groups.
func groupable(f *forms.Form, id string) bool {
	it, ok := f.Item(id)
	return ok && (it.Type == forms.TypeChoice || it.Type == forms.TypeYesNo)
}

// keep reports whether a cell passes the request's filters.
func keep(cl forms.Cell, filters map[string]string) bool {
	return (filters["wave"] == "" || cl.Wave == filters["wave"]) &&
		(filters["activity"] == "" || cl.Activity == filters["activity"]) &&
		(filters["from"] == "" || (cl.Day != "" && cl.Day >= filters["from"])) &&
		(filters["to"] == "" || (cl.Day != "" && cl.Day <= filters["to"]))
}

// inclusionOf builds one group's figures from its totals, withholding
// whatever describes fewer than min people, and what subtraction would
// reveal of it.
func inclusionOf(f *forms.Form, key map[string]string, t forms.Tally, min int, hidden bool) inclusionCell {
	if hidden || t.N < min {
		return inclusionCell{Key: key, Suppressed: true}
	}
	c := inclusionCell{Key: key, N: t.N, Indices: map[string]indexView{}}
	for _, sc := range f.Scales {
		sums := t.Scores[sc.ID]
		e, ok := analytics.FromSums(sums.N, sums.Sum, sums.SumSq)
		if !ok || sums.N < min {
			c.Indices[sc.ID] = indexView{Suppressed: true}
			continue
		}
		iv := indexView{N: e.N, Mean: e.Mean, SD: e.SD, CI: &e.CI}
		for _, item := range sc.Items {
			if it, ok := t.Items[item]; ok && it.Values != nil {
				if iv.Distribution == nil {
					iv.Distribution = map[string]map[string]int{}
				}
				iv.Distribution[item] = protectedCounts(it.Values, min)
			}
		}
		for _, cut := range sc.Cutoffs {
			in := sums.Bands[cut.ID]
			if hide := analytics.Suppress([]int{in, sums.N - in}, min); !hide[0] {
				if iv.Bands == nil {
					iv.Bands = map[string]float64{}
				}
				iv.Bands[cut.ID] = round6(float64(in) / float64(sums.N))
			}
		}
		c.Indices[sc.ID] = iv
	}
	for _, it := range f.Items {
		ti, ok := t.Items[it.ID]
		if !ok || ti.Answered < min || (it.Type != forms.TypeChoice && it.Type != forms.TypeMulti && it.Type != forms.TypeYesNo) {
			continue
		}
		if c.Shares == nil {
			c.Shares = map[string]map[string]float64{}
		}
		shares := map[string]float64{}
		for v, n := range protectedCounts(ti.Values, min) {
			shares[v] = round6(float64(n) / float64(ti.Answered))
		}
		c.Shares[it.ID] = shares
	}
	return c
}

// protectedCounts keeps the answer counts that may be published: small
// ones go, and with a lone small one the next smallest, so that no hidden
// count follows from the others.
func protectedCounts(values map[string]int, min int) map[string]int {
	keys := slices.Sorted(maps.Keys(values))
	sizes := make([]int, len(keys))
	for i, k := range keys {
		sizes[i] = values[k]
	}
	hidden := analytics.Suppress(sizes, min)
	out := map[string]int{}
	for i, k := range keys {
		if !hidden[i] && sizes[i] > 0 {
			out[k] = sizes[i]
		}
	}
	return out
}

func round6(x float64) float64 {
	return float64(int64(x*1e6+0.5)) / 1e6
}

// indexChange is the change of one index between two waves or periods.
type indexChange struct {
	Suppressed bool                `json:"suppressed,omitempty"`
	From       *analytics.Estimate `json:"from,omitempty"`
	To         *analytics.Estimate `json:"to,omitempty"`
	Change     *analytics.Change   `json:"change,omitempty"`
}

// change compares each index between two samples of citizens: two waves
// (the ones named, or the last against the one before (formative), or with
// ?mode=summative the first against the last), or two date periods. An
// activity narrows both.
func (s *server) change(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		p, f, err := s.citizenSurvey(c, store, formStore)
		if err != nil {
			return err
		}
		var compared changeSamples
		if c.Query("from_period") != "" || c.Query("to_period") != "" {
			compared, err = periodSamples(c)
		} else {
			compared, err = s.waveSamples(c, store, f.ID)
		}
		if err != nil {
			return err
		}
		filters := compared.filters
		filters["form"] = f.ID
		activity := c.Query("activity")
		if activity != "" {
			filters["activity"] = activity
		}
		cells, err := store.Cells(c.UserContext(), pid, f.ID, compared.days)
		if err != nil {
			return errUnavailable(err)
		}
		var before, after forms.Tally
		for _, cl := range cells {
			if activity != "" && cl.Activity != activity {
				continue
			}
			if compared.before(cl) {
				before.Add(cl.Tally)
			}
			if compared.after(cl) {
				after.Add(cl.Tally)
			}
		}
		indices := map[string]indexChange{}
		for _, sc := range f.Scales {
			a, b := before.Scores[sc.ID], after.Scores[sc.ID]
			ea, okA := analytics.FromSums(a.N, a.Sum, a.SumSq)
			eb, okB := analytics.FromSums(b.N, b.Sum, b.SumSq)
			if !okA || !okB || a.N < p.MinGroup || b.N < p.MinGroup {
				indices[sc.ID] = indexChange{Suppressed: true}
				continue
			}
			ch := analytics.Compare(ea, eb)
			indices[sc.ID] = indexChange{From: &ea, To: &eb, Change: &ch}
		}
		return c.JSON(fiber.Map{"filters": filters, "min_group": p.MinGroup,
			"computed_at": s.Now().UTC().Format(time.RFC3339), "indices": indices})
	}
}

// changeSamples says which running-totals cells make up the two samples
// a change compares, and how the request named them.
type changeSamples struct {
	before, after func(forms.Cell) bool
	// days spans the samples when they are periods, which need the
	// totals split by day.
	days    forms.Days
	filters map[string]string
}

// waveSamples reads ?from_wave=&to_wave=&mode= into two citizen waves.
func (s *server) waveSamples(c *fiber.Ctx, store PartnershipStore, formID string) (changeSamples, error) {
	waves, err := store.Waves(c.UserContext(), c.Params("pid"))
	if err != nil {
		return changeSamples{}, errUnavailable(err)
	}
	waves = slices.DeleteFunc(waves, func(w partnership.Wave) bool {
		return w.Form != formID || w.Respondents != "citizens" || w.Status(s.Now()) == partnership.Scheduled
	})
	slices.SortFunc(waves, func(a, b partnership.Wave) int { return a.OpensAt.Compare(b.OpensAt) })
	from, to := c.Query("from_wave"), c.Query("to_wave")
	mode := c.Query("mode", "formative")
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
		return changeSamples{}, errNotFound("wave_not_found")
	}
	return changeSamples{
		before:  func(cl forms.Cell) bool { return cl.Wave == from },
		after:   func(cl forms.Cell) bool { return cl.Wave == to },
		filters: map[string]string{"from_wave": from, "to_wave": to, "mode": mode},
	}, nil
}

// periodSamples reads ?from_period=&to_period=, each two dates first/last
// (an ISO 8601 interval such as 2026-01-01/2026-03-31). The periods may
// not overlap: the same citizens in both would make the comparison claim
// more certainty than it has.
func periodSamples(c *fiber.Ctx) (changeSamples, error) {
	var problems []fieldError
	if c.Query("from_wave") != "" || c.Query("to_wave") != "" {
		problems = append(problems, fieldError{field: "from_wave", code: "invalid_value", msgID: "waves_or_periods"})
	}
	var periods [2][2]string
	for i, k := range []string{"from_period", "to_period"} {
		first, last, ok := parsePeriod(c.Query(k))
		if !ok {
			problems = append(problems, fieldError{field: k, code: "invalid_period", msgID: "invalid_period"})
		}
		periods[i] = [2]string{first, last}
	}
	if len(problems) == 0 && periods[0][1] >= periods[1][0] {
		problems = append(problems, fieldError{field: "to_period", code: "periods_overlap", msgID: "periods_overlap"})
	}
	if len(problems) > 0 {
		return changeSamples{}, errInvalid(problems)
	}
	within := func(p [2]string) func(forms.Cell) bool {
		return func(cl forms.Cell) bool { return cl.Day != "" && cl.Day >= p[0] && cl.Day <= p[1] }
	}
	return changeSamples{
		before: within(periods[0]), after: within(periods[1]), days: forms.Days{From: periods[0][0], To: periods[1][1]},
		filters: map[string]string{"from_period": periods[0][0] + "/" + periods[0][1], "to_period": periods[1][0] + "/" + periods[1][1]},
	}, nil
}

// parsePeriod reads "first/last" as two dates in order.
func parsePeriod(v string) (first, last string, ok bool) {
	first, last, ok = strings.Cut(v, "/")
	if !ok {
		return "", "", false
	}
	a, errA := time.Parse(time.DateOnly, first)
	b, errB := time.Parse(time.DateOnly, last)
	if errA != nil || errB != nil || b.Before(a) {
		return "", "", false
	}
	return a.Format(time.DateOnly), b.Format(time.DateOnly), true
}

// inclusionByPartnership sets every partnership's inclusion indicators side
// by side, for evaluators comparing them.
func (s *server) inclusionByPartnership(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		filters := map[string]string{"form": c.Query("form", citizenForm), "by": "partnership"}
		problems := dateRange(c, filters)
		if by := c.Query("by", "partnership"); by != "partnership" {
			problems = append(problems, fieldError{field: "by", code: "invalid_value", msgID: "invalid_grouping"})
		}
		if len(problems) > 0 {
			return errInvalid(problems)
		}
		f, err := s.form(c.UserContext(), formStore, filters["form"], 0)
		if err != nil {
			return err
		}
		all, err := store.Partnerships(c.UserContext())
		if err != nil {
			return errUnavailable(err)
		}
		groups := []inclusionCell{}
		for _, p := range all {
			cells, err := store.Cells(c.UserContext(), p.ID, f.ID, forms.Days{From: filters["from"], To: filters["to"]})
			if err != nil {
				return errUnavailable(err)
			}
			var t forms.Tally
			for _, cl := range cells {
				if keep(cl, filters) {
					t.Add(cl.Tally)
				}
			}
			g := inclusionOf(f, map[string]string{"partnership": p.ID}, t, p.MinGroup, false)
			// Each partnership sets its own minimum group.
			g.MinGroup = p.MinGroup
			groups = append(groups, g)
		}
		return c.JSON(fiber.Map{"filters": filters, "computed_at": s.Now().UTC().Format(time.RFC3339), "groups": groups})
	}
}
