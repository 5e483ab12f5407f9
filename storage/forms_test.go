package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"samspil/forms"
)

func TestPublishedFormsAreKeptOncePerVersion(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	v9 := *f
	v9.Version = 9

	stored, created, err := s.SaveForm(ctx, &v9, time.Now())
	if err != nil || !created || stored != &v9 {
		t.Fatalf("first save: created %v, %v", created, err)
	}
	changed := v9
	changed.Title = forms.Text{"da": "Ny", "en": "New"}
	stored, created, err = s.SaveForm(ctx, &changed, time.Now())
	if err != nil || created || !forms.Same(stored, &v9) {
		t.Fatalf("second save: created %v, %v; want the first definition back", created, err)
	}
	all, err := s.Forms(ctx)
	if err != nil || len(all) != 1 || !forms.Same(all[0], &v9) {
		t.Fatalf("Forms = %d forms, %v; want the one saved", len(all), err)
	}
}

func TestStoredAnswersComeBackAsValidated(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.Form("citizen_short", 2)
	answers := forms.Answers{"belonging_place": 4, "barriers": []string{"cost", "language"}, "first_community": true, "age_band": forms.PreferNot}
	r := forms.NewResponse(f, "77777777-7777-4777-8777-777777777777", "ar", answers, time.Now())
	if _, _, err := s.SaveResponse(ctx, r, f.Counts(answers)); err != nil {
		t.Fatal(err)
	}
	got, err := s.response(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Answers, answers) || !reflect.DeepEqual(got.Scores, forms.Scores{"belonging": 75}) {
		t.Errorf("stored response = %#v %v, want %#v with belonging 75", got.Answers, got.Scores, answers)
	}
}

// A corrected scoring rule reaches the stored responses and the totals
// through a rebuild, which rewrites only the responses it changes.
func TestRebuildRescoresWithCorrectedRules(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	for i, a := range []forms.Answers{{"belonging_place": 5}, {"belonging_place": 1}, {"role": "helper"}} {
		r, counts := newResponse(t, f, "88888888-8888-4888-8888-88888888888"+string(rune('0'+i)), a)
		if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
			t.Fatal(err)
		}
	}
	// A corrected rule: belonging_place counts double.
	recount := func(form string, version int, a forms.Answers) (forms.Scores, []forms.Count, bool) {
		v, ok := a["belonging_place"].(int)
		if !ok {
			return forms.Scores{}, f.Counts(a), true
		}
		return forms.Scores{"doubled": float64(2 * v)}, []forms.Count{{Path: "n", By: 1}, {Path: "scores.doubled.n", By: 1},
			{Path: "scores.doubled.sum", By: float64(2 * v)}, {Path: "scores.doubled.sumsq", By: float64(4 * v * v)}}, true
	}
	done, err := s.RebuildTotals(ctx, recount)
	if err != nil || done.Rescored != 2 || done.Responses != 3 {
		t.Fatalf("rebuild = %+v, %v; want 3 responses read, the 2 whose scores change rescored", done, err)
	}
	if again, err := s.RebuildTotals(ctx, recount); err != nil || again.Rescored != 0 {
		t.Errorf("second rebuild = %+v, %v; want nothing left to rescore", again, err)
	}
	r, _ := newResponse(t, f, "88888888-8888-4888-8888-888888888880", nil)
	got, err := s.response(ctx, r.ID)
	if err != nil || got.Scores["doubled"] != 10 {
		t.Errorf("rescored response = %v, %v; want doubled 10", got.Scores, err)
	}
	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := tally.Scores["doubled"]; tally.N != 3 || d.N != 2 || d.Sum != 12 || d.SumSq != 104 {
		t.Errorf("totals after the rebuild = %+v, want 3 responses and doubled n 2, sum 12, sum of squares 104", tally)
	}
}

func TestTotalsKeepScoreSumsOverallAndByGroup(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.Form("citizen_short", 2)
	for i, a := range []forms.Answers{
		{"belonging_place": 5, "role": "helper"},      // belonging 100
		{"belonging_place": 2, "role": "helper"},      // belonging 25
		{"belonging_place": 3, "role": "participant"}, // belonging 50
	} {
		r := forms.NewResponse(f, fmt.Sprintf("99999999-0000-4000-8000-%012d", i), "da", a, time.Now())
		if _, _, err := s.SaveResponse(ctx, r, f.Counts(a)); err != nil {
			t.Fatal(err)
		}
	}
	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := tally.Scores["belonging"]; !reflect.DeepEqual(got, forms.ScoreSums{N: 3, Sum: 175, SumSq: 10000 + 625 + 2500}) {
		t.Errorf("belonging sums = %+v", got)
	}
	if got := tally.Groups["role"]["helper"]; got.N != 2 || !reflect.DeepEqual(got.Scores["belonging"], forms.ScoreSums{N: 2, Sum: 125, SumSq: 10625}) {
		t.Errorf("helpers = %+v", got)
	}
}

