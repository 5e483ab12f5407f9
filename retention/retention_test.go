package retention_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/intake"
	"samspil/partnership"
	"samspil/retention"
	"samspil/storage"
)

type catalogFinder struct{ c *forms.Catalog }

func (f catalogFinder) Form(_ context.Context, id string, version int) (*forms.Form, error) {
	if form, ok := f.c.Form(id, version); ok {
		return form, nil
	}
	return nil, errors.New("no such form")
}

// The job deletes each kind of personal data when its time has come, and
// not before, on the real store, with the clock moved on; run again, it
// finds nothing more to do.
func TestRetentionDeletesWhatIsDue(t *testing.T) {
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	now := t0
	clock := func() time.Time { return now }

	long := partnership.Partnership{ID: "long", Name: "Long", MinGroup: 5, Contact: "Anna, anna@example.dk", CreatedAt: t0}
	short := partnership.Partnership{ID: "short", Name: "Short", MinGroup: 5, CreatedAt: t0, Retention: &partnership.Retention{TextMonths: 6}}
	for _, p := range []partnership.Partnership{long, short} {
		if err := store.CreatePartnership(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	partner := partnership.Partner{ID: "pt1", Partnership: "long", Name: "Røde Kors", Sector: "civil", Email: "kontakt@example.dk", Active: true, JoinedAt: t0}
	if err := store.CreatePartner(ctx, partner); err != nil {
		t.Fatal(err)
	}
	wave := partnership.Wave{ID: "w1", Partnership: "long", Form: "partner_survey", Respondents: "partners", OpensAt: t0, ClosesAt: t0.AddDate(0, 0, 30)}
	if err := store.CreateWave(ctx, wave); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateInvitation(ctx, partnership.Invitation{Hash: "h1", Partnership: "long", Wave: "w1", Partner: "pt1", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := store.Audit(ctx, partnership.AuditEntry{ID: "au-old", At: t0.AddDate(-6, 0, 0), Actor: "x", Action: "partnership.create"}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSession(ctx, access.Session{Hash: "s1", User: "bo@example.dk", CreatedAt: t0, SeenAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSetupLink(ctx, access.SetupLink{Hash: "l1", User: "bo@example.dk", ExpiresAt: t0.Add(access.SetupLinkTTL)}); err != nil {
		t.Fatal(err)
	}
	f, _ := catalog.Form("citizen_short", 1) // the version with a free-text question
	in := intake.New(store, catalogFinder{catalog}, clock)
	ids := map[string]string{}
	for _, pid := range []string{"long", "short"} {
		got, err := in.Submit(ctx, intake.Citizen{Form: f, SubmissionID: "5b0a1f7e-6d5c-4f3e-8a2b-1c0d9e8f7a6" + pid[:1], Partnership: pid,
			Answers: map[string]any{"belonging_place": 4, "comment": "Min nabo Jens på Vestergade 3 hjælper mig"}})
		if err != nil {
			t.Fatal(err)
		}
		ids[pid] = got.Response.ID
	}
	job := retention.New(store, catalogFinder{catalog}, clock)
	run := func(at time.Time) retention.Report {
		t.Helper()
		now = at
		rep, err := job.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	comment := func(pid string) any {
		r, _, _ := store.Response(ctx, ids[pid])
		return r.Answers["comment"]
	}

	if rep := run(t0.Add(time.Hour)); rep != (retention.Report{Audit: 1}) {
		t.Errorf("an hour later: %v, want only the six-year-old audit entry", rep)
	}
	if rep := run(t0.AddDate(0, 1, 0)); rep != (retention.Report{SignIns: 2}) {
		t.Errorf("after a month: %v, want the ended session and the expired password link", rep)
	}
	long.EndedAt = ptr(t0.AddDate(0, 1, 0))
	if err := store.UpdatePartnership(ctx, long); err != nil {
		t.Fatal(err)
	}
	if rep := run(t0.AddDate(0, 7, 0)); rep != (retention.Report{Texts: 1, Contacts: 1, Invitations: 1}) {
		t.Errorf("after seven months: %v, want the 6-month partnership's text, and contacts and invitations 3 months after the end and the close", rep)
	}
	if comment("short") != nil || comment("long") == nil {
		t.Errorf("after seven months: comments %v and %v, want only the 6-month partnership's gone", comment("short"), comment("long"))
	}
	if rep := run(t0.AddDate(1, 0, 1)); rep != (retention.Report{Texts: 1}) {
		t.Errorf("after a year: %v, want the other text", rep)
	}
	if rep := run(t0.AddDate(1, 0, 2)); rep != (retention.Report{}) {
		t.Errorf("run again: %v, want nothing left to do", rep)
	}

	r, _, _ := store.Response(ctx, ids["long"])
	if r.Answers["comment"] != nil || r.Answers["belonging_place"] != 4 {
		t.Errorf("response after retention = %v, want the comment gone and the rest kept", r.Answers)
	}
	var exported []forms.Answers
	store.EachResponse(ctx, "citizen_short", "", "", func(r forms.Response) error {
		exported = append(exported, r.Answers)
		return nil
	})
	for _, a := range exported {
		if a["comment"] != nil {
			t.Errorf("export still holds the comment: %v", a)
		}
	}
	if tally, _ := store.Tally(ctx, "citizen_short"); tally.N != 2 {
		t.Errorf("n = %d, want both responses still counted", tally.N)
	}
	partners, _ := store.Partners(ctx, "long")
	p, _ := store.Partnership(ctx, "long")
	if partners[0].Email != "" || p.Contact != "" {
		t.Errorf("contact details kept: partner %q, partnership %q", partners[0].Email, p.Contact)
	}
	if invs, _ := store.Invitations(ctx, "w1"); len(invs) != 0 {
		t.Errorf("%d invitations kept", len(invs))
	}
	log, _ := store.AuditLog(ctx, 10)
	runs := 0
	for _, e := range log {
		if e.Action == "retention.run" {
			runs++
		}
		if e.ID == "au-old" {
			t.Error("the six-year-old audit entry is kept")
		}
	}
	if runs != 4 {
		t.Errorf("%d retention runs in the audit log, want one per run that deleted something (4)", runs)
	}
}

func ptr[T any](v T) *T { return &v }
