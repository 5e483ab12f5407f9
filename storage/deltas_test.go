package storage

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"samspil/forms"
)

// A response counted by its batch's delta is not counted again by a
// replacement or erasure that found it uncounted a moment before (the
// delta landed late), nor by a second erasure after the repair finished
// the first and its key left the pending lists.
func TestDirectCountsSkipWhatOthersCounted(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)

	// A slow batch: journaled and stored a while ago, its delta written
	// just after a settle found the response uncounted.
	docs, journal := storedBatch(t, s, f, "5a5a5a5a-5a5a-45a5-85a5-5a5a5a5a5a5a")
	doc := docs[0]
	if counted, err := s.counted(ctx, doc); err != nil || counted {
		t.Fatalf("counted = %v, %v before the delta", counted, err)
	}
	if err := s.writeDelta(ctx, journal, []responseDoc{doc}); err != nil {
		t.Fatal(err)
	}
	if err := s.countNow(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 1 {
		t.Errorf("tally n = %d after the delta and a direct count, want 1", tally.N)
	}

	// An erasure the repair finished, with the pending lists pruned right
	// after, then asked again by the request that started it.
	erased := responseDoc{ID: doc.ID, Form: doc.Form, Version: doc.Version, SubmittedAt: doc.SubmittedAt, Cell: doc.Cell,
		Day: doc.Day, Page: doc.Page, Revision: doc.Revision + 1, Uncount: doc.Counts, Erased: true, Token: newToken()}
	if err := s.journalAs(ctx, doc.ID, erased.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.responses.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, erased); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.cells(erased) {
		s.pendingGrew(c, pruneAt-1)
	}
	if err := s.finishErasureNow(ctx, erased); err != nil {
		t.Fatal(err)
	}
	if err := s.finishErasureNow(ctx, erased); err != nil {
		t.Fatal(err)
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 0 {
		t.Errorf("tally n = %d after an erasure finished twice, want 0", tally.N)
	}
}

// A batch in which one insert fails otherwise than as a duplicate counts
// the others at once; the failed one is left to the repair, which finds
// it was never stored and clears it.
func TestABatchCountsWhatItStoredWhenOneInsertFails(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	good, goodCounts := newResponse(t, f, "6b6b6b6b-6b6b-46b6-86b6-6b6b6b6b6b6b", forms.Answers{"role": "helper"})
	bad, badCounts := newResponse(t, f, "7c7c7c7c-7c7c-47c7-87c7-7c7c7c7c7c7c", forms.Answers{"role": "helper"})
	badDoc := s.newResponseDoc(bad, badCounts)
	badDoc.Answers = map[string]any{"$bad": 1} // a field name the store refuses
	jobs := []insertJob{
		{doc: s.newResponseDoc(good, goodCounts), done: make(chan insertResult, 1)},
		{doc: badDoc, done: make(chan insertResult, 1)},
	}
	s.insertBatch(ctx, jobs)
	if r := <-jobs[0].done; !r.created || r.err != nil {
		t.Fatalf("good response: created %v, %v", r.created, r.err)
	}
	if r := <-jobs[1].done; r.err == nil {
		t.Fatal("the refused response reported no error")
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 1 {
		t.Errorf("tally n = %d right after the batch, want the stored response counted", tally.N)
	}
	if n, _, err := s.repairTotals(ctx, time.Now().Add(2*repairAge)); err != nil || n != 0 {
		t.Errorf("repair counted %d, %v; want nothing", n, err)
	}
	if n, _ := s.uncounted.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d journal documents left after the repair", n)
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 1 {
		t.Errorf("tally n = %d after the repair, want 1", tally.N)
	}
}

// A delta that cannot be read does not stop the others, nor reads: it is
// set aside, and the repair counts its responses from what is stored.
func TestAnUnreadableDeltaIsLeftToTheRepair(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	_, journal := storedBatch(t, s, f, "8d8d8d8d-8d8d-48d8-88d8-8d8d8d8d8d8d")
	broken := deltaDoc{ID: newDeltaID(time.Now()), At: time.Now(), Journal: journal, Body: bson.Binary{Data: []byte("not a delta")}}
	if _, err := s.deltas.InsertOne(ctx, broken); err != nil {
		t.Fatal(err)
	}
	s.unfolded.Add(1)
	saveIn(t, s, f, "9e9e9e9e-9e9e-49e9-89e9-9e9e9e9e9e9e", forms.Answers{"role": "participant"})
	all, _ := tallyOf(t, s, f)
	if all.N != 1 {
		t.Errorf("tally n = %d with an unreadable delta, want the other response counted", all.N)
	}
	if n, _, err := s.repairTotals(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("repair counted %d, %v; want the set-aside response", n, err)
	}
	if all, _ = tallyOf(t, s, f); all.N != 2 {
		t.Errorf("tally n = %d after the repair, want 2", all.N)
	}
}

// storedBatch stores responses (role helper, each answered a while ago)
// the way a batch does until its delta: journaled with their tokens in one
// document, then stored. It returns them and the journal document.
func storedBatch(t *testing.T, s *Store, f *forms.Form, ids ...string) ([]responseDoc, string) {
	return storedBatchOf(t, s, f, ids, func(int) forms.Answers { return forms.Answers{"role": "helper"} })
}

func storedBatchOf(t *testing.T, s *Store, f *forms.Form, ids []string, answers func(int) forms.Answers) ([]responseDoc, string) {
	t.Helper()
	ctx := context.Background()
	var docs []responseDoc
	var revs []revision
	for i, id := range ids {
		r, counts := newResponse(t, f, id, answers(i))
		r.SubmittedAt = time.Now().Add(-2 * repairAge)
		d := s.newResponseDoc(r, counts)
		d.Token = newToken()
		docs, revs = append(docs, d), append(revs, d.revision())
	}
	journal, err := s.journalRevisions(ctx, revs)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if _, err := s.responses.InsertOne(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	return docs, journal
}