// Running totals kept response by response equal a full recomputation,
// after a random mix of citizen submissions and partner answers that are
// changed again and again.
func TestRebuildEqualsRunningTotals(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	citizen, _ := c.Form("citizen_short", 2)
	partner, _ := c.Form("partner_survey", 1)
	rng := rand.New(rand.NewPCG(1, 2))
	roles := []string{"participant", "helper", "co_creator", "speaks_for_others"}
	for i := range 120 {
		if rng.IntN(3) == 0 {
			id := fmt.Sprintf("pt%d", rng.IntN(6))
			a := forms.Answers{"relations_trust_close_relations": 1 + rng.IntN(5), "communication_informed": 1 + rng.IntN(5)}
			r := forms.NewResponse(partner, id, "da", a, time.Now())
			r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = "w1:"+id, "", "pa", "w1", id
			if _, err := s.ReplaceResponse(ctx, r, partner.Counts(a)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		a := forms.Answers{"belonging_place": 1 + rng.IntN(5), "trust_participants": 1 + rng.IntN(5), "role": roles[rng.IntN(4)]}
		r := forms.NewResponse(citizen, fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "da", a, time.Now())
		r.Partnership, r.Activity = "pa", fmt.Sprintf("ac%d", rng.IntN(3))
		if _, _, err := s.SaveResponse(ctx, r, citizen.Counts(a)); err != nil {
			t.Fatal(err)
		}
	}
	before := map[string]forms.Tally{}
	for _, form := range []string{"citizen_short", "partner_survey"} {
		cells, err := s.Cells(ctx, "pa", form, forms.Days{})
		if err != nil {
			t.Fatal(err)
		}
		for _, cl := range cells {
			before[cl.Form+cl.Activity+cl.Wave+cl.Day] = cl.Tally
		}
	}
	if _, err := s.RebuildTotals(ctx, nil); err != nil {
		t.Fatal(err)
	}
	after := map[string]forms.Tally{}
	for _, form := range []string{"citizen_short", "partner_survey"} {
		cells, _ := s.Cells(ctx, "pa", form, forms.Days{})
		for _, cl := range cells {
			after[cl.Form+cl.Activity+cl.Wave+cl.Day] = cl.Tally
		}
	}
	if len(before) == 0 || !reflect.DeepEqual(normalize(before), normalize(after)) {
		t.Errorf("running totals and rebuilt totals differ:\n%v\n%v", before, after)
	}
}

// normalize drops zero counters that replacements leave behind, which a
// rebuild never writes.
func normalize(ts map[string]forms.Tally) map[string]forms.Tally {
	out := map[string]forms.Tally{}
	for k, t := range ts {
		n := forms.Tally{N: t.N, Items: map[string]forms.ItemTally{}, Scores: map[string]forms.ScoreSums{}, Groups: map[string]map[string]forms.GroupTally{}}
		for id, it := range t.Items {
			if it.Answered == 0 {
				continue
			}
			vals := map[string]int{}
			for v, c := range it.Values {
				if c != 0 {
					vals[v] = c
				}
			}
			n.Items[id] = forms.ItemTally{Answered: it.Answered, Values: vals}
		}
		for id, sc := range t.Scores {
			if sc.N != 0 {
				sc.Bands = nil
				n.Scores[id] = sc
			}
		}
		for item, gs := range t.Groups {
			for v, g := range gs {
				if g.N == 0 {
					continue
				}
				if n.Groups[item] == nil {
					n.Groups[item] = map[string]forms.GroupTally{}
				}
				scores := map[string]forms.ScoreSums{}
				for id, sc := range g.Scores {
					if sc.N != 0 {
						sc.Bands = nil
						scores[id] = sc
					}
				}
				n.Groups[item][v] = forms.GroupTally{N: g.N, Scores: scores}
			}
		}
		out[k] = n
	}
	return out
}

func TestImportedResponsesAreCountedOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, _ := forms.Builtin()
	f, _ := c.Form("citizen_short", 2)
	var rs []forms.Response
	var counts [][]forms.Count
	for i := range 40 {
		a := forms.Answers{"belonging_place": 1 + i%5, "role": []string{"helper", "participant"}[i%2]}
		r := forms.NewResponse(f, fmt.Sprintf("imp-%d", i), "da", a, time.Now())
		r.Partnership, r.Activity = "pa", fmt.Sprintf("ac%d", i%3)
		rs, counts = append(rs, r), append(counts, f.Counts(a))
	}
	if n, err := s.ImportResponses(ctx, rs[:30], counts[:30]); err != nil || n != 30 {
		t.Fatalf("import = %d, %v", n, err)
	}
	// A second import that repeats ten responses stores and counts only the new ones.
	if n, err := s.ImportResponses(ctx, rs[20:], counts[20:]); err != nil || n != 10 {
		t.Fatalf("second import = %d, %v; want the 10 new ones", n, err)
	}
	cells, _ := s.Cells(ctx, "pa", f.ID, forms.Days{})
	imported := map[string]forms.Tally{}
	total := 0
	for _, cl := range cells {
		imported[cl.Activity+cl.Day] = cl.Tally
		total += cl.Tally.N
	}
	if total != 40 {
		t.Fatalf("imported totals count %d responses, want 40", total)
	}
	if _, err := s.RebuildTotals(ctx, nil); err != nil {
		t.Fatal(err)
	}
	cells, _ = s.Cells(ctx, "pa", f.ID, forms.Days{})
	rebuilt := map[string]forms.Tally{}
	for _, cl := range cells {
		rebuilt[cl.Activity+cl.Day] = cl.Tally
	}
	if !reflect.DeepEqual(normalize(imported), normalize(rebuilt)) {
		t.Errorf("imported totals differ from rebuilt ones")
	}
}

// A date range counts exactly the responses of its days: a month it
// covers whole (as far as a cell has days) is read as one monthly cell,
// the rest day by day. This holds for running totals, after a rebuild,
// and for a store from before monthly cells, which gets them on opening.
func TestDateRangesReadTheirDays(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, _ := forms.Builtin()
	f, _ := c.Form("citizen_short", 2)
	start := time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC)
	var rs []forms.Response
	var counts [][]forms.Count
	for i := range 60 {
		a := forms.Answers{"role": "helper"}
		r := forms.NewResponse(f, fmt.Sprintf("day-%d", i), "da", a, start.AddDate(0, 0, i%20))
		r.Partnership, r.Activity = []string{"pa", "pa", "pb"}[i%3], []string{"ac1", "ac2"}[i%2]
		rs, counts = append(rs, r), append(counts, f.Counts(a))
	}
	if _, err := s.ImportResponses(ctx, rs, counts); err != nil {
		t.Fatal(err)
	}
	// Two more through the request path, on later days.
	for i, day := range []int{20, 45} {
		late := forms.NewResponse(f, fmt.Sprint("late-", i), "da", forms.Answers{"role": "helper"}, start.AddDate(0, 0, day))
		late.Partnership, late.Activity = "pa", "ac1"
		if _, _, err := s.SaveResponse(ctx, late, f.Counts(late.Answers)); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, late)
	}
	want := func(from, to string) int {
		n := 0
		for _, r := range rs {
			day := r.SubmittedAt.Format(time.DateOnly)
			if r.Partnership == "pa" && (from == "" || day >= from) && (to == "" || day <= to) {
				n++
			}
		}
		return n
	}
	ranges := []struct {
		days forms.Days
		// months is how many monthly cells the range reads: one per cell
		// and month it covers whole, or less fewer days than it covers.
		months int
	}{
		{forms.Days{From: "2026-03-03", To: "2026-03-05"}, 0},
		{forms.Days{From: "2026-03-08"}, 2}, // April whole (ac1), March less its first week (one cell)
		{forms.Days{To: "2026-03-02"}, 2},   // February whole (ac1, ac2)
		{forms.Days{From: "2026-03-01", To: "2026-03-31"}, 2},
		{forms.Days{From: "2026-02-01"}, 5},                   // Feb and Mar for ac1 and ac2, Apr for ac1
		{forms.Days{From: "2026-02-18", To: "2026-04-30"}, 5}, // no days before the 20th, none after 6 April
		{forms.Days{From: "2026-02-25", To: "2026-03-10"}, 1}, // March less its days after the 10th (one cell)
		{forms.Days{From: "2026-04-01"}, 1},
	}
	check := func(when string) {
		t.Helper()
		for _, r := range ranges {
			cells, err := s.Cells(ctx, "pa", f.ID, r.days)
			if err != nil {
				t.Fatal(err)
			}
			n, months := 0, 0
			for _, cl := range cells {
				in := cl.Day != "" && (r.days.From == "" || cl.Day >= r.days.From) && (r.days.To == "" || cl.Day <= r.days.To)
				if cl.Month != "" {
					months++
					in = cl.Day == ""
				}
				if cl.Partnership != "pa" || !in {
					t.Errorf("%s, %+v: cell %s day %q month %q outside the range", when, r.days, cl.Partnership, cl.Day, cl.Month)
				}
				n += cl.Tally.N
			}
			if n != want(r.days.From, r.days.To) || months != r.months {
				t.Errorf("%s, %+v: %d responses from %d monthly cells, want %d from %d", when, r.days, n, months, want(r.days.From, r.days.To), r.months)
			}
		}
	}
	check("running totals")
	if _, err := s.RebuildTotals(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check("rebuilt totals")

	// A store from before monthly cells: none, and no mark.
	if _, err := s.monthly.DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.meta.DeleteOne(ctx, bson.D{{Key: "_id", Value: monthsBuilt}}); err != nil {
		t.Fatal(err)
	}
	if err := s.buildMonths(ctx); err != nil {
		t.Fatal(err)
	}
	check("months built from days")
}
