package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/intake"
	"samspil/partnership"
)

// network is who works with whom, drawn once so that both rounds of the
// partner survey tell the same story: mostly the same ties, a little
// closer and more trusting the second time.
type network struct {
	// strength of the collaboration between two partners, 0 to 1, the
	// same seen from either side.
	strength [][]float64
	// named lists, for each round and partner, the partners it names.
	named [2][][]int
	// mood is how positively each partner sees the partnership as a whole.
	mood []float64
}

// network draws the partners' ties. Partners name others in proportion to
// their pull, more often those of their own sector and those they run an
// activity with; the hubs are named by many, the shops by few, and a few
// partners by nobody. The second round keeps most of the first's ties and
// adds a few.
func (s *seeder) network() network {
	r := s.rng
	n := len(orgs)
	together := make([][]bool, n)
	for i := range together {
		together[i] = make([]bool, n)
	}
	for _, a := range activities {
		for _, x := range a.partners {
			for _, y := range a.partners {
				together[slugIndex(x)][slugIndex(y)] = true
			}
		}
	}
	net := network{strength: make([][]float64, n), mood: make([]float64, n)}
	for i := range n {
		net.strength[i] = make([]float64, n)
		net.mood[i] = 0.45 * r.NormFloat64()
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			st := 0.8 * r.Float64()
			if together[i][j] {
				st += 0.25
			}
			if orgs[i].pull >= 6 || orgs[j].pull >= 6 {
				st += 0.15
			}
			st = min(st, 1)
			net.strength[i][j], net.strength[j][i] = st, st
		}
	}
	weight := func(i, j int) float64 {
		if i == j {
			return 0
		}
		w := orgs[j].pull
		if orgs[i].sector == partnership.Private {
			// The shops know the hubs, and hardly anyone else.
			w = math.Pow(w, 2)
		}
		if orgs[i].sector == orgs[j].sector {
			w *= 1.6
		}
		if together[i][j] {
			w *= 2.5
		}
		return w * (0.5 + net.strength[i][j])
	}
	for i, o := range orgs {
		k := o.names[0] + r.IntN(o.names[1]-o.names[0]+1)
		net.named[0] = append(net.named[0], s.sample(k, nil, func(j int) float64 { return weight(i, j) }))
	}
	for i, o := range orgs {
		var kept []int
		for _, j := range net.named[0][i] {
			if r.Float64() < 0.85 {
				kept = append(kept, j)
			}
		}
		k := len(net.named[0][i]) + choose(r, []int{-1, 0, 1}, []float64{0.15, 0.5, 0.35})
		k = max(o.names[0], min(o.names[1], k))
		more := s.sample(k-len(kept), kept, func(j int) float64 { return weight(i, j) })
		net.named[1] = append(net.named[1], append(kept, more...))
	}
	return net
}

// slugIndex is the index in orgs of the partner with the slug.
func slugIndex(slug string) int {
	return slices.IndexFunc(orgs, func(o org) bool { return o.slug == slug })
}

// sample draws k partners, each in proportion to its weight, none twice
// and none of not.
func (s *seeder) sample(k int, not []int, weight func(int) float64) []int {
	var out []int
	for len(out) < k {
		ws := make([]float64, len(orgs))
		ids := make([]int, len(orgs))
		some := false
		for j := range orgs {
			ids[j] = j
			if !slices.Contains(not, j) && !slices.Contains(out, j) {
				ws[j] = weight(j)
				some = some || ws[j] > 0
			}
		}
		if !some {
			break
		}
		out = append(out, choose(s.rng, ids, ws))
	}
	return out
}

// invite makes every partner's personal link to a partner wave, as the
// console does when the backbone prints the letters on the wave's first
// morning, and returns the tokens by partner id.
func (s *seeder) invite(ctx context.Context, w partnership.Wave, partners []partnership.Partner) (map[string]string, error) {
	at := w.OpensAt.Add(9 * time.Hour).UTC()
	tokens := make(map[string]string, len(partners))
	for _, pt := range partners {
		token := access.NewToken()
		created, err := s.store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(token), Partnership: PartnershipID,
			Wave: w.ID, Partner: pt.ID, CreatedAt: at, Batch: "demo:" + w.ID})
		if err != nil {
			return nil, fmt.Errorf("invite %s to wave %s: %w", pt.ID, w.ID, err)
		}
		if !created {
			return nil, fmt.Errorf("invite %s to wave %s: invited already", pt.ID, w.ID)
		}
		tokens[pt.ID] = token
	}
	err := s.store.Audit(ctx, partnership.AuditEntry{ID: partnership.NewID("au"), At: at, Actor: "demo",
		Action: "invitations.create", Partnership: PartnershipID, Target: w.ID})
	if err != nil {
		return nil, fmt.Errorf("audit invitations to wave %s: %w", w.ID, err)
	}
	return tokens, nil
}

// partnerAnswer is one partner's answers to a round as they will be given.
type partnerAnswer struct {
	at      time.Time
	partner string
	lang    string
	answers map[string]any
}

