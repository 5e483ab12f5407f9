package storage

import (
	"context"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"samspil/forms"
)

// tallyOf is the running totals of the test form, overall and for today.
func tallyOf(t *testing.T, s *Store, f *forms.Form) (all, today forms.Tally) {
	t.Helper()
	ctx := context.Background()
	all, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Format(time.DateOnly)
	cells, err := s.Cells(ctx, "pa-1", f.ID, forms.Days{From: day, To: day})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		today.Add(c.Tally)
	}
	return all, today
}

func saveIn(t *testing.T, s *Store, f *forms.Form, submission string, answers forms.Answers) forms.Response {
	t.Helper()
	r, counts := newResponse(t, f, submission, answers)
	r.Partnership = "pa-1"
	if _, _, err := s.SaveResponse(context.Background(), r, counts); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestErasedResponsesLeaveTotalsAndExports(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	keep := saveIn(t, s, f, "11111111-1111-4111-8111-111111111111", forms.Answers{"role": "helper"})
	gone := saveIn(t, s, f, "22222222-2222-4222-8222-222222222222", forms.Answers{"role": "participant"})

	if err := s.EraseResponse(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	all, today := tallyOf(t, s, f)
	for name, tally := range map[string]forms.Tally{"totals": all, "daily totals": today} {
		if tally.N != 1 || tally.Items["role"].Values["participant"] != 0 || tally.Items["role"].Values["helper"] != 1 {
			t.Errorf("%s = %+v, want only the kept response", name, tally)
		}
	}
	rows := exported(t, s, f.ID, "pa-1")
	if len(rows) != 1 || rows[0].Answers["role"] != "helper" {
		t.Errorf("export = %+v, want only the kept response's row", rows)
	}
	if _, ok, err := s.Response(ctx, gone.ID); err != nil || ok {
		t.Errorf("erased response still stored (found %v, %v)", ok, err)
	}
	if _, ok, _ := s.Response(ctx, keep.ID); !ok {
		t.Error("the other response went too")
	}
	// Asked again (a double tap, a retry): nothing more moves.
	if err := s.EraseResponse(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if again, _ := tallyOf(t, s, f); again.N != 1 {
		t.Errorf("n after a second erasure = %d, want 1", again.N)
	}
}

func TestAnErasureCutShortIsFinishedOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	saveIn(t, s, f, "11111111-1111-4111-8111-111111111111", forms.Answers{"role": "helper"})
	gone := saveIn(t, s, f, "22222222-2222-4222-8222-222222222222", forms.Answers{"role": "participant"})
	fold(t, s)

	// A crash after the erased revision was written, and another after
	// its counts were taken off but before it was marked.
	var old responseDoc
	if err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: gone.ID}}).Decode(&old); err != nil {
		t.Fatal(err)
	}
	erased := responseDoc{ID: old.ID, Form: old.Form, Version: old.Version, Partnership: old.Partnership,
		SubmittedAt: old.SubmittedAt, Cell: old.Cell, Day: old.Day, Page: old.Page,
		Revision: old.Revision + 1, Uncount: old.Counts, Erased: true}
	if err := s.journal(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.responses.ReplaceOne(ctx, bson.D{{Key: "_id", Value: gone.ID}}, erased); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.cells(erased) {
		if err := s.addCounts(ctx, batchOf(c, []responseDoc{erased}, responseDoc.pendingKey)); err != nil {
			t.Fatal(err)
		}
	}

	if repaired, _, err := s.repairTotals(ctx, time.Now()); err != nil || repaired != 1 {
		t.Fatalf("repair = %d, %v; want the erasure finished", repaired, err)
	}
	if again, _, err := s.repairTotals(ctx, time.Now()); err != nil || again != 0 {
		t.Fatalf("second repair = %d, %v; want nothing left", again, err)
	}
	all, today := tallyOf(t, s, f)
	if all.N != 1 || today.N != 1 || all.Items["role"].Values["participant"] != 0 {
		t.Errorf("totals = %+v, today %+v; want the erased response taken off once", all, today)
	}
	if rows := exported(t, s, f.ID, "pa-1"); len(rows) != 1 {
		t.Errorf("export has %d rows, want 1", len(rows))
	}
	if _, ok, _ := s.Response(ctx, gone.ID); ok {
		t.Error("the erased revision is still stored")
	}
}

