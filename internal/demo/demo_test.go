package demo

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/indicators"
	"samspil/partnership"
	"samspil/storage"
)

// seeded is a fresh embedded store with the demo in it, and the figures
// service the results pages read.
type seeded struct {
	store   *storage.Store
	catalog *forms.Catalog
	figures *indicators.Service
	demo    Demo
	p       partnership.Partnership
}

func seedStore(t *testing.T, now time.Time) seeded {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(ctx) })
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	d, err := Seed(ctx, store, catalog, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %v", time.Since(start).Round(time.Millisecond))
	p, err := store.Partnership(ctx, d.Partnership)
	if err != nil {
		t.Fatal(err)
	}
	return seeded{store: store, catalog: catalog, demo: d, p: p,
		figures: indicators.New(store, store, indicators.Catalog(catalog), func() time.Time { return now })}
}

// figures are what the results pages show of the demo.
type figures struct {
	Inclusion, ByWave indicators.Inclusion
	Health            []indicators.Health
	Network           []indicators.Network
}

func (s seeded) figuresOf(t *testing.T) figures {
	t.Helper()
	ctx := context.Background()
	f, _ := s.catalog.Form(citizenForm, 0)
	var out figures
	var err error
	if out.Inclusion, err = s.figures.Inclusion(ctx, s.p, f, indicators.Query{}); err != nil {
		t.Fatal(err)
	}
	if out.ByWave, err = s.figures.Inclusion(ctx, s.p, f, indicators.Query{By: "wave"}); err != nil {
		t.Fatal(err)
	}
	for _, w := range s.demo.PartnerWaves {
		h, err := s.figures.Health(ctx, s.p, w)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.figures.Network(ctx, s.p, w)
		if err != nil {
			t.Fatal(err)
		}
		out.Health, out.Network = append(out.Health, h), append(out.Network, n)
	}
	return out
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	s := seedStore(t, now)
	d := s.demo
	if d.Partnership != PartnershipID || len(d.CitizenWaves) != 2 || len(d.PartnerWaves) != 2 || len(d.Tokens) != 34 {
		t.Fatalf("Seed made %+v", d)
	}
	if s.p.Name != "Samspil Nordvest" || len(s.p.Languages) != 6 || s.p.MinGroup != 5 {
		t.Errorf("partnership = %+v", s.p)
	}
	got := s.figuresOf(t)

	// The citizen figures count every response of the months released.
	inc := got.Inclusion
	stored, released := 0, 0
	err := s.store.EachResponse(ctx, citizenForm, d.Partnership, "", func(r forms.Response) error {
		stored++
		if r.SubmittedAt.UTC().Format("2006-01") <= inc.ReleasedThrough {
			released++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stored != 300 {
		t.Errorf("%d citizen responses stored, want 300", stored)
	}
	if inc.Total.N != released || released <= 250 {
		t.Errorf("released through %s: total n = %d, want the %d responses of those months (over 250)", inc.ReleasedThrough, inc.Total.N, released)
	}
	// The second wave feels more at home and trusts more.
	mean := func(wave, index string) float64 {
		i := slices.IndexFunc(got.ByWave.Groups, func(g indicators.Group) bool { return g.Key["wave"] == wave })
		if i < 0 || got.ByWave.Groups[i].Indices[index].Mean == nil {
			t.Fatalf("no %s figure for wave %s: %+v", index, wave, got.ByWave.Groups)
		}
		return *got.ByWave.Groups[i].Indices[index].Mean
	}
	for _, index := range []string{"belonging", "trust"} {
		if before, after := mean(d.CitizenWaves[0], index), mean(d.CitizenWaves[1], index); after <= before {
			t.Errorf("%s: %.1f in the second wave, not above %.1f in the first", index, after, before)
		}
	}

	// Partnership health of the latest round is out, with all 8 factors
	// and the change since the first round.
	h := got.Health[1]
	if h.Wave != d.PartnerWaves[1] || !h.Released || len(h.Factors) != 8 || h.PreviousWave != d.PartnerWaves[0] {
		t.Errorf("health: wave %s, released %v, %d factors, previous %q", h.Wave, h.Released, len(h.Factors), h.PreviousWave)
	}
	for _, f := range h.Factors {
		if f.Total.Suppressed || f.Change == nil {
			t.Errorf("factor %s: total %+v, change %v; want both shown", f.Factor, f.Total, f.Change)
		}
	}
	for i, want := range []int{26, 30} {
		if r := got.Health[i].ResponseRate; r.Invited != 34 || r.Responded != want {
			t.Errorf("round %d: %d of %d answered, want %d of 34", i+1, r.Responded, r.Invited, want)
		}
	}

	// The network: everyone on the map, a few hubs, some nobody names.
	n := got.Network[1]
	if len(n.Nodes) != 34 {
		t.Errorf("network has %d nodes, want 34", len(n.Nodes))
	}
	namedBy := map[string]int{}
	for _, e := range n.Edges {
		namedBy[e.To]++
	}
	for _, hub := range []string{"frivilligcenter", "bibliotek", "socialforvaltningen"} {
		if namedBy[org{slug: hub}.id()] < 10 {
			t.Errorf("hub %s is named by %d partners, want 10 or more", hub, namedBy[org{slug: hub}.id()])
		}
	}
	if len(namedBy) == len(n.Nodes) {
		t.Error("every partner is named by someone")
	}

	// The tokens open the partners' invitations to the latest round.
	for id, token := range d.Tokens {
		inv, err := s.store.Invitation(ctx, access.Hash(token))
		if err != nil || inv.Partner != id || inv.Wave != d.PartnerWaves[1] {
			t.Errorf("token of %s opens %+v, %v", id, inv, err)
		}
	}

	// Seeding again into the same store is refused.
	if _, err := Seed(ctx, s.store, s.catalog, now); !errors.Is(err, ErrExists) {
		t.Errorf("second seed: %v, want ErrExists", err)
	}

	// Seeding a fresh store gives the same figures.
	again := seedStore(t, now).figuresOf(t)
	if !reflect.DeepEqual(got, again) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(again)
		t.Errorf("two seeds give different figures:\n%s\n%s", a, b)
	}
}