// partnerAnswers draws the answers of the partners that answer the
// round-th partner wave and gives them through their invitations, each at
// its own moment.
func (s *seeder) partnerAnswers(ctx context.Context, w partnership.Wave, round int, net network, tokens map[string]string) error {
	var list []partnerAnswer
	for i, o := range orgs {
		if !o.answers[round] {
			continue
		}
		a := partnerAnswer{partner: o.id(), lang: "da", at: s.partnerMoment(w), answers: s.health(i, round, net)}
		if o.slug == "ukrainsk" {
			a.lang = "en"
		}
		var roster []any
		for _, j := range net.named[round][i] {
			roster = append(roster, s.tie(i, j, round, net))
		}
		a.answers["collaboration"] = roster
		list = append(list, a)
	}
	slices.SortStableFunc(list, func(a, b partnerAnswer) int { return a.at.Compare(b.at) })
	return giveAll(ctx, len(list), func(ctx context.Context, i int) error {
		a := list[i]
		svc := s.intakeAt(a.at)
		in, err := svc.Open(ctx, tokens[a.partner])
		if err != nil {
			return fmt.Errorf("open the invitation of %s to wave %s: %w", a.partner, w.ID, err)
		}
		created, err := svc.Answer(ctx, in, a.lang, a.answers, false)
		var invalid *intake.Invalid
		switch {
		case errors.As(err, &invalid):
			return fmt.Errorf("answer of %s to wave %s: %w (%s)", a.partner, w.ID, err, describeIntake(invalid))
		case err != nil:
			return fmt.Errorf("answer of %s to wave %s: %w", a.partner, w.ID, err)
		case !created:
			return fmt.Errorf("answer of %s to wave %s: stored already", a.partner, w.ID)
		}
		return nil
	})
}

// partnerMoment is when a partner answers during a round: many in the
// first days, more after the reminder in the second week, the rest
// before the end; in working hours, seldom at weekends.
func (s *seeder) partnerMoment(w partnership.Wave) time.Time {
	r := s.rng
	days := waveDays(w)
	weights := make([]float64, days)
	ids := make([]int, days)
	for d := range days {
		ids[d] = d
		switch {
		case d < 3:
			weights[d] = 3
		case d >= 9 && d < 12:
			weights[d] = 2.5
		default:
			weights[d] = 0.9
		}
		if wd := moment(w, d, 12, 0, 0).Weekday(); wd == time.Saturday || wd == time.Sunday {
			weights[d] *= 0.15
		}
	}
	return moment(w, choose(r, ids, weights), 8+r.IntN(8), r.IntN(60), r.IntN(60))
}

// factorMeans are the partners' average answers, by factor, in the first
// round and how much higher in the second: the partnership is good at
// facilitation, weakest at involving citizens, and works on both that and
// communication between the rounds.
var factorMeans = map[string][2]float64{
	"relations_trust":     {3.7, 0.15},
	"communication":       {3.35, 0.3},
	"shared_goals":        {3.5, 0.15},
	"combined_resources":  {3.15, 0.15},
	"shared_power":        {3.0, 0.05},
	"facilitation":        {3.9, 0.1},
	"citizen_involvement": {2.75, 0.35},
	"equal_participation": {3.55, 0.15},
}

// health draws the i-th partner's answers to the partnership-health items
// of the partner survey.
func (s *seeder) health(i, round int, net network) map[string]any {
	r := s.rng
	answers := map[string]any{}
	for _, sc := range s.partner.Scales {
		mean, ok := factorMeans[sc.ID]
		if !ok {
			mean = [2]float64{3.3, 0.2}
		}
		x := mean[0] + float64(round)*mean[1] + net.mood[i]
		switch {
		case orgs[i].sector == partnership.Backbone:
			x += 0.3 // they run it
		case orgs[i].sector == partnership.Private && sc.ID == "shared_power":
			x -= 0.4
		}
		for _, id := range sc.Items {
			if r.Float64() < 0.02 {
				answers[id] = forms.PreferNot
				continue
			}
			answers[id] = scale(x + 0.6*r.NormFloat64())
		}
	}
	return answers
}

// tie draws what partner i says of working with partner j in a round.
func (s *seeder) tie(i, j, round int, net network) map[string]any {
	r := s.rng
	st := net.strength[i][j] + 0.05*float64(round) + 0.08*r.NormFloat64()
	private := orgs[i].sector == partnership.Private || orgs[j].sector == partnership.Private
	if private {
		st -= 0.3
	}
	freq := "once_or_twice"
	switch {
	case st > 0.78:
		freq = "weekly"
	case st > 0.42:
		freq = "monthly"
	}
	rating := func(x float64) any {
		if r.Float64() < 0.02 {
			return forms.PreferNot
		}
		return scale(x + 0.5*r.NormFloat64())
	}
	trust := 3.0 + 1.6*net.strength[i][j] + 0.25*float64(round)
	if private {
		trust -= 0.4
	}
	contribution := 2.3 + 0.15*min(orgs[j].pull, 10) + 0.8*net.strength[i][j] + 0.15*float64(round)
	return map[string]any{"partner": orgs[j].id(), "frequency": freq, "trust": rating(trust), "contribution": rating(contribution)}
}