func TestRebuildLeavesErasedResponsesOut(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	saveIn(t, s, f, "11111111-1111-4111-8111-111111111111", forms.Answers{"role": "helper"})
	gone := saveIn(t, s, f, "22222222-2222-4222-8222-222222222222", forms.Answers{"role": "participant"})
	// An erasure cut short right after its revision was written.
	if _, err := s.responses.UpdateOne(ctx, bson.D{{Key: "_id", Value: gone.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "erased", Value: true}, {Key: "counted", Value: false}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RebuildTotals(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if all, _ := tallyOf(t, s, f); all.N != 1 {
		t.Errorf("n after rebuild = %d, want 1", all.N)
	}
	if rows := exported(t, s, f.ID, "pa-1"); len(rows) != 1 {
		t.Errorf("export has %d rows, want 1", len(rows))
	}
	if _, ok, _ := s.Response(ctx, gone.ID); ok {
		t.Error("the erased response is still stored")
	}
}

func TestFollowUpLinks(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	first := saveIn(t, s, f, "11111111-1111-4111-8111-111111111111", forms.Answers{"role": "helper"})
	second := saveIn(t, s, f, "22222222-2222-4222-8222-222222222222", forms.Answers{"role": "helper"})
	now := time.Now()
	for _, id := range []string{first.ID, second.ID, second.ID} {
		if err := s.LinkFollowUp(ctx, "h1", "pa-1", id, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.LinkFollowUp(ctx, "h2", "pa-2", first.ID, now); err != nil {
		t.Fatal(err)
	}
	l, ok, err := s.FollowUp(ctx, "h1")
	if err != nil || !ok || l.Partnership != "pa-1" || len(l.Responses) != 2 {
		t.Fatalf("link = %+v, %v, %v; want two responses in pa-1, each once", l, ok, err)
	}
	people, err := s.FollowedResponses(ctx, "pa-1")
	if err != nil || len(people) != 1 || len(people[0]) != 2 || people[0][0].Answers["role"] != nil {
		t.Fatalf("followed = %+v, %v; want one person with two responses, without answers", people, err)
	}
	if err := s.EraseResponse(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if people, _ := s.FollowedResponses(ctx, "pa-1"); len(people) != 1 || len(people[0]) != 1 {
		t.Errorf("after erasing one = %+v, want the other alone", people)
	}
	if err := s.DeleteFollowUp(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.FollowUp(ctx, "h1"); ok {
		t.Error("deleted link still found")
	}
}

// A rebuild that a crash cut short, after it cleared the totals, is
// finished when the store opens, so half the totals are never served.
func TestARebuildCutShortIsFinishedBeforeServing(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("reopens an embedded store")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	f := testForm(t)
	saveIn(t, s, f, "11111111-1111-4111-8111-111111111111", forms.Answers{"role": "helper"})
	saveIn(t, s, f, "22222222-2222-4222-8222-222222222222", forms.Answers{"role": "participant"})
	// The crash: marked, totals and pages cleared, nothing written yet.
	if _, err := s.meta.InsertOne(ctx, bson.D{{Key: "_id", Value: rebuilding}}); err != nil {
		t.Fatal(err)
	}
	for _, coll := range []*mongo.Collection{s.totals, s.daily, s.pages} {
		if _, err := coll.DeleteMany(ctx, bson.D{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir)
	if all, today := tallyOf(t, s, f); all.N != 2 || today.N != 2 {
		t.Errorf("after reopening: n = %d (today %d), want the rebuild finished", all.N, today.N)
	}
	if rows := exported(t, s, f.ID, "pa-1"); len(rows) != 2 {
		t.Errorf("export has %d rows, want 2", len(rows))
	}
	if err := s.meta.FindOne(ctx, bson.D{{Key: "_id", Value: rebuilding}}).Err(); !notFound(err) {
		t.Errorf("the rebuild mark is still there: %v", err)
	}
}
