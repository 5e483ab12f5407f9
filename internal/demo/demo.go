// Package demo fills a store with a made-up partnership that looks as if
// it had been used for half a year, so that the console, the reports and
// the partners' pages can be shown and tried without real answers.
//
// Everything goes in the way it would in use: the partnership, partners,
// activities and waves through the store, as the console creates them,
// and every answer through the intake service, with a clock set to the
// moment the answer is meant to have been given. So the demo's figures
// are made by the same code, and protected by the same rules, as real
// ones.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	_ "time/tzdata" // waves open and close on Danish days, on any host

	"golang.org/x/sync/errgroup"

	"samspil/forms"
	"samspil/indicators"
	"samspil/intake"
	"samspil/partnership"
	"samspil/storage"
)

// PartnershipID is the id of the demo partnership. It is fixed, so that a
// store can tell whether it holds the demo already.
const PartnershipID = "pa-demo"

// The ids of the demo's waves, oldest first within each kind.
const (
	CitizenWave1 = "wa-demo-citizens-1"
	CitizenWave2 = "wa-demo-citizens-2"
	PartnerWave1 = "wa-demo-partners-1"
	PartnerWave2 = "wa-demo-partners-2"
)

// The forms the demo answers: the latest citizen questionnaire, and the
// partner survey in the version whose items the demo knows.
const (
	citizenForm    = "citizen_short"
	partnerForm    = "partner_survey"
	partnerVersion = 1
)

// seed makes every run draw the same answers.
const seed = 20260310

// ErrExists is returned by Seed when the store holds the demo partnership
// already: seeding it twice would mix two demos' answers.
var ErrExists = errors.New("the demo partnership exists already")

// Demo names what Seed made.
type Demo struct {
	Partnership string // its id
	// Tokens are the partners' personal invitation tokens (the secret in
	// /i/{token}) for the latest partner wave, by partner id. Only their
	// hashes are stored, so this is the one place they can be read.
	Tokens                     map[string]string
	CitizenWaves, PartnerWaves []string // wave ids, oldest first
}

// Seed fills store with a demo partnership as it would look after about
// half a year of use: "Samspil Nordvest" in Aarhus Nordvest, with 34
// partners of every sector, 3 activities, two rounds of the citizen
// questionnaire with 300 answers between them, and two rounds of the
// partner survey with 26 and 30 of the 34 partners answering. Every wave
// closed before now, so all of it can be shown: citizen figures as far as
// whole months are released, partnership health and the network of both
// rounds.
//
// The answers are drawn from a fixed seed, so the same now gives the same
// partnership, answers and figures; only the invitation tokens (secrets)
// and the audit entries' ids are random. Dates are whole days in Danish
// time, counted back from now. Seed refuses a store that has the demo
// partnership already (ErrExists); a problem with any answer fails it,
// naming the answer and the problem.
func Seed(ctx context.Context, store *storage.Store, catalog *forms.Catalog, now time.Time) (Demo, error) {
	citizen, ok := catalog.Form(citizenForm, 0)
	if !ok {
		return Demo{}, fmt.Errorf("seed demo: the catalog has no form %s", citizenForm)
	}
	partner, ok := catalog.Form(partnerForm, partnerVersion)
	if !ok {
		return Demo{}, fmt.Errorf("seed demo: the catalog has no form %s version %d", partnerForm, partnerVersion)
	}
	switch _, err := store.Partnership(ctx, PartnershipID); {
	case err == nil:
		return Demo{}, fmt.Errorf("seed demo: %w (id %s)", ErrExists, PartnershipID)
	case !errors.Is(err, partnership.ErrNotFound):
		return Demo{}, fmt.Errorf("seed demo: look for partnership %s: %w", PartnershipID, err)
	}
	s := &seeder{
		store:   store,
		finder:  indicators.Catalog(catalog),
		rng:     rand.New(rand.NewPCG(seed, seed+1)),
		ids:     rand.NewChaCha8([32]byte{'s', 'a', 'm', 's', 'p', 'i', 'l', ' ', 'd', 'e', 'm', 'o'}),
		citizen: citizen,
		partner: partner,
		today:   startOfDay(now),
		now:     now,
	}
	d, err := s.seed(ctx)
	if err != nil {
		return Demo{}, fmt.Errorf("seed demo: %w", err)
	}
	return d, nil
}

// local is where the demo's days are days, as the console's are.
var local = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return time.UTC
	}
	return l
}()

// startOfDay is the start of t's day in Danish time.
func startOfDay(t time.Time) time.Time {
	t = t.In(local)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, local)
}

// seeder carries what the steps of Seed share.
type seeder struct {
	store   *storage.Store
	finder  intake.FormFinder
	rng     *rand.Rand
	ids     *rand.ChaCha8 // submission ids, apart so answers do not shift them
	citizen *forms.Form
	partner *forms.Form
	// today is the start of now's day; days are counted back from it.
	today time.Time
	now   time.Time
}

// intakeAt is an intake service whose clock stands still at t: an answer
// given through it is placed in the wave open at t and stored as given
// then. Each answer has its own, so that answers can be given at once.
func (s *seeder) intakeAt(t time.Time) *intake.Service {
	return intake.New(s.store, s.finder, func() time.Time { return t })
}

