package storage

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"samspil/theory"
)

// Versions are kept as saved; of two saves over one version the second is
// refused; the latest is found even when a save crashed before moving the
// head; a partnership's erasure takes them all.
func TestTheoryVersions(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	if _, ok, err := s.Theory(ctx, "pa"); err != nil || ok {
		t.Fatalf("a new partnership has a theory: %v %v", ok, err)
	}
	v1 := theory.Template("da")
	v1.Partnership, v1.Version, v1.Author, v1.SavedAt = "pa", 1, "anna@example.org", time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	v2 := v1
	v2.Version, v2.Note = 2, "Borgerne kommer igen, når de kender nogen"
	v2.Elements = append([]theory.Element{}, v1.Elements...)
	v2.Elements[0].Text = "Partnere fra hele byen"
	for _, v := range []theory.Theory{v1, v2} {
		if ok, err := s.SaveTheory(ctx, v); err != nil || !ok {
			t.Fatalf("save version %d: %v %v", v.Version, ok, err)
		}
	}
	late := v2
	late.Note = "saved over"
	if ok, err := s.SaveTheory(ctx, late); err != nil || ok {
		t.Errorf("a second save of version 2: saved %v, %v; want refused", ok, err)
	}
	got, ok, err := s.Theory(ctx, "pa")
	if err != nil || !ok || got.Version != 2 || got.Note != v2.Note || got.Elements[0].Text != "Partnere fra hele byen" ||
		got.Elements[4].Measure == nil || got.Elements[4].Measure.Key != "relations_trust" || !got.SavedAt.Equal(v1.SavedAt) {
		t.Errorf("latest = %+v, %v, %v", got, ok, err)
	}
	// A save that crashed before moving the head.
	v3 := v2
	v3.Version = 3
	if _, err := s.theories.InsertOne(ctx, theoryDoc{ID: theoryVersionID("pa", 3), Partnership: "pa", Version: 3, Theory: v3}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.Theory(ctx, "pa"); got.Version != 3 {
		t.Errorf("latest is version %d past a head left at 2, want 3", got.Version)
	}
	all, err := s.TheoryVersions(ctx, "pa")
	if err != nil || len(all) != 3 || all[0].Version != 3 || all[2].Version != 1 {
		t.Errorf("versions = %d, %v; want 3, newest first", len(all), err)
	}
	if err := s.ErasePartnership(ctx, "pa", nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.theories.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d theory documents left after the erasure", n)
	}
}
