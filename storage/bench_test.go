package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"samspil/forms"
)

// BenchmarkSaveResponse measures storing one citizen response with its
// running totals, daily totals and export row, two at a time.
//
//	go test ./storage -run XXX -bench SaveResponse -benchtime 2000x
func BenchmarkSaveResponse(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	c, err := forms.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	f, _ := c.Form("citizen_short", 0)
	answers := forms.Answers{"belonging_place": 4, "belonging_someone": 5, "trust_participants": 3, "role": "helper",
		"barriers": []string{"cost", "language"}, "age_band": "30_49", "first_community": true}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			r := forms.NewResponse(f, fmt.Sprintf("%p-%d", pb, i), "da", answers, time.Now())
			if _, _, err := s.SaveResponse(ctx, r, f.Counts(answers)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
