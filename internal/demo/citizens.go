package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"samspil/intake"
	"samspil/partnership"
)

// citizensPerWave is how many citizens answer each citizen wave.
var citizensPerWave = []int{140, 160}

// schedule is when an activity meets: citizens mostly answer there, from
// the poster's QR code.
type schedule struct {
	days     []time.Weekday
	from, to int // hours
	share    float64
}

// The activities' meetings, in the order of activities.
var schedules = []schedule{
	{[]time.Weekday{time.Tuesday, time.Thursday}, 17, 20, 0.40},
	{[]time.Weekday{time.Monday, time.Wednesday}, 15, 18, 0.35},
	{[]time.Weekday{time.Friday}, 10, 12, 0.25},
}

// citizenAnswer is one citizen's answers as they will be submitted.
type citizenAnswer struct {
	at       time.Time
	id       string
	activity string
	lang     string
	answers  map[string]any
}

// citizenAnswers draws the answers of one citizen wave (the i-th) and
// submits them, in the order they were given, each at its own moment.
func (s *seeder) citizenAnswers(ctx context.Context, w partnership.Wave, i int) error {
	list := make([]citizenAnswer, 0, citizensPerWave[i])
	for range citizensPerWave[i] {
		a, err := s.drawCitizen(w, i)
		if err != nil {
			return err
		}
		list = append(list, a)
	}
	slices.SortStableFunc(list, func(a, b citizenAnswer) int { return a.at.Compare(b.at) })
	return giveAll(ctx, len(list), func(ctx context.Context, i int) error {
		a := list[i]
		got, err := s.intakeAt(a.at).Submit(ctx, intake.Citizen{Form: s.citizen, SubmissionID: a.id, Lang: a.lang,
			Partnership: PartnershipID, Activity: a.activity, Answers: a.answers})
		r, created := got.Response, got.Created
		var invalid *intake.Invalid
		switch {
		case errors.As(err, &invalid):
			return fmt.Errorf("citizen answer %s in wave %s: %w (%s)", a.id, w.ID, err, describeIntake(invalid))
		case err != nil:
			return fmt.Errorf("citizen answer %s in wave %s: %w", a.id, w.ID, err)
		case !created:
			return fmt.Errorf("citizen answer %s in wave %s: stored already", a.id, w.ID)
		case r.Wave != w.ID:
			return fmt.Errorf("citizen answer %s at %s landed in wave %q, not %s", a.id, a.at.Format(time.RFC3339), r.Wave, w.ID)
		}
		return nil
	})
}

// describeIntake lists intake's problems with a response.
func describeIntake(e *intake.Invalid) string {
	ps := make([]partnership.Problem, 0, len(e.Problems))
	for _, p := range e.Problems {
		ps = append(ps, partnership.Problem{Field: p.Field, Code: p.Code})
	}
	return describe(ps)
}

