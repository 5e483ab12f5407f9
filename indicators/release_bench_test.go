package indicators

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// BenchmarkRelease times releasing three months of 100,000 responses read
// from memory: the work the first query after a month ends does besides
// reading the rows from the store.
//
//	go test ./indicators -run XXX -bench Release -benchtime 3x
func BenchmarkRelease(b *testing.B) {
	catalog, f := citizenForm(b)
	rng := rand.New(rand.NewPCG(7, 9))
	roles := []string{"participant", "helper", "co_creator", "speaks_for_others"}
	ages := []string{"under_18", "18_29", "30_49", "50_66", "67_plus"}
	store := &memStore{}
	for i := range 100_000 {
		a := forms.Answers{"belonging_place": 1 + rng.IntN(5), "belonging_someone": 1 + rng.IntN(5),
			"trust_participants": 1 + rng.IntN(5), "influence_decide": 1 + rng.IntN(5),
			"role": roles[rng.IntN(4)], "age_band": ages[rng.IntN(5)], "barriers": []string{"cost"}}
		r := forms.NewResponse(f, fmt.Sprint(i), "da", a, month(1).Add(time.Duration(rng.IntN(90*24))*time.Hour))
		r.Partnership, r.Activity = "p1", fmt.Sprintf("ac%d", rng.IntN(5))
		store.responses = append(store.responses, r)
	}
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	for b.Loop() {
		store.releases, store.through = map[string][]byte{}, nil
		s := New(store, nil, Catalog(catalog), func() time.Time { return month(5) })
		if _, err := s.Inclusion(context.Background(), p, f, Query{}); err != nil {
			b.Fatal(err)
		}
	}
}
