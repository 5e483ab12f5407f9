package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"samspil/access"
	"samspil/forms"
	"samspil/internal/loopback"
)

// openTestStore opens a fresh store: a real MongoDB when
// SAMSPIL_TEST_MONGO_URI is set, else the embedded store in a temporary folder.
func openTestStore(t *testing.T, dir string) *Store {
	t.Helper()
	ctx := context.Background()
	cfg := Config{DataDir: dir}
	if uri := os.Getenv("SAMSPIL_TEST_MONGO_URI"); uri != "" {
		cfg.URI = uri
		cfg.Database = fmt.Sprintf("samspil_test_%d", time.Now().UnixNano())
	}
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if cfg.URI != "" {
			_ = s.db.Drop(ctx)
		}
		_ = s.Close(ctx)
	})
	return s
}

func testForm(t *testing.T) *forms.Form {
	t.Helper()
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.Form("citizen_short", 1)
	if !ok {
		t.Fatal("citizen_short is not built in")
	}
	return f
}

func newResponse(t *testing.T, f *forms.Form, submission string, answers forms.Answers) (forms.Response, []forms.Count) {
	t.Helper()
	return forms.NewResponse(f, submission, "da", answers, time.Now()), f.Counts(answers)
}

func TestSaveResponseStoresEachSubmissionOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)

	r, counts := newResponse(t, f, "11111111-1111-4111-8111-111111111111", forms.Answers{"belonging_place": 4, "role": "helper"})
	stored, created, err := s.SaveResponse(ctx, r, counts)
	if err != nil || !created || stored.ID != r.ID {
		t.Fatalf("first save = %v, %v, %v; want created %q", stored.ID, created, err, r.ID)
	}

	stored, created, err = s.SaveResponse(ctx, r, counts)
	if err != nil || created {
		t.Fatalf("replay: created %v, err %v; want an existing response", created, err)
	}
	if !stored.SameAs(r) || stored.Answers["belonging_place"] != 4 {
		t.Errorf("replay returned %+v, want the stored answers of %+v", stored, r)
	}

	other, otherCounts := newResponse(t, f, r.SubmissionID, forms.Answers{"belonging_place": 2})
	stored, created, err = s.SaveResponse(ctx, other, otherCounts)
	if err != nil || created || stored.SameAs(other) {
		t.Fatalf("conflicting save: created %v, same %v, err %v; want the first answers back", created, stored.SameAs(other), err)
	}

	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tally.N != 1 || tally.Items["belonging_place"].Values["4"] != 1 || tally.Items["role"].Values["helper"] != 1 {
		t.Errorf("tally = %+v, want one response with belonging_place 4 and role helper", tally)
	}
}

func TestConcurrentResponsesAreAllCounted(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)

	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			r, counts := newResponse(t, f, fmt.Sprintf("00000000-0000-4000-8000-%012d", i), forms.Answers{"belonging_place": 1 + i%5})
			if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tally.N != n || tally.Items["belonging_place"].Answered != n || tally.Items["belonging_place"].Values["3"] != n/5 {
		t.Errorf("tally = %+v, want %d responses, %d with the answer 3", tally, n, n/5)
	}
}

func TestRepairCountsInterruptedWritesOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir)
	f := testForm(t)
	old := time.Now().Add(-2 * repairAge)

	// A crash right after the response was stored: nothing counted.
	lost, lostCounts := newResponse(t, f, "22222222-2222-4222-8222-222222222222", forms.Answers{"role": "helper"})
	lost.SubmittedAt = old
	insertUncounted(t, s, lost, lostCounts)

	// A crash after the counts were added, before the response was marked.
	half, halfCounts := newResponse(t, f, "33333333-3333-4333-8333-333333333333", forms.Answers{"role": "participant"})
	half.SubmittedAt = old
	doc := insertUncounted(t, s, half, halfCounts)
	for _, c := range s.cells(doc) {
		if err := s.addCounts(ctx, batchOf(c, []responseDoc{doc}, responseDoc.pendingKey)); err != nil {
			t.Fatal(err)
		}
	}

	// A response still in the hands of its request is left alone.
	young, youngCounts := newResponse(t, f, "44444444-4444-4444-8444-444444444444", forms.Answers{"role": "helper"})
	insertUncounted(t, s, young, youngCounts)

	repaired, waiting, err := s.repairTotals(ctx, time.Now())
	if err != nil || repaired != 2 || waiting != 1 {
		t.Fatalf("repair = %d repaired, %d young, %v; want 2 and 1", repaired, waiting, err)
	}
	if again, _, err := s.repairTotals(ctx, time.Now()); err != nil || again != 0 {
		t.Fatalf("second repair = %d, %v; want nothing left to repair", again, err)
	}
	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	role := tally.Items["role"]
	if tally.N != 2 || role.Values["helper"] != 1 || role.Values["participant"] != 1 {
		t.Errorf("tally = %+v, want each interrupted response counted once", tally)
	}
	if rows := exported(t, s, f.ID, ""); len(rows) != 2 {
		t.Errorf("export has %d rows, want the 2 repaired responses once each", len(rows))
	}
}