// drawCitizen draws one citizen's answers to the i-th citizen wave: the
// second is somewhat higher on belonging and trust, the partnership's
// work showing, and has more citizens who have been coming for a while.
func (s *seeder) drawCitizen(w partnership.Wave, i int) (citizenAnswer, error) {
	r := s.rng
	id, err := uuid.NewRandomFromReader(s.ids)
	if err != nil {
		return citizenAnswer{}, fmt.Errorf("make a submission id: %w", err)
	}
	a := citizenAnswer{id: id.String(), answers: map[string]any{}}
	act := choose(r, []int{0, 1, 2}, []float64{schedules[0].share, schedules[1].share, schedules[2].share})
	a.activity = activities[act].id
	a.at = s.citizenMoment(w, schedules[act])
	a.lang = choose(r, []string{"da", "ar", "en", "uk", "pl", "tr"}, []float64{0.72, 0.09, 0.06, 0.06, 0.04, 0.03})

	duration := choose(r, []string{"first_time", "under_3_months", "months_3_to_12", "over_a_year", ""},
		[][]float64{{0.15, 0.34, 0.31, 0.17, 0.03}, {0.10, 0.24, 0.39, 0.24, 0.03}}[i])
	role := choose(r, []string{"participant", "helper", "co_creator", "speaks_for_others", "prefer_not", ""},
		[]float64{0.60, 0.18, 0.10, 0.05, 0.04, 0.03})
	ages := []string{"under_18", "18_29", "30_49", "50_66", "67_plus", "prefer_not", ""}
	age := choose(r, ages, [][]float64{
		{0.03, 0.17, 0.37, 0.26, 0.13, 0.03, 0.01},
		{0.42, 0.24, 0.20, 0.07, 0.02, 0.03, 0.02},
		{0.00, 0.04, 0.14, 0.35, 0.42, 0.03, 0.02},
	}[act])

	// One leaning per citizen runs through all their answers, so that the
	// items of a scale agree as people's answers do; the longer someone
	// has come, the more at home they feel.
	lean := r.NormFloat64()
	settled := map[string]float64{"first_time": -0.35, "under_3_months": -0.1, "months_3_to_12": 0.1, "over_a_year": 0.25}[duration]
	base := map[string][2]float64{
		"belonging": {3.38, 3.68},
		"trust":     {3.47, 3.74},
		"influence": {2.85, 3.0},
	}
	voice := 0.0
	if role == "co_creator" || role == "speaks_for_others" {
		voice = 0.5
	}
	for _, item := range []struct {
		id, scale string
		extra     float64
	}{
		{"belonging_place", "belonging", settled},
		{"belonging_someone", "belonging", settled - 0.1},
		{"trust_participants", "trust", settled / 2},
		{"trust_organisers", "trust", 0.15},
		{"influence_decide", "influence", voice},
		{"influence_heard", "influence", voice / 2},
	} {
		a.answers[item.id] = scale(base[item.scale][i] + item.extra + 0.75*lean + 0.65*r.NormFloat64())
	}

	set := func(id, v string) {
		if v != "" {
			a.answers[id] = v
		}
	}
	set("role", role)
	set("duration", duration)
	if duration != "first_time" {
		set("frequency", choose(r, []string{"weekly", "monthly", "less_often"}, []float64{0.5, 0.3, 0.2}))
	}
	if barriers := s.drawBarriers(a.lang); barriers != nil {
		a.answers["barriers"] = barriers
	}
	set("age_band", age)
	newcomer := duration == "first_time" || duration == "under_3_months"
	switch first := r.Float64(); {
	case first < 0.05:
		a.answers["first_community"] = "prefer_not"
	case first < 0.05+map[bool]float64{true: 0.45, false: 0.28}[newcomer]:
		a.answers["first_community"] = true
	default:
		a.answers["first_community"] = false
	}
	return a, nil
}

// citizenMoment is when a citizen answers during a wave: mostly while the
// activity meets, else at home on any day.
func (s *seeder) citizenMoment(w partnership.Wave, sch schedule) time.Time {
	r := s.rng
	days := waveDays(w)
	if r.Float64() < 0.75 {
		var meetings []int
		for d := range days {
			if slices.Contains(sch.days, moment(w, d, 12, 0, 0).Weekday()) {
				meetings = append(meetings, d)
			}
		}
		if len(meetings) > 0 {
			d := meetings[r.IntN(len(meetings))]
			return moment(w, d, sch.from+r.IntN(sch.to-sch.from), r.IntN(60), r.IntN(60))
		}
	}
	return moment(w, r.IntN(days), 8+r.IntN(14), r.IntN(60), r.IntN(60))
}

// drawBarriers draws what keeps a citizen from taking part more: for
// many nothing, for some one or two things, language more often for those
// who answer in another language than Danish.
func (s *seeder) drawBarriers(lang string) any {
	r := s.rng
	switch x := r.Float64(); {
	case x < 0.03:
		return "prefer_not"
	case x < 0.06:
		return nil // skipped
	case x < 0.45:
		return []any{"nothing"}
	}
	options := []string{"transport", "language", "cost", "knows_nobody", "unwelcome", "other"}
	weights := []float64{0.25, 0.12, 0.2, 0.3, 0.05, 0.08}
	if lang != "da" {
		weights[1] = 0.6
	}
	var picks []any
	for range 1 + r.IntN(2) {
		i := choose(r, []int{0, 1, 2, 3, 4, 5}, weights)
		picks = append(picks, options[i])
		weights[i] = 0 // picked once
	}
	return picks
}

// scale rounds a drawn value to a 1-5 answer.
func scale(x float64) int {
	return int(math.Max(1, math.Min(5, math.Round(x))))
}

// choose picks one of values, each as likely as its weight; one of
// weight 0 never.
func choose[T any](r *rand.Rand, values []T, weights []float64) T {
	total, last := 0.0, 0
	for i, w := range weights {
		total += w
		if w > 0 {
			last = i
		}
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return values[i]
		}
		x -= w
	}
	return values[last] // what rounding left over
}