// workers is how many answers are given at once. The store counts the
// answers that arrive together in one batch, which makes seeding several
// times faster than giving them one by one; the figures are sums, the
// same in any order.
const workers = 64

// giveAll calls give for each of n answers, starting them in order of i
// with up to workers at once, and returns the first error; the first
// error cancels the answers still going.
func giveAll(ctx context.Context, n int, give func(ctx context.Context, i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error { return give(ctx, i) })
	}
	return g.Wait()
}

// daysAgo is the start of the day n days before today, in Danish time.
func (s *seeder) daysAgo(n int) time.Time {
	return time.Date(s.today.Year(), s.today.Month(), s.today.Day()-n, 0, 0, 0, 0, local)
}

// span is a wave's days: it opens at the start of the first and closes at
// the start of the day after the last, as the console sets them.
type span struct{ opens, closes int }

// The waves' days, counted back from today.
var (
	citizenSpans = []span{{170, 140}, {80, 50}}
	partnerSpans = []span{{150, 130}, {40, 20}}
)

func (s *seeder) seed(ctx context.Context) (Demo, error) {
	created := s.daysAgo(182).Add(10 * time.Hour)
	p := partnership.Partnership{
		ID:          PartnershipID,
		Name:        "Samspil Nordvest",
		Area:        "Aarhus Nordvest",
		Description: "Kommune, foreninger, butikker og beboere i Aarhus Nordvest arbejder sammen om at hjælpe borgere i udsatte positioner ind i frivillige fællesskaber.",
		Languages:   append([]string(nil), s.citizen.Languages...),
		MinGroup:    5,
		CreatedAt:   created.UTC(),
	}
	if ps := p.Check(); len(ps) > 0 {
		return Demo{}, fmt.Errorf("partnership %s: %s", p.ID, describe(ps))
	}
	if err := s.store.CreatePartnership(ctx, p); err != nil {
		return Demo{}, fmt.Errorf("create partnership %s: %w", p.ID, err)
	}
	err := s.store.Audit(ctx, partnership.AuditEntry{ID: partnership.NewID("au"), At: created.UTC(), Actor: "demo",
		Action: "partnership.create", Partnership: p.ID, Target: p.ID})
	if err != nil {
		return Demo{}, fmt.Errorf("audit partnership %s: %w", p.ID, err)
	}
	partners, err := s.createPartners(ctx, created)
	if err != nil {
		return Demo{}, err
	}
	if err := s.createActivities(ctx, partners); err != nil {
		return Demo{}, err
	}
	if err := s.theory(ctx); err != nil {
		return Demo{}, err
	}
	d := Demo{Partnership: p.ID}
	for i, sp := range citizenSpans {
		w, err := s.createWave(ctx, []string{CitizenWave1, CitizenWave2}[i], s.citizen, sp)
		if err != nil {
			return Demo{}, err
		}
		if err := s.citizenAnswers(ctx, w, i); err != nil {
			return Demo{}, err
		}
		d.CitizenWaves = append(d.CitizenWaves, w.ID)
	}
	net := s.network()
	for i, sp := range partnerSpans {
		w, err := s.createWave(ctx, []string{PartnerWave1, PartnerWave2}[i], s.partner, sp)
		if err != nil {
			return Demo{}, err
		}
		tokens, err := s.invite(ctx, w, partners)
		if err != nil {
			return Demo{}, err
		}
		if err := s.partnerAnswers(ctx, w, i, net, tokens); err != nil {
			return Demo{}, err
		}
		d.PartnerWaves = append(d.PartnerWaves, w.ID)
		d.Tokens = tokens
	}
	return d, nil
}

// describe lists a domain check's problems for an error message.
func describe(ps []partnership.Problem) string {
	parts := make([]string, 0, len(ps))
	for _, pr := range ps {
		parts = append(parts, pr.Field+": "+pr.Code)
	}
	return strings.Join(parts, ", ")
}

// createWave stores a wave of a form over the days of sp.
func (s *seeder) createWave(ctx context.Context, id string, f *forms.Form, sp span) (partnership.Wave, error) {
	w := partnership.Wave{ID: id, Partnership: PartnershipID, Form: f.ID, Version: f.Version,
		OpensAt: s.daysAgo(sp.opens).UTC(), ClosesAt: s.daysAgo(sp.closes).UTC()}
	if ps := w.Check(string(f.Kind)); len(ps) > 0 {
		return w, fmt.Errorf("wave %s: %s", id, describe(ps))
	}
	if !w.ClosesAt.Before(s.now) {
		return w, fmt.Errorf("wave %s closes at %s, not before now", id, w.ClosesAt.Format(time.RFC3339))
	}
	if err := s.store.CreateWave(ctx, w); err != nil {
		return w, fmt.Errorf("create wave %s: %w", id, err)
	}
	return w, nil
}

// moment is a time of day, in Danish time, on the day-th day of a wave
// (0 is the first).
func moment(w partnership.Wave, day int, hour, minute, second int) time.Time {
	opens := w.OpensAt.In(local)
	return time.Date(opens.Year(), opens.Month(), opens.Day()+day, hour, minute, second, 0, local)
}

// waveDays is how many days a wave is open.
func waveDays(w partnership.Wave) int {
	opens, closes := w.OpensAt.In(local), w.ClosesAt.In(local)
	n := 0
	for d := opens; d.Before(closes); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, local) {
		n++
	}
	return n
}