// fold folds the deltas there are, as the background fold or a read
// would: what the journal holds is then what crashes left.
func fold(t *testing.T, s *Store) {
	t.Helper()
	if err := s.fold(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func insertUncounted(t *testing.T, s *Store, r forms.Response, counts []forms.Count) responseDoc {
	t.Helper()
	doc := s.newResponseDoc(r, counts)
	if err := s.journal(context.Background(), doc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.responses.InsertOne(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestEmbeddedStoreKeepsDataAcrossRestarts(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("tests the embedded store")
	}
	ctx := context.Background()
	dir := t.TempDir()
	f := testForm(t)
	r, counts := newResponse(t, f, "55555555-5555-4555-8555-555555555555", forms.Answers{"comment": "Godt at være her"})
	key, secret := access.NewKey(access.RoleEvaluator, "", time.Now())

	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, dir)
	if _, created, err := s.SaveResponse(ctx, r, counts); err != nil || created {
		t.Errorf("save after restart: created %v, err %v; want the stored response", created, err)
	}
	if got, ok, err := s.Key(ctx, access.Hash(secret)); err != nil || !ok || got.Role != access.RoleEvaluator {
		t.Errorf("key after restart = %+v, %v, %v; want the evaluator key", got, ok, err)
	}
	if tally, err := s.Tally(ctx, f.ID); err != nil || tally.N != 1 {
		t.Errorf("tally after restart = %+v, %v; want 1 response", tally, err)
	}
}

func TestReconnectsAfterTheStoreRestarts(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("restarts the embedded store")
	}
	ctx := context.Background()
	dir := t.TempDir()
	addr := loopback.FreeAddr(t)
	e, err := StartEmbedded(ctx, dir, addr, slogDiscard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, Config{URI: e.URI()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)

	e.Stop()
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	err = s.Ping(short)
	cancel()
	if err == nil {
		t.Fatal("ping succeeded with the store stopped")
	}

	if e, err = StartEmbedded(ctx, dir, addr, slogDiscard); err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	f := testForm(t)
	r, counts := newResponse(t, f, "66666666-6666-4666-8666-666666666666", forms.Answers{"belonging_place": 5})
	if _, created, err := s.SaveResponse(ctx, r, counts); err != nil || !created {
		t.Fatalf("save after the store came back: created %v, err %v", created, err)
	}
}

// The embedded store pushes a filter down to SQLite only when it is _id
// alone; any other filter parses every document of the collection, which
// made counting one response take 200 ms once there were 600 daily cells.
// So on the embedded store every write of responses, totals and pages
// names its document by _id alone, including the guarded ones.
func TestEmbeddedWritesFilterOnIDAlone(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("tests the embedded store")
	}
	ctx := context.Background()
	var mu sync.Mutex
	var filters []string
	watched := map[string]bool{"responses": true, "totals": true, "daily_totals": true, "export_pages": true}
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		coll, ok := e.Command.Lookup(e.CommandName).StringValueOK()
		if e.CommandName != "update" || !ok || !watched[coll] {
			return
		}
		updates, _ := e.Command.Lookup("updates").Array().Values()
		mu.Lock()
		defer mu.Unlock()
		for _, u := range updates {
			elems, _ := u.Document().Lookup("q").Document().Elements()
			var keys []string
			for _, el := range elems {
				keys = append(keys, el.Key())
			}
			filters = append(filters, coll+" "+strings.Join(keys, ","))
		}
	}}
	s, err := Open(ctx, Config{DataDir: t.TempDir(), monitor: monitor})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	f := testForm(t)
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			r, counts := newResponse(t, f, fmt.Sprintf("filter-%d", i), forms.Answers{"role": "helper"})
			if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, role := range []string{"helper", "participant"} {
		a := forms.Answers{"role": role}
		r := forms.NewResponse(f, "pt1", "da", a, time.Now())
		r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = "wave1:pt1", "", "pa1", "wave1", "pt1"
		if _, err := s.ReplaceResponse(ctx, r, f.Counts(a)); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	seen := map[string]bool{}
	for _, f := range filters {
		seen[strings.Fields(f)[0]] = true
		if !strings.HasSuffix(f, " _id") {
			t.Errorf("update filters on %q, not on _id alone", f)
		}
	}
	if len(seen) != len(watched) {
		t.Errorf("updates seen on %v, want all of %v", seen, watched)
	}
}

// FerretDB v1.24 looks documents up by _ferretdb_sjson->'$._id'; without the
// index Open adds for that expression, SQLite scans the whole table for
// every response stored (see Embedded.indexIDLookups).
func TestEmbeddedLookupsByIDUseAnIndex(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("tests the embedded store")
	}
	dir := t.TempDir()
	openTestStore(t, dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, defaultDatabase+".sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, coll := range []string{"responses", "totals", "daily_totals", "uncounted", "export_pages", "meta", "keys", "forms", "partnerships", "partners", "activities", "waves", "invitations", "audit"} {
		var table string
		if err := db.QueryRow("SELECT table_name FROM _ferretdb_collections WHERE name = ?", coll).Scan(&table); err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		var id, parent, unused int
		var plan string
		q := fmt.Sprintf(`EXPLAIN QUERY PLAN UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, table)
		if err := db.QueryRow(q, "{}", `"x"`).Scan(&id, &parent, &unused, &plan); err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		if !strings.Contains(plan, "USING INDEX") {
			t.Errorf("%s: lookup by _id plans %q, want an index search", coll, plan)
		}
	}
}

func TestReplacedAnswersMoveTheTotals(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	answer := func(a forms.Answers) (forms.Response, []forms.Count) {
		r := forms.NewResponse(f, "pt1", "da", a, time.Now().Add(-2*repairAge))
		r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = "wave1:pt1", "", "pa1", "wave1", "pt1"
		return r, f.Counts(a)
	}
	r, counts := answer(forms.Answers{"role": "helper", "belonging_place": 2})
	if created, err := s.ReplaceResponse(ctx, r, counts); err != nil || !created {
		t.Fatalf("first answer: %v, %v", created, err)
	}
	r, counts = answer(forms.Answers{"role": "participant"})
	if created, err := s.ReplaceResponse(ctx, r, counts); err != nil || created {
		t.Fatalf("changed answer: %v, %v", created, err)
	}
	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	role, place := tally.Items["role"], tally.Items["belonging_place"]
	if tally.N != 1 || role.Values["helper"] != 0 || role.Values["participant"] != 1 || place.Answered != 0 {
		t.Errorf("tally = %+v, want only the changed answer counted", tally)
	}
	if rows := exported(t, s, f.ID, "pa1"); len(rows) != 1 || rows[0].Answers["role"] != "participant" || rows[0].Partner != "pt1" {
		t.Errorf("export = %+v, want only the changed answer, from pt1", rows)
	}

	// A crash after the replacement was stored, before it was counted: the
	// repair moves the totals once.
	r, counts = answer(forms.Answers{"role": "co_creator"})
	var stored responseDoc
	if err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	doc := s.newResponseDoc(r, counts)
	doc.Revision, doc.Uncount, doc.Page = 2, stored.Counts, stored.Page
	if err := s.journal(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.responses.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, doc); err != nil {
		t.Fatal(err)
	}
	if n, _, err := s.repairTotals(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("repair = %d, %v", n, err)
	}
	if again, _, _ := s.repairTotals(ctx, time.Now()); again != 0 {
		t.Errorf("second repair counted %d again", again)
	}
	tally, _ = s.Tally(ctx, f.ID)
	role = tally.Items["role"]
	if tally.N != 1 || role.Values["participant"] != 0 || role.Values["co_creator"] != 1 {
		t.Errorf("tally after repair = %+v, want only co_creator", tally)
	}
	if rows := exported(t, s, f.ID, "pa1"); len(rows) != 1 || rows[0].Answers["role"] != "co_creator" {
		t.Errorf("export after repair = %+v, want only the co_creator answer", rows)
	}
}

// Journal entries that outlive a crash are cleared: one for a response
// that was counted, one for a response that was never stored.
func TestRepairClearsStaleJournalEntries(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	r, counts := newResponse(t, f, "12121212-1212-4121-8121-121212121212", forms.Answers{"role": "helper"})
	if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
		t.Fatal(err)
	}
	fold(t, s)
	old := time.Now().Add(-2 * repairAge)
	for _, id := range []string{r.ID, "citizen_short:never-stored"} {
		if _, err := s.uncounted.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "at", Value: old}}); err != nil {
			t.Fatal(err)
		}
	}
	if n, young, err := s.repairTotals(ctx, time.Now()); err != nil || n != 0 || young != 0 {
		t.Fatalf("repair = %d, %d young, %v; want nothing to count", n, young, err)
	}
	if left, _ := s.uncounted.CountDocuments(ctx, bson.D{}); left != 0 {
		t.Errorf("%d journal entries left", left)
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 1 {
		t.Errorf("tally n = %d, want the response counted once", tally.N)
	}
}

// Responses counted in one batch are counted once each, also when a
// repair counted one of them first, and when a crash stops the batch
// after its counts are in.
func TestBatchesCountEachResponseOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	old := time.Now().Add(-2 * repairAge)
	roles := []string{"helper", "participant", "helper"}
	docs, journal := storedBatchOf(t, s, f, []string{"batch-0", "batch-1", "batch-2"},
		func(i int) forms.Answers { return forms.Answers{"role": roles[i]} })
	// A repair counted the first into its cell, then the batch came.
	if err := s.addCounts(ctx, batchOf(s.cells(docs[0])[0], docs[:1], responseDoc.pendingKey)); err != nil {
		t.Fatal(err)
	}
	if err := s.count(ctx, journal, docs...); err != nil {
		t.Fatal(err)
	}
	tally, _ := s.Tally(ctx, f.ID)
	if role := tally.Items["role"]; tally.N != 3 || role.Values["helper"] != 2 || role.Values["participant"] != 1 {
		t.Errorf("tally = %+v, want each of the 3 responses once", tally)
	}

	// A crash right after a batch's counts went in: the repair adds nothing.
	var more []responseDoc
	for i := range 4 {
		r, counts := newResponse(t, f, fmt.Sprintf("crash-%d", i), forms.Answers{"role": "co_creator"})
		r.SubmittedAt = old
		more = append(more, insertUncounted(t, s, r, counts))
	}
	for _, c := range s.byCell(more, responseDoc.pendingKey) {
		if err := s.addCounts(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if n, _, err := s.repairTotals(ctx, time.Now()); err != nil || n != 4 {
		t.Fatalf("repair = %d, %v; want the 4 responses of the batch finished", n, err)
	}
	tally, _ = s.Tally(ctx, f.ID)
	if tally.N != 7 || tally.Items["role"].Values["co_creator"] != 4 {
		t.Errorf("tally after the repair = %+v, want 7 responses, 4 co_creators", tally)
	}
	if rows := exported(t, s, f.ID, ""); len(rows) != 7 {
		t.Errorf("export has %d rows, want 7", len(rows))
	}
}

// A partner who taps "send" twice has the answer counted once, and an
// answer a crash left uncounted is counted before a change takes it off.
func TestChangedAnswersCountOnceWhenSentTwice(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	answer := func(wave, role string, at time.Time) (forms.Response, []forms.Count) {
		a := forms.Answers{"role": role}
		r := forms.NewResponse(f, "pt1", "da", a, at)
		r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = wave+":pt1", "", "pa1", wave, "pt1"
		return r, f.Counts(a)
	}
	const rounds = 15
	for i := range rounds {
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				r, counts := answer(fmt.Sprint("w", i), "helper", time.Now())
				if _, err := s.ReplaceResponse(ctx, r, counts); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	r, counts := answer("crashed", "participant", time.Now().Add(-2*repairAge))
	insertUncounted(t, s, r, counts)
	r, counts = answer("crashed", "co_creator", time.Now())
	if created, err := s.ReplaceResponse(ctx, r, counts); err != nil || created {
		t.Fatalf("change after a crash: %v, %v", created, err)
	}
	tally, err := s.Tally(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	role := tally.Items["role"]
	if tally.N != rounds+1 || role.Values["helper"] != rounds || role.Values["participant"] != 0 || role.Values["co_creator"] != 1 {
		t.Errorf("tally = %d responses, roles %v; want %d helpers sent twice each counted once, and only the changed answer after the crash",
			tally.N, role.Values, rounds)
	}
}

// After a crash, the embedded store's process is alone with it: a
// response journaled a second before the crash is counted at start-up,
// before anyone is served, not a minute or more later.
func TestStartUpCountsEveryResponseACrashLeft(t *testing.T) {
	if os.Getenv("SAMSPIL_TEST_MONGO_URI") != "" {
		t.Skip("on MongoDB another instance may be counting a young response: the repair waits for it")
	}
	ctx := context.Background()
	dir := t.TempDir()
	f := testForm(t)
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r, counts := newResponse(t, f, "66666666-6666-4666-8666-666666666666", forms.Answers{"role": "helper"})
	insertUncounted(t, s, r, counts) // stored just now, never counted
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir)
	if tally, err := s.Tally(ctx, f.ID); err != nil || tally.N != 1 {
		t.Errorf("tally right after start-up = %+v, %v; want the young response counted", tally, err)
	}
	if rows := exported(t, s, f.ID, ""); len(rows) != 1 {
		t.Errorf("export right after start-up has %d rows, want 1", len(rows))
	}
}

// Every collection the store writes is in the data inventory, so the
// operator's record of processing never misses one.
func TestDataInventoryListsEveryCollection(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	// Write to the collections made on first use.
	if err := s.NoteText(ctx, "2026-01-01", "pa", "r1"); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkFollowUp(ctx, "h", "pa", "r1", time.Now()); err != nil {
		t.Fatal(err)
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, c := range Inventory {
		listed[c.Name] = true
	}
	for _, n := range names {
		if !listed[n] {
			t.Errorf("collection %s is not in the data inventory", n)
		}
	}
	for _, coll := range []string{s.responses.Name(), s.users.Name(), s.invitations.Name(), s.keys.Name(), s.activities.Name(), s.waves.Name(), s.partners.Name()} {
		if !listed[coll] {
			t.Errorf("collection %s is not in the data inventory", coll)
		}
	}
}

// guardedUpdatesAreAtomic says whether an update whose filter holds a
// guard applies at most once when sent many times at once: on the
// embedded store (one lock in this process) and on MongoDB, not on a
// FerretDB v1 reached by URI, which CI uses to run the MongoDB code path.
func guardedUpdatesAreAtomic(t *testing.T, s *Store) bool {
	t.Helper()
	if s.embedded != nil {
		return true
	}
	var info bson.M
	if err := s.db.RunCommand(context.Background(), bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		t.Fatal(err)
	}
	_, ferret := info["ferretdbVersion"]
	return !ferret
}

// A phone that sends again after a crash left its response journaled but
// not stored (here by an earlier version, one entry per response) has it
// stored under the retry's own token and counted once: the crash's entry
// names nothing stored, and the repair clears it. A retry of a response
// counted already leaves nothing behind that a repair could count again.
func TestRetriesAndTheJournalAgree(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	r, counts := newResponse(t, f, "34343434-3434-4343-8343-343434343434", forms.Answers{"role": "helper"})
	crashed := bson.D{{Key: "_id", Value: r.ID}, {Key: "at", Value: time.Now().Add(-time.Second)}, {Key: "token", Value: "crashed"}}
	if _, err := s.uncounted.InsertOne(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	if _, created, err := s.SaveResponse(ctx, r, counts); err != nil || !created {
		t.Fatalf("send again after the crash: %v %v", created, err)
	}
	if _, created, err := s.SaveResponse(ctx, r, counts); err != nil || created {
		t.Fatalf("a retry of the counted response: %v %v", created, err)
	}
	fold(t, s)
	if n, _ := s.uncounted.CountDocuments(ctx, bson.D{}); n != 1 {
		t.Errorf("%d journal entries left after the retries, want only the crash's", n)
	}
	if n, _, err := s.repairTotals(ctx, time.Now().Add(2*repairAge)); err != nil || n != 0 {
		t.Errorf("repair counted %d, %v; want nothing", n, err)
	}
	if n, _ := s.uncounted.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d journal entries left after the repair", n)
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 1 {
		t.Errorf("tally n = %d, want 1", tally.N)
	}
}

// Responses sent at once are stored in batches: each is new exactly once
// however often it is sent, even twice in one batch, and counted once.
func TestResponsesSentAtOnceAreStoredOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	var mu sync.Mutex
	created := map[string]int{}
	var wg sync.WaitGroup
	for i := range 40 {
		r, counts := newResponse(t, f, fmt.Sprintf("56565656-5656-4565-8565-%012d", i), forms.Answers{"role": "helper"})
		for range 2 {
			wg.Go(func() {
				_, ok, err := s.SaveResponse(ctx, r, counts)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					created[r.ID]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for id, n := range created {
		if n != 1 {
			t.Errorf("%s stored as new %d times", id, n)
		}
	}
	if len(created) != 40 {
		t.Errorf("%d responses stored as new, want 40", len(created))
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 40 {
		t.Errorf("tally n = %d, want 40", tally.N)
	}
	if n, _ := s.uncounted.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d journal entries left", n)
	}
}

// Cells' pending lists do not grow without end: the keys of counted
// revisions and folded deltas are pruned once a few hundred have gathered
// (on MongoDB, a delta's key once it has been gone deltaKeep, which this
// test does not wait for).
func TestPendingListsArePruned(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	s.keepDeltaKeys = 0
	f := testForm(t)
	for i := range pruneAt + 20 {
		r, counts := newResponse(t, f, fmt.Sprintf("78787878-7878-4787-8787-%012d", i), forms.Answers{"role": "helper"})
		if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
			t.Fatal(err)
		}
	}
	fold(t, s)
	cur, err := s.totals.Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var cells []struct {
		Pending []string `bson:"pending"`
	}
	if err := cur.All(ctx, &cells); err != nil || len(cells) == 0 {
		t.Fatalf("cells: %v", err)
	}
	for _, c := range cells {
		if len(c.Pending) >= pruneAt {
			t.Errorf("a cell lists %d pending keys after %d responses, want them pruned", len(c.Pending), pruneAt+20)
		}
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != pruneAt+20 {
		t.Errorf("tally n = %d", tally.N)
	}
}

// A response sent again after it was erased starts at revision 0 again:
// it is counted, although the erased one's keys may still be listed.
func TestAResponseSentAgainAfterItsErasureIsCounted(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	r, counts := newResponse(t, f, "9a9a9a9a-9a9a-49a9-89a9-9a9a9a9a9a9a", forms.Answers{"role": "helper"})
	if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
		t.Fatal(err)
	}
	if err := s.EraseResponse(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, created, err := s.SaveResponse(ctx, r, counts); err != nil || !created {
		t.Fatalf("sent again: %v %v", created, err)
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 1 {
		t.Errorf("tally n = %d after save, erase, save; want 1", tally.N)
	}
}

// An erasure takes its counts off once, whatever else the journal lists
// for the response (here a racing writer's entry).
func TestAnErasureCountsWhateverItsEntrySays(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	r, counts := newResponse(t, f, "9b9b9b9b-9b9b-49b9-89b9-9b9b9b9b9b9b", forms.Answers{"role": "helper"})
	if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
		t.Fatal(err)
	}
	fold(t, s)
	var old responseDoc
	s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&old)
	erased := responseDoc{ID: old.ID, Form: old.Form, Version: old.Version, SubmittedAt: old.SubmittedAt, Cell: old.Cell,
		Day: old.Day, Page: old.Page, Revision: old.Revision + 1, Uncount: old.Counts, Erased: true, Token: "erase"}
	s.journalAs(ctx, r.ID, "erase")
	s.journalAs(ctx, r.ID, "someone-else") // a racing writer took the entry over
	s.responses.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, erased)
	if err := s.finishErasure(ctx, erased); err != nil {
		t.Fatal(err)
	}
	if tally, _ := s.Tally(ctx, f.ID); tally.N != 0 {
		t.Errorf("tally n = %d after the erasure, want 0", tally.N)
	}
}
