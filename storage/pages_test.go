package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"samspil/forms"
)

// exported returns what an export of a form reads, in a partnership when
// pid is not empty.
func exported(t *testing.T, s *Store, form, pid string) []forms.Response {
	t.Helper()
	var rows []forms.Response
	if err := s.EachResponse(context.Background(), form, pid, "", func(r forms.Response) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

// exportKey describes an exported row by what an evaluator sees of it.
func exportKey(r forms.Response) string {
	return fmt.Sprintf("%s/%s/%s/%s/v%d/%v/%v", r.Partnership, r.Activity, r.Partner,
		r.SubmittedAt.Format(time.DateOnly), r.FormVersion, r.Answers["belonging_place"], r.Answers["role"])
}

func exportKeys(rs []forms.Response) []string {
	keys := make([]string, 0, len(rs))
	for _, r := range rs {
		keys = append(keys, exportKey(r))
	}
	slices.Sort(keys)
	return keys
}

// Every stored response shows up in an export exactly once, however it
// arrived: imported, submitted, retried, replaced, rescored, rebuilt.
func TestExportsShowEachResponseOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.Form("citizen_short", 2)
	day := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	var want []forms.Response
	var rs []forms.Response
	var counts [][]forms.Count
	// More than a page's worth in one activity, a few in another.
	for i := range 2*pageSize + 30 {
		a := forms.Answers{"belonging_place": 1 + i%5, "role": []string{"helper", "participant"}[i%2]}
		r := forms.NewResponse(f, fmt.Sprintf("imp-%d", i), "da", a, day)
		r.Partnership, r.Activity = "pa", []string{"ac1", "ac1", "ac1", "ac2"}[i%4]
		rs, counts = append(rs, r), append(counts, f.Counts(a))
	}
	if _, err := s.ImportResponses(ctx, rs, counts); err != nil {
		t.Fatal(err)
	}
	want = append(want, rs...)
	for i := range 3 {
		a := forms.Answers{"belonging_place": 5, "role": "co_creator"}
		r := forms.NewResponse(f, fmt.Sprintf("sub-%d", i), "ar", a, day.Add(24*time.Hour))
		r.Partnership, r.Activity = "pa", "ac2"
		for range 2 { // the phone retries
			if _, _, err := s.SaveResponse(ctx, r, f.Counts(a)); err != nil {
				t.Fatal(err)
			}
		}
		want = append(want, r)
	}
	partner, _ := c.Form("partner_survey", 1)
	for _, trust := range []int{1, 4, 2} {
		a := forms.Answers{"relations_trust_close_relations": trust}
		r := forms.NewResponse(partner, "", "da", a, day)
		r.ID, r.Partnership, r.Wave, r.Partner = forms.PartnerResponseID("w1", "pt1"), "pa", "w1", "pt1"
		if _, err := s.ReplaceResponse(ctx, r, partner.Counts(a)); err != nil {
			t.Fatal(err)
		}
		// As if the service restarted in between, which starts new pages.
		s.pageAlloc = newPageAllocator()
	}
	// Other partnerships stay out of this one's export.
	other := forms.NewResponse(f, "elsewhere", "da", forms.Answers{"role": "helper"}, day)
	other.Partnership = "pb"
	if _, _, err := s.SaveResponse(ctx, other, f.Counts(other.Answers)); err != nil {
		t.Fatal(err)
	}

	got := exported(t, s, f.ID, "pa")
	if !slices.Equal(exportKeys(got), exportKeys(want)) {
		t.Fatalf("export rows differ from the stored responses:\n got %v\nwant %v", exportKeys(got), exportKeys(want))
	}
	for _, r := range got {
		if r.SubmissionID != "" || r.ID != "" || !r.SubmittedAt.Equal(r.SubmittedAt.Truncate(24*time.Hour)) {
			t.Fatalf("exported row %+v carries a submission id or a time finer than the day", r)
		}
	}
	answers := exported(t, s, partner.ID, "pa")
	if len(answers) != 1 || answers[0].Answers["relations_trust_close_relations"] != 2 || answers[0].Partner != "pt1" {
		t.Errorf("partner export = %+v, want only the last answer of pt1", answers)
	}

	// A corrected scoring rule reaches the export through a rebuild.
	if _, err := s.RebuildTotals(ctx, func(form string, version int, a forms.Answers) (forms.Scores, []forms.Count, bool) {
		return forms.Scores{"belonging": 42}, nil, form == f.ID
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range exported(t, s, f.ID, "pa") {
		if r.Scores["belonging"] != 42 {
			t.Fatalf("row %s kept its old scores %v after a rescore", exportKey(r), r.Scores)
		}
	}
	if rebuilt := exported(t, s, f.ID, "pa"); !slices.Equal(exportKeys(rebuilt), exportKeys(want)) {
		t.Errorf("export after a rebuild differs:\n got %v\nwant %v", exportKeys(rebuilt), exportKeys(want))
	}
}

// Exports read pages of many responses, not one document per response:
// that is what makes a million rows stream in seconds.
func TestPagesHoldManyResponses(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	var rs []forms.Response
	var counts [][]forms.Count
	for i := range 3 * pageSize {
		r, cs := newResponse(t, f, fmt.Sprintf("p-%d", i), forms.Answers{"role": "helper"})
		rs, counts = append(rs, r), append(counts, cs)
	}
	if _, err := s.ImportResponses(ctx, rs, counts); err != nil {
		t.Fatal(err)
	}
	pages, err := s.pages.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 3 {
		t.Errorf("%d responses of one day fill %d pages, want 3", len(rs), pages)
	}
}

// A store written before export pages existed gets them once, on opening.
func TestStoresFromBeforePagesGetThem(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	f := testForm(t)
	for i := range 5 {
		r, counts := newResponse(t, f, fmt.Sprintf("old-%d", i), forms.Answers{"belonging_place": 1 + i})
		if _, _, err := s.SaveResponse(ctx, r, counts); err != nil {
			t.Fatal(err)
		}
	}
	fold(t, s)
	// What such a store looks like: no pages, no page on any response.
	for _, coll := range []string{"export_pages", "meta"} {
		if _, err := s.db.Collection(coll).DeleteMany(ctx, bson.D{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.responses.UpdateMany(ctx, bson.D{}, bson.D{{Key: "$unset", Value: bson.D{{Key: "page", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	if rows := exported(t, s, f.ID, ""); len(rows) != 0 {
		t.Fatalf("export found %d rows without pages", len(rows))
	}

	if err := s.buildMissingPages(ctx); err != nil {
		t.Fatal(err)
	}
	rows := exported(t, s, f.ID, "")
	places := map[any]bool{}
	for _, r := range rows {
		places[r.Answers["belonging_place"]] = true
	}
	if len(rows) != 5 || len(places) != 5 {
		t.Fatalf("export after the upgrade = %v, want the 5 responses once each", slices.Collect(maps.Keys(places)))
	}
	// Once is enough: the next start reads no response.
	if _, err := s.pages.DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if err := s.buildMissingPages(ctx); err != nil {
		t.Fatal(err)
	}
	if rows := exported(t, s, f.ID, ""); len(rows) != 0 {
		t.Errorf("pages were built again on a store that had them")
	}
}

// A page takes pageSize rows at most, also after the allocator forgot the
// pages it was filling, and maxPageBytes of rows at most.
func TestPagesNeverOverfill(t *testing.T) {
	a := newPageAllocator()
	rows := map[string]int{}
	for range pageSize {
		rows[a.next("cell", "2026-03-14", 100)]++
	}
	for i := range maxOpenPages {
		rows[a.next(fmt.Sprint("other", i), "", 100)]++
	}
	rows[a.next("cell", "2026-03-14", 100)]++
	for page, n := range rows {
		if n > pageSize {
			t.Fatalf("page %s holds %d rows, more than %d", page, n, pageSize)
		}
	}
	// Long free text: 200 kB rows, 20 to a page.
	long := map[string]int{}
	for range 50 {
		long[a.next("texts", "2026-03-14", 200_000)]++
	}
	for page, n := range long {
		if n*200_000 > maxPageBytes {
			t.Fatalf("page %s holds %d rows of 200 kB, more than %d bytes", page, n, maxPageBytes)
		}
	}
}
